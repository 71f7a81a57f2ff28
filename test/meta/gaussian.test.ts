// The Gaussian policy head (src/nn/head.ts, assembly/policy.ts, assembly/metagrad.ts,
// assembly/rollout.ts) against float64 references written in test/nn/gaussian-reference.ts:
// log-prob, the REINFORCE gradient (the log-std's included), the exact meta-gradient (k inner
// steps, MAML and Meta-SGD with the log-std's α, naive and lvc, orders 1 and 2) on both engines
// (wasm = the tfjs oracle), and the sampler's draws against the head's mean and std (z and χ² tests).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { finiteDifferenceGrad, relativeError, splitFlat, testRandom, type Act, type Params64 } from '../nn/mlp-reference';
import { gaussAdapt64, gaussLogProb64, gaussLoss64, gaussLossGrad64, randomGaussBatch, type GaussBatch64 } from '../nn/gaussian-reference';

const tf = dm.tf;
before(async () => { await dm.init({ backend: 'wasm' }); });

const OBS = 3, SIZE = 2;
const flat64 = (params: Params64) => params.flatMap((p) => [...p]);

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); norm = Math.max(norm, Math.abs(b[i])); }
  return diff / norm;
}

/** A Gaussian policy with seeded random weights, biases and log-std (float32-exact). */
function makePolicy(hidden: number[], activation: Act, seed: number, obsDim = OBS): dm.Policy {
  const policy = dm.createPolicy({ obsDim, actionSize: SIZE, hidden, activation, seed });
  const r = testRandom(seed + 900);
  policy.setFlat(Float32Array.from({ length: policy.numParams }, () => Math.fround(r() - 0.5)));
  return policy;
}

/** The policy's parameters in float64: the MLP's layers, then the log-std. */
function params64(policy: dm.Policy): Params64 {
  const flat = policy.getFlat();
  const layers = splitFlat(flat, policy.layerSizes);
  return [...layers, Float64Array.from(flat.subarray(flat.length - SIZE))];
}

function rows(b: GaussBatch64): dm.RowBatch {
  return { obs: Float32Array.from(b.obs), actions: Float32Array.from(b.actions), advantages: Float32Array.from(b.advantages), ...(b.weights ? { weights: Float32Array.from(b.weights) } : {}) };
}

test('createPolicy with actionSize: a Gaussian head, log-std last and initialised to 0', () => {
  const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [4], seed: 1 });
  try {
    assert.deepEqual(policy.head, { kind: 'gaussian', actionSize: 2 });
    assert.deepEqual(policy.layerSizes, [2, 4, 2]);
    assert.equal(policy.params.length, 5);
    assert.deepEqual(policy.params[4].shape, [2]);
    assert.deepEqual([...policy.params[4].dataSync()], [0, 0]);
    assert.equal(policy.numParams, 2 * 4 + 4 + 4 * 2 + 2 + 2);
    assert.equal(policy.numActions, 0);
    assert.equal(policy.actionSize, 2);
    assert.throws(() => dm.createPolicy({ obsDim: 2, actionSize: 2, numActions: 3 }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'numActions');
  } finally {
    policy.dispose();
  }
});

test('log-prob and REINFORCE gradient: tfjs and wasm = float64 (itself = central differences), log-std included', () => {
  const batch = randomGaussBatch(3, 150, OBS, SIZE, true);
  for (const activation of ['tanh', 'relu'] as const) {
    const policy = makePolicy([9, 6], activation, 2);
    try {
      const theta = params64(policy);
      // log π per row: tfjs head vs float64
      const lp64 = gaussLogProb64(theta, batch.obs, batch.actions, batch.n, activation);
      const lp = tf.tidy(() => {
        const obs = tf.tensor2d(Float32Array.from(batch.obs), [batch.n, OBS]);
        const means = policy.logits(policy.params, obs);
        const loss = dm.reinforceLoss(policy, { obs, actions: tf.tensor2d(Float32Array.from(batch.actions), [batch.n, SIZE]), advantages: tf.fill([batch.n], -1) });
        return { means: means.dataSync().slice(), loss: loss.dataSync()[0] };
      });
      let meanLp = 0;
      for (const v of lp64) meanLp += v / batch.n;
      assert.ok(Math.abs(lp.loss - meanLp) <= 1e-5 * Math.abs(meanLp), `mean log π: tfjs ${lp.loss} vs ${meanLp}`);
      // the analytic float64 gradient = central differences of the float64 loss
      const grad64 = gaussLossGrad64(theta, batch, activation);
      const fd = finiteDifferenceGrad((t) => gaussLoss64(t, batch, activation), theta, 1e-6);
      const errFd = relativeError(grad64, fd);
      assert.ok(errFd <= 1e-7, `float64 analytic vs differences: ${errFd}`);
      // tfjs gradient
      const tfjsGrad = tf.tidy(() => {
        const b = { obs: tf.tensor2d(Float32Array.from(batch.obs), [batch.n, OBS]), actions: tf.tensor2d(Float32Array.from(batch.actions), [batch.n, SIZE]),
          advantages: tf.tensor1d(Float32Array.from(batch.advantages)), weights: tf.tensor1d(Float32Array.from(batch.weights!)) };
        const g = tf.grads((...p: ReturnType<typeof tf.zeros>[]) => dm.reinforceLoss(p, b, { activation }))(policy.params);
        return dm.flattenTensors(g);
      });
      // wasm gradient (the kernel of dm.policyGradient)
      const n = batch.n;
      const traj = new dm.Trajectories('synthetic', OBS, 0, 1, 1, new Float32Array(2), new Float32Array(1), Int32Array.of(n), new Uint8Array(1),
        Float32Array.from(batch.obs), Float32Array.from(batch.actions), new Float32Array(n), new Float32Array(n), SIZE);
      const wasmGrad = dm.policyGradient(policy, traj, { advantages: { returns: new Float32Array(n), values: new Float32Array(n), advantages: Float32Array.from(batch.advantages), weights: Float32Array.from(batch.weights!), baselineFailures: 0 } });
      const ref = flat64(grad64);
      const errTfjs = relativeError([tfjsGrad], [ref]), errWasm = relativeError([wasmGrad], [ref]);
      const logStdErr = maxRelative(wasmGrad.subarray(-SIZE), ref.slice(-SIZE));
      console.log(`${activation}: REINFORCE gradient vs float64: tfjs ${errTfjs.toExponential(2)}, wasm ${errWasm.toExponential(2)} (log-std ${logStdErr.toExponential(2)}); float64 vs FD ${errFd.toExponential(2)}`);
      assert.ok(errTfjs <= 1e-5 && errWasm <= 1e-5 && logStdErr <= 1e-5, `tfjs ${errTfjs}, wasm ${errWasm}, log-std ${logStdErr}`);
    } finally {
      policy.dispose();
    }
  }
});

// ---- the meta-gradient: wasm = tfjs, both = float64 ----

const INNER = randomGaussBatch(31, 150, OBS, SIZE, true), OUTER = randomGaussBatch(32, 70, OBS, SIZE);
const AGREEMENT = 1e-4;

for (const activation of ['tanh', 'relu'] as const) {
  test(`meta-gradient: wasm engine = tfjs engine (${activation}; k = 1, 2, 3; MAML and Meta-SGD; naive and lvc; orders 1 and 2)`, () => {
    const policy = makePolicy([9, 16, 6], activation, 3);
    const r = testRandom(8);
    const alpha = Float32Array.from({ length: policy.numParams }, () => Math.fround(0.05 + 0.2 * r()));
    const data = { inner: rows(INNER), outer: rows(OUTER) };
    let worst = 0;
    try {
      for (const estimator of ['naive', 'lvc'] as const) {
        for (const innerSteps of [1, 2, 3]) {
          for (const innerLr of [0.15, alpha]) {
            for (const order of [2, 1] as const) {
              const options = { innerLr, innerSteps, order, estimator };
              const w = dm.metaGradient(policy, data, { ...options, engine: 'wasm' });
              const t = dm.metaGradient(policy, data, { ...options, engine: 'tfjs' });
              const name = `${estimator} k=${innerSteps} ${typeof innerLr === 'number' ? 'MAML' : 'Meta-SGD'} order ${order}`;
              const errTheta = maxRelative(w.theta, t.theta);
              const errStd = maxRelative(w.theta.subarray(-SIZE), t.theta.subarray(-SIZE));
              assert.ok(errTheta <= AGREEMENT && errStd <= AGREEMENT, `${name}: θ ${errTheta}, log-std ${errStd}`);
              worst = Math.max(worst, errTheta, errStd);
              if (typeof innerLr !== 'number') {
                const errAlpha = maxRelative(w.innerLr!, t.innerLr!);
                const errAlphaStd = maxRelative(w.innerLr!.subarray(-SIZE), t.innerLr!.subarray(-SIZE));
                assert.ok(errAlpha <= AGREEMENT && errAlphaStd <= AGREEMENT, `${name}: α ${errAlpha}, log-std's α ${errAlphaStd}`);
                worst = Math.max(worst, errAlpha, errAlphaStd);
              }
            }
            const second = dm.metaGradient(policy, data, { innerLr, innerSteps, estimator });
            const first = dm.metaGradient(policy, data, { innerLr, innerSteps, estimator, order: 1 });
            assert.ok(maxRelative(first.theta, second.theta) > 100 * AGREEMENT, 'orders 1 and 2 differ clearly');
          }
        }
      }
      console.log(`${activation}: wasm vs tfjs meta-gradient, worst max-relative ${worst.toExponential(2)}`);
    } finally {
      policy.dispose();
    }
  });
}

const FD_INNER = randomGaussBatch(11, 24, OBS, SIZE, true), FD_OUTER = randomGaussBatch(12, 24, OBS, SIZE);
const FD_STEP = 1e-5, FD_TOLERANCE = 1e-4;

/** ∇ log π(a_n|s_n) in float64: the loss of row n alone with A = −1. */
function scoreGrad64(theta: Params64, n: number, act: Act): Params64 {
  const D = OBS;
  return gaussLossGrad64(theta, { n: 1, obs: FD_INNER.obs.slice(n * D, (n + 1) * D), actions: FD_INNER.actions.slice(n * SIZE, (n + 1) * SIZE), advantages: Float64Array.of(-1) }, act);
}

/** H_in(θ)·u in float64: central differences of the naive gradient, minus ProMP's term for 'lvc'. */
function hvp64(theta: Params64, u: Params64, act: Act, estimator: dm.Estimator): Params64 {
  const shifted = (sign: number) => gaussLossGrad64(theta.map((p, i) => p.map((x, k) => x + sign * FD_STEP * u[i][k])), FD_INNER, act);
  const plus = shifted(1), minus = shifted(-1);
  const hu = plus.map((p, i) => p.map((x, k) => (x - minus[i][k]) / (2 * FD_STEP)));
  if (estimator === 'lvc') {
    const w = FD_INNER.weights!, total = w.reduce((s, x) => s + x, 0);
    for (let n = 0; n < FD_INNER.n; n++) {
      const g = scoreGrad64(theta, n, act);
      let gu = 0;
      g.forEach((gi, i) => gi.forEach((x, k) => { gu += x * u[i][k]; }));
      const c = (w[n] * FD_INNER.advantages[n] * gu) / total;
      g.forEach((gi, i) => gi.forEach((x, k) => { hu[i][k] -= c * x; }));
    }
  }
  return hu;
}

function recursion64(theta: Params64, alpha: Params64, act: Act, steps: number, estimator: dm.Estimator): { theta: Params64; alpha: Params64 } {
  const thetas = [theta], grads: Params64[] = [];
  for (let j = 0; j < steps; j++) {
    grads.push(gaussLossGrad64(thetas[j], FD_INNER, act));
    thetas.push(thetas[j].map((p, i) => p.map((x, k) => x - alpha[i][k] * grads[j][i][k])));
  }
  let v = gaussLossGrad64(thetas[steps], FD_OUTER, act);
  const gAlpha = theta.map((p) => new Float64Array(p.length));
  for (let j = steps - 1; j >= 0; j--) {
    grads[j].forEach((g, i) => g.forEach((x, k) => { gAlpha[i][k] -= x * v[i][k]; }));
    const hu = hvp64(thetas[j], v.map((p, i) => p.map((x, k) => alpha[i][k] * x)), act, estimator);
    v = v.map((p, i) => p.map((x, k) => x - hu[i][k]));
  }
  return { theta: v, alpha: gAlpha };
}

for (const activation of ['tanh', 'relu'] as const) {
  for (const steps of [1, 2]) {
    test(`meta-gradient: both engines = float64 (${activation}, k = ${steps}): MAML by central differences of θ ↦ L_out(θ_k(θ)); Meta-SGD θ and α, naive and lvc`, () => {
      const policy = makePolicy([5, 5], activation, 7 + steps);
      const theta64 = params64(policy);
      const r = testRandom(5);
      const alpha64 = theta64.map((p) => p.map(() => Math.fround(0.1 + 0.3 * r())));
      const alpha = Float32Array.from(flat64(alpha64));
      const data = { inner: rows(FD_INNER), outer: rows(FD_OUTER) };
      try {
        const maml = finiteDifferenceGrad((t) => gaussLoss64(gaussAdapt64(t, FD_INNER, activation, 0.3, steps), FD_OUTER, activation), theta64, FD_STEP);
        const refTheta = finiteDifferenceGrad((t) => gaussLoss64(gaussAdapt64(t, FD_INNER, activation, alpha64, steps), FD_OUTER, activation), theta64, FD_STEP);
        const refAlpha = finiteDifferenceGrad((a) => gaussLoss64(gaussAdapt64(theta64, FD_INNER, activation, a, steps), FD_OUTER, activation), alpha64, FD_STEP);
        const naive = recursion64(theta64, alpha64, activation, steps, 'naive');
        assert.ok(relativeError(naive.theta, refTheta) <= FD_TOLERANCE && relativeError(naive.alpha, refAlpha) <= FD_TOLERANCE, 'recursion64 = the composite');
        const lvc = recursion64(theta64, alpha64, activation, steps, 'lvc');
        assert.ok(relativeError(lvc.theta, refTheta) > 1e-2, 'the LVC reference differs from the naive one');
        const report: string[] = [];
        for (const engine of dm.GRAD_ENGINES) {
          const g = dm.metaGradient(policy, data, { innerLr: 0.3, innerSteps: steps, engine });
          const err = relativeError([g.theta], [flat64(maml)]);
          report.push(`${engine} MAML ${err.toExponential(1)}`);
          assert.ok(err <= FD_TOLERANCE, `${engine} MAML: ${err}`);
          for (const [estimator, ref] of [['naive', { theta: refTheta, alpha: refAlpha }], ['lvc', lvc]] as const) {
            const m = dm.metaGradient(policy, data, { innerLr: alpha, innerSteps: steps, estimator, engine });
            const errTheta = relativeError([m.theta], [flat64(ref.theta)]), errAlpha = relativeError([m.innerLr!], [flat64(ref.alpha)]);
            const errStdAlpha = relativeError([m.innerLr!.subarray(-SIZE)], [ref.alpha[ref.alpha.length - 1]]);
            report.push(`${engine} Meta-SGD ${estimator} θ ${errTheta.toExponential(1)} α ${errAlpha.toExponential(1)} (log-std α ${errStdAlpha.toExponential(1)})`);
            assert.ok(errTheta <= FD_TOLERANCE && errAlpha <= FD_TOLERANCE && errStdAlpha <= FD_TOLERANCE, `${engine} ${estimator}: θ ${errTheta}, α ${errAlpha}, log-std α ${errStdAlpha}`);
          }
        }
        console.log(`${activation} k=${steps}: ${report.join('; ')}`);
      } finally {
        policy.dispose();
      }
    });
  }
}

// ---- sampling ----

test('sampled actions: mean and variance per component match the head (z and χ² tests), log π recorded = float64, unclipped', () => {
  const family = dm.taskFamily('Navigation2D-v0');
  const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [8], seed: 1 });
  const mu = [0.3, -0.2], logStd = [Math.log(0.5), Math.log(1.5)].map(Math.fround);
  try {
    // Zero kernels: the mean is the last bias whatever the position.
    const flat = new Float32Array(policy.numParams);
    const lastBias = policy.numParams - 2 - 2;
    flat.set(mu, lastBias);
    flat.set(logStd, policy.numParams - 2);
    policy.setFlat(flat);
    const traj = dm.rollout(family, policy, family.sample(4, { seed: 1 }), { episodes: 50, maxSteps: 20, seed: 7 });
    const n = traj.numSteps;
    assert.ok(n >= 3000, `${n} samples`);
    const a = traj.actions as Float32Array;
    let outside = 0;
    for (let j = 0; j < 2; j++) {
      let sum = 0, sq = 0;
      for (let i = 0; i < n; i++) sum += a[2 * i + j];
      const mean = sum / n;
      for (let i = 0; i < n; i++) sq += (a[2 * i + j] - mean) ** 2;
      const sigma = Math.exp(logStd[j]);
      const z = (mean - Math.fround(mu[j])) / (sigma / Math.sqrt(n));
      // (n − 1)·s²/σ² ~ χ²(n − 1) ≈ N(n − 1, 2(n − 1))
      const chi = sq / (sigma * sigma);
      const zChi = (chi - (n - 1)) / Math.sqrt(2 * (n - 1));
      console.log(`component ${j}: n ${n}, mean ${mean.toFixed(4)} (μ ${mu[j]}), z ${z.toFixed(2)}; std ${Math.sqrt(sq / (n - 1)).toFixed(4)} (σ ${sigma.toFixed(4)}), χ² z ${zChi.toFixed(2)}`);
      assert.ok(Math.abs(z) < 4, `mean z ${z}`);
      assert.ok(Math.abs(zChi) < 4, `variance z ${zChi}`);
      for (let i = 0; i < n; i++) if (Math.abs(a[2 * i + j]) > 0.1) outside++;
    }
    assert.ok(outside > n, 'actions are recorded unclipped');
    // log π(a|s) as recorded = float64 from the recorded action
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < 2; j++) {
        const z = (a[2 * i + j] - Math.fround(mu[j])) / Math.exp(logStd[j]);
        lp += -0.5 * z * z - logStd[j] - 0.5 * Math.log(2 * Math.PI);
      }
      worst = Math.max(worst, Math.abs(traj.logProbs[i] - lp));
    }
    assert.ok(worst <= 1e-4, `log π recorded vs float64: ${worst}`);
  } finally {
    policy.dispose();
  }
});

test('sampling is deterministic and per lane: a task\'s episodes do not depend on the other tasks of the call', () => {
  const family = dm.taskFamily('Navigation2D-v0');
  const policy = makePolicy([16], 'tanh', 4, 2);
  try {
    const tasks = family.sample(5, { seed: 2 });
    const all = dm.rollout(family, policy, tasks, { episodes: 3, seed: 9 });
    const again = dm.rollout(family, policy, tasks, { episodes: 3, seed: 9 });
    assert.deepEqual(again.actions, all.actions);
    for (const i of [0, 3]) {
      const alone = dm.rollout(family, policy, tasks.slice(2 * i, 2 * i + 2), { episodes: 3, seed: 9, taskIds: [i] });
      const part = all.task(i);
      assert.deepEqual(alone.actions, part.actions, `task ${i}: actions`);
      assert.deepEqual(alone.obs, part.obs, `task ${i}: obs`);
      assert.deepEqual(alone.logProbs, part.logProbs, `task ${i}: log π`);
    }
    const other = dm.rollout(family, policy, tasks, { episodes: 3, seed: 10 });
    assert.notDeepEqual(other.actions, all.actions);
  } finally {
    policy.dispose();
  }
});

test('no leak: rollouts, gradients and meta-gradients of a Gaussian policy keep tfjs tensors and WASM memory flat', () => {
  const family = dm.taskFamily('Navigation2D-v0');
  const policy = makePolicy([16], 'tanh', 6, 2);
  const data = { inner: rows(randomGaussBatch(1, 60, 2, SIZE, true)), outer: rows(randomGaussBatch(2, 40, 2, SIZE)) };
  const alpha = new Float32Array(policy.numParams).fill(0.1);
  const round = (k: number) => {
    const traj = dm.rollout(family, policy, family.sample(2, { seed: k }), { episodes: 3, seed: k });
    dm.policyGradient(policy, traj);
    for (const engine of dm.GRAD_ENGINES) dm.metaGradient(policy, data, { innerLr: k % 2 ? 0.1 : alpha, innerSteps: 2, estimator: 'lvc', engine });
  };
  try {
    for (let k = 0; k < 3; k++) round(k); // warm-up: workspaces and scratch buffers reach their size
    const memory = dm.wasmExports().memory;
    const bytes = memory.buffer.byteLength, tensors = tf.memory().numTensors;
    for (let k = 0; k < 20; k++) round(k);
    assert.equal(memory.buffer.byteLength, bytes, 'WASM memory grew');
    assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
  } finally {
    policy.dispose();
  }
});
