// dm.adapt: the exact second-order MAML meta-gradient (through dm.reinforceLoss and the gradient
// fixes) against a float64 central-finite-difference reference written in test/nn/mlp-reference.ts,
// on the wasm and cpu backends; FOMAML against its own float64 form; Meta-SGD's rates; memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor, Scalar } from '@tensorflow/tfjs';
import {
  adapt64, finiteDifferenceGrad, loss64, lossGrad64, randomBatch, relativeError, splitFlat, testRandom,
  type Act, type Batch64, type Params64,
} from '../nn/mlp-reference';

const tf = dm.tf;

// tfjs's own gradients of the ops the fixes replace, captured before dm.init installs the fixes,
// to show the size of the error the fixes remove.
const STOCK_GRADIENTS = ['Tanh', 'Exp', 'Sigmoid', 'Softmax'].map((k) => tf.getGradient(k));

const OBS_DIM = 3, NUM_ACTIONS = 3, HIDDEN = [5, 5];
const INNER = randomBatch(11, 24, OBS_DIM, NUM_ACTIONS);
const OUTER = randomBatch(12, 24, OBS_DIM, NUM_ACTIONS);
const INNER_LR = 0.5;
const TOLERANCE = 1e-3; // relative L2 error of the meta-gradient
const FD_STEP = 1e-5; // float64 central differences: truncation ~1e-10, round-off ~1e-11

before(async () => {
  assert.ok(STOCK_GRADIENTS.every((g) => g.outputsToSave?.[0] === true), 'captured the stock (output-saving) gradients');
  await dm.init({ backend: 'wasm' });
});
after(async () => { await tf.setBackend('wasm'); });

function batchTensors(b: Batch64): dm.ReinforceBatch {
  return {
    obs: tf.tensor2d(Float32Array.from(b.obs), [b.n, b.obs.length / b.n]),
    actions: tf.tensor1d(b.actions, 'int32'),
    advantages: tf.tensor1d(Float32Array.from(b.advantages)),
    ...(b.weights ? { weights: tf.tensor1d(Float32Array.from(b.weights)) } : {}),
  };
}

/** A policy with seeded Xavier kernels and random non-zero biases; its float64 copy. */
function makePolicy(activation: Act, seed: number): { policy: dm.Policy; theta64: Params64 } {
  const policy = dm.createPolicy({ obsDim: OBS_DIM, numActions: NUM_ACTIONS, hidden: HIDDEN, activation, seed });
  const r = testRandom(seed + 1000);
  const params = splitFlat(policy.getFlat(), policy.layerSizes);
  for (let l = 1; l < params.length; l += 2) params[l] = params[l].map(() => Math.fround(0.4 * r() - 0.2));
  policy.setFlat(Float32Array.from(params.flatMap((p) => [...p])));
  return { policy, theta64: splitFlat(policy.getFlat(), policy.layerSizes) };
}

/** d/dθ (and d/dα for Meta-SGD) of L_out(adapt(θ, L_in)) by tfjs, as Float64Arrays. */
function metaGradient(policy: dm.Policy, activation: Act, options: { lr: number | Params64; steps: number; order: 1 | 2 }): Params64 {
  const grads = tf.tidy(() => {
    const inner = batchTensors(INNER), outer = batchTensors(OUTER);
    const lrTensors = typeof options.lr === 'number' ? null : options.lr.map((a, i) => tf.tensor(Float32Array.from(a), policy.params[i].shape));
    const numTheta = policy.params.length;
    const xs: Tensor[] = [...policy.params, ...(lrTensors ?? [])];
    return tf.grads((...vars: Tensor[]) => {
      const theta = vars.slice(0, numTheta);
      const lr = lrTensors ? vars.slice(numTheta) : (options.lr as number);
      const adapted = dm.adapt(theta, (p) => dm.reinforceLoss(p, inner, { activation }), { lr, steps: options.steps, order: options.order });
      return dm.reinforceLoss(adapted, outer, { activation });
    })(xs);
  });
  const out = grads.map((g) => Float64Array.from(g.dataSync()));
  tf.dispose(grads);
  return out;
}

/** Float64 reference: central differences of θ ↦ L_out(adapt64(θ)). */
function referenceMetaGradient(theta64: Params64, activation: Act, lr: number, steps: number): Params64 {
  return finiteDifferenceGrad((theta) => loss64(adapt64(theta, INNER, activation, lr, steps), OUTER, activation), theta64, FD_STEP);
}

/** Float64 FOMAML: the inner gradients are constants, so d/dθ = ∇L_out(θ_k). */
function referenceFirstOrder(theta64: Params64, activation: Act, lr: number, steps: number): Params64 {
  return lossGrad64(adapt64(theta64, INNER, activation, lr, steps), OUTER, activation);
}

/** Runs fn with tfjs's stock gradients for the fixed ops, then puts the fixes back. */
function withStockGradients<T>(fn: () => T): T {
  try {
    for (const g of STOCK_GRADIENTS) tf.registerGradient(g);
    return fn();
  } finally {
    dm.installGradientFixes();
  }
}

for (const backend of ['wasm', 'cpu'] as const) {
  for (const activation of ['tanh', 'relu'] as const) {
    for (const steps of [1, 2]) {
      test(`order-2 meta-gradient = float64 finite differences (${backend}, ${activation}, ${steps} inner step${steps > 1 ? 's' : ''})`, async () => {
        await tf.setBackend(backend);
        const { policy, theta64 } = makePolicy(activation, 7 + steps);
        try {
          const exact = metaGradient(policy, activation, { lr: INNER_LR, steps, order: 2 });
          const reference = referenceMetaGradient(theta64, activation, INNER_LR, steps);
          const err = relativeError(exact, reference);
          assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)} > ${TOLERANCE}`);

          // FOMAML: equals its own float64 form (the graph is cut exactly) and differs from MAML.
          const firstOrder = metaGradient(policy, activation, { lr: INNER_LR, steps, order: 1 });
          const errFirst = relativeError(firstOrder, referenceFirstOrder(theta64, activation, INNER_LR, steps));
          assert.ok(errFirst <= TOLERANCE, `FOMAML vs its float64 form: ${errFirst.toExponential(2)}`);
          const gap = relativeError(firstOrder, reference);
          assert.ok(gap > 20 * TOLERANCE, `FOMAML should differ from the exact meta-gradient clearly: ${gap.toExponential(2)}`);
          console.log(`${backend} ${activation} k=${steps}: MAML error ${err.toExponential(2)}, FOMAML error ${errFirst.toExponential(2)}, FOMAML−MAML gap ${gap.toExponential(2)}`);
        } finally {
          policy.dispose();
        }
      });
    }
  }
}

test('without the fixes (stock tfjs gradients) the same meta-gradient is clearly wrong', async () => {
  await tf.setBackend('wasm');
  for (const activation of ['tanh', 'relu'] as const) {
    const { policy, theta64 } = makePolicy(activation, 8);
    try {
      const reference = referenceMetaGradient(theta64, activation, INNER_LR, 1);
      const stock = withStockGradients(() => metaGradient(policy, activation, { lr: INNER_LR, steps: 1, order: 2 }));
      const fixed = metaGradient(policy, activation, { lr: INNER_LR, steps: 1, order: 2 });
      const errStock = relativeError(stock, reference), errFixed = relativeError(fixed, reference);
      console.log(`${activation}: stock tfjs error ${errStock.toExponential(2)}, with fixes ${errFixed.toExponential(2)}`);
      assert.ok(errStock > 10 * TOLERANCE, `stock error ${errStock.toExponential(2)} should exceed the tolerance clearly`);
      assert.ok(errFixed <= TOLERANCE, 'the fixes are back in place afterwards');
    } finally {
      policy.dispose();
    }
  }
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`Meta-SGD: gradients w.r.t. θ and the per-parameter rates α = float64 finite differences (${backend})`, async () => {
    await tf.setBackend(backend);
    const activation = 'tanh';
    const { policy, theta64 } = makePolicy(activation, 21);
    try {
      const r = testRandom(5);
      const alpha = theta64.map((p) => p.map(() => Math.fround(0.1 + 0.5 * r())));
      const steps = 2;
      const grads = metaGradient(policy, activation, { lr: alpha, steps, order: 2 });
      const gTheta = grads.slice(0, theta64.length), gAlpha = grads.slice(theta64.length);
      const refTheta = finiteDifferenceGrad((t) => loss64(adapt64(t, INNER, activation, alpha, steps), OUTER, activation), theta64, FD_STEP);
      const refAlpha = finiteDifferenceGrad((a) => loss64(adapt64(theta64, INNER, activation, a, steps), OUTER, activation), alpha, FD_STEP);
      const errTheta = relativeError(gTheta, refTheta), errAlpha = relativeError(gAlpha, refAlpha);
      assert.ok(errTheta <= TOLERANCE, `θ: ${errTheta.toExponential(2)}`);
      assert.ok(errAlpha <= TOLERANCE, `α: ${errAlpha.toExponential(2)}`);
      assert.ok(gAlpha.some((g) => g.some((v) => v !== 0)), 'the rates receive a gradient');

      // First-order Meta-SGD: θ_k = θ − α ⊙ Σ_s g_s with the g_s constant, so dL/dα = −Σ_s g_s ⊙ ∇L_out(θ_k).
      const fo = metaGradient(policy, activation, { lr: alpha, steps, order: 1 });
      let theta = theta64.map((p) => Float64Array.from(p));
      const sumG = theta64.map((p) => new Float64Array(p.length));
      for (let s = 0; s < steps; s++) {
        const g = lossGrad64(theta, INNER, activation);
        g.forEach((gi, i) => gi.forEach((v, k) => { sumG[i][k] += v; }));
        theta = theta.map((p, i) => p.map((v, k) => v - alpha[i][k] * g[i][k]));
      }
      const outerGrad = lossGrad64(theta, OUTER, activation);
      const refFoAlpha = outerGrad.map((gi, i) => gi.map((v, k) => -sumG[i][k] * v));
      assert.ok(relativeError(fo.slice(0, theta64.length), outerGrad) <= TOLERANCE, 'first-order θ gradient');
      assert.ok(relativeError(fo.slice(theta64.length), refFoAlpha) <= TOLERANCE, 'first-order α gradient');
    } finally {
      policy.dispose();
    }
  });
}

test('adapt outside any tape: one step is θ − α∇L, k steps follow the float64 loop', async () => {
  await tf.setBackend('wasm');
  const activation = 'relu';
  const { policy, theta64 } = makePolicy(activation, 3);
  try {
    for (const steps of [1, 3]) {
      for (const order of [1, 2] as const) {
        const adapted = tf.tidy(() => {
          const inner = batchTensors(INNER);
          return dm.adapt(policy.params, (p) => dm.reinforceLoss(p, inner, { activation }), { lr: 0.3, steps, order });
        });
        const expected = adapt64(theta64, INNER, activation, 0.3, steps);
        const got = adapted.map((t) => Float64Array.from(t.dataSync()));
        tf.dispose(adapted);
        assert.ok(relativeError(got, expected) <= 1e-5, `steps ${steps} order ${order}: ${relativeError(got, expected)}`);
      }
    }
  } finally {
    policy.dispose();
  }
});

test('steps = 0 returns new copies; the caller owns every returned tensor', async () => {
  await tf.setBackend('wasm');
  const { policy, theta64 } = makePolicy('tanh', 4);
  try {
    const copies = dm.adapt(policy.params, () => tf.scalar(0), { lr: 0.1, steps: 0 });
    copies.forEach((c, i) => assert.notEqual(c, policy.params[i]));
    tf.dispose(copies);
    assert.deepEqual(splitFlat(policy.getFlat(), policy.layerSizes), theta64, 'params untouched and alive');
  } finally {
    policy.dispose();
  }
});

test('bad options throw ConfigError naming the field', async () => {
  await tf.setBackend('wasm');
  const { policy } = makePolicy('tanh', 5);
  const inner = batchTensors(INNER);
  const lossFn = (p: Tensor[]) => dm.reinforceLoss(p, inner);
  const expectField = (fn: () => unknown, field: string) =>
    assert.throws(fn, (e: unknown) => e instanceof dm.ConfigError && e.field === field, `expected ConfigError on ${field}`);
  try {
    expectField(() => dm.adapt(policy.params, lossFn, { lr: -0.1 }), 'lr');
    expectField(() => dm.adapt(policy.params, lossFn, { lr: NaN }), 'lr');
    expectField(() => dm.adapt(policy.params, lossFn, { lr: [tf.zeros([1])] }), 'lr.length');
    expectField(() => dm.adapt(policy.params, lossFn, { lr: policy.params.map(() => tf.zeros([2])) }), 'lr[0].shape');
    expectField(() => dm.adapt(policy.params, lossFn, { lr: 0.1, steps: 1.5 }), 'steps');
    expectField(() => dm.adapt(policy.params, lossFn, { lr: 0.1, order: 3 as 2 }), 'order');
    expectField(() => dm.adapt([], lossFn, { lr: 0.1 }), 'params');
    expectField(() => dm.adapt(policy.params, (p) => tf.add(p[1], 0) as unknown as Scalar, { lr: 0.1 }), 'lossFn');
  } finally {
    tf.dispose(Object.values(inner));
    policy.dispose();
  }
});

test('no tensor leaks: repeated meta-gradients (order 2, order 1, Meta-SGD) inside tf.tidy', async () => {
  await tf.setBackend('wasm');
  const activation = 'tanh';
  const { policy } = makePolicy(activation, 6);
  const inner = batchTensors(INNER), outer = batchTensors(OUTER);
  const alpha = policy.params.map((p) => tf.fill(p.shape, 0.2));
  const metaStep = (order: 1 | 2, lr: number | Tensor[]) =>
    tf.tidy(() => {
      const xs = [...policy.params, ...(typeof lr === 'number' ? [] : lr)];
      const grads = tf.grads((...vars: Tensor[]) => {
        const theta = vars.slice(0, policy.params.length);
        const rates = typeof lr === 'number' ? lr : vars.slice(policy.params.length);
        const adapted = dm.adapt(theta, (p) => dm.reinforceLoss(p, inner, { activation }), { lr: rates, steps: 2, order });
        return dm.reinforceLoss(adapted, outer, { activation });
      })(xs);
      return tf.addN(grads.map((g) => tf.sum(g)));
    });
  try {
    tf.dispose(metaStep(2, 0.1)); // warm-up (backend-internal buffers)
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      tf.dispose(metaStep(2, 0.1));
      tf.dispose(metaStep(1, 0.1));
      tf.dispose(metaStep(2, alpha));
      const adapted = dm.adapt(policy.params, (p) => dm.reinforceLoss(p, inner, { activation }), { lr: 0.1, steps: 2 });
      tf.dispose(adapted);
    }
    assert.equal(tf.memory().numTensors, before);
  } finally {
    tf.dispose([...alpha, ...Object.values(inner), ...Object.values(outer)]);
    policy.dispose();
  }
});
