// Navigation2D-v0 over lanes: the 2D navigation of the MAML paper (Finn et al. 2017, §5.3) with
// pytorch-maml-rl's semantics (maml_rl/envs/navigation.py, Navigation2DEnv): a point starts at
// (0, 0) and moves by the action, clipped to [−0.1, 0.1]² per step; the reward is minus the
// distance to the goal after the move; the episode terminates when both coordinates are within
// 0.01 of the goal (strict), and is truncated after 100 steps (the VecEnv's TimeLimit).
// The goal is the task (goalX, goalY) and is not observed: the observation is the position.
// State, task and actions are structure-of-arrays as in cartpole.ts: component k of lane i sits
// at base + (k·lanes + i)·4; actions are f32, component-major (a box action space of size 2).

import { maskToBytes4 } from '../simd_math';

export const STATE_DIM: i32 = 2; // x, y
export const STATE_X: i32 = 0;
export const STATE_Y: i32 = 1;
export const OBS_DIM: i32 = 2;
export const PARAM_DIM: i32 = 2; // goalX, goalY
export const NUM_ACTIONS: i32 = 0; // not discrete
export const ACTION_SIZE: i32 = 2; // dx, dy
export const ACTION_LOW: f32 = -0.1;
export const ACTION_HIGH: f32 = 0.1;
export const GOAL_TOLERANCE: f32 = 0.01;
export const MAX_EPISODE_STEPS: i32 = 100;
export const RESET_DRAWS: u64 = 0; // the start is always (0, 0)

/** pytorch-maml-rl's default task: the goal at the origin (also the centre of the default range). */
export function navigation2dDefaultParam(index: i32): f32 {
  return 0;
}

/**
 * One step of every lane (lanes a multiple of 4):
 *   a ← clip(a, −0.1, 0.1) per component;  s ← s + a;  r = −‖s − g‖;
 *   terminated = |x − gx| < 0.01 ∧ |y − gy| < 0.01.
 */
export function navigation2dStepLanes(lanes: i32, state: usize, params: usize, actions: usize, reward: usize, terminated: usize): void {
  const stride = <usize>lanes << 2;
  const low = f32x4.splat(ACTION_LOW), high = f32x4.splat(ACTION_HIGH), tolerance = f32x4.splat(GOAL_TOLERANCE);
  for (let i = 0; i < lanes; i += 4) {
    const off = <usize>i << 2;
    const ax = f32x4.min(f32x4.max(v128.load(actions + off), low), high);
    const ay = f32x4.min(f32x4.max(v128.load(actions + stride + off), low), high);
    const x = f32x4.add(v128.load(state + off), ax);
    const y = f32x4.add(v128.load(state + stride + off), ay);
    v128.store(state + off, x);
    v128.store(state + stride + off, y);
    const dx = f32x4.sub(x, v128.load(params + off));
    const dy = f32x4.sub(y, v128.load(params + stride + off));
    v128.store(reward + off, f32x4.neg(f32x4.sqrt(f32x4.add(f32x4.mul(dx, dx), f32x4.mul(dy, dy)))));
    const reached = v128.and(f32x4.lt(f32x4.abs(dx), tolerance), f32x4.lt(f32x4.abs(dy), tolerance));
    store<u32>(terminated + <usize>i, maskToBytes4(reached));
  }
}

export function navigation2dResetLane(lanes: i32, lane: i32, state: usize): void {
  const stride = <usize>lanes << 2;
  const off = <usize>lane << 2;
  store<f32>(state + off, 0);
  store<f32>(state + stride + off, 0);
}

/** The observation is the position [x, y], one row per env. */
export function navigation2dObserve(numEnvs: i32, lanes: i32, state: usize, obs: usize): void {
  const stride = <usize>lanes << 2;
  for (let i = 0; i < numEnvs; i++) {
    const off = <usize>i << 2;
    const row = obs + (<usize>i << 3);
    store<f32>(row, load<f32>(state + off));
    store<f32>(row, load<f32>(state + stride + off), 4);
  }
}
