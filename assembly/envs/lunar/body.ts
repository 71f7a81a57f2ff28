// Dynamic bodies as the island solver sees them (b2Position, b2Velocity and the mass data of
// b2Body): centre of mass c, angle a, velocities v, ω, with the body's inverse mass and inverse
// rotational inertia about its centre of mass, and the local centre of mass (body origin ≠ centre
// of mass for the lander). Mass data come from the fixtures' polygons and densities (polygon.ts).
// Body (scalar, one lane) and Body4 (f32x4, four lanes of one SIMD group).

import { BODY_COUNT, BODY_LANDER, LANDER_SHAPE, LEG_SHAPE } from './definition';

@inline export function bodyInvMass(b: i32): f32 { return <f32>1.0 / (b == BODY_LANDER ? LANDER_SHAPE.mass : LEG_SHAPE.mass); }
@inline export function bodyInvInertia(b: i32): f32 { return <f32>1.0 / (b == BODY_LANDER ? LANDER_SHAPE.inertia : LEG_SHAPE.inertia); }
@inline export function bodyLocalCenterX(b: i32): f32 { return b == BODY_LANDER ? LANDER_SHAPE.centroidX : LEG_SHAPE.centroidX; }
@inline export function bodyLocalCenterY(b: i32): f32 { return b == BODY_LANDER ? LANDER_SHAPE.centroidY : LEG_SHAPE.centroidY; }

@unmanaged export class Body {
  cx: f32;
  cy: f32;
  a: f32;
  vx: f32;
  vy: f32;
  w: f32;
  invMass: f32;
  invI: f32;
  localCenterX: f32;
  localCenterY: f32;
}

@unmanaged export class Body4 {
  cx: v128;
  cy: v128;
  a: v128;
  vx: v128;
  vy: v128;
  w: v128;
  invMass: v128;
  invI: v128;
  localCenterX: v128;
  localCenterY: v128;
}

/**
 * The four-world solver works on BATCH_GROUPS groups of four worlds at a time, so that the
 * velocity iterations of independent groups can interleave (see island4.ts).
 */
export const BATCH_GROUPS: i32 = 4;

const bodies = memory.data(<i32>BODY_COUNT * <i32>offsetof<Body>());
const bodies4 = memory.data(<i32>(BATCH_GROUPS * BODY_COUNT) * <i32>offsetof<Body4>(), 16);

@inline export function body(b: i32): Body { return changetype<Body>(bodies + <usize>b * offsetof<Body>()); }
/** Body b of group g of the batch. */
@inline export function body4(g: i32, b: i32): Body4 { return changetype<Body4>(bodies4 + <usize>(g * BODY_COUNT + b) * offsetof<Body4>()); }

function initMassData(): void {
  for (let b = 0; b < BODY_COUNT; b++) {
    const s = body(b);
    s.invMass = bodyInvMass(b); s.invI = bodyInvInertia(b);
    s.localCenterX = bodyLocalCenterX(b); s.localCenterY = bodyLocalCenterY(b);
    for (let g = 0; g < BATCH_GROUPS; g++) {
      const v = body4(g, b);
      v.invMass = f32x4.splat(s.invMass); v.invI = f32x4.splat(s.invI);
      v.localCenterX = f32x4.splat(s.localCenterX); v.localCenterY = f32x4.splat(s.localCenterY);
    }
  }
}
initMassData();
