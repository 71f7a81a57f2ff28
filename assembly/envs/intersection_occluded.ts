// IntersectionOccluded-v0 [I]: Intersection-v0 at a blind intersection (our own variant, README
// "Task families that need adaptation"). The cars, the other driver's rule, the rewards and the
// truncation are Intersection-v0's: the step IS intersectionStepLanes (it reads only β, the first
// task parameter). What changes:
// - Occlusion. Buildings hide the other car from the ego while its front bumper is more than
//   SIGHT_DISTANCE before the zone entry (p_o < −SIGHT_DISTANCE); from there on (and in or past the
//   zone) it is visible. The other driver still sees the ego (its rule is unchanged).
// - Observation (OBS_DIM = 5): [p_e/50, v_e/15, h·p_o/50, h·v_o/15, h] with h = 1 while the other
//   car is visible, 0 while hidden: a hidden car's entries are the sentinel 0 and carry nothing of
//   its state.
// - Task: [aggressiveness β, otherInitialSpeed c_v, otherStartPosition c_p]; the reset draws are
//   Intersection-v0's four (same keys and counters): p_e ~ U(−45, −30), v_e ~ U(8, 12),
//   v_o ~ U(c_v − 2, c_v + 2), and p_o ~ U(c_p − 2.5, c_p + 2.5) from the same uniform draw that
//   gives Intersection-v0's p_o. Per task the other car's arrival time and whether it yields are
//   then roughly fixed, and the ego must choose its speed before it can see the other car.
// Layout as in intersection.ts: component k of lane i sits at base + (k·lanes + i)·4.

import { uniform } from '../rng';
import { intersectionResetLane, DEFAULT_AGGRESSIVENESS, POSITION_OBS_SCALE, MAX_SPEED,
  STATE_EGO_POSITION, STATE_EGO_SPEED, STATE_OTHER_POSITION, STATE_OTHER_SPEED } from './intersection';

export const SIGHT_DISTANCE: f32 = 12.0; // m before the zone entry from which the ego sees the other car
export const OTHER_START_HALF_WIDTH: f32 = 2.5; // m: p_o ~ U(c_p − 2.5, c_p + 2.5)
export const OBS_DIM: i32 = 5; // egoPosition, egoSpeed, otherPosition, otherSpeed (0 while hidden), visible
export const PARAM_DIM: i32 = 3; // aggressiveness, otherInitialSpeed, otherStartPosition
// The medium task: the centres of the default ranges (src/envs/intersection.ts): β ∈ [0, 1],
// c_v ∈ [4, 13] m/s, c_p ∈ [−40, −20] m (the other car arrives early enough to contest the zone).
export const DEFAULT_OTHER_INITIAL_SPEED: f32 = 8.5;
export const DEFAULT_OTHER_START_POSITION: f32 = -30.0;
const RESET_DRAW_OTHER_POSITION: u64 = 2; // the draw Intersection-v0's reset spends on p_o

export function intersectionOccludedDefaultParam(index: i32): f32 {
  return index == 0 ? DEFAULT_AGGRESSIVENESS : index == 1 ? DEFAULT_OTHER_INITIAL_SPEED : DEFAULT_OTHER_START_POSITION;
}

/** Intersection-v0's reset, then p_o redrawn around the task's c_p from the very same uniform draw. */
export function intersectionOccludedResetLane(lanes: i32, lane: i32, state: usize, params: usize, key: u64, counter: u64): void {
  intersectionResetLane(lanes, lane, state, params, key, counter);
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  const centre = load<f32>(params + 2 * stride + off);
  store<f32>(state + <usize>STATE_OTHER_POSITION * stride + off, uniform(key, counter + RESET_DRAW_OTHER_POSITION,
    centre - OTHER_START_HALF_WIDTH, centre + OTHER_START_HALF_WIDTH));
}

/**
 * Observation rows of OBS_DIM = 5 (header). Groups of 4 lanes are computed as f32x4 (the visibility
 * mask selects the other car's entries or the sentinel 0) and written row by row with lane
 * extracts; a row of 5 floats does not transpose with shuffles as Intersection-v0's 4 do.
 */
export function intersectionOccludedObserve(numEnvs: i32, lanes: i32, state: usize, obs: usize): void {
  const stride = <usize>lanes << 2;
  const positionScale = f32x4.splat(POSITION_OBS_SCALE);
  const speedScale = f32x4.splat(MAX_SPEED);
  const sight = f32x4.splat(-SIGHT_DISTANCE);
  // numEnvs ≤ lanes, lanes a multiple of 4: whole groups read valid lanes; rows past numEnvs are not written.
  for (let i = 0; i < numEnvs; i += 4) {
    const off = <usize>i << 2;
    const otherPRaw = v128.load(state + <usize>STATE_OTHER_POSITION * stride + off);
    const visible = f32x4.ge(otherPRaw, sight); // hidden ⇔ p_o < −SIGHT_DISTANCE
    const egoP = f32x4.div(v128.load(state + <usize>STATE_EGO_POSITION * stride + off), positionScale);
    const egoV = f32x4.div(v128.load(state + <usize>STATE_EGO_SPEED * stride + off), speedScale);
    const otherP = v128.and(visible, f32x4.div(otherPRaw, positionScale));
    const otherV = v128.and(visible, f32x4.div(v128.load(state + <usize>STATE_OTHER_SPEED * stride + off), speedScale));
    const flag = v128.and(visible, f32x4.splat(1));
    const count = min(4, numEnvs - i);
    for (let j = 0; j < count; j++) {
      const row = obs + (<usize>(i + j) * OBS_DIM << 2);
      // extract_lane needs a constant lane index: select by j.
      store<f32>(row, laneOf(egoP, j));
      store<f32>(row + 4, laneOf(egoV, j));
      store<f32>(row + 8, laneOf(otherP, j));
      store<f32>(row + 12, laneOf(otherV, j));
      store<f32>(row + 16, laneOf(flag, j));
    }
  }
}

@inline function laneOf(x: v128, j: i32): f32 {
  return j == 0 ? f32x4.extract_lane(x, 0) : j == 1 ? f32x4.extract_lane(x, 1) : j == 2 ? f32x4.extract_lane(x, 2) : f32x4.extract_lane(x, 3);
}
