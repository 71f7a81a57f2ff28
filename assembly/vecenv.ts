// A vector of environments of one kind in linear memory, with Gymnasium's next-step autoreset:
// the step on which a lane ends returns its final observation with terminated/truncated set; the
// lane's next step ignores its action and resets it, returning the first observation with
// reward 0 and both flags clear (gymnasium.vector AutoresetMode.NEXT_STEP).
// Every buffer is allocated once in vecEnvCreate; TypeScript reads their addresses with
// vecEnvField and keeps typed views over them.

import { alloc, free, padLanes, padLanesF } from './memory';
import { slotCount, planBegin, planBuffer, plannedBytes, allocPlanned, freeSlots } from './buffers';
import { streamKey, PURPOSE_RESET } from './rng';
import { maskToBytes4 } from './simd_math';
import { envDim, envDefaultParam, envActionLaneBytes, envStepLanes, envResetLane, envObserve,
  DIM_STATE, DIM_OBS, DIM_PARAMS } from './envs/registry';

@unmanaged export class VecEnv {
  kind: i32;
  numEnvs: i32;
  lanes: i32;
  maxSteps: i32;
  // The buffer slots (buffers.ts): consecutive pointer fields state .. rngCounter, in FIELD_ order.
  state: usize;      // f32 [stateDim][lanes]
  params: usize;     // f32 [paramDim][lanes]
  obs: usize;        // f32 [numEnvs][obsDim]
  actions: usize;    // i32 [lanes] (discrete) or f32 [actionSize][lanes] (box, component-major)
  reward: usize;     // f32 [lanes]
  terminated: usize; // u8 [lanes]
  truncated: usize;  // u8 [lanes]
  needsReset: usize; // u8 [lanes]
  stepCount: usize;  // i32 [lanes]
  rngKey: usize;     // u64 [lanes]
  rngCounter: usize; // u64 [lanes]
}

export const FIELD_STATE: i32 = 0;
export const FIELD_PARAMS: i32 = 1;
export const FIELD_OBS: i32 = 2;
export const FIELD_ACTIONS: i32 = 3;
export const FIELD_REWARD: i32 = 4;
export const FIELD_TERMINATED: i32 = 5;
export const FIELD_TRUNCATED: i32 = 6;
export const FIELD_NEEDS_RESET: i32 = 7;
export const FIELD_STEP_COUNT: i32 = 8;
export const FIELD_RNG_KEY: i32 = 9;
export const FIELD_RNG_COUNTER: i32 = 10;
export const FIELD_LANES: i32 = 11;

// The buffer slots of a VecEnv: its fields state .. rngCounter, in FIELD_STATE .. FIELD_RNG_COUNTER order.
const ENV_SLOTS = slotCount(offsetof<VecEnv>('state'), offsetof<VecEnv>('rngCounter'));
// A JS-stepped env (rollout.ts) keeps only its I/O buffers: the slots obs .. terminated.
const IO_SLOTS = slotCount(offsetof<VecEnv>('obs'), offsetof<VecEnv>('terminated'));

/**
 * Plans (buffers.ts) the buffers of a VecEnv of numEnvs envs with the given dimensions, in slot
 * order; with ioOnly, just its I/O buffers obs, actions, reward, terminated. vecEnvCreate allocates
 * exactly these and vecEnvBytes sums them, so the sizes TypeScript checks are the sizes created.
 */
export function planVecEnv(stateDim: f64, paramDim: f64, obsDim: f64, actionLaneBytes: f64, numEnvs: f64, ioOnly: bool): void {
  const lanes = padLanesF(numEnvs);
  if (!ioOnly) {
    planBuffer(stateDim * lanes * 4);     // state
    planBuffer(paramDim * lanes * 4);     // params
  }
  planBuffer(numEnvs * obsDim * 4);       // obs
  planBuffer(lanes * actionLaneBytes);    // actions
  planBuffer(lanes * 4);                  // reward
  planBuffer(lanes);                      // terminated
  if (ioOnly) return;
  planBuffer(lanes);                      // truncated
  planBuffer(lanes);                      // needsReset
  planBuffer(lanes * 4);                  // stepCount
  planBuffer(lanes * 8);                  // rngKey
  planBuffer(lanes * 8);                  // rngCounter
}

/** planVecEnv for a built-in env of `kind`. */
export function planEnvKind(kind: i32, numEnvs: f64): void {
  planVecEnv(<f64>envDim(kind, DIM_STATE), <f64>envDim(kind, DIM_PARAMS), <f64>envDim(kind, DIM_OBS),
    <f64>envActionLaneBytes(kind), numEnvs, false);
}

/** Bytes a VecEnv of numEnvs envs allocates: in all, or (largest) its largest single buffer. */
export function vecEnvBytes(kind: i32, numEnvs: f64, largest: bool): f64 {
  planBegin();
  planEnvKind(kind, numEnvs);
  return plannedBytes(<f64>offsetof<VecEnv>(), largest);
}

/**
 * A VecEnv's struct with its fields set and the planned buffers allocated into its slots (all of
 * them, or with ioOnly the I/O slots obs .. terminated; the others stay 0).
 */
export function vecEnvAllocate(kind: i32, numEnvs: i32, maxSteps: i32, ioOnly: bool): VecEnv {
  const env = changetype<VecEnv>(alloc(offsetof<VecEnv>()));
  env.kind = kind;
  env.numEnvs = numEnvs;
  env.lanes = padLanes(numEnvs);
  env.maxSteps = maxSteps;
  const at = changetype<usize>(env);
  if (ioOnly) allocPlanned(at + offsetof<VecEnv>('obs'), IO_SLOTS);
  else allocPlanned(at + offsetof<VecEnv>('state'), ENV_SLOTS);
  return env;
}

export function vecEnvCreate(kind: i32, numEnvs: i32, maxSteps: i32): usize {
  planBegin();
  planEnvKind(kind, <f64>numEnvs);
  const env = vecEnvAllocate(kind, numEnvs, maxSteps, false);
  // Every lane, padding included, starts on the default task so SIMD math never sees garbage.
  const lanes = env.lanes;
  const paramDim = envDim(kind, DIM_PARAMS);
  for (let k = 0; k < paramDim; k++) {
    const value = envDefaultParam(kind, k);
    for (let i = 0; i < lanes; i++) store<f32>(env.params + <usize>(k * lanes + i) * 4, value);
  }
  return changetype<usize>(env);
}

export function vecEnvFree(ptr: usize): void {
  freeSlots(ptr + offsetof<VecEnv>('state'), ENV_SLOTS);
  free(ptr);
}

export function vecEnvField(ptr: usize, field: i32): usize {
  const env = changetype<VecEnv>(ptr);
  switch (field) {
    case FIELD_STATE: return env.state;
    case FIELD_PARAMS: return env.params;
    case FIELD_OBS: return env.obs;
    case FIELD_ACTIONS: return env.actions;
    case FIELD_REWARD: return env.reward;
    case FIELD_TERMINATED: return env.terminated;
    case FIELD_TRUNCATED: return env.truncated;
    case FIELD_NEEDS_RESET: return env.needsReset;
    case FIELD_STEP_COUNT: return env.stepCount;
    case FIELD_RNG_KEY: return env.rngKey;
    case FIELD_RNG_COUNTER: return env.rngCounter;
    case FIELD_LANES: return <usize>env.lanes;
  }
  return 0;
}

/** Lane i draws its resets from stream (seed, RESET, 0, i), from draw 0. */
export function vecEnvSeed(ptr: usize, seed: u32): void {
  const env = changetype<VecEnv>(ptr);
  for (let i = 0; i < env.lanes; i++) {
    store<u64>(env.rngKey + (<usize>i << 3), streamKey(seed, PURPOSE_RESET, 0, <u32>i));
    store<u64>(env.rngCounter + (<usize>i << 3), 0);
  }
}

@inline function resetLane(env: VecEnv, lane: i32): void {
  const keyAt = env.rngKey + (<usize>lane << 3);
  const counterAt = env.rngCounter + (<usize>lane << 3);
  const used = envResetLane(env.kind, env.lanes, lane, env.state, env.params, load<u64>(keyAt), load<u64>(counterAt));
  store<u64>(counterAt, load<u64>(counterAt) + used);
  store<i32>(env.stepCount + (<usize>lane << 2), 0);
  store<u8>(env.needsReset + <usize>lane, 0);
  store<u8>(env.terminated + <usize>lane, 0);
  store<u8>(env.truncated + <usize>lane, 0);
  store<f32>(env.reward + (<usize>lane << 2), 0);
}

export function vecEnvResetAll(ptr: usize): void {
  const env = changetype<VecEnv>(ptr);
  for (let i = 0; i < env.lanes; i++) resetLane(env, i);
  envObserve(env.kind, env.numEnvs, env.lanes, env.state, env.params, env.obs);
}

/** Re-observes after the state was written from outside (setState). */
export function vecEnvObserve(ptr: usize): void {
  const env = changetype<VecEnv>(ptr);
  envObserve(env.kind, env.numEnvs, env.lanes, env.state, env.params, env.obs);
}

@inline function countStep(env: VecEnv, lane: i32): void {
  const countAt = env.stepCount + (<usize>lane << 2);
  const count = load<i32>(countAt) + 1;
  store<i32>(countAt, count);
  const truncated = <u8>(count >= env.maxSteps);
  store<u8>(env.truncated + <usize>lane, truncated);
  store<u8>(env.needsReset + <usize>lane, load<u8>(env.terminated + <usize>lane) | truncated);
}

export function vecEnvStep(ptr: usize): void {
  const env = changetype<VecEnv>(ptr);
  // Physics for every lane at once; lanes that ended last step are overwritten by their reset below.
  envStepLanes(env.kind, env.lanes, env.state, env.params, env.actions, env.reward, env.terminated, env.rngKey, env.rngCounter, 0);
  const limit = i32x4.splat(env.maxSteps);
  for (let i = 0; i < env.lanes; i += 4) {
    if (load<u32>(env.needsReset + <usize>i) != 0) {
      // Rare: some of these four lanes ended last step.
      for (let j = i; j < i + 4; j++) {
        if (load<u8>(env.needsReset + <usize>j)) resetLane(env, j);
        else countStep(env, j);
      }
      continue;
    }
    // Four live lanes at once: count the step; TimeLimit truncates when the count reaches the
    // limit, whether or not the lane also terminated.
    const countAt = env.stepCount + (<usize>i << 2);
    const count = i32x4.add(v128.load(countAt), i32x4.splat(1));
    v128.store(countAt, count);
    const atLimit = i32x4.ge_s(count, limit);
    const truncatedBytes = maskToBytes4(atLimit);
    store<u32>(env.truncated + <usize>i, truncatedBytes);
    store<u32>(env.needsReset + <usize>i, load<u32>(env.terminated + <usize>i) | truncatedBytes);
  }
  envObserve(env.kind, env.numEnvs, env.lanes, env.state, env.params, env.obs);
}
