// b2Rot::Set(angle) for the lunar core: sine and cosine from simd_math's sincos4 (Cephes float32
// polynomials), so that the scalar path and the f32x4 path of the solver compute the very same
// bits for a lane. The scalar form runs sincos4 on a splat and keeps lane 0.
//
// Both forms hand the rotation to their caller (no module state): the scalar b2Rot is one v128
// value, sin in lane 0 and cos in lane 1; the four-world one is a Rot4 record the caller owns.

import { sincos4, cosOut } from '../../simd_math';

/** b2Rot of `angle`: sin in lane 0, cos in lane 1 (read them with rotSin, rotCos). */
@inline export function rotation(angle: f32): v128 {
  const s = sincos4(f32x4.splat(angle));
  return f32x4.replace_lane(s, 1, f32x4.extract_lane(cosOut, 0));
}
@inline export function rotSin(q: v128): f32 { return f32x4.extract_lane(q, 0); }
@inline export function rotCos(q: v128): f32 { return f32x4.extract_lane(q, 1); }

/** b2Rot of four worlds' angles. */
@unmanaged export class Rot4 {
  s: v128;
  c: v128;
}

/** q := the rotation of `angle` (per lane). */
@inline export function setRotation4(q: Rot4, angle: v128): void {
  q.s = sincos4(angle);
  q.c = cosOut;
}
