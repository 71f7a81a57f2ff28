// b2Island::Solve over four worlds at once (f32x4): island.ts phase by phase, with the bodies of
// four lanes in Body4 records and the order of joints and contacts as there. Where Box2D loops over
// the constraints of one island, this loops over the same constraints of four islands:
//   - velocity iterations: each joint, then each contact slot (body, slot) any lane has, masked per lane;
//   - position iterations: run while any lane has not converged; a lane that has converged (or is
//     asleep) is masked out and keeps its positions, as Box2D stops iterating that island;
//   - sleep: the timers and the island test per lane.
// Lanes whose world sleeps are left untouched (Box2D does not simulate a sleeping island).
//
// Interleaving: a velocity iteration of one group is one long chain of dependent f32x4 operations
// (each constraint reads the velocities the previous one wrote), so the CPU waits on latencies.
// The groups of a batch (BATCH_GROUPS groups, up to 16 worlds) are independent, so the velocity
// iterations run over all of them in turn — joint 1 of every group, joint 0 of every group, then
// their contacts — and the out-of-order core overlaps the chains. Each group still sees Box2D's
// order: joints, then contacts, iteration by iteration. The other phases run group by group:
// prepareIsland4 before the velocity iterations, finishIsland4 after.

import { TIME_STEP, VELOCITY_ITERATIONS, POSITION_ITERATIONS, MAX_TRANSLATION, MAX_TRANSLATION_SQUARED,
  MAX_ROTATION, MAX_ROTATION_SQUARED, LINEAR_SLOP, LINEAR_SLEEP_TOLERANCE, ANGULAR_SLEEP_TOLERANCE, TIME_TO_SLEEP } from './settings';
import { BODY_COUNT, BODY_LANDER, JOINT_COUNT, setLegJointDefinition } from './definition';
import { Body4, body4, BATCH_GROUPS } from './body';
import { manifoldAt, GROUP_LANES } from './contact_manager';
import { islandBody, islandJoint } from './island';
import { Contact4, initVelocityConstraint4, warmStart4, solveVelocityConstraint4, solvePositionConstraint4 } from './contact_solver4';
import { Joint4, initVelocityConstraints4, solveVelocityConstraints4, solvePositionConstraints4 } from './revolute_joint4';
import { bodyComponent, jointComponent, slotComponent, B_CX, B_CY, B_ANGLE, B_VX, B_VY, B_OMEGA, S_SLEEP_TIME, S_AWAKE,
  J_IMPULSE_X, J_IMPULSE_Y, J_IMPULSE_Z, J_MOTOR_IMPULSE, J_LIMIT_STATE, SLOTS_PER_BODY,
  C_NORMAL_IMPULSE0, C_TANGENT_IMPULSE0, C_NORMAL_IMPULSE1, C_TANGENT_IMPULSE1 } from './state';
import { splat, add, sub, mul, div, vmin, vabs, vsqrt, gt, ge, select, and, or, andNot, any, zero } from './simd';

const joints4 = memory.data(<i32>(BATCH_GROUPS * JOINT_COUNT) * <i32>offsetof<Joint4>(), 16);
const contacts4 = memory.data(<i32>(BATCH_GROUPS * BODY_COUNT * SLOTS_PER_BODY) * <i32>offsetof<Contact4>(), 16);
@inline function joint4(g: i32, j: i32): Joint4 { return changetype<Joint4>(joints4 + <usize>(g * JOINT_COUNT + j) * offsetof<Joint4>()); }
@inline function contact4(g: i32, b: i32, s: i32): Contact4 {
  return changetype<Contact4>(contacts4 + <usize>((g * BODY_COUNT + b) * SLOTS_PER_BODY + s) * offsetof<Contact4>());
}

/**
 * What the phases of one group share: which four lanes it holds (any four: lunarStepLanes groups
 * lanes that touch alike), its awake lanes and the contact slots any lane has.
 */
@unmanaged class Group4 {
  awake: v128;
  o0: usize; o1: usize; o2: usize; o3: usize; // byte offsets (lane·4) of its lanes in a component row
  contiguous: bool; // four consecutive lanes: plain f32x4 loads and stores
  live: bool; // some lane is awake
  slots: i32; // bit (b·SLOTS_PER_BODY + s) set when some lane has slot s of body b
}
const groups4 = memory.data(<i32>BATCH_GROUPS * <i32>offsetof<Group4>(), 16);
// The position iterations' lane masks and minimum separations (passed by address: v128 values
// stay out of function signatures).
const activeLanes = memory.data(16, 16);
const minSeparations = memory.data(16, 16);
@inline function group4(g: i32): Group4 { return changetype<Group4>(groups4 + <usize>g * offsetof<Group4>()); }

for (let g = 0; g < BATCH_GROUPS; g++) for (let j = 0; j < JOINT_COUNT; j++) setLegJointDefinition(joint4(g, j), j);

/** Component k of the group's four lanes (a row of a structure-of-arrays buffer at `base`). */
@inline function load4(base: usize, stride: usize, group: Group4, k: i32): v128 {
  const row = base + <usize>k * stride;
  if (group.contiguous) return v128.load(row + group.o0);
  return f32x4(load<f32>(row + group.o0), load<f32>(row + group.o1), load<f32>(row + group.o2), load<f32>(row + group.o3));
}
/** The lane mask of state component k (0/1 values). */
@inline function flag4(state: usize, stride: usize, group: Group4, k: i32): v128 {
  return f32x4.ne(load4(state, stride, group, k), f32x4.splat(0));
}
/** Writes v into component k of the group's lanes in mask. */
@inline function store4(state: usize, stride: usize, group: Group4, k: i32, v: v128, mask: v128): void {
  const row = state + <usize>k * stride;
  if (group.contiguous) {
    v128.store(row + group.o0, select(mask, v, v128.load(row + group.o0)));
    return;
  }
  if (i32x4.extract_lane(mask, 0)) store<f32>(row + group.o0, f32x4.extract_lane(v, 0));
  if (i32x4.extract_lane(mask, 1)) store<f32>(row + group.o1, f32x4.extract_lane(v, 1));
  if (i32x4.extract_lane(mask, 2)) store<f32>(row + group.o2, f32x4.extract_lane(v, 2));
  if (i32x4.extract_lane(mask, 3)) store<f32>(row + group.o3, f32x4.extract_lane(v, 3));
}

/**
 * Before the velocity iterations, for group g (the lanes at lanesAt: 4 × i32, −1 for none;
 * manifolds in manifoldAt(4g..4g+3, ·, ·)): integrate velocities (gravity from the task row at
 * gravityRow, the lander's force and torque per lane), initialise the contact and joint
 * constraints, warm start. Only the lanes that are awake and marked in solvedBytes (one byte each:
 * collided this step) are solved.
 */
export function prepareIsland4(g: i32, state: usize, stride: usize, lanesAt: usize, gravityRow: usize, forceXAt: usize, forceYAt: usize,
  torqueAt: usize, solvedAt: usize): void {
  const group = group4(g);
  // A missing lane reads lane 0's row (and is never solved nor written).
  const l0 = max(load<i32>(lanesAt), 0), l1 = load<i32>(lanesAt, 4), l2 = load<i32>(lanesAt, 8), l3 = load<i32>(lanesAt, 12);
  group.o0 = <usize>l0 << 2;
  group.o1 = <usize>max(l1, 0) << 2;
  group.o2 = <usize>max(l2, 0) << 2;
  group.o3 = <usize>max(l3, 0) << 2;
  group.contiguous = l1 == l0 + 1 && l2 == l0 + 2 && l3 == l0 + 3;
  const gravity = load4(gravityRow, stride, group, 0);
  const forceX = v128.load(forceXAt), forceY = v128.load(forceYAt), torque = v128.load(torqueAt);
  const solvedBytes = v128.load32_zero(solvedAt);
  const solved = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(solvedBytes)), i32x4.splat(0));
  const awake = and(flag4(state, stride, group, S_AWAKE), solved);
  group.awake = awake;
  group.live = any(awake);
  group.slots = 0;
  if (!group.live) return;
  const h = splat(TIME_STEP);

  // Integrate velocities.
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body4(g, b);
    B.cx = load4(state, stride, group, bodyComponent(b, B_CX));
    B.cy = load4(state, stride, group, bodyComponent(b, B_CY));
    B.a = load4(state, stride, group, bodyComponent(b, B_ANGLE));
    const fx = b == BODY_LANDER ? forceX : zero(), fy = b == BODY_LANDER ? forceY : zero(), t = b == BODY_LANDER ? torque : zero();
    B.vx = add(load4(state, stride, group, bodyComponent(b, B_VX)), mul(h, add(zero(), mul(B.invMass, fx))));
    B.vy = add(load4(state, stride, group, bodyComponent(b, B_VY)), mul(h, add(gravity, mul(B.invMass, fy))));
    B.w = add(load4(state, stride, group, bodyComponent(b, B_OMEGA)), mul(mul(h, B.invI), t));
  }

  // Contact constraints (slots any lane has), warm start, joints.
  let slots = 0;
  const lane0 = g * GROUP_LANES;
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    for (let s = 0; s < SLOTS_PER_BODY; s++) {
      if (initVelocityConstraint4(contact4(g, b, s), manifoldAt(lane0, b, s), manifoldAt(lane0 + 1, b, s), manifoldAt(lane0 + 2, b, s),
        manifoldAt(lane0 + 3, b, s), body4(g, b), changetype<usize>(group) + offsetof<Group4>('awake'))) {
        slots |= 1 << (b * SLOTS_PER_BODY + s);
      }
    }
  }
  group.slots = slots;
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    for (let s = 0; s < SLOTS_PER_BODY; s++) if (slots & (1 << (b * SLOTS_PER_BODY + s))) warmStart4(contact4(g, b, s), body4(g, b));
  }
  for (let k = 0; k < JOINT_COUNT; k++) {
    const j = islandJoint(k);
    const J = joint4(g, j);
    J.impulseX = load4(state, stride, group, jointComponent(j, J_IMPULSE_X));
    J.impulseY = load4(state, stride, group, jointComponent(j, J_IMPULSE_Y));
    J.impulseZ = load4(state, stride, group, jointComponent(j, J_IMPULSE_Z));
    J.motorImpulse = load4(state, stride, group, jointComponent(j, J_MOTOR_IMPULSE));
    J.limitState = i32x4.trunc_sat_f32x4_s(load4(state, stride, group, jointComponent(j, J_LIMIT_STATE)));
    initVelocityConstraints4(J, body4(g, BODY_LANDER), body4(g, 1 + j));
  }
}

/** The velocity iterations of groups 0..groups−1 of the batch, interleaved (see the header). */
export function solveVelocities4(groups: i32): void {
  const first = islandJoint(0), second = islandJoint(1);
  for (let it = 0; it < VELOCITY_ITERATIONS; it++) {
    for (let g = 0; g < groups; g++) {
      if (group4(g).live) solveVelocityConstraints4(joint4(g, first), body4(g, BODY_LANDER), body4(g, 1 + first));
    }
    for (let g = 0; g < groups; g++) {
      if (group4(g).live) solveVelocityConstraints4(joint4(g, second), body4(g, BODY_LANDER), body4(g, 1 + second));
    }
    for (let g = 0; g < groups; g++) {
      const slots = group4(g).slots;
      if (slots == 0) continue;
      for (let k = 0; k < BODY_COUNT; k++) {
        const b = islandBody(k);
        for (let s = 0; s < SLOTS_PER_BODY; s++) if (slots & (1 << (b * SLOTS_PER_BODY + s))) solveVelocityConstraint4(contact4(g, b, s), body4(g, b));
      }
    }
  }
}

/**
 * After the velocity iterations, for group g: store impulses, integrate positions, the position
 * iterations, write the bodies back, sleep.
 */
export function finishIsland4(g: i32, state: usize, stride: usize): void {
  const group = group4(g);
  if (!group.live) return;
  const awake = group.awake, slots = group.slots;
  const h = splat(TIME_STEP);
  const lander = body4(g, BODY_LANDER);
  // Store impulses (lanes that have the slot; point 1 only where its velocity constraint kept it).
  for (let b = 0; b < BODY_COUNT; b++) {
    for (let s = 0; s < SLOTS_PER_BODY; s++) {
      if (!(slots & (1 << (b * SLOTS_PER_BODY + s)))) continue;
      const cc = contact4(g, b, s);
      store4(state, stride, group, slotComponent(b, s, C_NORMAL_IMPULSE0), cc.normalImpulse0, cc.active);
      store4(state, stride, group, slotComponent(b, s, C_TANGENT_IMPULSE0), cc.tangentImpulse0, cc.active);
      store4(state, stride, group, slotComponent(b, s, C_NORMAL_IMPULSE1), cc.normalImpulse1, cc.two);
      store4(state, stride, group, slotComponent(b, s, C_TANGENT_IMPULSE1), cc.tangentImpulse1, cc.two);
    }
  }
  for (let j = 0; j < JOINT_COUNT; j++) {
    const J = joint4(g, j);
    store4(state, stride, group, jointComponent(j, J_IMPULSE_X), J.impulseX, awake);
    store4(state, stride, group, jointComponent(j, J_IMPULSE_Y), J.impulseY, awake);
    store4(state, stride, group, jointComponent(j, J_IMPULSE_Z), J.impulseZ, awake);
    store4(state, stride, group, jointComponent(j, J_MOTOR_IMPULSE), J.motorImpulse, awake);
    store4(state, stride, group, jointComponent(j, J_LIMIT_STATE), f32x4.convert_i32x4_s(J.limitState), awake);
  }

  // Integrate positions, clamping large velocities.
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body4(g, b);
    const translationX = mul(h, B.vx), translationY = mul(h, B.vy);
    const translationSquared = add(mul(translationX, translationX), mul(translationY, translationY));
    const tooFast = gt(translationSquared, splat(MAX_TRANSLATION_SQUARED));
    if (any(tooFast)) {
      const ratio = div(splat(MAX_TRANSLATION), vsqrt(translationSquared));
      B.vx = select(tooFast, mul(B.vx, ratio), B.vx);
      B.vy = select(tooFast, mul(B.vy, ratio), B.vy);
    }
    const rotation = mul(h, B.w);
    const tooFastAngular = gt(mul(rotation, rotation), splat(MAX_ROTATION_SQUARED));
    if (any(tooFastAngular)) B.w = select(tooFastAngular, mul(B.w, div(splat(MAX_ROTATION), vabs(rotation))), B.w);
    B.cx = add(B.cx, mul(h, B.vx)); B.cy = add(B.cy, mul(h, B.vy));
    B.a = add(B.a, mul(h, B.w));
  }

  // Position iterations while any lane is not within tolerance.
  let active = awake;
  let positionSolved = zero();
  for (let it = 0; it < POSITION_ITERATIONS && any(active); it++) {
    v128.store(activeLanes, active);
    v128.store(minSeparations, zero());
    for (let k = 0; k < BODY_COUNT; k++) {
      const b = islandBody(k);
      for (let s = 0; s < SLOTS_PER_BODY; s++) {
        if (slots & (1 << (b * SLOTS_PER_BODY + s))) solvePositionConstraint4(contact4(g, b, s), body4(g, b), activeLanes, minSeparations);
      }
    }
    const contactsOkay = ge(v128.load(minSeparations), splat(<f32>-3.0 * LINEAR_SLOP));
    let jointsOkay = i32x4.splat(-1);
    for (let k = 0; k < JOINT_COUNT; k++) {
      const j = islandJoint(k);
      solvePositionConstraints4(joint4(g, j), lander, body4(g, 1 + j), activeLanes);
      jointsOkay = and(jointsOkay, joint4(g, j).positionOkay);
    }
    const solved = and(active, and(contactsOkay, jointsOkay));
    positionSolved = or(positionSolved, solved);
    active = andNot(active, solved);
  }

  // Back to the state (awake lanes only).
  for (let b = 0; b < BODY_COUNT; b++) {
    const B = body4(g, b);
    store4(state, stride, group, bodyComponent(b, B_CX), B.cx, awake);
    store4(state, stride, group, bodyComponent(b, B_CY), B.cy, awake);
    store4(state, stride, group, bodyComponent(b, B_ANGLE), B.a, awake);
    store4(state, stride, group, bodyComponent(b, B_VX), B.vx, awake);
    store4(state, stride, group, bodyComponent(b, B_VY), B.vy, awake);
    store4(state, stride, group, bodyComponent(b, B_OMEGA), B.w, awake);
  }

  // Sleep.
  let minSleepTime = splat(f32.MAX_VALUE);
  const linTolSqr = splat(LINEAR_SLEEP_TOLERANCE * LINEAR_SLEEP_TOLERANCE);
  const angTolSqr = splat(ANGULAR_SLEEP_TOLERANCE * ANGULAR_SLEEP_TOLERANCE);
  for (let k = 0; k < BODY_COUNT; k++) {
    const b = islandBody(k);
    const B = body4(g, b);
    const moving = or(gt(mul(B.w, B.w), angTolSqr), gt(add(mul(B.vx, B.vx), mul(B.vy, B.vy)), linTolSqr));
    const sleepTime = select(moving, zero(), add(load4(state, stride, group, S_SLEEP_TIME + b), h));
    minSleepTime = select(moving, zero(), vmin(minSleepTime, sleepTime));
    store4(state, stride, group, S_SLEEP_TIME + b, sleepTime, awake);
  }
  const sleeps = and(awake, and(ge(minSleepTime, splat(TIME_TO_SLEEP)), positionSolved));
  if (any(sleeps)) {
    store4(state, stride, group, S_AWAKE, zero(), sleeps);
    for (let b = 0; b < BODY_COUNT; b++) {
      store4(state, stride, group, bodyComponent(b, B_VX), zero(), sleeps);
      store4(state, stride, group, bodyComponent(b, B_VY), zero(), sleeps);
      store4(state, stride, group, bodyComponent(b, B_OMEGA), zero(), sleeps);
      store4(state, stride, group, S_SLEEP_TIME + b, zero(), sleeps);
    }
  }
}
