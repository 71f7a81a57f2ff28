// The fused sampler: whole episodes run inside WASM. One call runs, for every lane (one lane
// per episode; lane = task·episodesPerTask + episode), until every lane has ended or maxSteps:
//   policy forward (SIMD) → sample a ~ π(·|s) from the lane's action stream → env step (SIMD over
//   lanes) → record obs, action, reward, log π(a|s), time-major.
// Lane streams are (seed, RESET | ACTION, taskId, episode), so a trajectory does not depend on
// how many lanes share the call. A lane that ends is reset once (so its state stays tame while
// the others finish) and its later steps are not recorded.

import { alloc, free, padLanesF } from './memory';
import { slotCount, planBegin, planBuffer, plannedBytes, allocPlanned, freeSlots } from './buffers';
import { streamKey, uniform01, PURPOSE_RESET, PURPOSE_ACTION } from './rng';
import { VecEnv, vecEnvCreate, vecEnvFree, vecEnvAllocate, planVecEnv, planEnvKind } from './vecenv';
import { envDim, envStepLanes, envResetLane, envObserve, envActionLaneBytes, DIM_OBS, DIM_ACTIONS, DIM_ACTION_SIZE } from './envs/registry';
import { Mlp, TILE_ROWS, TILE_UNIT_BYTES, HEAD_GAUSSIAN, mlpForwardTile, mlpLogSoftmaxTile } from './policy';
import { exp4 } from './simd_math';

@unmanaged class Rollout {
  env: usize;          // VecEnv with numEpisodes envs
  numEpisodes: i32;
  maxSteps: i32;
  obsDim: i32;
  numActions: i32;
  actionSize: i32;     // a box env's action vector length (0: discrete)
  // The buffer slots (buffers.ts): consecutive pointer fields obsT .. tileActions.
  obsT: usize;         // f32 [maxSteps][numEpisodes][obsDim]
  actionT: usize;      // i32 [maxSteps][numEpisodes] (discrete) or f32 [maxSteps][numEpisodes][actionSize] (box)
  rewardT: usize;      // f32 [maxSteps][numEpisodes]
  logProbT: usize;     // f32 [maxSteps][numEpisodes]
  length: usize;       // i32 [numEpisodes]: recorded steps of each episode
  episodeReturn: usize; // f32 [numEpisodes]
  terminal: usize;     // u8 [numEpisodes]: 1 when the episode terminated (not truncated)
  alive: usize;        // u8 [lanes]
  actionKey: usize;    // u64 [numEpisodes]
  tileLanes: usize;    // i32 [TILE_ROWS]: the lanes of the policy tile being filled
  tileActions: usize;  // i32 [TILE_ROWS]: the actions sampled for them
}

export const ROLLOUT_PARAMS: i32 = 0;
export const ROLLOUT_LENGTH: i32 = 1;
export const ROLLOUT_RETURN: i32 = 2;
export const ROLLOUT_TERMINAL: i32 = 3;
export const ROLLOUT_LANES: i32 = 4;
// The buffers a JS-stepped env (rolloutUser*) reads and writes between two WASM calls.
export const ROLLOUT_OBS: i32 = 5;        // f32 [numEpisodes][obsDim]: the observation each lane acts on
export const ROLLOUT_ACTIONS: i32 = 6;    // i32 [lanes], or f32 [actionSize][lanes] (box): the actions sampled for them
export const ROLLOUT_REWARD: i32 = 7;     // f32 [lanes]
export const ROLLOUT_TERMINATED: i32 = 8; // u8 [lanes]
export const ROLLOUT_ALIVE: i32 = 9;      // u8 [lanes]: 1 while the lane's episode runs

/** The env kind of a workspace whose env is stepped in JavaScript (src/rl/user-rollout.ts); no built-in uses 0. */
export const ENV_USER: i32 = 0;

// The workspace's own buffer slots (besides its VecEnv's): its fields obsT .. tileActions.
const ROLLOUT_SLOTS = slotCount(offsetof<Rollout>('obsT'), offsetof<Rollout>('tileActions'));

/**
 * Plans (buffers.ts) the workspace's own buffers, in slot order, for numEpisodes episodes of at most
 * maxSteps steps. rolloutCreate allocates exactly these and rolloutBytes sums them.
 */
function planRollout(obsDim: f64, actionLaneBytes: f64, numEpisodes: f64, maxSteps: f64): void {
  const cells = maxSteps * numEpisodes;
  planBuffer(cells * obsDim * 4);         // obsT
  planBuffer(cells * actionLaneBytes);    // actionT
  planBuffer(cells * 4);                  // rewardT
  planBuffer(cells * 4);                  // logProbT
  planBuffer(numEpisodes * 4);            // length
  planBuffer(numEpisodes * 4);            // episodeReturn
  planBuffer(numEpisodes);                // terminal
  planBuffer(padLanesF(numEpisodes));     // alive
  planBuffer(numEpisodes * 8);            // actionKey
  planBuffer(<f64>TILE_ROWS * 4);         // tileLanes
  planBuffer(<f64>TILE_ROWS * 4);         // tileActions
}

/** Bytes of one action of a lane: an i32 (discrete, actionSize 0) or actionSize f32s. */
@inline function actionLaneBytes(actionSize: i32): f64 {
  return <f64>(max(1, actionSize) << 2);
}

/**
 * Bytes rolloutCreate(kind, numEpisodes, maxSteps) allocates, its VecEnv included: in all, or
 * (largest) its largest single buffer, which must fit one allocator block (ALLOC_MAX_BYTES).
 */
export function rolloutBytes(kind: i32, numEpisodes: f64, maxSteps: f64, largest: bool): f64 {
  planBegin();
  planEnvKind(kind, numEpisodes);
  planRollout(<f64>envDim(kind, DIM_OBS), <f64>envActionLaneBytes(kind), numEpisodes, maxSteps);
  return plannedBytes(<f64>offsetof<Rollout>() + <f64>offsetof<VecEnv>(), largest);
}

export function rolloutCreate(kind: i32, numEpisodes: i32, maxSteps: i32): usize {
  return rolloutAllocate(vecEnvCreate(kind, numEpisodes, maxSteps), numEpisodes, maxSteps,
    envDim(kind, DIM_OBS), envDim(kind, DIM_ACTIONS), envDim(kind, DIM_ACTION_SIZE));
}

/** The workspace's own buffers around its env. */
function rolloutAllocate(env: usize, numEpisodes: i32, maxSteps: i32, obsDim: i32, numActions: i32, actionSize: i32): usize {
  const ro = changetype<Rollout>(alloc(offsetof<Rollout>()));
  ro.env = env;
  ro.numEpisodes = numEpisodes;
  ro.maxSteps = maxSteps;
  ro.obsDim = obsDim;
  ro.numActions = numActions;
  ro.actionSize = actionSize;
  planBegin();
  planRollout(<f64>obsDim, actionLaneBytes(actionSize), <f64>numEpisodes, <f64>maxSteps);
  allocPlanned(changetype<usize>(ro) + offsetof<Rollout>('obsT'), ROLLOUT_SLOTS);
  return changetype<usize>(ro);
}

export function rolloutFree(ptr: usize): void {
  vecEnvFree(changetype<Rollout>(ptr).env);
  freeSlots(ptr + offsetof<Rollout>('obsT'), ROLLOUT_SLOTS);
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
    case ROLLOUT_OBS: return env.obs;
    case ROLLOUT_ACTIONS: return env.actions;
    case ROLLOUT_REWARD: return env.reward;
    case ROLLOUT_TERMINATED: return env.terminated;
    case ROLLOUT_ALIVE: return ro.alive;
  }
  return 0;
}

/** Draw t of the action stream of `lane`. */
@inline function actionDraw(ro: Rollout, lane: i32, t: i32): f32 {
  return uniform01(load<u64>(ro.actionKey + (<usize>lane << 3)), <u64>t);
}

/**
 * Policy forward of the `count` lanes in ro.tileLanes (weight set `set`; a short tile repeats its
 * first lane), then per lane: the inverse-CDF sample of π(·|s) with draw t of its action stream
 * (the first a with u < Σ_{b≤a} π(b|s), else the last action), recorded with log π(a|s). The tile's
 * rows are the lanes of the cumulative sums; as these never decrease, the first such a is the number
 * of a < numActions − 1 for which u < Σ_{b≤a} π(b|s) fails (NaN probabilities give the last action).
 */
function sampleTile(ro: Rollout, env: VecEnv, mlp: Mlp, set: i32, count: i32, t: i32): void {
  const numActions = ro.numActions;
  const cell = <usize>t * <usize>ro.numEpisodes;
  const rowBytes = <usize>ro.obsDim << 2;
  const lanes = ro.tileLanes;
  const lane0 = load<i32>(lanes);
  const lane1 = count > 1 ? load<i32>(lanes, 4) : lane0;
  const lane2 = count > 2 ? load<i32>(lanes, 8) : lane0;
  const lane3 = count > 3 ? load<i32>(lanes, 12) : lane0;
  mlpForwardTile(mlp, set, env.obs + <usize>lane0 * rowBytes, env.obs + <usize>lane1 * rowBytes,
    env.obs + <usize>lane2 * rowBytes, env.obs + <usize>lane3 * rowBytes);
  if (mlp.head == HEAD_GAUSSIAN) {
    sampleGaussianTile(ro, env, mlp, set, count, t);
    return;
  }
  const logProbs = mlpLogSoftmaxTile(mlp);
  const u = f32x4(actionDraw(ro, lane0, t), actionDraw(ro, lane1, t), actionDraw(ro, lane2, t), actionDraw(ro, lane3, t));
  let cumulative = f32x4.splat(0);
  let action = i32x4.splat(0);
  for (let a = 0; a < numActions - 1; a++) {
    cumulative = f32x4.add(cumulative, exp4(v128.load(logProbs + <usize>a * TILE_UNIT_BYTES)));
    action = i32x4.sub(action, v128.not(f32x4.lt(u, cumulative))); // + 1 where u < the sum fails
  }
  v128.store(ro.tileActions, action);
  for (let r = 0; r < count; r++) {
    const lane = <usize>load<i32>(lanes + (<usize>r << 2));
    const a = load<i32>(ro.tileActions + (<usize>r << 2));
    store<i32>(env.actions + (lane << 2), a);
    store<i32>(ro.actionT + ((cell + lane) << 2), a);
    store<f32>(ro.logProbT + ((cell + lane) << 2), load<f32>(logProbs + <usize>a * TILE_UNIT_BYTES + (<usize>r << 2)));
  }
}

/** Uniform draws per step of a Gaussian head's action stream: two per pair of action components. */
@inline function gaussianDraws(size: i32): i32 {
  return (size + 1) & ~1;
}

const TWO_PI: f32 = <f32>(2 * Math.PI);
const HALF_LOG_TWO_PI: f32 = <f32>(0.5 * Math.log(2 * Math.PI));

/**
 * A Gaussian head's sample for the `count` lanes in ro.tileLanes (after the tile's forward: the
 * means μ are the MLP's outputs): a_j = μ_j + e^{s_j}·z_j with z standard normal by Box–Muller from
 * draws t·K + 2p, t·K + 2p + 1 of the lane's action stream (K = gaussianDraws: a fixed count per
 * step, so a lane's actions do not depend on the others): z_{2p} = ρ·cos φ, z_{2p+1} = ρ·sin φ,
 * ρ = √(−2·log(1 − u_0)), φ = 2π·u_1. Recorded unclipped (the env clips) with
 * log π(a|s) = Σ_j −½z_j² − s_j − ½log 2π.
 */
function sampleGaussianTile(ro: Rollout, env: VecEnv, mlp: Mlp, set: i32, count: i32, t: i32): void {
  const size = ro.actionSize;
  const draws = gaussianDraws(size);
  const means = mlp.tile + <usize>mlp.numLayers * (<usize>mlp.maxWidth << 4);
  const logStd = mlp.weights + ((<usize>set * <usize>mlp.setFloats + <usize>mlp.mlpFloats) << 2);
  const cell = <usize>t * <usize>ro.numEpisodes;
  const lanes = <usize>env.lanes;
  for (let r = 0; r < count; r++) {
    const lane = <usize>load<i32>(ro.tileLanes + (<usize>r << 2));
    const key = load<u64>(ro.actionKey + (lane << 3));
    const first = <u64>t * <u64>draws;
    let logProb: f32 = 0;
    for (let j = 0; j < size; j++) {
      const pair = <u64>(j & ~1);
      const rho = Mathf.sqrt(<f32>-2 * Mathf.log(<f32>1 - uniform01(key, first + pair)));
      const phi = TWO_PI * uniform01(key, first + pair + 1);
      const z = (j & 1) == 0 ? rho * Mathf.cos(phi) : rho * Mathf.sin(phi);
      const s = load<f32>(logStd + (<usize>j << 2));
      const a = load<f32>(means + (<usize>j << 4) + (<usize>r << 2)) + Mathf.exp(s) * z;
      store<f32>(env.actions + ((<usize>j * lanes + lane) << 2), a);
      store<f32>(ro.actionT + (((cell + lane) * <usize>size + <usize>j) << 2), a);
      logProb += <f32>-0.5 * z * z - s - HALF_LOG_TWO_PI;
    }
    store<f32>(ro.logProbT + ((cell + lane) << 2), logProb);
  }
}

/**
 * Records the observation of every live lane at step t and samples its action (env.actions, with
 * its log-probability). Live lanes go through the policy in tiles of TILE_ROWS lanes of one weight
 * set; lanes of a set are consecutive, so a tile only ends short where a set's live lanes run out.
 */
function sampleLive(ro: Rollout, env: VecEnv, mlp: Mlp, t: i32, episodesPerTask: i32, perTaskWeights: bool): void {
  const n = ro.numEpisodes, obsDim = ro.obsDim;
  const cell = <usize>t * <usize>n;
  let count = 0, tileSet = 0;
  for (let i = 0; i < n; i++) {
    if (!load<u8>(ro.alive + <usize>i)) continue;
    const obsRow = env.obs + (<usize>(i * obsDim) << 2);
    const rec = ro.obsT + ((cell + <usize>i) * <usize>obsDim << 2);
    for (let k = 0; k < obsDim; k++) store<f32>(rec + (<usize>k << 2), load<f32>(obsRow + (<usize>k << 2)));
    const set = perTaskWeights ? i / episodesPerTask : 0;
    if (count > 0 && set != tileSet) {
      sampleTile(ro, env, mlp, tileSet, count, t);
      count = 0;
    }
    store<i32>(ro.tileLanes + (<usize>count << 2), i);
    tileSet = set;
    if (++count == TILE_ROWS) {
      sampleTile(ro, env, mlp, tileSet, count, t);
      count = 0;
    }
  }
  if (count > 0) sampleTile(ro, env, mlp, tileSet, count, t);
}

/**
 * The record of step t, after the env stepped: every live lane's reward joins its trajectory
 * (rewardT, its return, its length t + 1); a lane whose episode terminated, or whose step t was the
 * last of `steps`, ends (terminal = whether it terminated). A built-in env's ended lane is reset at
 * once from its own reset stream, with action 0, so its state stays tame while the others finish
 * (a JS-stepped env, ENV_USER, is the caller's to handle). Returns the number of lanes still alive.
 */
@inline function recordLive(ro: Rollout, env: VecEnv, t: i32, steps: i32): i32 {
  const n = ro.numEpisodes, kind = env.kind, lanes = env.lanes;
  const cell = <usize>t * <usize>n;
  let alive = 0;
  for (let i = 0; i < n; i++) {
    if (!load<u8>(ro.alive + <usize>i)) continue;
    const reward = load<f32>(env.reward + (<usize>i << 2));
    store<f32>(ro.rewardT + ((cell + <usize>i) << 2), reward);
    store<f32>(ro.episodeReturn + (<usize>i << 2), load<f32>(ro.episodeReturn + (<usize>i << 2)) + reward);
    store<i32>(ro.length + (<usize>i << 2), t + 1);
    const terminated = load<u8>(env.terminated + <usize>i);
    if (!terminated && t + 1 != steps) {
      alive++;
      continue;
    }
    store<u8>(ro.terminal + <usize>i, terminated);
    store<u8>(ro.alive + <usize>i, 0);
    if (kind == ENV_USER) continue;
    store<i32>(env.actions + (<usize>i << 2), 0);
    const counterAt = env.rngCounter + (<usize>i << 3);
    store<u64>(counterAt, load<u64>(counterAt) +
      envResetLane(kind, lanes, i, env.state, env.params, load<u64>(env.rngKey + (<usize>i << 3)), load<u64>(counterAt)));
  }
  return alive;
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
    sampleLive(ro, env, mlp, t, episodesPerTask, perTaskWeights);
    envStepLanes(kind, lanes, env.state, env.params, env.actions, env.reward, env.terminated, env.rngKey, env.rngCounter, ro.alive);
    recorded += aliveCount; // every live lane records step t
    aliveCount = recordLive(ro, env, t, steps);
  }
  return recorded;
}

// ---- Envs stepped in JavaScript (src/rl/user-rollout.ts). The same workspace, trajectory buffers,
// policy tiles and action streams as rolloutRun; the env's step is the caller's, between
// rolloutUserSample (obs → actions) and rolloutUserRecord (reward, terminated → the record).

/** rolloutBytes for a JS-stepped env with observations of obsDim floats and box actions of actionSize (0: discrete). */
export function rolloutUserBytes(obsDim: i32, actionSize: i32, numEpisodes: f64, maxSteps: f64, largest: bool): f64 {
  const dim = <f64>obsDim, act = actionLaneBytes(actionSize);
  planBegin();
  planVecEnv(0, 0, dim, act, numEpisodes, true);
  planRollout(dim, act, numEpisodes, maxSteps);
  return plannedBytes(<f64>offsetof<Rollout>() + <f64>offsetof<VecEnv>(), largest);
}

/** A workspace whose env (kind ENV_USER) is only its obs, actions, reward and terminated buffers. */
export function rolloutUserCreate(obsDim: i32, numActions: i32, actionSize: i32, numEpisodes: i32, maxSteps: i32): usize {
  planBegin();
  planVecEnv(0, 0, <f64>obsDim, actionLaneBytes(actionSize), <f64>numEpisodes, true);
  const env = vecEnvAllocate(ENV_USER, numEpisodes, maxSteps, true);
  return rolloutAllocate(changetype<usize>(env), numEpisodes, maxSteps, obsDim, numActions, actionSize);
}

/**
 * Starts a rollout of a JS-stepped env: every lane alive, nothing recorded, and lane i's action
 * stream (seed, ACTION, taskIds[i / episodesPerTask], i % episodesPerTask) as in rolloutRun. The
 * caller draws the resets from the matching RESET streams and writes the first observations.
 */
export function rolloutUserBegin(ptr: usize, seed: u32, episodesPerTask: i32, taskIds: usize): void {
  const ro = changetype<Rollout>(ptr);
  const env = changetype<VecEnv>(ro.env);
  const n = ro.numEpisodes;
  for (let i = 0; i < env.lanes; i++) {
    const real = i < n;
    store<u8>(ro.alive + <usize>i, <u8>real);
    store<i32>(env.actions + (<usize>i << 2), 0);
    store<f32>(env.reward + (<usize>i << 2), 0);
    store<u8>(env.terminated + <usize>i, 0);
    if (real) {
      const taskId = load<u32>(taskIds + (<usize>(i / episodesPerTask) << 2));
      store<u64>(ro.actionKey + (<usize>i << 3), streamKey(seed, PURPOSE_ACTION, taskId, <u32>(i % episodesPerTask)));
      store<i32>(ro.length + (<usize>i << 2), 0);
      store<f32>(ro.episodeReturn + (<usize>i << 2), 0);
      store<u8>(ro.terminal + <usize>i, 0);
    }
  }
}

/** Step t, first half: records every live lane's observation and samples its action (ROLLOUT_ACTIONS). */
export function rolloutUserSample(ptr: usize, mlpPtr: usize, t: i32, episodesPerTask: i32, perTaskWeights: bool): void {
  const ro = changetype<Rollout>(ptr);
  sampleLive(ro, changetype<VecEnv>(ro.env), changetype<Mlp>(mlpPtr), t, episodesPerTask, perTaskWeights);
}

/**
 * Step t, second half: records every live lane's reward (ROLLOUT_REWARD), and ends the lanes that
 * terminated (ROLLOUT_TERMINATED) or reached step `steps`. Returns the number of lanes still alive.
 */
export function rolloutUserRecord(ptr: usize, t: i32, steps: i32): i32 {
  const ro = changetype<Rollout>(ptr);
  return recordLive(ro, changetype<VecEnv>(ro.env), t, steps);
}

/**
 * Copies the recorded steps episode by episode (episode-major, time inside) into compact rows:
 * obs [rows][obsDim], action i32 [rows] (a box env's f32 [rows][actionSize]), reward [rows], logProb [rows].
 */
export function rolloutCompact(ptr: usize, obsOut: usize, actionOut: usize, rewardOut: usize, logProbOut: usize): void {
  const ro = changetype<Rollout>(ptr);
  const n = ro.numEpisodes;
  const obsBytes = <usize>ro.obsDim << 2;
  const actionBytes = <usize>max(1, ro.actionSize) << 2;
  let row: usize = 0;
  for (let i = 0; i < n; i++) {
    const length = load<i32>(ro.length + (<usize>i << 2));
    for (let t = 0; t < length; t++) {
      const cell = <usize>t * <usize>n + <usize>i;
      const src = ro.obsT + cell * obsBytes, dst = obsOut + row * obsBytes;
      for (let k: usize = 0; k < obsBytes; k += 4) store<f32>(dst + k, load<f32>(src + k));
      memory.copy(actionOut + row * actionBytes, ro.actionT + cell * actionBytes, actionBytes);
      store<f32>(rewardOut + (row << 2), load<f32>(ro.rewardT + (cell << 2)));
      store<f32>(logProbOut + (row << 2), load<f32>(ro.logProbT + (cell << 2)));
      row++;
    }
  }
}
