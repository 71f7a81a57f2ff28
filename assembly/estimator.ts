// Advantages for the REINFORCE surrogate, per task, on compact episode-major rows (the layout of
// rolloutCompact). Reads in the order the maths runs (SPEC §5, pytorch-maml-rl's conventions):
//   1. returns       G_t = r_t + γ·G_{t+1}                         (G after the last step = 0)
//   2. baseline      V(s,t) = φ(s,t)·c, φ = [s, s², t/100, (t/100)², (t/100)³, 1], s clipped to ±10,
//                    c = argmin Σ(φ·c − G)² + reg·|c|²  — ridge least squares refit on this task's
//                    batch before its own advantages (Duan et al. 2016, LinearFeatureBaseline);
//                    reg = 1e-5, ×10 on a failed Cholesky factorisation, at most 5 tries.
//   3. GAE           δ_t = r_t + γ·V_{t+1} − V_t,  Â_t = Σ_l (γλ)^l δ_{t+l}  (V after the last step = 0:
//                    every episode end is treated as terminal, as in the MAML-RL reference code)
//   4. normalise     Â ← (Â − mean) / (std + 1e-8) over the task's rows
//   5. weights       w_t = 1 / (episode length), so −Σ w·logπ·Â / Σ w is the per-episode time
//                    average, averaged over episodes.
// Sums run in float64.

import { alloc, free } from './memory';

const RIDGE_START: f64 = 1e-5;
const RIDGE_GROWTH: f64 = 10;
const RIDGE_TRIES: i32 = 5;
const FEATURE_CLIP: f64 = 10;
const TIME_SCALE: f64 = 100;
const NORMALISE_EPS: f64 = 1e-8;

let scratch: usize = 0;
let scratchBytes: usize = 0;

/** Grows the module's one scratch buffer when a larger problem needs it (never per call). */
function ensureScratch(bytes: usize): usize {
  if (bytes > scratchBytes) {
    free(scratch);
    scratchBytes = max(bytes, scratchBytes * 2);
    scratch = alloc(scratchBytes);
  }
  return scratch;
}

@inline function featureCount(obsDim: i32): i32 { return 2 * obsDim + 4; }

/** φ(s, t) into phi (f64). */
@inline function features(obs: usize, obsDim: i32, t: i32, phi: usize): void {
  for (let k = 0; k < obsDim; k++) {
    let s = <f64>load<f32>(obs + (<usize>k << 2));
    s = min(max(s, -FEATURE_CLIP), FEATURE_CLIP);
    store<f64>(phi + (<usize>k << 3), s);
    store<f64>(phi + (<usize>(obsDim + k) << 3), s * s);
  }
  const time = <f64>t / TIME_SCALE;
  store<f64>(phi + (<usize>(2 * obsDim) << 3), time);
  store<f64>(phi + (<usize>(2 * obsDim + 1) << 3), time * time);
  store<f64>(phi + (<usize>(2 * obsDim + 2) << 3), time * time * time);
  store<f64>(phi + (<usize>(2 * obsDim + 3) << 3), 1.0);
}

/** Solves (A + reg·I)x = b by Cholesky (A symmetric F×F, f64); false when not positive definite. */
function choleskySolve(A: usize, b: usize, F: i32, reg: f64, L: usize, x: usize): bool {
  for (let i = 0; i < F; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = load<f64>(A + (<usize>(i * F + j) << 3)) + (i == j ? reg : 0.0);
      for (let k = 0; k < j; k++) sum -= load<f64>(L + (<usize>(i * F + k) << 3)) * load<f64>(L + (<usize>(j * F + k) << 3));
      if (i == j) {
        if (!(sum > 0.0) || !isFinite(sum)) return false;
        store<f64>(L + (<usize>(i * F + i) << 3), Math.sqrt(sum));
      } else {
        store<f64>(L + (<usize>(i * F + j) << 3), sum / load<f64>(L + (<usize>(j * F + j) << 3)));
      }
    }
  }
  // L·y = b, then Lᵀ·x = y
  for (let i = 0; i < F; i++) {
    let sum = load<f64>(b + (<usize>i << 3));
    for (let k = 0; k < i; k++) sum -= load<f64>(L + (<usize>(i * F + k) << 3)) * load<f64>(x + (<usize>k << 3));
    store<f64>(x + (<usize>i << 3), sum / load<f64>(L + (<usize>(i * F + i) << 3)));
  }
  for (let i = F - 1; i >= 0; i--) {
    let sum = load<f64>(x + (<usize>i << 3));
    for (let k = i + 1; k < F; k++) sum -= load<f64>(L + (<usize>(k * F + i) << 3)) * load<f64>(x + (<usize>k << 3));
    store<f64>(x + (<usize>i << 3), sum / load<f64>(L + (<usize>(i * F + i) << 3)));
  }
  return true;
}

/**
 * Fills returnsOut, valuesOut (baseline), advantagesOut (normalised GAE) and weightsOut for
 * numEpisodes episodes of lengths `lengths` (rows episode-major), episodesPerTask per task.
 * Returns the number of tasks whose baseline fell back to zero (every ridge try failed).
 */
export function estimateAdvantages(numEpisodes: i32, episodesPerTask: i32, lengths: usize, obsDim: i32,
  obs: usize, rewards: usize, gamma: f64, lambda: f64,
  returnsOut: usize, valuesOut: usize, advantagesOut: usize, weightsOut: usize): i32 {
  const F = featureCount(obsDim);
  const FF = <usize>(F * F) << 3;
  const base = ensureScratch(3 * FF + (<usize>(4 * F) << 3));
  const XtX = base, L = base + FF, phi = base + 2 * FF;
  const Xty = phi + (<usize>F << 3), coef = Xty + (<usize>F << 3);
  let failures = 0;
  let episode = 0;
  let taskRow = 0;
  while (episode < numEpisodes) {
    const firstEpisode = episode;
    const lastEpisode = min(numEpisodes, episode + episodesPerTask);
    // 1. returns, and the normal equations of the baseline.
    memory.fill(XtX, 0, FF);
    memory.fill(Xty, 0, <usize>F << 3);
    let row = taskRow;
    for (let e = firstEpisode; e < lastEpisode; e++) {
      const length = load<i32>(lengths + (<usize>e << 2));
      let G: f64 = 0;
      for (let t = length - 1; t >= 0; t--) {
        G = <f64>load<f32>(rewards + (<usize>(row + t) << 2)) + gamma * G;
        store<f32>(returnsOut + (<usize>(row + t) << 2), <f32>G);
      }
      for (let t = 0; t < length; t++) {
        features(obs + (<usize>((row + t) * obsDim) << 2), obsDim, t, phi);
        const target = <f64>load<f32>(returnsOut + (<usize>(row + t) << 2));
        for (let i = 0; i < F; i++) {
          const pi = load<f64>(phi + (<usize>i << 3));
          store<f64>(Xty + (<usize>i << 3), load<f64>(Xty + (<usize>i << 3)) + pi * target);
          for (let j = 0; j <= i; j++) {
            const at = XtX + (<usize>(i * F + j) << 3);
            store<f64>(at, load<f64>(at) + pi * load<f64>(phi + (<usize>j << 3)));
          }
        }
      }
      row += length;
    }
    for (let i = 0; i < F; i++) for (let j = 0; j < i; j++) {
      store<f64>(XtX + (<usize>(j * F + i) << 3), load<f64>(XtX + (<usize>(i * F + j) << 3)));
    }
    // 2. ridge fit with growing regularisation.
    let reg = RIDGE_START;
    let solved = false;
    for (let attempt = 0; attempt < RIDGE_TRIES && !solved; attempt++) {
      solved = choleskySolve(XtX, Xty, F, reg, L, coef);
      reg *= RIDGE_GROWTH;
    }
    if (!solved) {
      memory.fill(coef, 0, <usize>F << 3);
      failures++;
    }
    // 3. baseline values and GAE.
    row = taskRow;
    let sum: f64 = 0, sumSq: f64 = 0;
    for (let e = firstEpisode; e < lastEpisode; e++) {
      const length = load<i32>(lengths + (<usize>e << 2));
      for (let t = 0; t < length; t++) {
        features(obs + (<usize>((row + t) * obsDim) << 2), obsDim, t, phi);
        let v: f64 = 0;
        for (let i = 0; i < F; i++) v += load<f64>(phi + (<usize>i << 3)) * load<f64>(coef + (<usize>i << 3));
        store<f32>(valuesOut + (<usize>(row + t) << 2), <f32>v);
      }
      let advantage: f64 = 0, nextValue: f64 = 0;
      for (let t = length - 1; t >= 0; t--) {
        const value = <f64>load<f32>(valuesOut + (<usize>(row + t) << 2));
        const delta = <f64>load<f32>(rewards + (<usize>(row + t) << 2)) + gamma * nextValue - value;
        advantage = delta + gamma * lambda * advantage;
        nextValue = value;
        store<f32>(advantagesOut + (<usize>(row + t) << 2), <f32>advantage);
        store<f32>(weightsOut + (<usize>(row + t) << 2), <f32>(1.0 / <f64>length));
        sum += advantage;
        sumSq += advantage * advantage;
      }
      row += length;
    }
    // 4. normalise over the task's rows.
    const count = <f64>(row - taskRow);
    if (count > 0) {
      const mean = sum / count;
      const std = Math.sqrt(max(0.0, sumSq / count - mean * mean));
      for (let r = taskRow; r < row; r++) {
        const at = advantagesOut + (<usize>r << 2);
        store<f32>(at, <f32>((<f64>load<f32>(at) - mean) / (std + NORMALISE_EPS)));
      }
    }
    taskRow = row;
    episode = lastEpisode;
  }
  return failures;
}
