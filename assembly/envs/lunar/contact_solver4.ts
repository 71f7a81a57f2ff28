// b2ContactSolver over four worlds at once (f32x4): contact_solver.ts line by line, one contact slot
// (body, slot) of four lanes per call. Lanes differ in whether the slot holds a manifold, in its
// point count and in its manifold type, so every update is applied through a lane mask
// (bitselect), and both sides of a branch are computed where lanes take different sides: the
// 1-point normal solve and the 2-point block solver, face A and face B manifolds, and the block
// solver's four cases (the first case that holds, as Box2D tries them). Each lane computes the same
// float32 operations in the same order as the scalar path, so the two agree bit for bit.
//
// Replaces, for four worlds: b2ContactSolver::InitializeVelocityConstraints, WarmStart,
// SolveVelocityConstraints, StoreImpulses (the caller) and SolvePositionConstraints.

import { BAUMGARTE, LINEAR_SLOP, MAX_LINEAR_CORRECTION, POLYGON_RADIUS, MAX_CONDITION_NUMBER } from './settings';
import { Manifold, MANIFOLD_FACE_A } from './manifold';
import { Body4 } from './body';
import { Rot4, setRotation4 } from './rotation';
import { splat, add, sub, mul, div, neg, vmin, vmax, gt, ge, lt, ne, select, and, or, andNot, any, all, zero, eqi } from './simd';

/** Scratch b2Rot of the function at hand (set and read within one call). */
const rot = changetype<Rot4>(memory.data(<i32>offsetof<Rot4>(), 16));

@unmanaged export class Contact4 {
  active: v128; // lanes whose manifold has points
  two: v128; // lanes whose velocity constraint keeps 2 points
  one: v128; // active lanes with a 1-point velocity constraint
  second: v128; // lanes whose manifold has a second point (the position solver uses it)
  faceA: v128; // lanes with a FACE_A manifold
  normalX: v128; normalY: v128; friction: v128;
  tangentX: v128; tangentY: v128; // b2Cross(normal, 1)
  rB0x: v128; rB0y: v128; rB1x: v128; rB1y: v128;
  normalMass0: v128; normalMass1: v128;
  negNormalMass0: v128; negNormalMass1: v128; // −normalMass: (−m)·b is what the scalar path computes
  tangentMass0: v128; tangentMass1: v128;
  normalImpulse0: v128; normalImpulse1: v128;
  tangentImpulse0: v128; tangentImpulse1: v128;
  k11: v128; k12: v128; k22: v128;
  inv11: v128; inv12: v128; inv21: v128; inv22: v128;
  // The manifold, for the position solver.
  localNormalX: v128; localNormalY: v128; localPointX: v128; localPointY: v128;
  point0X: v128; point0Y: v128; point1X: v128; point1Y: v128;
}

@inline function gatherF(m0: Manifold, m1: Manifold, m2: Manifold, m3: Manifold, offset: usize): v128 {
  return f32x4(load<f32>(changetype<usize>(m0) + offset), load<f32>(changetype<usize>(m1) + offset),
    load<f32>(changetype<usize>(m2) + offset), load<f32>(changetype<usize>(m3) + offset));
}

/**
 * Loads the slot's manifolds of the four lanes and initialises the velocity constraint (see
 * contact_solver.ts initVelocityConstraint). The lane mask at awakeAt leaves out lanes whose world is asleep.
 * Returns whether any lane has the slot.
 */
export function initVelocityConstraint4(cc: Contact4, m0: Manifold, m1: Manifold, m2: Manifold, m3: Manifold,
  b: Body4, awakeAt: usize): bool {
  const awake = v128.load(awakeAt);
  const count = i32x4(m0.pointCount, m1.pointCount, m2.pointCount, m3.pointCount);
  const active = and(i32x4.gt_s(count, i32x4.splat(0)), awake);
  cc.active = active;
  if (!any(active)) return false;
  const hasTwo = and(active, eqi(count, 2));
  cc.second = hasTwo;
  const faceA = eqi(i32x4(m0.type, m1.type, m2.type, m3.type), MANIFOLD_FACE_A);
  cc.faceA = faceA;
  const lnx = gatherF(m0, m1, m2, m3, offsetof<Manifold>('localNormalX'));
  const lny = gatherF(m0, m1, m2, m3, offsetof<Manifold>('localNormalY'));
  const lpx = gatherF(m0, m1, m2, m3, offsetof<Manifold>('localPointX'));
  const lpy = gatherF(m0, m1, m2, m3, offsetof<Manifold>('localPointY'));
  const p0x = gatherF(m0, m1, m2, m3, offsetof<Manifold>('point0X'));
  const p0y = gatherF(m0, m1, m2, m3, offsetof<Manifold>('point0Y'));
  const p1x = gatherF(m0, m1, m2, m3, offsetof<Manifold>('point1X'));
  const p1y = gatherF(m0, m1, m2, m3, offsetof<Manifold>('point1Y'));
  cc.localNormalX = lnx; cc.localNormalY = lny; cc.localPointX = lpx; cc.localPointY = lpy;
  cc.point0X = p0x; cc.point0Y = p0y; cc.point1X = p1x; cc.point1Y = p1y;
  cc.friction = gatherF(m0, m1, m2, m3, offsetof<Manifold>('friction'));
  cc.normalImpulse0 = gatherF(m0, m1, m2, m3, offsetof<Manifold>('normalImpulse0'));
  cc.tangentImpulse0 = gatherF(m0, m1, m2, m3, offsetof<Manifold>('tangentImpulse0'));
  cc.normalImpulse1 = gatherF(m0, m1, m2, m3, offsetof<Manifold>('normalImpulse1'));
  cc.tangentImpulse1 = gatherF(m0, m1, m2, m3, offsetof<Manifold>('tangentImpulse1'));

  const mB = b.invMass, iB = b.invI;
  setRotation4(rot, b.a);
  const qs = rot.s, qc = rot.c;
  const pX = sub(b.cx, sub(mul(qc, b.localCenterX), mul(qs, b.localCenterY)));
  const pY = sub(b.cy, add(mul(qs, b.localCenterX), mul(qc, b.localCenterY)));
  const radiusA = splat(POLYGON_RADIUS), radiusB = splat(POLYGON_RADIUS), half = splat(0.5);

  // Face A: the edge's normal and plane; the clip points are B's, in its frame.
  const clipA0x = add(sub(mul(qc, p0x), mul(qs, p0y)), pX), clipA0y = add(add(mul(qs, p0x), mul(qc, p0y)), pY);
  const clipA1x = add(sub(mul(qc, p1x), mul(qs, p1y)), pX), clipA1y = add(add(mul(qs, p1x), mul(qc, p1y)), pY);
  const dA0 = sub(radiusA, add(mul(sub(clipA0x, lpx), lnx), mul(sub(clipA0y, lpy), lny)));
  const dA1 = sub(radiusA, add(mul(sub(clipA1x, lpx), lnx), mul(sub(clipA1y, lpy), lny)));
  const pointA0x = mul(half, add(add(clipA0x, mul(dA0, lnx)), sub(clipA0x, mul(radiusB, lnx))));
  const pointA0y = mul(half, add(add(clipA0y, mul(dA0, lny)), sub(clipA0y, mul(radiusB, lny))));
  const pointA1x = mul(half, add(add(clipA1x, mul(dA1, lnx)), sub(clipA1x, mul(radiusB, lnx))));
  const pointA1y = mul(half, add(add(clipA1y, mul(dA1, lny)), sub(clipA1y, mul(radiusB, lny))));
  // Face B: the polygon face's normal and plane in the world; the clip points are the edge's.
  const nBx = sub(mul(qc, lnx), mul(qs, lny)), nBy = add(mul(qs, lnx), mul(qc, lny));
  const planeBx = add(sub(mul(qc, lpx), mul(qs, lpy)), pX), planeBy = add(add(mul(qs, lpx), mul(qc, lpy)), pY);
  const dB0 = sub(radiusB, add(mul(sub(p0x, planeBx), nBx), mul(sub(p0y, planeBy), nBy)));
  const dB1 = sub(radiusB, add(mul(sub(p1x, planeBx), nBx), mul(sub(p1y, planeBy), nBy)));
  const pointB0x = mul(half, add(sub(p0x, mul(radiusA, nBx)), add(p0x, mul(dB0, nBx))));
  const pointB0y = mul(half, add(sub(p0y, mul(radiusA, nBy)), add(p0y, mul(dB0, nBy))));
  const pointB1x = mul(half, add(sub(p1x, mul(radiusA, nBx)), add(p1x, mul(dB1, nBx))));
  const pointB1y = mul(half, add(sub(p1y, mul(radiusA, nBy)), add(p1y, mul(dB1, nBy))));

  const nx = select(faceA, lnx, neg(nBx)), ny = select(faceA, lny, neg(nBy));
  cc.normalX = nx; cc.normalY = ny;
  const tx = ny, ty = neg(nx);
  cc.tangentX = tx; cc.tangentY = ty;
  const one = splat(1);

  const rB0x = sub(select(faceA, pointA0x, pointB0x), b.cx), rB0y = sub(select(faceA, pointA0y, pointB0y), b.cy);
  cc.rB0x = rB0x; cc.rB0y = rB0y;
  const rn0 = sub(mul(rB0x, ny), mul(rB0y, nx));
  const kNormal0 = add(mB, mul(mul(iB, rn0), rn0));
  cc.normalMass0 = select(gt(kNormal0, zero()), div(one, kNormal0), zero());
  const rt0 = sub(mul(rB0x, ty), mul(rB0y, tx));
  const kTangent0 = add(mB, mul(mul(iB, rt0), rt0));
  cc.tangentMass0 = select(gt(kTangent0, zero()), div(one, kTangent0), zero());

  const rB1x = sub(select(faceA, pointA1x, pointB1x), b.cx), rB1y = sub(select(faceA, pointA1y, pointB1y), b.cy);
  cc.rB1x = rB1x; cc.rB1y = rB1y;
  const rn1 = sub(mul(rB1x, ny), mul(rB1y, nx));
  const kNormal1 = add(mB, mul(mul(iB, rn1), rn1));
  cc.normalMass1 = select(gt(kNormal1, zero()), div(one, kNormal1), zero());
  cc.negNormalMass0 = neg(cc.normalMass0);
  cc.negNormalMass1 = neg(cc.normalMass1);
  const rt1 = sub(mul(rB1x, ty), mul(rB1y, tx));
  const kTangent1 = add(mB, mul(mul(iB, rt1), rt1));
  cc.tangentMass1 = select(gt(kTangent1, zero()), div(one, kTangent1), zero());

  const k11 = kNormal0, k22 = kNormal1, k12 = add(mB, mul(mul(iB, rn0), rn1));
  const conditioned = lt(mul(k11, k11), mul(splat(MAX_CONDITION_NUMBER), sub(mul(k11, k22), mul(k12, k12))));
  const two = and(hasTwo, conditioned);
  cc.two = two;
  cc.one = andNot(active, two);
  cc.k11 = k11; cc.k12 = k12; cc.k22 = k22;
  let det = sub(mul(k11, k22), mul(k12, k12));
  det = select(ne(det, zero()), div(one, det), det);
  cc.inv11 = mul(det, k22); cc.inv12 = mul(neg(det), k12);
  cc.inv21 = mul(neg(det), k12); cc.inv22 = mul(det, k11);
  return true;
}

/** WarmStart over the lanes that have the slot. */
export function warmStart4(cc: Contact4, b: Body4): void {
  const nx = cc.normalX, ny = cc.normalY, tx = ny, ty = neg(nx);
  const mB = b.invMass, iB = b.invI;
  let Px = add(mul(cc.normalImpulse0, nx), mul(cc.tangentImpulse0, tx));
  let Py = add(mul(cc.normalImpulse0, ny), mul(cc.tangentImpulse0, ty));
  let mask = cc.active;
  b.w = select(mask, add(b.w, mul(iB, sub(mul(cc.rB0x, Py), mul(cc.rB0y, Px)))), b.w);
  b.vx = select(mask, add(b.vx, mul(mB, Px)), b.vx);
  b.vy = select(mask, add(b.vy, mul(mB, Py)), b.vy);
  mask = cc.two;
  if (!any(mask)) return;
  Px = add(mul(cc.normalImpulse1, nx), mul(cc.tangentImpulse1, tx));
  Py = add(mul(cc.normalImpulse1, ny), mul(cc.tangentImpulse1, ty));
  b.w = select(mask, add(b.w, mul(iB, sub(mul(cc.rB1x, Py), mul(cc.rB1y, Px)))), b.w);
  b.vx = select(mask, add(b.vx, mul(mB, Px)), b.vx);
  b.vy = select(mask, add(b.vy, mul(mB, Py)), b.vy);
}

// The body's velocities while a contact is solved (locals of the functions below, written back once).
// AssemblyScript functions return one value, so the friction helper updates these module globals,
// which the engine keeps in registers within the inlined code.
let vx4: v128 = f32x4.splat(0), vy4: v128 = f32x4.splat(0), w4: v128 = f32x4.splat(0);

/** Friction at point 0 or 1 of the lanes in `mask`. */
@inline function solveTangent4(cc: Contact4, invMass: v128, invI: v128, point: i32, mask: v128): void {
  const tx = cc.tangentX, ty = cc.tangentY;
  const rx = point == 0 ? cc.rB0x : cc.rB1x, ry = point == 0 ? cc.rB0y : cc.rB1y;
  let vx = vx4, vy = vy4, w = w4;
  const dvx = sub(vx, mul(w, ry)), dvy = add(vy, mul(w, rx));
  const vt = add(mul(dvx, tx), mul(dvy, ty));
  let lambda = mul(point == 0 ? cc.tangentMass0 : cc.tangentMass1, neg(vt));
  const maxFriction = mul(cc.friction, point == 0 ? cc.normalImpulse0 : cc.normalImpulse1);
  const old = point == 0 ? cc.tangentImpulse0 : cc.tangentImpulse1;
  const newImpulse = vmax(neg(maxFriction), vmin(add(old, lambda), maxFriction));
  lambda = sub(newImpulse, old);
  if (point == 0) cc.tangentImpulse0 = select(mask, newImpulse, old);
  else cc.tangentImpulse1 = select(mask, newImpulse, old);
  const Px = mul(lambda, tx), Py = mul(lambda, ty);
  vx4 = select(mask, add(vx, mul(invMass, Px)), vx);
  vy4 = select(mask, add(vy, mul(invMass, Py)), vy);
  w4 = select(mask, add(w, mul(invI, sub(mul(rx, Py), mul(ry, Px)))), w);
}

/** SolveVelocityConstraints for the lanes that have the slot. */
export function solveVelocityConstraint4(cc: Contact4, b: Body4): void {
  const invMass = b.invMass, invI = b.invI;
  vx4 = b.vx; vy4 = b.vy; w4 = b.w;
  solveTangent4(cc, invMass, invI, 0, cc.active);
  const two = cc.two;
  const anyTwo = any(two);
  if (anyTwo) solveTangent4(cc, invMass, invI, 1, two);

  const nx = cc.normalX, ny = cc.normalY;
  let vx = vx4, vy = vy4, w = w4;
  const one = cc.one;
  if (any(one)) {
    const dvx = sub(vx, mul(w, cc.rB0y)), dvy = add(vy, mul(w, cc.rB0x));
    const vn = add(mul(dvx, nx), mul(dvy, ny));
    let lambda = mul(cc.negNormalMass0, vn);
    const newImpulse = vmax(add(cc.normalImpulse0, lambda), zero());
    lambda = sub(newImpulse, cc.normalImpulse0);
    cc.normalImpulse0 = select(one, newImpulse, cc.normalImpulse0);
    const Px = mul(lambda, nx), Py = mul(lambda, ny);
    vx = select(one, add(vx, mul(invMass, Px)), vx);
    vy = select(one, add(vy, mul(invMass, Py)), vy);
    w = select(one, add(w, mul(invI, sub(mul(cc.rB0x, Py), mul(cc.rB0y, Px)))), w);
  }
  if (anyTwo) {
    // Block solver (see contact_solver.ts): the cases side by side, the first that holds wins;
    // cases 2 to 4 are only evaluated when case 1 fails in some lane.
    const ax = cc.normalImpulse0, ay = cc.normalImpulse1;
    const rB0x = cc.rB0x, rB0y = cc.rB0y, rB1x = cc.rB1x, rB1y = cc.rB1y;
    const dv1x = sub(vx, mul(w, rB0y)), dv1y = add(vy, mul(w, rB0x));
    const dv2x = sub(vx, mul(w, rB1y)), dv2y = add(vy, mul(w, rB1x));
    const vn1 = add(mul(dv1x, nx), mul(dv1y, ny));
    const vn2 = add(mul(dv2x, nx), mul(dv2y, ny));
    const k12 = cc.k12;
    const bx = sub(vn1, add(mul(cc.k11, ax), mul(k12, ay)));
    const by = sub(vn2, add(mul(k12, ax), mul(cc.k22, ay)));
    // Case 1: x = −K⁻¹·b
    let xx = neg(add(mul(cc.inv11, bx), mul(cc.inv12, by)));
    let xy = neg(add(mul(cc.inv21, bx), mul(cc.inv22, by)));
    const case1 = and(ge(xx, zero()), ge(xy, zero()));
    let solved = and(two, case1);
    if (!all(or(case1, v128.not(two)))) {
      // Case 2: x = (−b1/k11, 0)
      const x2 = mul(cc.negNormalMass0, bx);
      const case2 = and(ge(x2, zero()), ge(add(mul(k12, x2), by), zero()));
      // Case 3: x = (0, −b2/k22)
      const y3 = mul(cc.negNormalMass1, by);
      const case3 = and(ge(y3, zero()), ge(add(mul(k12, y3), bx), zero()));
      // Case 4: x = 0
      const case4 = and(ge(bx, zero()), ge(by, zero()));
      xx = select(case1, xx, select(case2, x2, zero()));
      xy = select(case1, xy, select(case2, zero(), select(case3, y3, zero())));
      solved = and(two, or(or(case1, case2), or(case3, case4)));
    }
    const d0 = sub(xx, ax), d1 = sub(xy, ay);
    const P1x = mul(d0, nx), P1y = mul(d0, ny);
    const P2x = mul(d1, nx), P2y = mul(d1, ny);
    vx = select(solved, add(vx, mul(invMass, add(P1x, P2x))), vx);
    vy = select(solved, add(vy, mul(invMass, add(P1y, P2y))), vy);
    w = select(solved, add(w, mul(invI, add(sub(mul(rB0x, P1y), mul(rB0y, P1x)), sub(mul(rB1x, P2y), mul(rB1y, P2x))))), w);
    cc.normalImpulse0 = select(solved, xx, ax);
    cc.normalImpulse1 = select(solved, xy, ay);
  }
  b.vx = vx; b.vy = vy; b.w = w;
}

/**
 * SolvePositionConstraints for the lanes (mask at lanesAt) that have the slot; lowers the per-lane
 * minimum separation at minSeparationAt to the separations it saw.
 */
export function solvePositionConstraint4(cc: Contact4, b: Body4, lanesAt: usize, minSeparationAt: usize): void {
  const lanes = v128.load(lanesAt);
  let minSeparation = v128.load(minSeparationAt);
  const mB = b.invMass, iB = b.invI;
  const faceA = cc.faceA;
  for (let j = 0; j < 2; j++) {
    const mask = and(lanes, j == 0 ? cc.active : cc.second);
    if (!any(mask)) break;
    setRotation4(rot, b.a);
    const qs = rot.s, qc = rot.c;
    const pX = sub(b.cx, sub(mul(qc, b.localCenterX), mul(qs, b.localCenterY)));
    const pY = sub(b.cy, add(mul(qs, b.localCenterX), mul(qc, b.localCenterY)));
    const lx = j == 0 ? cc.point0X : cc.point1X, ly = j == 0 ? cc.point0Y : cc.point1Y;
    const lnx = cc.localNormalX, lny = cc.localNormalY, lpx = cc.localPointX, lpy = cc.localPointY;
    const radius = splat(POLYGON_RADIUS);
    // Face A
    const pointAx = add(sub(mul(qc, lx), mul(qs, ly)), pX), pointAy = add(add(mul(qs, lx), mul(qc, ly)), pY);
    const sepA = sub(sub(add(mul(sub(pointAx, lpx), lnx), mul(sub(pointAy, lpy), lny)), radius), radius);
    // Face B
    const nBx = sub(mul(qc, lnx), mul(qs, lny)), nBy = add(mul(qs, lnx), mul(qc, lny));
    const planeX = add(sub(mul(qc, lpx), mul(qs, lpy)), pX), planeY = add(add(mul(qs, lpx), mul(qc, lpy)), pY);
    const sepB = sub(sub(add(mul(sub(lx, planeX), nBx), mul(sub(ly, planeY), nBy)), radius), radius);

    const nx = select(faceA, lnx, neg(nBx)), ny = select(faceA, lny, neg(nBy));
    const pointX = select(faceA, pointAx, lx), pointY = select(faceA, pointAy, ly);
    const separation = select(faceA, sepA, sepB);
    const rBx = sub(pointX, b.cx), rBy = sub(pointY, b.cy);
    minSeparation = select(mask, vmin(minSeparation, separation), minSeparation);
    const C = vmax(splat(-MAX_LINEAR_CORRECTION), vmin(mul(splat(BAUMGARTE), add(separation, splat(LINEAR_SLOP))), zero()));
    const rnB = sub(mul(rBx, ny), mul(rBy, nx));
    const K = add(mB, mul(mul(iB, rnB), rnB));
    const impulse = select(gt(K, zero()), div(neg(C), K), zero());
    const Px = mul(impulse, nx), Py = mul(impulse, ny);
    b.cx = select(mask, add(b.cx, mul(mB, Px)), b.cx);
    b.cy = select(mask, add(b.cy, mul(mB, Py)), b.cy);
    b.a = select(mask, add(b.a, mul(iB, sub(mul(rBx, Py), mul(rBy, Px)))), b.a);
  }
  v128.store(minSeparationAt, minSeparation);
}
