// estimator 'lvc' of dm.reinforceLoss (ProMP's low-variance curvature surrogate) against float64:
// its gradient equals the naive one; its Hessian is the naive Hessian minus
// Σ w·A·∇log π ∇log πᵀ / Σ w, the term that credits how θ moves the sampling distribution.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor } from '@tensorflow/tfjs';
import { lossGrad64, randomBatch, relativeError, splitFlat, testRandom, type Batch64 } from './mlp-reference';

const tf = dm.tf;
const OBS_DIM = 4, NUM_ACTIONS = 3;

before(async () => { await dm.init({ backend: 'wasm' }); });

function tensors(b: Batch64): dm.ReinforceBatch {
  return {
    obs: tf.tensor2d(Float32Array.from(b.obs), [b.n, OBS_DIM]),
    actions: tf.tensor1d(b.actions, 'int32'),
    advantages: tf.tensor1d(Float32Array.from(b.advantages)),
    ...(b.weights ? { weights: tf.tensor1d(Float32Array.from(b.weights)) } : {}),
  };
}

function makePolicy() {
  const policy = dm.createPolicy({ obsDim: OBS_DIM, numActions: NUM_ACTIONS, hidden: [6, 5], activation: 'tanh', seed: 3 });
  const r = testRandom(41);
  policy.setFlat(Float32Array.from({ length: policy.numParams }, () => Math.fround(r() - 0.5)));
  return { policy, theta64: splitFlat(policy.getFlat(), policy.layerSizes) };
}

/** ∇ log π(a_n|s_n) in float64: the naive loss of the single row n with A = −1, w = 1. */
function scoreGrad64(theta: Float64Array[], batch: Batch64, n: number): Float64Array[] {
  const row: Batch64 = {
    n: 1, obs: batch.obs.slice(n * OBS_DIM, (n + 1) * OBS_DIM), actions: batch.actions.slice(n, n + 1),
    advantages: Float64Array.of(-1),
  };
  return lossGrad64(theta, row, 'tanh');
}

test("lvc: the same gradient as the naive surrogate", () => {
  const { policy } = makePolicy();
  const batch = randomBatch(12, 30, OBS_DIM, NUM_ACTIONS, true);
  const [naive, lvc] = tf.tidy(() => {
    const b = tensors(batch);
    const grad = (estimator: dm.Estimator) => tf.grads((...p: Tensor[]) => dm.reinforceLoss(p, b, { estimator }))(policy.params).map((t) => t.dataSync());
    return [grad('naive'), grad('lvc')];
  });
  assert.ok(relativeError(lvc, naive) <= 1e-6, `relative error ${relativeError(lvc, naive)}`);
  policy.dispose();
});

test('lvc: Hessian-vector product = float64 naive Hessian − Σ w·A·(∇logπ·v)∇logπ / Σ w', () => {
  const { policy, theta64 } = makePolicy();
  const batch = randomBatch(13, 25, OBS_DIM, NUM_ACTIONS, true);
  const r = testRandom(77);
  const v64 = theta64.map((p) => p.map(() => Math.fround(r() - 0.5)));
  const hvp = (estimator: dm.Estimator) => tf.tidy(() => {
    const b = tensors(batch);
    const v = v64.map((a, i) => tf.tensor(Float32Array.from(a), policy.params[i].shape));
    const gradDotV = (...p: Tensor[]) => {
      const g = tf.grads((...q: Tensor[]) => dm.reinforceLoss(q, b, { estimator }))(p);
      return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]))));
    };
    return tf.grads(gradDotV)(policy.params).map((t) => t.dataSync());
  });
  // Naive Hessian · v by central differences of the float64 gradient.
  const h = 1e-5;
  const plus = lossGrad64(theta64.map((p, i) => p.map((x, k) => x + h * v64[i][k])), batch, 'tanh');
  const minus = lossGrad64(theta64.map((p, i) => p.map((x, k) => x - h * v64[i][k])), batch, 'tanh');
  const naiveRef = plus.map((p, i) => p.map((x, k) => (x - minus[i][k]) / (2 * h)));
  // The sampling-distribution term.
  const weights = batch.weights!;
  const total = weights.reduce((a, b) => a + b, 0);
  const lvcRef = naiveRef.map((p) => Float64Array.from(p));
  for (let n = 0; n < batch.n; n++) {
    const g = scoreGrad64(theta64, batch, n);
    let gv = 0;
    g.forEach((gi, i) => gi.forEach((x, k) => { gv += x * v64[i][k]; }));
    const c = (weights[n] * batch.advantages[n] * gv) / total;
    g.forEach((gi, i) => gi.forEach((x, k) => { lvcRef[i][k] -= c * x; }));
  }
  const naive = hvp('naive'), lvc = hvp('lvc');
  assert.ok(relativeError(naive, naiveRef) <= 1e-4, `naive: ${relativeError(naive, naiveRef)}`);
  assert.ok(relativeError(lvc, lvcRef) <= 1e-4, `lvc: ${relativeError(lvc, lvcRef)}`);
  assert.ok(relativeError(lvcRef, naiveRef) > 1e-2, 'the extra term is not negligible here, so the test can tell them apart');
  policy.dispose();
});

test("lvc in training: MAML's meta-gradient changes, FOMAML's does not; a bad name is refused", async () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16], seed: 5 });
  const theta = policy.getFlat();
  const advantage = { gamma: 0.99, lambda: 1 };
  const tasks = family.sample(1, { seed: 2 });
  const pre = dm.rollout(family, policy, tasks, { episodes: 6, seed: 3 });
  const adapted = dm.innerAdaptFlat(policy, pre, theta, 0.1, 1, advantage);
  const post = dm.rollout(family, policy, tasks, { episodes: 6, seed: 4, weights: adapted });
  const grad = (algo: dm.MetaAlgorithm) => dm.taskMetaGradient({ policy, algo, innerLr: algo.innerLr, advantage }, pre, post, adapted, true)[0];
  const diff = (a: Float32Array, b: Float32Array) => Math.max(...a.map((x, i) => Math.abs(x - b[i]))) / Math.max(...b.map(Math.abs));
  assert.ok(diff(grad(dm.maml({ estimator: 'lvc' })), grad(dm.maml())) > 1e-3);
  assert.ok(diff(grad(dm.fomaml({ estimator: 'lvc' })), grad(dm.fomaml())) < 1e-5);
  assert.throws(() => dm.maml({ estimator: 'dice' as dm.Estimator }), (e: Error) => e instanceof dm.ConfigError && /estimator/.test(e.message));
  const trainer = new dm.Trainer({ algo: 'directed-maml', estimator: 'lvc', metaBatch: 2, episodes: 3, maxSteps: 50, hidden: [8] });
  assert.equal(trainer.algo.estimator, 'lvc');
  for await (const m of trainer.run(2)) assert.ok(Number.isFinite(m.postReturn));
  trainer.dispose();
  policy.dispose();
});
