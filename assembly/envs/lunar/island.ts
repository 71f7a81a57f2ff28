// b2Island::Solve for one world (scalar): the lander, its legs and their joints always form one
// island (the joints connect them), with the touching contacts of each body against the static moon.
//
// Order, as b2World::Solve builds the island by depth-first search from the newest body (the body
// list is newest first): bodies legs[1], lander, legs[0]; joints legs[1]'s then legs[0]'s; contacts
// those of legs[1], then the lander's, then legs[0]'s. Sequential impulses depend on this order.
//
// Phases: integrate velocities (gravity, the lander's force and torque) → contact constraints,
// warm start, joint constraints → VELOCITY_ITERATIONS rounds of joints then contacts → store
// impulses → integrate positions (with the translation/rotation clamps) → up to
// POSITION_ITERATIONS rounds of contact then joint position correction, stopping once both are
// within tolerance → sleep (every body below the sleep tolerances for TIME_TO_SLEEP, and the
// position solver converged). island4.ts is the same over four worlds.

import { TIME_STEP, VELOCITY_ITERATIONS, POSITION_ITERATIONS, MAX_TRANSLATION, MAX_TRANSLATION_SQUARED,
  MAX_ROTATION, MAX_ROTATION_SQUARED, LINEAR_SLOP, LINEAR_SLEEP_TOLERANCE, ANGULAR_SLEEP_TOLERANCE, TIME_TO_SLEEP, b2Min, b2Max } from './settings';
import { BODY_COUNT, BODY_LANDER, BODY_LEG0, BODY_LEG1, JOINT_COUNT, setLegJointDefinition } from './definition';
import { Body, body } from './body';
import { Manifold } from './manifold';
import { manifoldAt } from './contact_manager';
import { ContactConstraint, initVelocityConstraint, warmStart, solveVelocityConstraint, solvePositionConstraint } from './contact_solver';
import { RevoluteJoint, initVelocityConstraints, solveVelocityConstraints, solvePositionConstraints } from './revolute_joint';
import { get, set, bodyComponent, jointComponent, slotComponent, B_CX, B_CY, B_ANGLE, B_VX, B_VY, B_OMEGA,
  S_SLEEP_TIME, S_AWAKE, J_IMPULSE_X, J_IMPULSE_Y, J_IMPULSE_Z, J_MOTOR_IMPULSE, J_LIMIT_STATE, SLOTS_PER_BODY,
  C_NORMAL_IMPULSE0, C_TANGENT_IMPULSE0, C_NORMAL_IMPULSE1, C_TANGENT_IMPULSE1 } from './state';

/** Island order of bodies (for contacts) and joints; see the header. */
@inline export function islandBody(k: i32): i32 { return k == 0 ? BODY_LEG1 : k == 1 ? BODY_LANDER : BODY_LEG0; }
@inline export function islandJoint(k: i32): i32 { return JOINT_COUNT - 1 - k; }

const joints = memory.data(<i32>JOINT_COUNT * <i32>offsetof<RevoluteJoint>());
const constraints = memory.data(<i32>(BODY_COUNT * SLOTS_PER_BODY) * <i32>offsetof<ContactConstraint>());
@inline function joint(j: i32): RevoluteJoint { return changetype<RevoluteJoint>(joints + <usize>j * offsetof<RevoluteJoint>()); }
@inline function constraint(b: i32, k: i32): ContactConstraint {
  return changetype<ContactConstraint>(constraints + <usize>(b * SLOTS_PER_BODY + k) * offsetof<ContactConstraint>());
}

for (let j = 0; j < JOINT_COUNT; j++) setLegJointDefinition(joint(j), j);

/**
 * Solves the island of `lane` for one time step, with the manifolds collideLane left in
 * manifoldAt(laneInBatch, ·, ·). gravity is the world's (0, g); forceX/Y and torque act on the
 * lander this step (b2Body::m_force, m_torque). Returns nothing; writes the lane's state.
 */
export function solveIsland(state: usize, stride: usize, lane: i32, laneInBatch: i32, gravity: f32,
  forceX: f32, forceY: f32, torque: f32): void {
  const h = TIME_STEP;
  // Integrate velocities (no damping: 1/(1 + h·0) = 1 leaves them exact).
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body(b);
    B.cx = get(state, stride, lane, bodyComponent(b, B_CX));
    B.cy = get(state, stride, lane, bodyComponent(b, B_CY));
    B.a = get(state, stride, lane, bodyComponent(b, B_ANGLE));
    const fx: f32 = b == BODY_LANDER ? forceX : 0, fy: f32 = b == BODY_LANDER ? forceY : 0, t: f32 = b == BODY_LANDER ? torque : 0;
    B.vx = get(state, stride, lane, bodyComponent(b, B_VX)) + h * (<f32>0 + B.invMass * fx);
    B.vy = get(state, stride, lane, bodyComponent(b, B_VY)) + h * (gravity + B.invMass * fy);
    B.w = get(state, stride, lane, bodyComponent(b, B_OMEGA)) + h * B.invI * t;
  }

  // Contact constraints and their warm start, then the joints'.
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    for (let s = 0; s < SLOTS_PER_BODY; s++) {
      const m = manifoldAt(laneInBatch, b, s);
      if (m.pointCount > 0) initVelocityConstraint(constraint(b, s), m, body(b));
    }
  }
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    for (let s = 0; s < SLOTS_PER_BODY; s++) {
      if (manifoldAt(laneInBatch, b, s).pointCount > 0) warmStart(constraint(b, s), body(b));
    }
  }
  for (let k = 0; k < JOINT_COUNT; k++) {
    const j = islandJoint(k);
    const J = joint(j);
    J.impulseX = get(state, stride, lane, jointComponent(j, J_IMPULSE_X));
    J.impulseY = get(state, stride, lane, jointComponent(j, J_IMPULSE_Y));
    J.impulseZ = get(state, stride, lane, jointComponent(j, J_IMPULSE_Z));
    J.motorImpulse = get(state, stride, lane, jointComponent(j, J_MOTOR_IMPULSE));
    J.limitState = <i32>get(state, stride, lane, jointComponent(j, J_LIMIT_STATE));
    initVelocityConstraints(J, body(BODY_LANDER), body(1 + j));
  }

  // Velocity iterations.
  for (let it = 0; it < VELOCITY_ITERATIONS; it++) {
    for (let k = 0; k < JOINT_COUNT; k++) {
      const j = islandJoint(k);
      solveVelocityConstraints(joint(j), body(BODY_LANDER), body(1 + j));
    }
    for (let k = 0; k < BODY_COUNT; k++) {
      const b = islandBody(k);
      for (let s = 0; s < SLOTS_PER_BODY; s++) {
        if (manifoldAt(laneInBatch, b, s).pointCount > 0) solveVelocityConstraint(constraint(b, s), body(b));
      }
    }
  }

  // Store impulses for warm starting (the velocity constraint's points).
  for (let b = 0; b < BODY_COUNT; b++) {
    for (let s = 0; s < SLOTS_PER_BODY; s++) {
      if (manifoldAt(laneInBatch, b, s).pointCount == 0) continue;
      const cc = constraint(b, s);
      set(state, stride, lane, slotComponent(b, s, C_NORMAL_IMPULSE0), cc.normalImpulse0);
      set(state, stride, lane, slotComponent(b, s, C_TANGENT_IMPULSE0), cc.tangentImpulse0);
      if (cc.pointCount == 2) {
        set(state, stride, lane, slotComponent(b, s, C_NORMAL_IMPULSE1), cc.normalImpulse1);
        set(state, stride, lane, slotComponent(b, s, C_TANGENT_IMPULSE1), cc.tangentImpulse1);
      }
    }
  }
  for (let j = 0; j < JOINT_COUNT; j++) {
    const J = joint(j);
    set(state, stride, lane, jointComponent(j, J_IMPULSE_X), J.impulseX);
    set(state, stride, lane, jointComponent(j, J_IMPULSE_Y), J.impulseY);
    set(state, stride, lane, jointComponent(j, J_IMPULSE_Z), J.impulseZ);
    set(state, stride, lane, jointComponent(j, J_MOTOR_IMPULSE), J.motorImpulse);
    set(state, stride, lane, jointComponent(j, J_LIMIT_STATE), <f32>J.limitState);
  }

  // Integrate positions, clamping large velocities.
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body(b);
    const translationX = h * B.vx, translationY = h * B.vy;
    const translationSquared = translationX * translationX + translationY * translationY;
    if (translationSquared > MAX_TRANSLATION_SQUARED) {
      const ratio = MAX_TRANSLATION / Mathf.sqrt(translationSquared);
      B.vx *= ratio; B.vy *= ratio;
    }
    const rotation = h * B.w;
    if (rotation * rotation > MAX_ROTATION_SQUARED) {
      const ratio = MAX_ROTATION / Mathf.abs(rotation);
      B.w *= ratio;
    }
    B.cx += h * B.vx; B.cy += h * B.vy;
    B.a += h * B.w;
  }

  // Position iterations: contacts, then joints; stop once every error is within tolerance.
  let positionSolved = false;
  for (let it = 0; it < POSITION_ITERATIONS; it++) {
    let minSeparation: f32 = 0;
    for (let k = 0; k < BODY_COUNT; k++) {
      const b = islandBody(k);
      for (let s = 0; s < SLOTS_PER_BODY; s++) {
        const m = manifoldAt(laneInBatch, b, s);
        if (m.pointCount > 0) minSeparation = b2Min(minSeparation, solvePositionConstraint(m, body(b)));
      }
    }
    // Contacts are "okay" at −3·linearSlop: the solver does not push separation above −linearSlop.
    const contactsOkay = minSeparation >= <f32>-3.0 * LINEAR_SLOP;
    let jointsOkay = true;
    for (let k = 0; k < JOINT_COUNT; k++) {
      const j = islandJoint(k);
      const jointOkay = solvePositionConstraints(joint(j), body(BODY_LANDER), body(1 + j));
      jointsOkay = jointsOkay && jointOkay;
    }
    if (contactsOkay && jointsOkay) {
      positionSolved = true;
      break;
    }
  }

  // Back to the state.
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body(b);
    set(state, stride, lane, bodyComponent(b, B_CX), B.cx);
    set(state, stride, lane, bodyComponent(b, B_CY), B.cy);
    set(state, stride, lane, bodyComponent(b, B_ANGLE), B.a);
    set(state, stride, lane, bodyComponent(b, B_VX), B.vx);
    set(state, stride, lane, bodyComponent(b, B_VY), B.vy);
    set(state, stride, lane, bodyComponent(b, B_OMEGA), B.w);
  }

  // Sleep: every body slow for TIME_TO_SLEEP seconds and the position solver converged.
  let minSleepTime = f32.MAX_VALUE;
  const linTolSqr = LINEAR_SLEEP_TOLERANCE * LINEAR_SLEEP_TOLERANCE;
  const angTolSqr = ANGULAR_SLEEP_TOLERANCE * ANGULAR_SLEEP_TOLERANCE;
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    const B = body(b);
    let sleepTime = get(state, stride, lane, S_SLEEP_TIME + b);
    if (B.w * B.w > angTolSqr || B.vx * B.vx + B.vy * B.vy > linTolSqr) {
      sleepTime = 0;
      minSleepTime = 0;
    } else {
      sleepTime += h;
      minSleepTime = b2Min(minSleepTime, sleepTime);
    }
    set(state, stride, lane, S_SLEEP_TIME + b, sleepTime);
  }
  if (minSleepTime >= TIME_TO_SLEEP && positionSolved) {
    // b2Body::SetAwake(false) on every body of the island: velocities and sleep times zeroed.
    set(state, stride, lane, S_AWAKE, 0);
    for (let b = 0; b < BODY_COUNT; b++) {
      set(state, stride, lane, bodyComponent(b, B_VX), 0);
      set(state, stride, lane, bodyComponent(b, B_VY), 0);
      set(state, stride, lane, bodyComponent(b, B_OMEGA), 0);
      set(state, stride, lane, S_SLEEP_TIME + b, 0);
    }
  }
}
