// dm.reinforceLoss (src/nn/loss.ts) against the float64 loss and hand-derived gradient of
// test/nn/mlp-reference.ts: values, weights, index vs one-hot actions, the first-order gradient and
// a Hessian-vector product (differentiated twice), on wasm and cpu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor } from '@tensorflow/tfjs';
import { loss64, lossGrad64, randomBatch, relativeError, splitFlat, testRandom, type Act, type Batch64 } from './mlp-reference';

const tf = dm.tf;

before(async () => { await dm.init({ backend: 'wasm' }); });
after(async () => { await tf.setBackend('wasm'); });

const OBS_DIM = 4, NUM_ACTIONS = 3;

function tensors(b: Batch64, oneHot = false): dm.ReinforceBatch {
  return {
    obs: tf.tensor2d(Float32Array.from(b.obs), [b.n, OBS_DIM]),
    actions: oneHot ? tf.cast(tf.oneHot(tf.tensor1d(b.actions, 'int32'), NUM_ACTIONS), 'float32') : tf.tensor1d(b.actions, 'int32'),
    advantages: tf.tensor1d(Float32Array.from(b.advantages)),
    ...(b.weights ? { weights: tf.tensor1d(Float32Array.from(b.weights)) } : {}),
  };
}

function makePolicy(activation: Act) {
  const policy = dm.createPolicy({ obsDim: OBS_DIM, numActions: NUM_ACTIONS, hidden: [6, 5], activation, seed: 3 });
  const r = testRandom(31);
  policy.setFlat(Float32Array.from({ length: policy.numParams }, () => Math.fround(r() - 0.5)));
  return { policy, theta64: splitFlat(policy.getFlat(), policy.layerSizes) };
}

for (const backend of ['wasm', 'cpu'] as const) {
  for (const activation of ['tanh', 'relu'] as const) {
    test(`value and gradient = float64; int indices = one-hot (${backend}, ${activation})`, async () => {
      await tf.setBackend(backend);
      const { policy, theta64 } = makePolicy(activation);
      const batch = randomBatch(5, 40, OBS_DIM, NUM_ACTIONS);
      try {
        const [indexLoss, oneHotLoss, grads] = tf.tidy(() => {
          const idx = tensors(batch), hot = tensors(batch, true);
          const g = tf.grads((...p: Tensor[]) => dm.reinforceLoss(p, idx, { activation }))(policy.params);
          return [dm.reinforceLoss(policy.params, idx, { activation }).dataSync()[0], dm.reinforceLoss(policy.params, hot, { activation }).dataSync()[0], g.map((t) => t.dataSync())];
        });
        const ref = loss64(theta64, batch, activation);
        assert.ok(Math.abs(indexLoss - ref) <= 1e-5 * (1 + Math.abs(ref)), `${indexLoss} vs ${ref}`);
        assert.ok(Math.abs(oneHotLoss - indexLoss) <= 1e-7 * (1 + Math.abs(ref)), `one-hot ${oneHotLoss} vs indices ${indexLoss}`);
        const err = relativeError(grads, lossGrad64(theta64, batch, activation));
        assert.ok(err <= 1e-5, `gradient relative error ${err}`);
      } finally {
        policy.dispose();
      }
    });
  }

  test(`weights: −Σ w·logπ·A / Σ w, zero-weight rows do not matter (${backend})`, async () => {
    await tf.setBackend(backend);
    const activation = 'tanh';
    const { policy, theta64 } = makePolicy(activation);
    const batch = randomBatch(6, 30, OBS_DIM, NUM_ACTIONS, true);
    assert.ok(batch.weights!.some((w) => w === 0), 'the batch has zero-weight rows');
    // The same batch with other actions and advantages on the zero-weight rows.
    const altered: Batch64 = {
      ...batch,
      actions: batch.actions.map((a, i) => (batch.weights![i] === 0 ? (a + 1) % NUM_ACTIONS : a)),
      advantages: batch.advantages.map((v, i) => (batch.weights![i] === 0 ? 100 : v)),
    };
    try {
      const [weighted, alteredLoss, unweighted] = tf.tidy(() => [
        dm.reinforceLoss(policy.params, tensors(batch)).dataSync()[0],
        dm.reinforceLoss(policy.params, tensors(altered)).dataSync()[0],
        dm.reinforceLoss(policy.params, { ...tensors(batch), weights: undefined }).dataSync()[0],
      ]);
      const ref = loss64(theta64, batch, activation);
      assert.ok(Math.abs(weighted - ref) <= 1e-5 * (1 + Math.abs(ref)), `${weighted} vs ${ref}`);
      assert.ok(Math.abs(alteredLoss - weighted) <= 1e-6 * (1 + Math.abs(ref)));
      const refUnweighted = loss64(theta64, { ...batch, weights: undefined }, activation);
      assert.ok(Math.abs(unweighted - refUnweighted) <= 1e-5 * (1 + Math.abs(refUnweighted)));
      assert.ok(Math.abs(unweighted - weighted) > 1e-3, 'the weights change the loss');
    } finally {
      policy.dispose();
    }
  });

  test(`differentiable twice: Hessian-vector product = float64 differences of the gradient (${backend})`, async () => {
    await tf.setBackend(backend);
    for (const activation of ['tanh', 'relu'] as const) {
      const { policy, theta64 } = makePolicy(activation);
      const batch = randomBatch(8, 20, OBS_DIM, NUM_ACTIONS, true);
      const r = testRandom(77);
      const v64 = theta64.map((p) => p.map(() => Math.fround(r() - 0.5)));
      try {
        const hv = tf.tidy(() => {
          const b = tensors(batch);
          const v = v64.map((a, i) => tf.tensor(Float32Array.from(a), policy.params[i].shape));
          const gradDotV = (...p: Tensor[]) => {
            const g = tf.grads((...q: Tensor[]) => dm.reinforceLoss(q, b, { activation }))(p);
            return tf.addN(g.map((gi, i) => tf.sum(tf.mul(gi, v[i]))));
          };
          return tf.grads(gradDotV)(policy.params).map((t) => t.dataSync());
        });
        const h = 1e-5;
        const plus = lossGrad64(theta64.map((p, i) => p.map((x, k) => x + h * v64[i][k])), batch, activation);
        const minus = lossGrad64(theta64.map((p, i) => p.map((x, k) => x - h * v64[i][k])), batch, activation);
        const ref = plus.map((p, i) => p.map((x, k) => (x - minus[i][k]) / (2 * h)));
        const err = relativeError(hv, ref);
        assert.ok(err <= 1e-4, `${activation}: relative error ${err}`);
      } finally {
        policy.dispose();
      }
    }
  });
}

test('the forward: { activation }, a Policy (as params or options), the activation the params carry, or a custom logits function', async () => {
  await tf.setBackend('wasm');
  const { policy, theta64 } = makePolicy('relu');
  const batch = randomBatch(9, 12, OBS_DIM, NUM_ACTIONS);
  try {
    const [asOption, asPolicy, asParams, carried, adapted, adaptedExplicit, custom] = tf.tidy(() => {
      const b = tensors(batch);
      const step = (lossFn: (p: Tensor[]) => Tensor) => dm.adapt(policy.params, lossFn as dm.LossFn, { lr: 0.1, steps: 2 });
      return [
        dm.reinforceLoss(policy.params, b, { activation: 'relu' }),
        dm.reinforceLoss(policy.params, b, policy),
        dm.reinforceLoss(policy, b),
        dm.reinforceLoss(policy.params, b), // the variables carry 'relu'
        dm.reinforceLoss(step((p) => dm.reinforceLoss(p, b)), b), // so do the tensors dm.adapt derives from them
        dm.reinforceLoss(step((p) => dm.reinforceLoss(p, b, { activation: 'relu' })), b, { activation: 'relu' }),
        // a linear "policy" from the first kernel's first 3 columns, to show the forward is replaced
        dm.reinforceLoss(policy.params, b, { logits: (p, obs) => tf.matMul(obs, tf.slice(p[0], [0, 0], [OBS_DIM, NUM_ACTIONS])) }),
      ].map((t) => t.dataSync()[0]);
    });
    const ref = loss64(theta64, batch, 'relu');
    assert.ok(Math.abs(asOption - ref) <= 1e-5 * (1 + Math.abs(ref)));
    assert.equal(asPolicy, asOption);
    assert.equal(asParams, asOption);
    assert.equal(carried, asOption, "a relu policy's params give the relu loss without being told");
    assert.notEqual(carried, loss64(theta64, batch, 'tanh'));
    assert.equal(adapted, adaptedExplicit);
    // Never a guess: tensors that carry no activation need one, and a wrong one is refused.
    const b = tensors(batch);
    const copies = policy.params.map((p) => tf.clone(p));
    const isActivationError = (e: unknown) => e instanceof dm.ConfigError && e.field === 'activation';
    assert.throws(() => dm.reinforceLoss(copies, b), isActivationError);
    assert.throws(() => dm.reinforceLoss(policy.params, b, { activation: 'tanh' }), isActivationError);
    assert.ok(Math.abs(tf.tidy(() => dm.reinforceLoss(copies, b, { activation: 'relu' }).dataSync()[0]) - asOption) <= 1e-6, 'uncarried tensors with { activation }');
    const linearPolicy = dm.createPolicy({ obsDim: OBS_DIM, numActions: NUM_ACTIONS, hidden: [], seed: 1 });
    const linearCopies = linearPolicy.params.map((p) => tf.clone(p));
    assert.equal(tf.tidy(() => dm.reinforceLoss(linearCopies, b).dataSync()[0]), tf.tidy(() => dm.reinforceLoss(linearPolicy, b).dataSync()[0]), 'a linear policy needs no activation');
    tf.dispose([...copies, ...linearCopies, ...Object.values(b)]);
    linearPolicy.dispose();
    const W1 = theta64[0];
    const linear = [Float64Array.from({ length: OBS_DIM * NUM_ACTIONS }, (_, k) => W1[Math.floor(k / NUM_ACTIONS) * 6 + (k % NUM_ACTIONS)]), new Float64Array(NUM_ACTIONS)];
    assert.ok(Math.abs(custom - loss64(linear, batch, 'tanh')) <= 1e-5 * (1 + Math.abs(custom)));
  } finally {
    policy.dispose();
  }
});

test('bad batches and params throw ConfigError naming the field', async () => {
  await tf.setBackend('wasm');
  const { policy } = makePolicy('tanh');
  const batch = randomBatch(10, 6, OBS_DIM, NUM_ACTIONS);
  const expectField = (fn: () => unknown, field: string) =>
    assert.throws(fn, (e: unknown) => e instanceof dm.ConfigError && e.field === field, `expected ConfigError on ${field}`);
  const b = tensors(batch);
  try {
    expectField(() => dm.reinforceLoss(policy.params, { ...b, actions: tf.tensor1d(Array.from(batch.actions)) }), 'actions.dtype');
    expectField(() => dm.reinforceLoss(policy.params, { ...b, actions: tf.zeros([6, NUM_ACTIONS + 1]) }), 'actions.shape');
    expectField(() => dm.reinforceLoss(policy.params, { ...b, advantages: tf.zeros([5]) }), 'advantages.shape');
    expectField(() => dm.reinforceLoss(policy.params, { ...b, weights: tf.zeros([6, 1]) }), 'weights.shape');
    expectField(() => dm.reinforceLoss(policy.params, { ...b, obs: tf.zeros([6, OBS_DIM + 1]) }), 'obs.shape');
    expectField(() => dm.reinforceLoss(policy.params.slice(1), b), 'params');
    expectField(() => dm.reinforceLoss(policy.params, b, { activation: 'elu' as 'tanh' }), 'activation');
  } finally {
    tf.dispose(Object.values(b));
    policy.dispose();
  }
});
