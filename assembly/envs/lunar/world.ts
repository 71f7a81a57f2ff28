// b2World::Step for one lane, scalar, as the lander uses it (no TOI): the narrow phase
// (contact_manager.ts), the island solve (island.ts), the broad phase's synchronize; and the
// bodies' poses at the start of a step, which the broad phase's swept AABBs need (the f32x4 path
// of scheduler.ts saves them too).

import { BODY_COUNT } from './definition';
import { collideLane, synchronizeLane, BATCH_LANES } from './contact_manager';
import { solveIsland } from './island';
import { get, bodyComponent, B_CX, B_CY, B_ANGLE, S_AWAKE } from './state';

// The bodies' poses at the start of the step of each lane of a batch (b2Sweep c0, a0), for the
// broad phase's swept AABBs: f32 [BATCH_LANES][3][BODY_COUNT] (c0x, c0y, a0).
const startPoses = memory.data(BATCH_LANES * 3 * BODY_COUNT * 4);
@inline export function startPose(laneInBatch: i32, c: i32): usize {
  return startPoses + <usize>((laneInBatch * 3 + c) * BODY_COUNT) * 4;
}
export function saveStartPose(state: usize, stride: usize, lane: i32, laneInBatch: i32): void {
  for (let b = 0; b < BODY_COUNT; b++) {
    store<f32>(startPose(laneInBatch, 0) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_CX)));
    store<f32>(startPose(laneInBatch, 1) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_CY)));
    store<f32>(startPose(laneInBatch, 2) + (<usize>b << 2), get(state, stride, lane, bodyComponent(b, B_ANGLE)));
  }
}

/**
 * world.Step(1/FPS, 180, 60) of one lane, scalar (b2World::Step without TOI): collide, solve the
 * island with the lander's force and torque (b2Body::m_force, m_torque), synchronize the broad phase. Nothing
 * happens while the island sleeps.
 */
export function worldStepScalar(state: usize, stride: usize, lane: i32, gravity: f32, forceX: f32, forceY: f32, torque: f32): void {
  if (get(state, stride, lane, S_AWAKE) == 0) return;
  collideLane(state, stride, lane, 0);
  saveStartPose(state, stride, lane, 0);
  solveIsland(state, stride, lane, 0, gravity, forceX, forceY, torque);
  synchronizeLane(state, stride, lane, startPose(0, 0), startPose(0, 1), startPose(0, 2));
}

