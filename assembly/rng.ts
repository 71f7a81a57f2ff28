// Counter-based random numbers: the value of draw `counter` of stream `key` is a pure function
// of (key, counter). A stream key is a hash of (seed, purpose, task, lane), so what a lane draws
// does not depend on how many lanes share a call, on batching, or on the runtime.
//
// Mixer: the SplitMix64 finaliser (Steele, Lea, Flood 2014, "Fast splittable pseudorandom number
// generators", with Stafford's "Mix13" constants). Draw n of stream k is mix(k ^ mix(n·γ + γ)):
// two mixes, so that neighbouring keys do not give shifted copies of each other.

/** Purposes keep the streams of unrelated consumers apart. */
export const PURPOSE_TASKS: u32 = 1; // TaskFamily.sample
export const PURPOSE_RESET: u32 = 2; // env reset states
export const PURPOSE_ACTION: u32 = 3; // action sampling in rollouts
export const PURPOSE_INIT: u32 = 4; // policy weight initialisation
export const PURPOSE_ENV: u32 = 5; // randomness inside an env step (e.g. engine dispersion)
export const PURPOSE_ITERATION: u32 = 6; // per-iteration seeds of a training run
export const PURPOSE_BOOTSTRAP: u32 = 7; // resampling of the experiment statistics (bootstrap CIs)

const GOLDEN_GAMMA: u64 = 0x9e3779b97f4a7c15;

@inline export function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** The key of the stream (seed, purpose, task, lane). */
export function streamKey(seed: u32, purpose: u32, task: u32, lane: u32): u64 {
  let k = mix64(<u64>seed * GOLDEN_GAMMA + GOLDEN_GAMMA);
  k = mix64(k ^ (<u64>purpose << 32 | <u64>task));
  k = mix64(k + <u64>lane * GOLDEN_GAMMA);
  return k;
}

@inline export function randomU64(key: u64, counter: u64): u64 {
  return mix64(key ^ mix64(counter * GOLDEN_GAMMA + GOLDEN_GAMMA));
}

/** Uniform in [0, 1) with 24 random bits: every value is an exact float32. */
@inline export function uniform01(key: u64, counter: u64): f32 {
  return <f32>(randomU64(key, counter) >> 40) * (1.0 / 16777216.0);
}

/** Uniform in [low, high). */
@inline export function uniform(key: u64, counter: u64, low: f32, high: f32): f32 {
  return low + (high - low) * uniform01(key, counter);
}

/** Fills out[0..n) with draws counterStart.. of stream (seed, purpose, task, lane), uniform in [0, 1). */
export function fillUniform(seed: u32, purpose: u32, task: u32, lane: u32, counterStart: u64, out: usize, n: i32): void {
  const key = streamKey(seed, purpose, task, lane);
  for (let i = 0; i < n; i++) {
    store<f32>(out + (<usize>i << 2), uniform01(key, counterStart + <u64>i));
  }
}

/** A 32-bit seed for a sub-stream (e.g. the rollouts of one iteration): high half of its key. */
export function deriveSeed(seed: u32, purpose: u32, task: u32, lane: u32): u32 {
  return <u32>(streamKey(seed, purpose, task, lane) >> 32);
}
