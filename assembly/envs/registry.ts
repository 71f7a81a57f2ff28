// The one env interface of the WASM side: every environment kind answers these calls over lanes
// (structure-of-arrays, lanes a multiple of 4). The TypeScript registry (src/envs/registry.ts)
// names the same kinds; adding an env means one case in each switch below.

import * as cartpole from './cartpole';
import * as intersection from './intersection';
import * as occluded from './intersection_occluded';
import * as lunar from './lunar/lander';
import { lunarStepLanes } from './lunar/scheduler';
import * as navigation2d from './navigation2d';

export const ENV_CARTPOLE: i32 = 1;
export const ENV_INTERSECTION: i32 = 2;
export const ENV_LUNAR_LANDER: i32 = 3;
export const ENV_NAVIGATION2D: i32 = 4;
export const ENV_LUNAR_LANDER_CONTINUOUS: i32 = 5;
export const ENV_CARTPOLE_FLIP: i32 = 6;
export const ENV_LUNAR_LANDER_WIND: i32 = 7;
export const ENV_LUNAR_LANDER_PAD: i32 = 8;
export const ENV_INTERSECTION_OCCLUDED: i32 = 9;

export const DIM_STATE: i32 = 0;
export const DIM_OBS: i32 = 1;
export const DIM_PARAMS: i32 = 2;
export const DIM_ACTIONS: i32 = 3;
export const DIM_MAX_EPISODE_STEPS: i32 = 4;
/**
 * The action vector length of a box (continuous) env, 0 for a discrete one; DIM_ACTIONS is the
 * number of discrete actions, 0 for a box env. A box env's step reads f32 actions, component-major:
 * component j of lane l at actions + ((j·lanes + l) << 2), unclipped (the env clips them).
 */
export const DIM_ACTION_SIZE: i32 = 5;

export function envDim(kind: i32, which: i32): i32 {
  switch (kind) {
    case ENV_CARTPOLE:
    case ENV_CARTPOLE_FLIP:
      switch (which) {
        case DIM_STATE: return cartpole.STATE_DIM;
        case DIM_OBS: return cartpole.OBS_DIM;
        case DIM_PARAMS: return kind == ENV_CARTPOLE ? cartpole.PARAM_DIM : cartpole.FLIP_PARAM_DIM;
        case DIM_ACTIONS: return cartpole.NUM_ACTIONS;
        case DIM_MAX_EPISODE_STEPS: return cartpole.MAX_EPISODE_STEPS;
        case DIM_ACTION_SIZE: return 0;
      }
      break;
    case ENV_INTERSECTION:
    case ENV_INTERSECTION_OCCLUDED:
      switch (which) {
        case DIM_STATE: return intersection.STATE_DIM;
        case DIM_OBS: return kind == ENV_INTERSECTION ? intersection.OBS_DIM : occluded.OBS_DIM;
        case DIM_PARAMS: return kind == ENV_INTERSECTION ? intersection.PARAM_DIM : occluded.PARAM_DIM;
        case DIM_ACTIONS: return intersection.NUM_ACTIONS;
        case DIM_MAX_EPISODE_STEPS: return intersection.MAX_EPISODE_STEPS;
        case DIM_ACTION_SIZE: return 0;
      }
      break;
    case ENV_LUNAR_LANDER:
    case ENV_LUNAR_LANDER_CONTINUOUS:
    case ENV_LUNAR_LANDER_WIND:
    case ENV_LUNAR_LANDER_PAD:
      switch (which) {
        case DIM_STATE: return lunar.STATE_DIM;
        case DIM_OBS: return lunar.OBS_DIM;
        case DIM_PARAMS: return kind == ENV_LUNAR_LANDER_WIND ? lunar.WIND_PARAM_DIM : kind == ENV_LUNAR_LANDER_PAD ? lunar.PAD_PARAM_DIM : lunar.PARAM_DIM;
        case DIM_ACTIONS: return kind == ENV_LUNAR_LANDER_CONTINUOUS ? 0 : lunar.NUM_ACTIONS;
        case DIM_MAX_EPISODE_STEPS: return lunar.MAX_EPISODE_STEPS;
        case DIM_ACTION_SIZE: return kind == ENV_LUNAR_LANDER_CONTINUOUS ? lunar.CONTINUOUS_ACTION_SIZE : 0;
      }
      break;
    case ENV_NAVIGATION2D:
      switch (which) {
        case DIM_STATE: return navigation2d.STATE_DIM;
        case DIM_OBS: return navigation2d.OBS_DIM;
        case DIM_PARAMS: return navigation2d.PARAM_DIM;
        case DIM_ACTIONS: return navigation2d.NUM_ACTIONS;
        case DIM_MAX_EPISODE_STEPS: return navigation2d.MAX_EPISODE_STEPS;
        case DIM_ACTION_SIZE: return navigation2d.ACTION_SIZE;
      }
      break;
  }
  return -1;
}

/**
 * The bound a box env clips component `component` of its actions to (the lower one, or with
 * `upper` the upper one); NaN for a discrete env. What a policy's actions mean, for the TS side.
 */
export function envActionBound(kind: i32, component: i32, upper: bool): f32 {
  switch (kind) {
    case ENV_NAVIGATION2D: return upper ? navigation2d.ACTION_HIGH : navigation2d.ACTION_LOW;
    case ENV_LUNAR_LANDER_CONTINUOUS: return upper ? lunar.CONTINUOUS_ACTION_HIGH : lunar.CONTINUOUS_ACTION_LOW;
  }
  return NaN;
}

/** Bytes per lane of a VecEnv's action buffer: an i32 for a discrete env, actionSize f32 for a box env. */
export function envActionLaneBytes(kind: i32): i32 {
  return max(1, envDim(kind, DIM_ACTION_SIZE)) << 2;
}

export function envDefaultParam(kind: i32, index: i32): f32 {
  switch (kind) {
    case ENV_CARTPOLE: return cartpole.cartpoleDefaultParam(index);
    case ENV_CARTPOLE_FLIP: return cartpole.cartpoleFlipDefaultParam(index);
    case ENV_INTERSECTION: return intersection.intersectionDefaultParam(index);
    case ENV_INTERSECTION_OCCLUDED: return occluded.intersectionOccludedDefaultParam(index);
    case ENV_LUNAR_LANDER: case ENV_LUNAR_LANDER_CONTINUOUS: case ENV_LUNAR_LANDER_WIND: case ENV_LUNAR_LANDER_PAD: return lunar.lunarDefaultParam(index);
    case ENV_NAVIGATION2D: return navigation2d.navigation2dDefaultParam(index);
  }
  return NaN;
}

/**
 * Steps every lane once; rngKey/rngCounter (u64 per lane) serve envs with stochastic steps. `alive`
 * (u8 per lane, or 0) marks the lanes whose step matters: an env whose step is costly may leave the
 * others as they are (the fused sampler's finished episodes); cheap envs step every lane anyway.
 */
@inline export function envStepLanes(kind: i32, lanes: i32, state: usize, params: usize, actions: usize,
  reward: usize, terminated: usize, rngKey: usize, rngCounter: usize, alive: usize): void {
  switch (kind) {
    case ENV_CARTPOLE: cartpole.cartpoleStepLanes(lanes, state, params, actions, reward, terminated); break;
    case ENV_CARTPOLE_FLIP: cartpole.cartpoleFlipStepLanes(lanes, state, params, actions, reward, terminated); break;
    // The occlusion only changes what the ego observes: the same step.
    case ENV_INTERSECTION: case ENV_INTERSECTION_OCCLUDED: intersection.intersectionStepLanes(lanes, state, params, actions, reward, terminated); break;
    case ENV_LUNAR_LANDER: lunarStepLanes(lanes, state, params, actions, false, reward, terminated, rngKey, rngCounter, alive); break;
    case ENV_LUNAR_LANDER_CONTINUOUS: lunarStepLanes(lanes, state, params, actions, true, reward, terminated, rngKey, rngCounter, alive); break;
    case ENV_LUNAR_LANDER_WIND: lunarStepLanes(lanes, state, params, actions, false, reward, terminated, rngKey, rngCounter, alive, true); break;
    case ENV_LUNAR_LANDER_PAD: lunarStepLanes(lanes, state, params, actions, false, reward, terminated, rngKey, rngCounter, alive, false, true); break;
    case ENV_NAVIGATION2D: navigation2d.navigation2dStepLanes(lanes, state, params, actions, reward, terminated); break;
  }
}

/** Draws a reset state for one lane from draws counter.. of stream key; returns the draws used. */
@inline export function envResetLane(kind: i32, lanes: i32, lane: i32, state: usize, params: usize, key: u64, counter: u64): u64 {
  switch (kind) {
    case ENV_CARTPOLE: case ENV_CARTPOLE_FLIP: cartpole.cartpoleResetLane(lanes, lane, state, key, counter); return cartpole.RESET_DRAWS;
    case ENV_INTERSECTION: intersection.intersectionResetLane(lanes, lane, state, params, key, counter); return intersection.RESET_DRAWS;
    case ENV_INTERSECTION_OCCLUDED: occluded.intersectionOccludedResetLane(lanes, lane, state, params, key, counter); return intersection.RESET_DRAWS;
    case ENV_LUNAR_LANDER: case ENV_LUNAR_LANDER_CONTINUOUS: lunar.lunarResetLane(lanes, lane, state, params, key, counter); return lunar.RESET_DRAWS;
    case ENV_LUNAR_LANDER_WIND: lunar.lunarResetLane(lanes, lane, state, params, key, counter, true); return lunar.RESET_DRAWS;
    case ENV_LUNAR_LANDER_PAD: lunar.lunarResetLane(lanes, lane, state, params, key, counter, false, true); return lunar.RESET_DRAWS;
    case ENV_NAVIGATION2D: navigation2d.navigation2dResetLane(lanes, lane, state); return navigation2d.RESET_DRAWS;
  }
  return 0;
}

/** Writes the observations of lanes [0, numEnvs) as rows of obsDim floats. */
@inline export function envObserve(kind: i32, numEnvs: i32, lanes: i32, state: usize, params: usize, obs: usize): void {
  switch (kind) {
    case ENV_CARTPOLE: case ENV_CARTPOLE_FLIP: cartpole.cartpoleObserve(numEnvs, lanes, state, obs); break;
    case ENV_INTERSECTION: intersection.intersectionObserve(numEnvs, lanes, state, obs); break;
    case ENV_INTERSECTION_OCCLUDED: occluded.intersectionOccludedObserve(numEnvs, lanes, state, obs); break;
    case ENV_LUNAR_LANDER: case ENV_LUNAR_LANDER_CONTINUOUS: case ENV_LUNAR_LANDER_WIND: case ENV_LUNAR_LANDER_PAD: lunar.lunarObserve(numEnvs, lanes, state, obs); break;
    case ENV_NAVIGATION2D: navigation2d.navigation2dObserve(numEnvs, lanes, state, obs); break;
  }
}
