// b2ContactSolver of Box2D 2.3.0 for one world (scalar): sequential impulses with warm starting,
// Coulomb friction, the two-point block solver (Dirk Gregorius's, b2ContactSolver.cpp) and the
// non-linear Gauss-Seidel position pass. Body A of every contact is the static moon (mass 0,
// at rest, at the origin), so its terms — which are exact zeros in Box2D's float32 sums — are left
// out. Restitution is 0 for every fixture, so every velocity bias is 0 and left out too.
// contact_solver4.ts is the same code over four worlds at once; the two agree bit for bit.

import { BAUMGARTE, LINEAR_SLOP, MAX_LINEAR_CORRECTION, POLYGON_RADIUS, MAX_CONDITION_NUMBER, b2Min, b2Max } from './settings';
import { Manifold, MANIFOLD_FACE_A } from './manifold';
import { Body } from './body';
import { rotation, rotSin, rotCos } from './rotation';

/** b2ContactVelocityConstraint + b2ContactPositionConstraint of one manifold. */
@unmanaged export class ContactConstraint {
  pointCount: i32; // velocity points: the manifold's, or 1 when K is ill-conditioned
  normalX: f32;
  normalY: f32;
  friction: f32;
  rB0x: f32; rB0y: f32; rB1x: f32; rB1y: f32;
  normalMass0: f32; normalMass1: f32;
  tangentMass0: f32; tangentMass1: f32;
  normalImpulse0: f32; normalImpulse1: f32;
  tangentImpulse0: f32; tangentImpulse1: f32;
  // K and its inverse (the block solver's normalMass), symmetric.
  k11: f32; k12: f32; k22: f32;
  inv11: f32; inv12: f32; inv21: f32; inv22: f32;
}

/**
 * b2ContactSolver::InitializeVelocityConstraints (with the constructor's copy of the manifold's
 * impulses, dtRatio = 1): the world manifold (b2WorldManifold::Initialize) from the body's pose,
 * the points' lever arms and effective masses, and the block solver's K.
 */
export function initVelocityConstraint(cc: ContactConstraint, m: Manifold, b: Body): void {
  const mB = b.invMass, iB = b.invI;
  const q = rotation(b.a);
  const qs = rotSin(q), qc = rotCos(q);
  const pX = b.cx - (qc * b.localCenterX - qs * b.localCenterY);
  const pY = b.cy - (qs * b.localCenterX + qc * b.localCenterY);
  const radiusA = POLYGON_RADIUS, radiusB = POLYGON_RADIUS;
  let nx: f32, ny: f32, point0X: f32, point0Y: f32, point1X: f32 = 0, point1Y: f32 = 0;
  if (m.type == MANIFOLD_FACE_A) {
    nx = m.localNormalX; ny = m.localNormalY;
    const planeX = m.localPointX, planeY = m.localPointY;
    // Clip point of B in the world, pushed to the surfaces of both skins; the contact point is halfway.
    let clipX = qc * m.point0X - qs * m.point0Y + pX, clipY = qs * m.point0X + qc * m.point0Y + pY;
    let d = radiusA - ((clipX - planeX) * nx + (clipY - planeY) * ny);
    point0X = <f32>0.5 * ((clipX + d * nx) + (clipX - radiusB * nx));
    point0Y = <f32>0.5 * ((clipY + d * ny) + (clipY - radiusB * ny));
    if (m.pointCount == 2) {
      clipX = qc * m.point1X - qs * m.point1Y + pX; clipY = qs * m.point1X + qc * m.point1Y + pY;
      d = radiusA - ((clipX - planeX) * nx + (clipY - planeY) * ny);
      point1X = <f32>0.5 * ((clipX + d * nx) + (clipX - radiusB * nx));
      point1Y = <f32>0.5 * ((clipY + d * ny) + (clipY - radiusB * ny));
    }
  } else {
    nx = qc * m.localNormalX - qs * m.localNormalY; ny = qs * m.localNormalX + qc * m.localNormalY;
    const planeX = qc * m.localPointX - qs * m.localPointY + pX, planeY = qs * m.localPointX + qc * m.localPointY + pY;
    let clipX = m.point0X, clipY = m.point0Y;
    let d = radiusB - ((clipX - planeX) * nx + (clipY - planeY) * ny);
    point0X = <f32>0.5 * ((clipX - radiusA * nx) + (clipX + d * nx));
    point0Y = <f32>0.5 * ((clipY - radiusA * ny) + (clipY + d * ny));
    if (m.pointCount == 2) {
      clipX = m.point1X; clipY = m.point1Y;
      d = radiusB - ((clipX - planeX) * nx + (clipY - planeY) * ny);
      point1X = <f32>0.5 * ((clipX - radiusA * nx) + (clipX + d * nx));
      point1Y = <f32>0.5 * ((clipY - radiusA * ny) + (clipY + d * ny));
    }
    // Ensure the normal points from A to B.
    nx = -nx; ny = -ny;
  }
  cc.normalX = nx; cc.normalY = ny;
  cc.friction = m.friction;
  cc.pointCount = m.pointCount;
  cc.normalImpulse0 = m.normalImpulse0; cc.tangentImpulse0 = m.tangentImpulse0;
  cc.normalImpulse1 = m.normalImpulse1; cc.tangentImpulse1 = m.tangentImpulse1;
  const tx = ny, ty = -nx; // b2Cross(normal, 1)

  cc.rB0x = point0X - b.cx; cc.rB0y = point0Y - b.cy;
  const rn0 = cc.rB0x * ny - cc.rB0y * nx;
  const kNormal0 = mB + iB * rn0 * rn0;
  cc.normalMass0 = kNormal0 > 0 ? <f32>1.0 / kNormal0 : 0;
  const rt0 = cc.rB0x * ty - cc.rB0y * tx;
  const kTangent0 = mB + iB * rt0 * rt0;
  cc.tangentMass0 = kTangent0 > 0 ? <f32>1.0 / kTangent0 : 0;
  if (m.pointCount == 2) {
    cc.rB1x = point1X - b.cx; cc.rB1y = point1Y - b.cy;
    const rn1 = cc.rB1x * ny - cc.rB1y * nx;
    const kNormal1 = mB + iB * rn1 * rn1;
    cc.normalMass1 = kNormal1 > 0 ? <f32>1.0 / kNormal1 : 0;
    const rt1 = cc.rB1x * ty - cc.rB1y * tx;
    const kTangent1 = mB + iB * rt1 * rt1;
    cc.tangentMass1 = kTangent1 > 0 ? <f32>1.0 / kTangent1 : 0;
    // The block solver's K; with a poor condition number the constraints are redundant: keep one.
    const k11 = kNormal0, k22 = kNormal1, k12 = mB + iB * rn0 * rn1;
    if (k11 * k11 < MAX_CONDITION_NUMBER * (k11 * k22 - k12 * k12)) {
      cc.k11 = k11; cc.k12 = k12; cc.k22 = k22;
      // b2Mat22::GetInverse
      let det = k11 * k22 - k12 * k12;
      if (det != 0) det = <f32>1.0 / det;
      cc.inv11 = det * k22; cc.inv12 = -det * k12;
      cc.inv21 = -det * k12; cc.inv22 = det * k11;
    } else {
      cc.pointCount = 1;
    }
  }
}

/** b2ContactSolver::WarmStart: apply last step's accumulated impulses. */
export function warmStart(cc: ContactConstraint, b: Body): void {
  const nx = cc.normalX, ny = cc.normalY, tx = ny, ty = -nx;
  let Px = cc.normalImpulse0 * nx + cc.tangentImpulse0 * tx;
  let Py = cc.normalImpulse0 * ny + cc.tangentImpulse0 * ty;
  b.w += b.invI * (cc.rB0x * Py - cc.rB0y * Px);
  b.vx += b.invMass * Px; b.vy += b.invMass * Py;
  if (cc.pointCount == 2) {
    Px = cc.normalImpulse1 * nx + cc.tangentImpulse1 * tx;
    Py = cc.normalImpulse1 * ny + cc.tangentImpulse1 * ty;
    b.w += b.invI * (cc.rB1x * Py - cc.rB1y * Px);
    b.vx += b.invMass * Px; b.vy += b.invMass * Py;
  }
}

/** Friction at one point, then returns nothing: updates the body and the point's impulse. */
@inline function solveTangent(cc: ContactConstraint, b: Body, point: i32): void {
  const nx = cc.normalX, ny = cc.normalY, tx = ny, ty = -nx;
  const rx = point == 0 ? cc.rB0x : cc.rB1x, ry = point == 0 ? cc.rB0y : cc.rB1y;
  // Relative velocity at the contact (the moon is at rest): vB + ω × rB.
  const dvx = b.vx - b.w * ry, dvy = b.vy + b.w * rx;
  const vt = dvx * tx + dvy * ty;
  let lambda = (point == 0 ? cc.tangentMass0 : cc.tangentMass1) * -vt;
  const maxFriction = cc.friction * (point == 0 ? cc.normalImpulse0 : cc.normalImpulse1);
  const old = point == 0 ? cc.tangentImpulse0 : cc.tangentImpulse1;
  const newImpulse = b2Max(-maxFriction, b2Min(old + lambda, maxFriction)); // b2Clamp
  lambda = newImpulse - old;
  if (point == 0) cc.tangentImpulse0 = newImpulse; else cc.tangentImpulse1 = newImpulse;
  const Px = lambda * tx, Py = lambda * ty;
  b.vx += b.invMass * Px; b.vy += b.invMass * Py;
  b.w += b.invI * (rx * Py - ry * Px);
}

/** Applies normal impulse increments d0, d1 at points 0 and 1. */
@inline function applyNormal2(cc: ContactConstraint, b: Body, d0: f32, d1: f32): void {
  const P1x = d0 * cc.normalX, P1y = d0 * cc.normalY;
  const P2x = d1 * cc.normalX, P2y = d1 * cc.normalY;
  b.vx += b.invMass * (P1x + P2x); b.vy += b.invMass * (P1y + P2y);
  b.w += b.invI * ((cc.rB0x * P1y - cc.rB0y * P1x) + (cc.rB1x * P2y - cc.rB1y * P2x));
}

/** b2ContactSolver::SolveVelocityConstraints for one contact. */
export function solveVelocityConstraint(cc: ContactConstraint, b: Body): void {
  // Tangent constraints first: non-penetration matters more than friction.
  solveTangent(cc, b, 0);
  if (cc.pointCount == 2) solveTangent(cc, b, 1);

  const nx = cc.normalX, ny = cc.normalY;
  if (cc.pointCount == 1) {
    const dvx = b.vx - b.w * cc.rB0y, dvy = b.vy + b.w * cc.rB0x;
    const vn = dvx * nx + dvy * ny;
    let lambda = -cc.normalMass0 * vn;
    const newImpulse = b2Max(cc.normalImpulse0 + lambda, 0);
    lambda = newImpulse - cc.normalImpulse0;
    cc.normalImpulse0 = newImpulse;
    const Px = lambda * nx, Py = lambda * ny;
    b.vx += b.invMass * Px; b.vy += b.invMass * Py;
    b.w += b.invI * (cc.rB0x * Py - cc.rB0y * Px);
    return;
  }

  // Block solver: find x ≥ 0 with vn = K·x + b' ≥ 0 and x_i·vn_i = 0, trying the four cases of
  // which points are active in Box2D's order (the LCP, solved by total enumeration).
  const ax = cc.normalImpulse0, ay = cc.normalImpulse1;
  const dv1x = b.vx - b.w * cc.rB0y, dv1y = b.vy + b.w * cc.rB0x;
  const dv2x = b.vx - b.w * cc.rB1y, dv2y = b.vy + b.w * cc.rB1x;
  let vn1 = dv1x * nx + dv1y * ny;
  let vn2 = dv2x * nx + dv2y * ny;
  // b = vn − K·a
  const bx = vn1 - (cc.k11 * ax + cc.k12 * ay);
  const by = vn2 - (cc.k12 * ax + cc.k22 * ay);

  // Case 1: both active, vn = 0: x = −K⁻¹·b.
  let xx = -(cc.inv11 * bx + cc.inv12 * by);
  let xy = -(cc.inv21 * bx + cc.inv22 * by);
  if (xx >= 0 && xy >= 0) {
    applyNormal2(cc, b, xx - ax, xy - ay);
    cc.normalImpulse0 = xx; cc.normalImpulse1 = xy;
    return;
  }
  // Case 2: point 1 active, x2 = 0: vn1 = 0.
  xx = -cc.normalMass0 * bx; xy = 0;
  vn2 = cc.k12 * xx + by;
  if (xx >= 0 && vn2 >= 0) {
    applyNormal2(cc, b, xx - ax, xy - ay);
    cc.normalImpulse0 = xx; cc.normalImpulse1 = xy;
    return;
  }
  // Case 3: point 2 active, x1 = 0: vn2 = 0.
  xx = 0; xy = -cc.normalMass1 * by;
  vn1 = cc.k12 * xy + bx;
  if (xy >= 0 && vn1 >= 0) {
    applyNormal2(cc, b, xx - ax, xy - ay);
    cc.normalImpulse0 = xx; cc.normalImpulse1 = xy;
    return;
  }
  // Case 4: neither active: vn = b'.
  xx = 0; xy = 0;
  vn1 = bx; vn2 = by;
  if (vn1 >= 0 && vn2 >= 0) {
    applyNormal2(cc, b, xx - ax, xy - ay);
    cc.normalImpulse0 = xx; cc.normalImpulse1 = xy;
  }
  // No solution: give up (Box2D: "This is hit sometimes, but it doesn't seem to matter.").
}

/**
 * b2ContactSolver::SolvePositionConstraints for one contact (b2PositionSolverManifold per point,
 * the body's pose re-read after each point). Returns the smallest separation it saw.
 */
export function solvePositionConstraint(m: Manifold, b: Body): f32 {
  let minSeparation: f32 = 0;
  const mB = b.invMass, iB = b.invI;
  for (let j = 0; j < m.pointCount; j++) {
    const q = rotation(b.a);
    const qs = rotSin(q), qc = rotCos(q);
    const pX = b.cx - (qc * b.localCenterX - qs * b.localCenterY);
    const pY = b.cy - (qs * b.localCenterX + qc * b.localCenterY);
    const lx = j == 0 ? m.point0X : m.point1X, ly = j == 0 ? m.point0Y : m.point1Y;
    let nx: f32, ny: f32, pointX: f32, pointY: f32, separation: f32;
    if (m.type == MANIFOLD_FACE_A) {
      nx = m.localNormalX; ny = m.localNormalY;
      pointX = qc * lx - qs * ly + pX; pointY = qs * lx + qc * ly + pY;
      separation = (pointX - m.localPointX) * nx + (pointY - m.localPointY) * ny - POLYGON_RADIUS - POLYGON_RADIUS;
    } else {
      nx = qc * m.localNormalX - qs * m.localNormalY; ny = qs * m.localNormalX + qc * m.localNormalY;
      const planeX = qc * m.localPointX - qs * m.localPointY + pX, planeY = qs * m.localPointX + qc * m.localPointY + pY;
      pointX = lx; pointY = ly;
      separation = (pointX - planeX) * nx + (pointY - planeY) * ny - POLYGON_RADIUS - POLYGON_RADIUS;
      nx = -nx; ny = -ny;
    }
    const rBx = pointX - b.cx, rBy = pointY - b.cy;
    minSeparation = b2Min(minSeparation, separation);
    // Prevent large corrections and allow slop.
    const C = b2Max(-MAX_LINEAR_CORRECTION, b2Min(BAUMGARTE * (separation + LINEAR_SLOP), 0)); // b2Clamp
    const rnB = rBx * ny - rBy * nx;
    const K = mB + iB * rnB * rnB;
    const impulse = K > 0 ? -C / K : 0;
    const Px = impulse * nx, Py = impulse * ny;
    b.cx += mB * Px; b.cy += mB * Py;
    b.a += iB * (rBx * Py - rBy * Px);
  }
  return minSeparation;
}
