// b2Rot::Set(angle) for the lunar core: sine and cosine from simd_math's sincos4 (Cephes float32
// polynomials), so that the scalar path and the f32x4 path of the solver compute the very same
// bits for a lane. The scalar form runs sincos4 on a splat and keeps lane 0.

import { sincos4, cosOut } from '../../simd_math';

/** sin and cos of the last rotate() argument. */
export let rotSin: f32 = 0;
export let rotCos: f32 = 1;

@inline export function rotate(angle: f32): void {
  rotSin = f32x4.extract_lane(sincos4(f32x4.splat(angle)), 0);
  rotCos = f32x4.extract_lane(cosOut, 0);
}

/** sin of the last rotate4() argument in the result's place; its cos in rotCos4. */
export let rotCos4: v128 = f32x4.splat(1);

@inline export function rotate4(angle: v128): v128 {
  const s = sincos4(angle);
  rotCos4 = cosOut;
  return s;
}
