// b2RevoluteJoint in its Box2D 2.3.0 form (scalar, one world): a 2-D point constraint, an angular
// limit with the lower / upper / equal states (solved together with the point constraint as one
// 3×3 block while active, with the 2×2 fallback when the accumulated limit impulse would change
// sign) and a motor with a maximum torque. Position correction for the limit and the point.
// Body A is the lander, body B a leg; revolute_joint4.ts is the same over four worlds.

import { ANGULAR_SLOP, MAX_ANGULAR_CORRECTION, LINEAR_SLOP, TIME_STEP, b2Min, b2Max } from './settings';
import { LIMIT_INACTIVE, LIMIT_AT_LOWER, LIMIT_AT_UPPER, LIMIT_EQUAL } from './state';
import { Body } from './body';
import { RevoluteJointDef } from './definition';
import { rotation, rotSin, rotCos } from './rotation';

/** The definition's fields (RevoluteJointDef), then the joint's state and its per-step quantities. */
@unmanaged export class RevoluteJoint extends RevoluteJointDef {
  // Persistent (the lane's state): accumulated impulses and the limit state.
  impulseX: f32; impulseY: f32; impulseZ: f32;
  motorImpulse: f32;
  limitState: i32;
  // Per step.
  rAx: f32; rAy: f32; rBx: f32; rBy: f32;
  // The 3×3 effective mass K (symmetric: ex = (m11, m12, m13), ey = (m12, m22, m23), ez = (m13, m23, m33)).
  m11: f32; m12: f32; m13: f32; m22: f32; m23: f32; m33: f32;
  motorMass: f32;
  // K⁻¹ by Cramer's rule (b2Mat33::Solve33), fixed during the step: x = det⁻¹·(b·(ey × ez),
  // b·(ez × ex), b·(ex × ey)), the triple products of Solve33 written with b outside.
  adj11: f32; adj12: f32; adj13: f32; adj22: f32; adj23: f32; adj33: f32;
  det33: f32;
}

/** b2Mat33::Solve22 on the upper-left 2×2 block of K. */
@inline function solve22X(j: RevoluteJoint, bx: f32, by: f32): f32 {
  let det = j.m11 * j.m22 - j.m12 * j.m12;
  if (det != 0) det = <f32>1.0 / det;
  return det * (j.m22 * bx - j.m12 * by);
}
@inline function solve22Y(j: RevoluteJoint, bx: f32, by: f32): f32 {
  let det = j.m11 * j.m22 - j.m12 * j.m12;
  if (det != 0) det = <f32>1.0 / det;
  return det * (j.m11 * by - j.m12 * bx);
}

/**
 * b2RevoluteJoint::InitVelocityConstraints: lever arms, K, the limit state for this step and the
 * warm start (dtRatio = 1).
 */
export function initVelocityConstraints(j: RevoluteJoint, A: Body, B: Body): void {
  let q = rotation(A.a);
  const ax = j.localAnchorAX - A.localCenterX, ay = j.localAnchorAY - A.localCenterY;
  j.rAx = rotCos(q) * ax - rotSin(q) * ay; j.rAy = rotSin(q) * ax + rotCos(q) * ay;
  q = rotation(B.a);
  const bx = j.localAnchorBX - B.localCenterX, by = j.localAnchorBY - B.localCenterY;
  j.rBx = rotCos(q) * bx - rotSin(q) * by; j.rBy = rotSin(q) * bx + rotCos(q) * by;

  const mA = A.invMass, mB = B.invMass, iA = A.invI, iB = B.invI;
  j.m11 = mA + mB + j.rAy * j.rAy * iA + j.rBy * j.rBy * iB;
  j.m12 = -j.rAy * j.rAx * iA - j.rBy * j.rBx * iB;
  j.m13 = -j.rAy * iA - j.rBy * iB;
  j.m22 = mA + mB + j.rAx * j.rAx * iA + j.rBx * j.rBx * iB;
  j.m23 = j.rAx * iA + j.rBx * iB;
  j.m33 = iA + iB;
  j.motorMass = iA + iB;
  if (j.motorMass > 0) j.motorMass = <f32>1.0 / j.motorMass;
  // K is symmetric, so ey × ez, ez × ex, ex × ey are the rows (and columns) of its adjugate.
  j.adj11 = j.m22 * j.m33 - j.m23 * j.m23;
  j.adj12 = j.m23 * j.m13 - j.m12 * j.m33;
  j.adj13 = j.m12 * j.m23 - j.m22 * j.m13;
  j.adj22 = j.m33 * j.m11 - j.m13 * j.m13;
  j.adj23 = j.m13 * j.m12 - j.m11 * j.m23;
  j.adj33 = j.m11 * j.m22 - j.m12 * j.m12;
  let det = j.m11 * j.adj11 + j.m12 * j.adj12 + j.m13 * j.adj13;
  if (det != 0) det = <f32>1.0 / det;
  j.det33 = det;

  // Limit state (enableLimit, and both bodies rotate).
  const jointAngle = B.a - A.a - j.referenceAngle;
  if (Mathf.abs(j.upperAngle - j.lowerAngle) < <f32>2.0 * ANGULAR_SLOP) {
    j.limitState = LIMIT_EQUAL;
  } else if (jointAngle <= j.lowerAngle) {
    if (j.limitState != LIMIT_AT_LOWER) j.impulseZ = 0;
    j.limitState = LIMIT_AT_LOWER;
  } else if (jointAngle >= j.upperAngle) {
    if (j.limitState != LIMIT_AT_UPPER) j.impulseZ = 0;
    j.limitState = LIMIT_AT_UPPER;
  } else {
    j.limitState = LIMIT_INACTIVE;
    j.impulseZ = 0;
  }

  // Warm start.
  const Px = j.impulseX, Py = j.impulseY;
  A.vx -= mA * Px; A.vy -= mA * Py;
  A.w -= iA * ((j.rAx * Py - j.rAy * Px) + j.motorImpulse + j.impulseZ);
  B.vx += mB * Px; B.vy += mB * Py;
  B.w += iB * ((j.rBx * Py - j.rBy * Px) + j.motorImpulse + j.impulseZ);
}

/** b2RevoluteJoint::SolveVelocityConstraints */
export function solveVelocityConstraints(j: RevoluteJoint, A: Body, B: Body): void {
  const mA = A.invMass, mB = B.invMass, iA = A.invI, iB = B.invI;

  // Motor (enableMotor; not with equal limits).
  if (j.limitState != LIMIT_EQUAL) {
    const Cdot = B.w - A.w - j.motorSpeed;
    let impulse = -j.motorMass * Cdot;
    const oldImpulse = j.motorImpulse;
    const maxImpulse = TIME_STEP * j.maxMotorTorque;
    j.motorImpulse = b2Max(-maxImpulse, b2Min(j.motorImpulse + impulse, maxImpulse)); // b2Clamp
    impulse = j.motorImpulse - oldImpulse;
    A.w -= iA * impulse;
    B.w += iB * impulse;
  }

  if (j.limitState != LIMIT_INACTIVE) {
    // Point and limit together: Cdot = (vB + ωB × rB − vA − ωA × rA, ωB − ωA).
    const Cdot1x = B.vx - B.w * j.rBy - A.vx + A.w * j.rAy;
    const Cdot1y = B.vy + B.w * j.rBx - A.vy - A.w * j.rAx;
    const Cdot2 = B.w - A.w;
    // impulse = −K⁻¹·Cdot (b2Mat33::Solve33).
    const bx = Cdot1x, by = Cdot1y, bz = Cdot2, det = j.det33;
    let impulseX = -(det * (j.adj11 * bx + j.adj12 * by + j.adj13 * bz));
    let impulseY = -(det * (j.adj12 * bx + j.adj22 * by + j.adj23 * bz));
    let impulseZ = -(det * (j.adj13 * bx + j.adj23 * by + j.adj33 * bz));

    if (j.limitState == LIMIT_EQUAL) {
      j.impulseX += impulseX; j.impulseY += impulseY; j.impulseZ += impulseZ;
    } else {
      const newImpulse = j.impulseZ + impulseZ;
      // At the lower limit the limit may only push (z ≥ 0); at the upper only pull (z ≤ 0).
      if (j.limitState == LIMIT_AT_LOWER ? newImpulse < 0 : newImpulse > 0) {
        // Drop the limit: solve the point constraint alone, with the limit impulse removed.
        const rhsX = -Cdot1x + j.impulseZ * j.m13;
        const rhsY = -Cdot1y + j.impulseZ * j.m23;
        impulseX = solve22X(j, rhsX, rhsY);
        impulseY = solve22Y(j, rhsX, rhsY);
        impulseZ = -j.impulseZ;
        j.impulseX += impulseX; j.impulseY += impulseY;
        j.impulseZ = 0;
      } else {
        j.impulseX += impulseX; j.impulseY += impulseY; j.impulseZ += impulseZ;
      }
    }
    const Px = impulseX, Py = impulseY;
    A.vx -= mA * Px; A.vy -= mA * Py;
    A.w -= iA * ((j.rAx * Py - j.rAy * Px) + impulseZ);
    B.vx += mB * Px; B.vy += mB * Py;
    B.w += iB * ((j.rBx * Py - j.rBy * Px) + impulseZ);
  } else {
    // Point to point only.
    const Cdotx = B.vx - B.w * j.rBy - A.vx + A.w * j.rAy;
    const Cdoty = B.vy + B.w * j.rBx - A.vy - A.w * j.rAx;
    const impulseX = solve22X(j, -Cdotx, -Cdoty);
    const impulseY = solve22Y(j, -Cdotx, -Cdoty);
    j.impulseX += impulseX; j.impulseY += impulseY;
    A.vx -= mA * impulseX; A.vy -= mA * impulseY;
    A.w -= iA * (j.rAx * impulseY - j.rAy * impulseX);
    B.vx += mB * impulseX; B.vy += mB * impulseY;
    B.w += iB * (j.rBx * impulseY - j.rBy * impulseX);
  }
}

/** b2RevoluteJoint::SolvePositionConstraints: returns whether the joint is within slop. */
export function solvePositionConstraints(j: RevoluteJoint, A: Body, B: Body): bool {
  let angularError: f32 = 0;
  let positionError: f32 = 0;
  const iA = A.invI, iB = B.invI;

  // Angular limit.
  if (j.limitState != LIMIT_INACTIVE) {
    const angle = B.a - A.a - j.referenceAngle;
    let limitImpulse: f32 = 0;
    if (j.limitState == LIMIT_EQUAL) {
      const C = b2Max(-MAX_ANGULAR_CORRECTION, b2Min(angle - j.lowerAngle, MAX_ANGULAR_CORRECTION));
      limitImpulse = -j.motorMass * C;
      angularError = Mathf.abs(C);
    } else if (j.limitState == LIMIT_AT_LOWER) {
      let C = angle - j.lowerAngle;
      angularError = -C;
      C = b2Max(-MAX_ANGULAR_CORRECTION, b2Min(C + ANGULAR_SLOP, 0));
      limitImpulse = -j.motorMass * C;
    } else {
      let C = angle - j.upperAngle;
      angularError = C;
      C = b2Max(0, b2Min(C - ANGULAR_SLOP, MAX_ANGULAR_CORRECTION));
      limitImpulse = -j.motorMass * C;
    }
    A.a -= iA * limitImpulse;
    B.a += iB * limitImpulse;
  }

  // Point to point.
  let q = rotation(A.a);
  const ax = j.localAnchorAX - A.localCenterX, ay = j.localAnchorAY - A.localCenterY;
  const rAx = rotCos(q) * ax - rotSin(q) * ay, rAy = rotSin(q) * ax + rotCos(q) * ay;
  q = rotation(B.a);
  const bx = j.localAnchorBX - B.localCenterX, by = j.localAnchorBY - B.localCenterY;
  const rBx = rotCos(q) * bx - rotSin(q) * by, rBy = rotSin(q) * bx + rotCos(q) * by;
  const Cx = B.cx + rBx - A.cx - rAx;
  const Cy = B.cy + rBy - A.cy - rAy;
  positionError = Mathf.sqrt(Cx * Cx + Cy * Cy);
  const mA = A.invMass, mB = B.invMass;
  const k11 = mA + mB + iA * rAy * rAy + iB * rBy * rBy;
  const k12 = -iA * rAx * rAy - iB * rBx * rBy;
  const k22 = mA + mB + iA * rAx * rAx + iB * rBx * rBx;
  // impulse = −K⁻¹·C (b2Mat22::Solve)
  let det = k11 * k22 - k12 * k12;
  if (det != 0) det = <f32>1.0 / det;
  const impulseX = -(det * (k22 * Cx - k12 * Cy));
  const impulseY = -(det * (k11 * Cy - k12 * Cx));
  A.cx -= mA * impulseX; A.cy -= mA * impulseY;
  A.a -= iA * (rAx * impulseY - rAy * impulseX);
  B.cx += mB * impulseX; B.cy += mB * impulseY;
  B.a += iB * (rBx * impulseY - rBy * impulseX);

  return positionError <= LINEAR_SLOP && angularError <= ANGULAR_SLOP;
}
