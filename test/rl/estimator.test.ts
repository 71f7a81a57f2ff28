// src/rl/estimator.ts (assembly/estimator.ts and mlpPolicyGradient in assembly/policy.ts):
// - dm.policyGradient against tfjs's gradient of dm.reinforceLoss on the same batch (dm.toBatch),
//   on real CartPole rollouts (one task and several) and on random batches, tanh and relu; random
//   batches also against the float64 reverse-mode gradient of test/nn/mlp-reference.ts.
//   Criterion: ‖g_wasm − g_tfjs‖₂ ≤ 1e-4·‖g_tfjs‖₂ for every parameter tensor (W_l and b_l apart,
//   so an error confined to a small tensor is not hidden by a large one).
// - dm.estimateAdvantages against float64 loops written here: returns G_t = r_t + γG_{t+1}; the
//   linear-feature baseline as the ridge least-squares solution (XᵀX + 1e-5·I)c = XᵀG per task,
//   solved by Gaussian elimination with partial pivoting; GAE; per-task normalisation with the
//   population std; weights 1/episode length.
// - WASM memory does not grow, nothing stays allocated in it, and no tfjs tensor leaks over 1000
//   policyGradient calls.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor } from '@tensorflow/tfjs';
import { lossGrad64, splitFlat, testRandom, type Act } from '../nn/mlp-reference';

const tf = dm.tf;
const GRADIENT_TOLERANCE = 1e-4;

before(async () => { await dm.init(); });

// ---------------------------------------------------------------------------------------------
// Gradient cross-checks

/** tfjs's gradient of dm.reinforceLoss at the policy's parameters, flat layout. */
function tfjsGradient(policy: dm.Policy, batch: dm.ReinforceBatch): Float32Array {
  const grads = tf.tidy(() => tf.grads((...params: Tensor[]) => dm.reinforceLoss(params, batch, policy))(policy.params));
  const flat = dm.flattenTensors(grads);
  tf.dispose(grads);
  return flat;
}

/** Per parameter tensor: ‖actual − expected‖ ≤ tolerance·‖expected‖ (and the gradient is not zero). */
function assertGradientClose(actual: ArrayLike<number>, expected: ArrayLike<number>, sizes: readonly number[], what: string, tolerance = GRADIENT_TOLERANCE): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = splitFlat(actual, sizes), e = splitFlat(expected, sizes);
  a.forEach((ai, t) => {
    let num = 0, den = 0;
    for (let k = 0; k < ai.length; k++) {
      num += (ai[k] - e[t][k]) ** 2;
      den += e[t][k] ** 2;
    }
    const name = `${t % 2 === 0 ? 'W' : 'b'}${(t >> 1) + 1}`;
    assert.ok(den > 0, `${what} ${name}: the reference gradient is zero, the check would be vacuous`);
    const rel = Math.sqrt(num / den);
    assert.ok(rel <= tolerance, `${what} ${name}: relative error ${rel.toExponential(2)} > ${tolerance}`);
  });
}

function disposeBatch(batch: dm.Batch): void {
  for (const t of Object.values(batch)) (t as Tensor).dispose();
}

const CARTPOLE = () => dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5] });

for (const activation of ['tanh', 'relu'] as const) {
  test(`policyGradient equals tfjs's gradient of reinforceLoss on CartPole rollouts (${activation}, [64, 64], one task and three)`, () => {
    const family = CARTPOLE();
    const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [64, 64], activation, seed: 4 });
    for (const numTasks of [1, 3]) {
      const traj = dm.rollout(family, policy, family.sample(numTasks, { seed: 2 }), { episodes: 6, seed: 8 });
      assert.ok(traj.numSteps > 50, `rollout recorded ${traj.numSteps} steps`);
      for (const options of [{}, { gamma: 0.9, lambda: 0.95 }]) {
        const g = dm.policyGradient(policy, traj, options);
        const batch = dm.toBatch(traj, options);
        assertGradientClose(g, tfjsGradient(policy, batch), policy.layerSizes, `${numTasks} task(s) ${JSON.stringify(options)}`);
        disposeBatch(batch);
      }
    }
    policy.dispose();
  });
}

/** Synthetic trajectories with random steps (episode lengths 1..maxLength) for estimator and gradient checks. */
function randomTrajectories(seed: number, obsDim: number, numActions: number, numTasks: number, episodes: number, maxLength: number,
  obsScale = 2): dm.Trajectories {
  const r = testRandom(seed);
  const E = numTasks * episodes;
  const lengths = Int32Array.from({ length: E }, () => 1 + Math.floor(r() * maxLength));
  const n = lengths.reduce((s, v) => s + v, 0);
  const obs = Float32Array.from({ length: n * obsDim }, () => Math.fround(obsScale * (2 * r() - 1)));
  const actions = Int32Array.from({ length: n }, () => Math.floor(r() * numActions));
  const rewards = Float32Array.from({ length: n }, () => Math.fround(2 * r() - 0.5));
  const returns = new Float32Array(E);
  let row = 0;
  lengths.forEach((len, e) => { for (let t = 0; t < len; t++) returns[e] += rewards[row++]; });
  return new dm.Trajectories('synthetic', obsDim, numActions, numTasks, episodes, new Float32Array(numTasks), returns, lengths,
    new Uint8Array(E), obs, actions, rewards, new Float32Array(n));
}

for (const activation of ['tanh', 'relu'] as const) {
  test(`policyGradient equals tfjs and float64 on random batches (${activation}; odd widths and [64, 64]; random advantages and weights)`, () => {
    for (const [obsDim, hidden, numActions, seed] of [[3, [5, 7], 3, 1], [4, [64, 64], 2, 2], [6, [9], 5, 3]] as const) {
      const policy = dm.createPolicy({ obsDim, numActions, hidden: [...hidden], activation, seed });
      // Non-zero biases so their gradients flow through the test too.
      const r = testRandom(seed + 50);
      policy.setFlat(policy.getFlat().map((v) => (v === 0 ? Math.fround(0.4 * r() - 0.2) : v)));
      const traj = randomTrajectories(seed, obsDim, numActions, 2, 5, 60);
      const n = traj.numSteps;
      // Random advantages and weights (some zero: those rows must not count), passed straight in.
      const advantages = Float32Array.from({ length: n }, () => Math.fround(4 * r() - 2));
      const weights = Float32Array.from({ length: n }, (_, i) => (i % 7 === 3 ? 0 : Math.fround(0.1 + r())));
      const est: dm.Advantages = { returns: new Float32Array(n), values: new Float32Array(n), advantages, weights, baselineFailures: 0 };
      const g = dm.policyGradient(policy, traj, { advantages: est });
      const batch = tf.tidy(() => ({
        obs: tf.tensor2d(traj.obs, [n, obsDim]),
        actions: tf.oneHot(tf.tensor1d(traj.actions, 'int32'), numActions).toFloat(),
        advantages: tf.tensor1d(advantages),
        weights: tf.tensor1d(weights),
      }));
      const what = `${obsDim}-${[...hidden, numActions].join('-')}`;
      assertGradientClose(g, tfjsGradient(policy, batch), policy.layerSizes, `${what} vs tfjs`);
      const g64 = lossGrad64(splitFlat(policy.getFlat(), policy.layerSizes),
        { n, obs: Float64Array.from(traj.obs), actions: traj.actions as Int32Array, advantages: Float64Array.from(advantages), weights: Float64Array.from(weights) },
        activation);
      assertGradientClose(g, Float64Array.from(g64.flatMap((p) => [...p])), policy.layerSizes, `${what} vs float64`);
      disposeBatch(batch as dm.Batch);
      policy.dispose();
    }
  });
}

test('policyGradient with `weights` is the gradient at those parameters', () => {
  const family = CARTPOLE();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16], activation: 'tanh', seed: 1 });
  const other = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16], activation: 'tanh', seed: 2 });
  const traj = dm.rollout(family, policy, family.sample(2, { seed: 1 }), { episodes: 4, seed: 3 });
  const atOther = dm.policyGradient(policy, traj, { weights: other.getFlat() });
  assert.deepEqual(atOther, dm.policyGradient(other, traj));
  assert.ok(atOther.some((v, i) => v !== dm.policyGradient(policy, traj)[i]), 'different parameters, different gradient');
  policy.dispose();
  other.dispose();
});

// ---------------------------------------------------------------------------------------------
// Returns, baseline, GAE, normalisation, weights against float64 loops

/** φ(s, t) = [clip(s, ±10), clip(s, ±10)², t/100, (t/100)², (t/100)³, 1]. */
function features(obs: Float32Array, row: number, obsDim: number, t: number): number[] {
  const s = Array.from(obs.subarray(row * obsDim, (row + 1) * obsDim), (v) => Math.min(Math.max(v, -10), 10));
  const u = t / 100;
  return [...s, ...s.map((v) => v * v), u, u * u, u * u * u, 1];
}

/** Solves A x = b (A square, float64) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(M[i][col]) > Math.abs(M[pivot][col])) pivot = i;
    [M[col], M[pivot]] = [M[pivot], M[col]];
    for (let i = col + 1; i < n; i++) {
      const f = M[i][col] / M[col][col];
      for (let j = col; j <= n; j++) M[i][j] -= f * M[col][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = M[i][n];
    for (let j = i + 1; j < n; j++) s -= M[i][j] * x[j];
    x[i] = s / M[i][i];
  }
  return x;
}

interface Reference { returns: Float64Array; values: Float64Array; weights: Float64Array }

/** Float64 returns, ridge-fitted baseline values (reg 1e-5, per task) and row weights. */
function referenceBaseline(traj: dm.Trajectories, gamma: number): Reference {
  const n = traj.numSteps, D = traj.obsDim, F = 2 * D + 4;
  const returns = new Float64Array(n), values = new Float64Array(n), weights = new Float64Array(n);
  let row = 0;
  for (let task = 0; task < traj.numTasks; task++) {
    const taskStart = row;
    const XtX = Array.from({ length: F }, () => new Array<number>(F).fill(0));
    const XtG = new Array<number>(F).fill(0);
    for (let e = task * traj.episodesPerTask; e < (task + 1) * traj.episodesPerTask; e++) {
      const len = traj.episodeLengths[e];
      let G = 0;
      for (let t = len - 1; t >= 0; t--) {
        G = traj.rewards[row + t] + gamma * G;
        returns[row + t] = G;
        weights[row + t] = 1 / len;
      }
      for (let t = 0; t < len; t++) {
        const phi = features(traj.obs, row + t, D, t);
        for (let i = 0; i < F; i++) {
          XtG[i] += phi[i] * returns[row + t];
          for (let j = 0; j < F; j++) XtX[i][j] += phi[i] * phi[j];
        }
      }
      row += len;
    }
    for (let i = 0; i < F; i++) XtX[i][i] += 1e-5;
    const coef = solve(XtX, XtG);
    // Values need each row's time step: walk the task's episodes again.
    let r = taskStart;
    for (let e = task * traj.episodesPerTask; e < (task + 1) * traj.episodesPerTask; e++) {
      for (let t = 0; t < traj.episodeLengths[e]; t++, r++) {
        const phi = features(traj.obs, r, D, t);
        values[r] = phi.reduce((s, v, i) => s + v * coef[i], 0);
      }
    }
  }
  return { returns, values, weights };
}

/** GAE over each episode (V = 0 after its last step), then per-task normalisation (population std). */
function referenceAdvantages(traj: dm.Trajectories, values: ArrayLike<number>, gamma: number, lambda: number): Float64Array {
  const adv = new Float64Array(traj.numSteps);
  let row = 0;
  for (let task = 0; task < traj.numTasks; task++) {
    const taskStart = row;
    for (let e = task * traj.episodesPerTask; e < (task + 1) * traj.episodesPerTask; e++) {
      const len = traj.episodeLengths[e];
      // Â_t = Σ_l (γλ)^l δ_{t+l}, δ_t = r_t + γV_{t+1} − V_t, written as the explicit sum (not the recursion the library uses).
      for (let t = 0; t < len; t++) {
        let sum = 0, discount = 1;
        for (let k = t; k < len; k++) {
          const next = k + 1 < len ? values[row + k + 1] : 0;
          sum += discount * (traj.rewards[row + k] + gamma * next - values[row + k]);
          discount *= gamma * lambda;
        }
        adv[row + t] = sum;
      }
      row += len;
    }
    const count = row - taskStart;
    let mean = 0;
    for (let r = taskStart; r < row; r++) mean += adv[r] / count;
    let variance = 0;
    for (let r = taskStart; r < row; r++) variance += (adv[r] - mean) ** 2 / count;
    const std = Math.sqrt(variance);
    for (let r = taskStart; r < row; r++) adv[r] = (adv[r] - mean) / (std + 1e-8);
  }
  return adv;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

function assertAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, absTolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= absTolerance,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${absTolerance.toExponential(1)})`);
  }
}

function checkEstimator(traj: dm.Trajectories, gamma: number, lambda: number, what: string): void {
  const est = dm.estimateAdvantages(traj, { gamma, lambda });
  const ref = referenceBaseline(traj, gamma);
  assert.equal(est.baselineFailures, 0, `${what}: ridge fit failed`);
  // Returns: float32 storage of a float64 sum.
  const scale = Math.max(1, maxAbs(ref.returns));
  assertAllClose(est.returns, ref.returns, 1e-6 * scale, `${what} returns`);
  assert.deepEqual(Array.from(est.weights), Array.from(ref.weights, Math.fround), `${what} weights = 1/episode length`);
  // Baseline: the fitted values (well conditioned even where the coefficients are not), relative to the returns' scale.
  assertAllClose(est.values, ref.values, 1e-5 * scale, `${what} baseline values`);
  // The baseline must be a real fit, not a constant: it explains part of the returns' variance.
  let resid = 0, total = 0, mean = 0;
  ref.returns.forEach((g) => { mean += g / ref.returns.length; });
  ref.returns.forEach((g, i) => { resid += (g - est.values[i]) ** 2; total += (g - mean) ** 2; });
  assert.ok(resid < total, `${what}: baseline does not reduce the squared error (${resid} vs ${total})`);
  // GAE + normalisation, from the library's own baseline values (isolates this step) ...
  assertAllClose(est.advantages, referenceAdvantages(traj, est.values, gamma, lambda), 1e-5, `${what} advantages (library values)`);
  // ... and end to end from the float64 baseline.
  assertAllClose(est.advantages, referenceAdvantages(traj, ref.values, gamma, lambda), 1e-4, `${what} advantages (float64 values)`);
}

test('estimateAdvantages equals float64 returns, ridge baseline, GAE and normalisation on CartPole rollouts', () => {
  const family = CARTPOLE();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [32], activation: 'tanh', seed: 6 });
  const traj = dm.rollout(family, policy, family.sample(3, { seed: 4 }), { episodes: 8, seed: 5 });
  for (const [gamma, lambda] of [[0.99, 1], [0.95, 0.9], [1, 0.5], [0.5, 1]]) checkEstimator(traj, gamma, lambda, `CartPole γ=${gamma} λ=${lambda}`);
  policy.dispose();
});

test('estimateAdvantages on synthetic batches: observations beyond the ±10 clip, a constant-zero feature (the ridge term), length-1 episodes', () => {
  // Large observations exercise the clip; obsScale 25 puts most values beyond ±10.
  checkEstimator(randomTrajectories(21, 3, 2, 2, 6, 40, 25), 0.99, 1, 'clipped obs');
  // One observation component always 0: XᵀX is singular and only the ridge term makes it solvable.
  const traj = randomTrajectories(22, 3, 2, 3, 5, 30);
  for (let r = 0; r < traj.numSteps; r++) traj.obs[r * 3 + 1] = 0;
  checkEstimator(traj, 0.9, 0.95, 'zero feature');
  // Many very short episodes, uneven lengths.
  checkEstimator(randomTrajectories(23, 2, 3, 2, 15, 3), 0.99, 0.97, 'short episodes');
});

test('estimateAdvantages rejects γ and λ outside [0, 1] with a ConfigError naming the field', () => {
  const traj = randomTrajectories(1, 2, 2, 1, 2, 5);
  for (const [field, options] of [['gamma', { gamma: 1.5 }], ['lambda', { lambda: -0.1 }], ['gamma', { gamma: NaN }]] as const) {
    assert.throws(() => dm.estimateAdvantages(traj, options), (e: unknown) => e instanceof dm.ConfigError && e.field === field);
  }
});

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * The address a small allocation gets right now. In the steady state nothing is allocated (buffers
 * are allocated once and reused), so the allocator's state, and this address, must not change; a
 * block leaked in between takes or splits the free block the probe came from. This sees leaks too
 * small to grow the memory.
 */
function probeAddress(): number {
  const w = dm.wasmExports();
  const ptr = w.alloc(16);
  w.free(ptr);
  return ptr;
}

test('WASM memory and tfjs tensors do not grow over 1000 policyGradient calls', () => {
  const family = CARTPOLE();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16, 16], activation: 'tanh', seed: 2 });
  const trajs = [1, 2, 3].map((seed) => dm.rollout(family, policy, family.sample(2, { seed }), { episodes: 4, seed }));
  const memory = dm.wasmExports().memory;
  for (const traj of trajs) dm.policyGradient(policy, traj); // warm-up: scratch buffers reach their size
  const bytes = memory.buffer.byteLength, tensors = tf.memory().numTensors;
  let checksum = 0;
  const probe = probeAddress();
  for (let i = 0; i < 1000; i++) checksum += dm.policyGradient(policy, trajs[i % 3])[0];
  assert.equal(probeAddress(), probe, 'the allocator\'s state changed: something was allocated in WASM memory and not freed');
  assert.ok(Number.isFinite(checksum));
  assert.equal(memory.buffer.byteLength, bytes, 'WASM memory grew');
  assert.equal(tf.memory().numTensors, tensors, 'tfjs tensors leaked');
  policy.dispose();
});
