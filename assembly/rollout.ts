// The fused sampler: whole episodes run inside WASM. One call runs, for every lane (one lane
// per episode; lane = task·episodesPerTask + episode), until every lane has ended or maxSteps:
//   policy forward (SIMD) → sample a ~ π(·|s) from the lane's action stream → env step (SIMD over
//   lanes) → record obs, action, reward, log π(a|s), time-major.
// Lane streams are (seed, RESET | ACTION, taskId, episode), so a trajectory does not depend on
// how many lanes share the call. A lane that ends is reset once (so its state stays tame while
// the others finish) and its later steps are not recorded.

import { alloc, free } from './memory';
import { streamKey, uniform01, PURPOSE_RESET, PURPOSE_ACTION } from './rng';
import { VecEnv, vecEnvCreate, vecEnvFree } from './vecenv';
import { envDim, envStepLanes, envResetLane, envObserve, DIM_OBS, DIM_ACTIONS } from './envs/registry';
import { Mlp, mlpForwardRow, logSoftmaxRow } from './policy';

@unmanaged class Rollout {
  env: usize;          // VecEnv with numEpisodes envs
  numEpisodes: i32;
  maxSteps: i32;
  obsDim: i32;
  numActions: i32;
  obsT: usize;         // f32 [maxSteps][numEpisodes][obsDim]
  actionT: usize;      // i32 [maxSteps][numEpisodes]
  rewardT: usize;      // f32 [maxSteps][numEpisodes]
  logProbT: usize;     // f32 [maxSteps][numEpisodes]
  length: usize;       // i32 [numEpisodes]: recorded steps of each episode
  episodeReturn: usize; // f32 [numEpisodes]
  terminal: usize;     // u8 [numEpisodes]: 1 when the episode terminated (not truncated)
  alive: usize;        // u8 [lanes]
  actionKey: usize;    // u64 [numEpisodes]
  logProbRow: usize;   // f32 [numActions]
}

export const ROLLOUT_PARAMS: i32 = 0;
export const ROLLOUT_LENGTH: i32 = 1;
export const ROLLOUT_RETURN: i32 = 2;
export const ROLLOUT_TERMINAL: i32 = 3;
export const ROLLOUT_LANES: i32 = 4;

export function rolloutCreate(kind: i32, numEpisodes: i32, maxSteps: i32): usize {
  const ro = changetype<Rollout>(alloc(offsetof<Rollout>()));
  ro.env = vecEnvCreate(kind, numEpisodes, maxSteps);
  ro.numEpisodes = numEpisodes;
  ro.maxSteps = maxSteps;
  ro.obsDim = envDim(kind, DIM_OBS);
  ro.numActions = envDim(kind, DIM_ACTIONS);
  const cells = <usize>maxSteps * <usize>numEpisodes;
  ro.obsT = alloc(cells * <usize>ro.obsDim << 2);
  ro.actionT = alloc(cells << 2);
  ro.rewardT = alloc(cells << 2);
  ro.logProbT = alloc(cells << 2);
  ro.length = alloc(<usize>numEpisodes << 2);
  ro.episodeReturn = alloc(<usize>numEpisodes << 2);
  ro.terminal = alloc(<usize>numEpisodes);
  ro.alive = alloc(<usize>changetype<VecEnv>(ro.env).lanes);
  ro.actionKey = alloc(<usize>numEpisodes << 3);
  ro.logProbRow = alloc(<usize>ro.numActions << 2);
  return changetype<usize>(ro);
}

export function rolloutFree(ptr: usize): void {
  const ro = changetype<Rollout>(ptr);
  vecEnvFree(ro.env);
  free(ro.obsT); free(ro.actionT); free(ro.rewardT); free(ro.logProbT); free(ro.length);
  free(ro.episodeReturn); free(ro.terminal); free(ro.alive); free(ro.actionKey); free(ro.logProbRow);
  free(ptr);
}

export function rolloutField(ptr: usize, field: i32): usize {
  const ro = changetype<Rollout>(ptr);
  const env = changetype<VecEnv>(ro.env);
  switch (field) {
    case ROLLOUT_PARAMS: return env.params;
    case ROLLOUT_LENGTH: return ro.length;
    case ROLLOUT_RETURN: return ro.episodeReturn;
    case ROLLOUT_TERMINAL: return ro.terminal;
    case ROLLOUT_LANES: return <usize>env.lanes;
  }
  return 0;
}

/** Inverse-CDF sample of a categorical from log-probabilities with one uniform draw. */
@inline function sampleAction(logProb: usize, numActions: i32, u: f32): i32 {
  let cumulative: f32 = 0;
  for (let a = 0; a < numActions - 1; a++) {
    cumulative += Mathf.exp(load<f32>(logProb + (<usize>a << 2)));
    if (u < cumulative) return a;
  }
  return numActions - 1;
}

/**
 * Runs every episode of the workspace with policy `mlp`. Lane i belongs to task i / episodesPerTask,
 * whose id (for the RNG streams) is taskIds[task]; with perTaskWeights the lane uses weight set
 * `task` of the policy, else set 0. The lanes' task parameters were written by the caller.
 * Returns the number of recorded steps.
 */
export function rolloutRun(ptr: usize, mlpPtr: usize, seed: u32, episodesPerTask: i32, taskIds: usize,
  perTaskWeights: bool, maxSteps: i32): i32 {
  const ro = changetype<Rollout>(ptr);
  const env = changetype<VecEnv>(ro.env);
  const mlp = changetype<Mlp>(mlpPtr);
  const n = ro.numEpisodes, lanes = env.lanes, kind = env.kind;
  const obsDim = ro.obsDim, numActions = ro.numActions;
  const steps = min(maxSteps, ro.maxSteps);
  for (let i = 0; i < lanes; i++) {
    const real = i < n;
    const task = real ? i / episodesPerTask : 0;
    const taskId = real ? load<u32>(taskIds + (<usize>task << 2)) : 0xffffffff;
    const episode = <u32>(real ? i % episodesPerTask : i);
    const resetKey = streamKey(seed, PURPOSE_RESET, taskId, episode);
    store<u64>(env.rngKey + (<usize>i << 3), resetKey);
    store<u64>(env.rngCounter + (<usize>i << 3), envResetLane(kind, lanes, i, env.state, env.params, resetKey, 0));
    store<u8>(ro.alive + <usize>i, <u8>real);
    store<i32>(env.actions + (<usize>i << 2), 0);
    if (real) {
      store<u64>(ro.actionKey + (<usize>i << 3), streamKey(seed, PURPOSE_ACTION, taskId, episode));
      store<i32>(ro.length + (<usize>i << 2), 0);
      store<f32>(ro.episodeReturn + (<usize>i << 2), 0);
      store<u8>(ro.terminal + <usize>i, 0);
    }
  }
  let aliveCount = n;
  let recorded = 0;
  for (let t = 0; t < steps && aliveCount > 0; t++) {
    envObserve(kind, n, lanes, env.state, env.params, env.obs);
    const cell = <usize>t * <usize>n;
    for (let i = 0; i < n; i++) {
      if (!load<u8>(ro.alive + <usize>i)) continue;
      const obsRow = env.obs + (<usize>(i * obsDim) << 2);
      memory.copy(ro.obsT + ((cell + <usize>i) * <usize>obsDim << 2), obsRow, <usize>obsDim << 2);
      const set = perTaskWeights ? i / episodesPerTask : 0;
      const logits = mlpForwardRow(mlp, set, obsRow);
      logSoftmaxRow(logits, numActions, ro.logProbRow);
      const u = uniform01(load<u64>(ro.actionKey + (<usize>i << 3)), <u64>t);
      const action = sampleAction(ro.logProbRow, numActions, u);
      store<i32>(env.actions + (<usize>i << 2), action);
      store<i32>(ro.actionT + ((cell + <usize>i) << 2), action);
      store<f32>(ro.logProbT + ((cell + <usize>i) << 2), load<f32>(ro.logProbRow + (<usize>action << 2)));
    }
    envStepLanes(kind, lanes, env.state, env.params, env.actions, env.reward, env.terminated, env.rngKey, env.rngCounter);
    for (let i = 0; i < n; i++) {
      if (!load<u8>(ro.alive + <usize>i)) continue;
      const reward = load<f32>(env.reward + (<usize>i << 2));
      store<f32>(ro.rewardT + ((cell + <usize>i) << 2), reward);
      store<f32>(ro.episodeReturn + (<usize>i << 2), load<f32>(ro.episodeReturn + (<usize>i << 2)) + reward);
      store<i32>(ro.length + (<usize>i << 2), t + 1);
      recorded++;
      const terminated = load<u8>(env.terminated + <usize>i);
      if (terminated || t + 1 == steps) {
        store<u8>(ro.terminal + <usize>i, terminated);
        store<u8>(ro.alive + <usize>i, 0);
        store<i32>(env.actions + (<usize>i << 2), 0);
        aliveCount--;
        const counterAt = env.rngCounter + (<usize>i << 3);
        store<u64>(counterAt, load<u64>(counterAt) +
          envResetLane(kind, lanes, i, env.state, env.params, load<u64>(env.rngKey + (<usize>i << 3)), load<u64>(counterAt)));
      }
    }
  }
  return recorded;
}

/**
 * Copies the recorded steps episode by episode (episode-major, time inside) into compact rows:
 * obs [rows][obsDim], action i32 [rows], reward [rows], logProb [rows].
 */
export function rolloutCompact(ptr: usize, obsOut: usize, actionOut: usize, rewardOut: usize, logProbOut: usize): void {
  const ro = changetype<Rollout>(ptr);
  const n = ro.numEpisodes, obsDim = ro.obsDim;
  let row: usize = 0;
  for (let i = 0; i < n; i++) {
    const length = load<i32>(ro.length + (<usize>i << 2));
    for (let t = 0; t < length; t++) {
      const cell = <usize>t * <usize>n + <usize>i;
      memory.copy(obsOut + (row * <usize>obsDim << 2), ro.obsT + (cell * <usize>obsDim << 2), <usize>obsDim << 2);
      store<i32>(actionOut + (row << 2), load<i32>(ro.actionT + (cell << 2)));
      store<f32>(rewardOut + (row << 2), load<f32>(ro.rewardT + (cell << 2)));
      store<f32>(logProbOut + (row << 2), load<f32>(ro.logProbT + (cell << 2)));
      row++;
    }
  }
}
