// b2RevoluteJoint (Box2D 2.3.0) over four worlds at once (f32x4): revolute_joint.ts line by line.
// Every world has both joints, so only the limit state differs between lanes: the motor, the
// limit's 3×3 block (with the lower/upper fallback to the 2×2 point solve) and the point-only solve
// are computed where any lane needs them and applied through lane masks. The matrices that stay
// constant over the iterations of a step (K's cofactors, the 2×2 determinant) are computed once,
// from the same float32 operations the scalar path repeats, so the two agree bit for bit.
//
// Replaces, for four worlds: InitVelocityConstraints, SolveVelocityConstraints,
// SolvePositionConstraints.

import { ANGULAR_SLOP, MAX_ANGULAR_CORRECTION, LINEAR_SLOP, TIME_STEP } from './settings';
import { LIMIT_INACTIVE, LIMIT_AT_LOWER, LIMIT_AT_UPPER, LIMIT_EQUAL } from './state';
import { Body4 } from './body';
import { RevoluteJointDef } from './definition';
import { Rot4, setRotation4 } from './rotation';
import { splat, add, sub, mul, div, neg, vmin, vmax, vabs, vsqrt, lt, le, gt, ge, ne, select, and, or, andNot, any, all, zero, eqi } from './simd';

/** Scratch b2Rot of the function at hand (set and read within one call). */
const rot = changetype<Rot4>(memory.data(<i32>offsetof<Rot4>(), 16));

/** The definition's fields (RevoluteJointDef, the same in every lane), then four lanes' state and per-step quantities. */
@unmanaged export class Joint4 extends RevoluteJointDef {
  // Persistent, per lane.
  impulseX: v128; impulseY: v128; impulseZ: v128;
  motorImpulse: v128;
  limitState: v128; // i32 lanes
  // Per step.
  motorOn: v128; // limit state ≠ equal
  limitOn: v128; // limit state ≠ inactive
  atLower: v128; atUpper: v128; equal: v128;
  rAx: v128; rAy: v128; rBx: v128; rBy: v128;
  m11: v128; m12: v128; m13: v128; m22: v128; m23: v128; m33: v128;
  motorMass: v128;
  // K's adjugate and 1/det (Solve33, see revolute_joint.ts), and 1/det of K's 2×2 block (Solve22).
  adj11: v128; adj12: v128; adj13: v128; adj22: v128; adj23: v128; adj33: v128;
  det33: v128; det22: v128;
  negDet33: v128; // −det33: −(det·s) and (−det)·s are the same float
  limitSign: v128; // +1 at the lower limit, −1 at the upper, 0 otherwise: a limit impulse z may not have z·sign < 0
  motorSpeed4: v128; maxMotorImpulse4: v128; negMaxMotorImpulse: v128;
  negMotorMass: v128; // −motorMass: (−m)·C is what the scalar path computes
  positionOkay: v128; // the lanes within slop after the last SolvePositionConstraints
  motorAll: bool; // every lane's motor is on
  limitAll: bool; // every lane is at a limit
  limitAny: bool;
}

@inline function invertDet(det: v128): v128 {
  return select(ne(det, zero()), div(splat(1), det), det);
}

/** InitVelocityConstraints for four worlds (the limit state is updated per lane). */
export function initVelocityConstraints4(j: Joint4, A: Body4, B: Body4): void {
  setRotation4(rot, A.a);
  let qs = rot.s, qc = rot.c;
  const ax = sub(splat(j.localAnchorAX), A.localCenterX), ay = sub(splat(j.localAnchorAY), A.localCenterY);
  const rAx = sub(mul(qc, ax), mul(qs, ay)), rAy = add(mul(qs, ax), mul(qc, ay));
  setRotation4(rot, B.a);
  qs = rot.s; qc = rot.c;
  const bx = sub(splat(j.localAnchorBX), B.localCenterX), by = sub(splat(j.localAnchorBY), B.localCenterY);
  const rBx = sub(mul(qc, bx), mul(qs, by)), rBy = add(mul(qs, bx), mul(qc, by));
  j.rAx = rAx; j.rAy = rAy; j.rBx = rBx; j.rBy = rBy;

  const mA = A.invMass, mB = B.invMass, iA = A.invI, iB = B.invI;
  const mAB = add(mA, mB);
  const m11 = add(add(mAB, mul(mul(rAy, rAy), iA)), mul(mul(rBy, rBy), iB));
  const m12 = sub(mul(mul(neg(rAy), rAx), iA), mul(mul(rBy, rBx), iB));
  const m13 = sub(mul(neg(rAy), iA), mul(rBy, iB));
  const m22 = add(add(mAB, mul(mul(rAx, rAx), iA)), mul(mul(rBx, rBx), iB));
  const m23 = add(mul(rAx, iA), mul(rBx, iB));
  const m33 = add(iA, iB);
  j.m11 = m11; j.m12 = m12; j.m13 = m13; j.m22 = m22; j.m23 = m23; j.m33 = m33;
  j.motorMass = select(gt(m33, zero()), div(splat(1), m33), m33);
  const adj11 = sub(mul(m22, m33), mul(m23, m23)), adj12 = sub(mul(m23, m13), mul(m12, m33)), adj13 = sub(mul(m12, m23), mul(m22, m13));
  j.adj11 = adj11; j.adj12 = adj12; j.adj13 = adj13;
  j.adj22 = sub(mul(m33, m11), mul(m13, m13));
  j.adj23 = sub(mul(m13, m12), mul(m11, m23));
  j.adj33 = sub(mul(m11, m22), mul(m12, m12));
  j.det33 = invertDet(add(add(mul(m11, adj11), mul(m12, adj12)), mul(m13, adj13)));
  j.negDet33 = neg(j.det33);
  j.det22 = invertDet(sub(mul(m11, m22), mul(m12, m12)));

  // Limit state.
  let state = j.limitState;
  let z = j.impulseZ;
  if (Mathf.abs(j.upperAngle - j.lowerAngle) < <f32>2.0 * ANGULAR_SLOP) {
    state = i32x4.splat(LIMIT_EQUAL);
  } else {
    const jointAngle = sub(sub(B.a, A.a), splat(j.referenceAngle));
    const lower = le(jointAngle, splat(j.lowerAngle));
    const upper = andNot(ge(jointAngle, splat(j.upperAngle)), lower);
    const inactive = v128.not(or(lower, upper));
    z = select(andNot(lower, eqi(state, LIMIT_AT_LOWER)), zero(), z);
    z = select(andNot(upper, eqi(state, LIMIT_AT_UPPER)), zero(), z);
    z = select(inactive, zero(), z);
    state = select(lower, i32x4.splat(LIMIT_AT_LOWER), select(upper, i32x4.splat(LIMIT_AT_UPPER), i32x4.splat(LIMIT_INACTIVE)));
  }
  j.limitState = state;
  j.impulseZ = z;
  j.equal = eqi(state, LIMIT_EQUAL);
  j.atLower = eqi(state, LIMIT_AT_LOWER);
  j.atUpper = eqi(state, LIMIT_AT_UPPER);
  j.motorOn = v128.not(j.equal);
  j.limitOn = v128.not(eqi(state, LIMIT_INACTIVE));
  j.limitSign = select(j.atLower, splat(1), select(j.atUpper, splat(-1), zero()));
  j.motorSpeed4 = splat(j.motorSpeed);
  j.maxMotorImpulse4 = splat(TIME_STEP * j.maxMotorTorque);
  j.negMaxMotorImpulse = neg(j.maxMotorImpulse4);
  j.negMotorMass = neg(j.motorMass);
  j.motorAll = all(j.motorOn);
  j.limitAll = all(j.limitOn);
  j.limitAny = any(j.limitOn);

  // Warm start.
  const Px = j.impulseX, Py = j.impulseY;
  A.vx = sub(A.vx, mul(mA, Px)); A.vy = sub(A.vy, mul(mA, Py));
  A.w = sub(A.w, mul(iA, add(add(sub(mul(rAx, Py), mul(rAy, Px)), j.motorImpulse), z)));
  B.vx = add(B.vx, mul(mB, Px)); B.vy = add(B.vy, mul(mB, Py));
  B.w = add(B.w, mul(iB, add(add(sub(mul(rBx, Py), mul(rBy, Px)), j.motorImpulse), z)));
}

/** v where mask is set (everywhere when uniform), else old. */
@inline function masked(uniform: bool, mask: v128, v: v128, old: v128): v128 {
  return uniform ? v : select(mask, v, old);
}

/**
 * SolveVelocityConstraints for four worlds. The common case — every lane at a limit, no limit
 * impulse changing sign — runs without masks or the fallback solve.
 */
export function solveVelocityConstraints4(j: Joint4, A: Body4, B: Body4): void {
  const mA = A.invMass, mB = B.invMass, iA = A.invI, iB = B.invI;
  // The six velocities in locals for the whole call (one load and one store each).
  let avx = A.vx, avy = A.vy, aw = A.w, bvx = B.vx, bvy = B.vy, bw = B.w;

  // Motor.
  const motorOn = j.motorOn, motorAll = j.motorAll;
  if (motorAll || any(motorOn)) {
    const Cdot = sub(sub(bw, aw), j.motorSpeed4);
    let impulse = mul(j.negMotorMass, Cdot);
    const oldImpulse = j.motorImpulse;
    const motorImpulse = vmax(j.negMaxMotorImpulse, vmin(add(oldImpulse, impulse), j.maxMotorImpulse4));
    j.motorImpulse = masked(motorAll, motorOn, motorImpulse, oldImpulse);
    impulse = sub(motorImpulse, oldImpulse);
    aw = masked(motorAll, motorOn, sub(aw, mul(iA, impulse)), aw);
    bw = masked(motorAll, motorOn, add(bw, mul(iB, impulse)), bw);
  }

  const limitOn = j.limitOn, limitAll = j.limitAll;
  const rAx = j.rAx, rAy = j.rAy, rBx = j.rBx, rBy = j.rBy;
  if (j.limitAny) {
    const Cdot1x = add(sub(sub(bvx, mul(bw, rBy)), avx), mul(aw, rAy));
    const Cdot1y = sub(sub(add(bvy, mul(bw, rBx)), avy), mul(aw, rAx));
    const Cdot2 = sub(bw, aw);
    const bx = Cdot1x, by = Cdot1y, bz = Cdot2, negDet = j.negDet33;
    const adj12 = j.adj12, adj13 = j.adj13, adj23 = j.adj23;
    let impulseX = mul(negDet, add(add(mul(j.adj11, bx), mul(adj12, by)), mul(adj13, bz)));
    let impulseY = mul(negDet, add(add(mul(adj12, bx), mul(j.adj22, by)), mul(adj23, bz)));
    let impulseZ = mul(negDet, add(add(mul(adj13, bx), mul(adj23, by)), mul(j.adj33, bz)));

    // At a limit whose accumulated impulse would change sign: drop the limit, solve the point alone.
    const z = j.impulseZ;
    const newImpulse = add(z, impulseZ);
    const drop = lt(mul(newImpulse, j.limitSign), zero());
    let newZ = newImpulse;
    if (any(drop)) {
      const rhsX = add(neg(Cdot1x), mul(z, j.m13));
      const rhsY = add(neg(Cdot1y), mul(z, j.m23));
      const reducedX = mul(j.det22, sub(mul(j.m22, rhsX), mul(j.m12, rhsY)));
      const reducedY = mul(j.det22, sub(mul(j.m11, rhsY), mul(j.m12, rhsX)));
      impulseX = select(drop, reducedX, impulseX);
      impulseY = select(drop, reducedY, impulseY);
      impulseZ = select(drop, neg(z), impulseZ);
      newZ = select(drop, zero(), newImpulse);
    }
    j.impulseX = masked(limitAll, limitOn, add(j.impulseX, impulseX), j.impulseX);
    j.impulseY = masked(limitAll, limitOn, add(j.impulseY, impulseY), j.impulseY);
    j.impulseZ = masked(limitAll, limitOn, newZ, z);

    const Px = impulseX, Py = impulseY;
    avx = masked(limitAll, limitOn, sub(avx, mul(mA, Px)), avx);
    avy = masked(limitAll, limitOn, sub(avy, mul(mA, Py)), avy);
    aw = masked(limitAll, limitOn, sub(aw, mul(iA, add(sub(mul(rAx, Py), mul(rAy, Px)), impulseZ))), aw);
    bvx = masked(limitAll, limitOn, add(bvx, mul(mB, Px)), bvx);
    bvy = masked(limitAll, limitOn, add(bvy, mul(mB, Py)), bvy);
    bw = masked(limitAll, limitOn, add(bw, mul(iB, add(sub(mul(rBx, Py), mul(rBy, Px)), impulseZ))), bw);
  }

  if (!limitAll) {
    const pointOnly = v128.not(limitOn);
    const Cdotx = add(sub(sub(bvx, mul(bw, rBy)), avx), mul(aw, rAy));
    const Cdoty = sub(sub(add(bvy, mul(bw, rBx)), avy), mul(aw, rAx));
    const bx = neg(Cdotx), by = neg(Cdoty);
    const impulseX = mul(j.det22, sub(mul(j.m22, bx), mul(j.m12, by)));
    const impulseY = mul(j.det22, sub(mul(j.m11, by), mul(j.m12, bx)));
    j.impulseX = select(pointOnly, add(j.impulseX, impulseX), j.impulseX);
    j.impulseY = select(pointOnly, add(j.impulseY, impulseY), j.impulseY);
    avx = select(pointOnly, sub(avx, mul(mA, impulseX)), avx);
    avy = select(pointOnly, sub(avy, mul(mA, impulseY)), avy);
    aw = select(pointOnly, sub(aw, mul(iA, sub(mul(rAx, impulseY), mul(rAy, impulseX)))), aw);
    bvx = select(pointOnly, add(bvx, mul(mB, impulseX)), bvx);
    bvy = select(pointOnly, add(bvy, mul(mB, impulseY)), bvy);
    bw = select(pointOnly, add(bw, mul(iB, sub(mul(rBx, impulseY), mul(rBy, impulseX)))), bw);
  }
  A.vx = avx; A.vy = avy; A.w = aw; B.vx = bvx; B.vy = bvy; B.w = bw;
}

/** SolvePositionConstraints for the lanes (mask at lanesAt); the lanes within slop go to j.positionOkay. */
export function solvePositionConstraints4(j: Joint4, A: Body4, B: Body4, lanesAt: usize): void {
  const lanes = v128.load(lanesAt);
  const iA = A.invI, iB = B.invI;
  let angularError = zero();

  const limit = and(lanes, j.limitOn);
  if (any(limit)) {
    const angle = sub(sub(B.a, A.a), splat(j.referenceAngle));
    const maxCorrection = splat(MAX_ANGULAR_CORRECTION);
    // Equal limits
    const Ce = vmax(neg(maxCorrection), vmin(sub(angle, splat(j.lowerAngle)), maxCorrection));
    // Lower
    const Cl = sub(angle, splat(j.lowerAngle));
    const Clc = vmax(neg(maxCorrection), vmin(add(Cl, splat(ANGULAR_SLOP)), zero()));
    // Upper
    const Cu = sub(angle, splat(j.upperAngle));
    const Cuc = vmax(zero(), vmin(sub(Cu, splat(ANGULAR_SLOP)), maxCorrection));
    const C = select(j.equal, Ce, select(j.atLower, Clc, Cuc));
    angularError = select(limit, select(j.equal, vabs(Ce), select(j.atLower, neg(Cl), Cu)), zero());
    const limitImpulse = mul(neg(j.motorMass), C);
    A.a = select(limit, sub(A.a, mul(iA, limitImpulse)), A.a);
    B.a = select(limit, add(B.a, mul(iB, limitImpulse)), B.a);
  }

  setRotation4(rot, A.a);
  let qs = rot.s, qc = rot.c;
  const ax = sub(splat(j.localAnchorAX), A.localCenterX), ay = sub(splat(j.localAnchorAY), A.localCenterY);
  const rAx = sub(mul(qc, ax), mul(qs, ay)), rAy = add(mul(qs, ax), mul(qc, ay));
  setRotation4(rot, B.a);
  qs = rot.s; qc = rot.c;
  const bx = sub(splat(j.localAnchorBX), B.localCenterX), by = sub(splat(j.localAnchorBY), B.localCenterY);
  const rBx = sub(mul(qc, bx), mul(qs, by)), rBy = add(mul(qs, bx), mul(qc, by));
  const Cx = sub(sub(add(B.cx, rBx), A.cx), rAx);
  const Cy = sub(sub(add(B.cy, rBy), A.cy), rAy);
  const positionError = vsqrt(add(mul(Cx, Cx), mul(Cy, Cy)));
  const mA = A.invMass, mB = B.invMass;
  const mAB = add(mA, mB);
  const k11 = add(add(mAB, mul(mul(iA, rAy), rAy)), mul(mul(iB, rBy), rBy));
  const k12 = sub(mul(mul(neg(iA), rAx), rAy), mul(mul(iB, rBx), rBy));
  const k22 = add(add(mAB, mul(mul(iA, rAx), rAx)), mul(mul(iB, rBx), rBx));
  const det = invertDet(sub(mul(k11, k22), mul(k12, k12)));
  const impulseX = neg(mul(det, sub(mul(k22, Cx), mul(k12, Cy))));
  const impulseY = neg(mul(det, sub(mul(k11, Cy), mul(k12, Cx))));
  A.cx = select(lanes, sub(A.cx, mul(mA, impulseX)), A.cx);
  A.cy = select(lanes, sub(A.cy, mul(mA, impulseY)), A.cy);
  A.a = select(lanes, sub(A.a, mul(iA, sub(mul(rAx, impulseY), mul(rAy, impulseX)))), A.a);
  B.cx = select(lanes, add(B.cx, mul(mB, impulseX)), B.cx);
  B.cy = select(lanes, add(B.cy, mul(mB, impulseY)), B.cy);
  B.a = select(lanes, add(B.a, mul(iB, sub(mul(rBx, impulseY), mul(rBy, impulseX)))), B.a);

  j.positionOkay = and(le(positionError, splat(LINEAR_SLOP)), le(angularError, splat(ANGULAR_SLOP)));
}
