// The lane scheduler of the lander: how lunarStepLanes takes many worlds through one step —
// lanes ordered by the contact slots they touch, in batches of up to BATCH_GROUPS groups of four,
// Gymnasium's rules (lander.ts) lane by lane around the four-world island solve (island4.ts) —
// and its scalar reference, each lane alone through world.ts. Every lane's result is the same
// either way (assembly/__tests__/lunar_step.spec.ts).

import { BODY_COUNT } from './definition';
import { collideLane, clearManifolds, synchronizeLane, GROUP_LANES, BATCH_LANES } from './contact_manager';
import { prepareIsland4, solveVelocities4, finishIsland4 } from './island4';
import { worldStepScalar, saveStartPose, startPose } from './world';
import { get, S_AWAKE, SLOTS_PER_BODY, slotComponent, C_POINT_COUNT } from './state';
import { LaneStep, discreteThrottles, continuousThrottles, beforeWorldStep, afterWorldStep, STEP_DRAWS, P_GRAVITY } from './lander';

/**
 * Which of the lanes to step, in the order their SIMD groups take them: lanes that touched the
 * same contact slots after the previous step are grouped together (a counting sort on that
 * signature, stable, asleep lanes last), so that a group of lanes in flight does not pay for the
 * contact solve of one landed lane. The grouping decides speed only: every lane's result is the
 * same in any group (masked updates; see island4.ts). Returns how many lanes `order` holds.
 */
function orderLanes(lanes: i32, state: usize, stride: usize, alive: usize): i32 {
  if (lanes > orderCapacity) {
    if (order != 0) heap.free(order);
    orderCapacity = max(lanes, orderCapacity * 2);
    order = heap.alloc(<usize>orderCapacity << 2);
  }
  memory.fill(signatureCounts, 0, SIGNATURES << 2);
  for (let lane = 0; lane < lanes; lane++) {
    if (alive != 0 && load<u8>(alive + <usize>lane) == 0) continue;
    const at = signatureCounts + (<usize>laneSignature(state, stride, lane) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  let total = 0;
  for (let k = 0; k < SIGNATURES; k++) {
    const at = signatureCounts + (<usize>k << 2);
    const count = load<i32>(at);
    store<i32>(at, total);
    total += count;
  }
  for (let lane = 0; lane < lanes; lane++) {
    if (alive != 0 && load<u8>(alive + <usize>lane) == 0) continue;
    const at = signatureCounts + (<usize>laneSignature(state, stride, lane) << 2);
    const position = load<i32>(at);
    store<i32>(order + (<usize>position << 2), lane);
    store<i32>(at, position + 1);
  }
  return total;
}
const ASLEEP_SIGNATURE: i32 = 1 << (BODY_COUNT * SLOTS_PER_BODY);
const SIGNATURES: i32 = ASLEEP_SIGNATURE + 1;
const signatureCounts = memory.data(SIGNATURES << 2);
let order: usize = 0; // i32 [orderCapacity], grown (rarely) to the largest lane count seen
let orderCapacity = 0;

/** Bit b·SLOTS_PER_BODY + s for each touching contact slot of the lane; asleep lanes apart. */
@inline function laneSignature(state: usize, stride: usize, lane: i32): i32 {
  if (get(state, stride, lane, S_AWAKE) == 0) return ASLEEP_SIGNATURE;
  let signature = 0;
  for (let b = 0; b < BODY_COUNT; b++) {
    for (let k = 0; k < SLOTS_PER_BODY; k++) {
      if (get(state, stride, lane, slotComponent(b, k, C_POINT_COUNT)) > 0) signature |= 1 << (b * SLOTS_PER_BODY + k);
    }
  }
  return signature;
}

/**
 * The throttles of `lane`'s action: discrete, an i32 per lane; continuous, f32 component-major
 * (component j of lane l at actions + ((j·lanes + l) << 2)).
 */
@inline function laneThrottles(step: LaneStep, actions: usize, continuous: bool, lanes: i32, lane: i32): void {
  if (continuous) continuousThrottles(step, load<f32>(actions + (<usize>lane << 2)), load<f32>(actions + (<usize>(lanes + lane) << 2)));
  else discreteThrottles(step, load<i32>(actions + (<usize>lane << 2)));
}

/**
 * Steps every lane (lanes is a multiple of 4); lane i draws from its stream (rngKey[i],
 * rngCounter[i]), which advances by 2; actions are LunarLander-v2's or (continuous)
 * LunarLanderContinuous-v2's. The lanes are taken in groups of four lanes that touch
 * alike (orderLanes), up to BATCH_GROUPS groups per batch: Gymnasium's pre-step and the narrow
 * phase lane by lane, the island solve four worlds at a time (island4.ts, velocity iterations
 * interleaved over the batch's groups), then the broad phase and the reward lane by lane. Each
 * lane in flight has its LaneStep record (batchSteps). With `alive` (u8 per lane; 0 = every
 * lane) the lanes it marks 0 are left as they are. steadyWind: LunarLanderWind-v0's rule; movedPad:
 * LunarLanderPad-v0's (lander.ts).
 */
export function lunarStepLanes(lanes: i32, state: usize, params: usize, actions: usize, continuous: bool, reward: usize,
  terminated: usize, rngKey: usize, rngCounter: usize, alive: usize = 0, steadyWind: bool = false, movedPad: bool = false): void {
  const stride = <usize>lanes << 2;
  const count = orderLanes(lanes, state, stride, alive);
  for (let start = 0; start < count; start += BATCH_LANES) {
    const batchLanes = min(BATCH_LANES, count - start);
    const groups = (batchLanes + GROUP_LANES - 1) / GROUP_LANES;
    for (let j = 0; j < groups * GROUP_LANES; j++) {
      const lane = j < batchLanes ? load<i32>(order + (<usize>(start + j) << 2)) : -1;
      store<i32>(batchLaneIds + (<usize>j << 2), lane);
      store<u8>(batchSolved + <usize>j, 0);
      store<f32>(batchForceX + (<usize>j << 2), 0);
      store<f32>(batchForceY + (<usize>j << 2), 0);
      store<f32>(batchTorque + (<usize>j << 2), 0);
      clearManifolds(j);
      if (lane < 0) continue;
      const step = batchStep(j);
      laneThrottles(step, actions, continuous, lanes, lane);
      beforeWorldStep(state, stride, lane, params, step, load<u64>(rngKey + (<usize>lane << 3)), load<u64>(rngCounter + (<usize>lane << 3)), 0, 0, steadyWind);
      store<f32>(batchForceX + (<usize>j << 2), step.forceX);
      store<f32>(batchForceY + (<usize>j << 2), step.forceY);
      store<f32>(batchTorque + (<usize>j << 2), step.torque);
      if (get(state, stride, lane, S_AWAKE) != 0) {
        collideLane(state, stride, lane, j);
        saveStartPose(state, stride, lane, j);
        store<u8>(batchSolved + <usize>j, 1);
      }
    }
    for (let g = 0; g < groups; g++) {
      const o = <usize>(g * GROUP_LANES);
      prepareIsland4(g, state, stride, batchLaneIds + (o << 2), params + <usize>P_GRAVITY * stride,
        batchForceX + (o << 2), batchForceY + (o << 2), batchTorque + (o << 2), batchSolved + o);
    }
    solveVelocities4(groups);
    for (let g = 0; g < groups; g++) finishIsland4(g, state, stride);
    for (let j = 0; j < batchLanes; j++) {
      const lane = load<i32>(batchLaneIds + (<usize>j << 2));
      if (load<u8>(batchSolved + <usize>j)) synchronizeLane(state, stride, lane, startPose(j, 0), startPose(j, 1), startPose(j, 2));
      store<u8>(terminated + <usize>lane, <u8>afterWorldStep(state, stride, lane, params, batchStep(j), reward, movedPad));
      const counterAt = rngCounter + (<usize>lane << 3);
      store<u64>(counterAt, load<u64>(counterAt) + STEP_DRAWS);
    }
  }
}
// The LaneStep of each position of a batch, and the lander forces island4 reads as f32x4 rows
// (16-byte aligned), with the lanes and which of them collided.
const batchSteps = memory.data(BATCH_LANES * <i32>offsetof<LaneStep>(), 16);
@inline function batchStep(j: i32): LaneStep { return changetype<LaneStep>(batchSteps + <usize>j * offsetof<LaneStep>()); }
const batchLaneIds = memory.data(BATCH_LANES << 2, 16);
const batchForceX = memory.data(BATCH_LANES << 2, 16);
const batchForceY = memory.data(BATCH_LANES << 2, 16);
const batchTorque = memory.data(BATCH_LANES << 2, 16);
const batchSolved = memory.data(BATCH_LANES, 16);

/**
 * The scalar reference of lunarStepLanes: every lane stepped alone with the scalar solver
 * (island.ts), lane after lane. Not exported by the module: assembly/__tests__/lunar_step.spec.ts
 * compares the two bit for bit.
 */
export function lunarStepLanesScalar(lanes: i32, state: usize, params: usize, actions: usize, continuous: bool, reward: usize,
  terminated: usize, rngKey: usize, rngCounter: usize, steadyWind: bool = false, movedPad: bool = false): void {
  const stride = <usize>lanes << 2;
  const step = scalarStep;
  for (let i = 0; i < lanes; i++) {
    const counterAt = rngCounter + (<usize>i << 3);
    const counter = load<u64>(counterAt);
    laneThrottles(step, actions, continuous, lanes, i);
    beforeWorldStep(state, stride, i, params, step, load<u64>(rngKey + (<usize>i << 3)), counter, 0, 0, steadyWind);
    worldStepScalar(state, stride, i, get(params, stride, i, P_GRAVITY), step.forceX, step.forceY, step.torque);
    store<u8>(terminated + <usize>i, <u8>afterWorldStep(state, stride, i, params, step, reward, movedPad));
    store<u64>(counterAt, counter + STEP_DRAWS);
  }
}
// The LaneStep of the scalar path (one lane at a time).
const scalarStep = changetype<LaneStep>(memory.data(<i32>offsetof<LaneStep>(), 8));

