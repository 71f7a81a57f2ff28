// dm.createPolicy (src/nn/policy.ts): seeded Xavier-uniform kernels recomputed here from the RNG,
// zero biases, [in, out] shapes, the flat layout shared with assembly/policy.ts, and the logits
// against the float64 MLP of test/nn/mlp-reference.ts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { logits64, splitFlat, testRandom } from './mlp-reference';

const tf = dm.tf;

before(async () => { await dm.init({ backend: 'wasm' }); });

const expectField = (fn: () => unknown, field: string) =>
  assert.throws(fn, (e: unknown) => e instanceof dm.ConfigError && e.field === field, `expected ConfigError on ${field}`);

test('defaults: [64, 64] tanh, seed 0; params [W1, b1, W2, b2, W3, b3] with W as [in, out]', () => {
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2 });
  try {
    assert.deepEqual(policy.hidden, [64, 64]);
    assert.equal(policy.activation, 'tanh');
    assert.deepEqual(policy.params.map((p) => p.shape), [[4, 64], [64], [64, 64], [64], [64, 2], [2]]);
    assert.equal(policy.numParams, 4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
    assert.deepEqual(policy.layerSizes, [4, 64, 64, 2]);
  } finally {
    policy.dispose();
  }
});

test('kernels are Xavier-uniform draws of the INIT stream (recomputed here), biases are zero', () => {
  const seed = 42;
  const policy = dm.createPolicy({ obsDim: 6, numActions: 3, hidden: [32, 16], seed });
  try {
    const sizes = [6, 32, 16, 3];
    for (let l = 0; l < 3; l++) {
      const inDim = sizes[l], outDim = sizes[l + 1];
      const limit = Math.sqrt(6 / (inDim + outDim));
      const u = dm.uniforms(seed, dm.Purpose.INIT, l, 0, inDim * outDim);
      const W = policy.params[2 * l].dataSync();
      let lo = Infinity, hi = -Infinity, mean = 0;
      for (let k = 0; k < W.length; k++) {
        assert.ok(Math.abs(W[k] - (2 * u[k] - 1) * limit) <= 1e-6 * limit, `layer ${l} element ${k}`);
        assert.ok(Math.abs(W[k]) <= limit, `layer ${l}: |${W[k]}| <= ${limit}`);
        lo = Math.min(lo, W[k]);
        hi = Math.max(hi, W[k]);
        mean += W[k] / W.length;
      }
      // The draws fill the interval (a constant or a wrong scale would fail here).
      assert.ok(lo < -0.8 * limit && hi > 0.8 * limit, `layer ${l} spans [${lo}, ${hi}] of ±${limit}`);
      assert.ok(Math.abs(mean) < 0.2 * limit, `layer ${l} mean ${mean}`);
      assert.ok(policy.params[2 * l + 1].dataSync().every((b) => b === 0), `layer ${l} biases are zero`);
    }
  } finally {
    policy.dispose();
  }
});

test('same seed → identical parameters; another seed → different ones', () => {
  const make = (seed: number) => dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed });
  const [a, b, c] = [make(3), make(3), make(4)];
  try {
    assert.deepEqual(a.getFlat(), b.getFlat());
    assert.notDeepEqual(a.getFlat(), c.getFlat());
  } finally {
    [a, b, c].forEach((p) => p.dispose());
  }
});

test('flat layout: layer by layer, kernel [in, out] row-major then bias; get/set round trip', () => {
  const policy = dm.createPolicy({ obsDim: 3, numActions: 2, hidden: [4], activation: 'relu', seed: 1 });
  try {
    const r = testRandom(9);
    const flat = Float32Array.from({ length: policy.numParams }, () => 2 * r() - 1);
    policy.setFlat(flat);
    assert.deepEqual(policy.getFlat(), flat);
    const W1 = policy.params[0].arraySync() as number[][];
    const b1 = policy.params[1].arraySync() as number[];
    const W2 = policy.params[2].arraySync() as number[][];
    const b2 = policy.params[3].arraySync() as number[];
    let o = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.equal(W1[i][j], flat[o++], `W1[${i}][${j}]`);
    for (let j = 0; j < 4; j++) assert.equal(b1[j], flat[o++], `b1[${j}]`);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) assert.equal(W2[i][j], flat[o++], `W2[${i}][${j}]`);
    for (let j = 0; j < 2; j++) assert.equal(b2[j], flat[o++], `b2[${j}]`);
    assert.equal(o, policy.numParams);
    expectField(() => policy.setFlat(new Float32Array(policy.numParams - 1)), 'flat.length');
    expectField(() => policy.setFlat(Float32Array.from(flat, (v, i) => (i === 5 ? NaN : v))), 'flat[5]');
    assert.deepEqual(policy.getFlat(), flat, 'a rejected setFlat changes nothing');
  } finally {
    policy.dispose();
  }
});

for (const activation of ['tanh', 'relu'] as const) {
  test(`logits(params, obs) = float64 MLP (${activation}), also with params that are not the policy's`, () => {
    const policy = dm.createPolicy({ obsDim: 5, numActions: 4, hidden: [7, 6], activation, seed: 2 });
    try {
      const r = testRandom(17);
      const n = 9;
      const obs = Float32Array.from({ length: n * 5 }, () => 4 * r() - 2);
      const flat = Float32Array.from({ length: policy.numParams }, () => r() - 0.5);
      policy.setFlat(flat);
      const got = tf.tidy(() => policy.logits(policy.params, tf.tensor2d(obs, [n, 5])).dataSync());
      const ref = logits64(splitFlat(flat, policy.layerSizes), Float64Array.from(obs), n, activation);
      for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(got[k] - ref[k]) <= 1e-5 * (1 + Math.abs(ref[k])), `logit ${k}: ${got[k]} vs ${ref[k]}`);
      // Shifted parameters (as adapt produces) flow through the same forward.
      const shifted = tf.tidy(() => policy.logits(policy.params.map((p) => tf.add(p, 0.1)), tf.tensor2d(obs, [n, 5])).dataSync());
      const ref2 = logits64(splitFlat(Float64Array.from(flat, (v) => Math.fround(v + 0.1)), policy.layerSizes), Float64Array.from(obs), n, activation);
      for (let k = 0; k < ref2.length; k++) assert.ok(Math.abs(shifted[k] - ref2[k]) <= 1e-5 * (1 + Math.abs(ref2[k])));
    } finally {
      policy.dispose();
    }
  });
}

test('bad options throw ConfigError naming the field', () => {
  expectField(() => dm.createPolicy({ obsDim: 0, numActions: 2 }), 'obsDim');
  expectField(() => dm.createPolicy({ obsDim: 2.5, numActions: 2 }), 'obsDim');
  expectField(() => dm.createPolicy({ obsDim: 4, numActions: 1 }), 'numActions');
  expectField(() => dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8, 0] }), 'hidden[1]');
  expectField(() => dm.createPolicy({ obsDim: 4, numActions: 2, activation: 'elu' as 'tanh' }), 'activation');
  expectField(() => dm.createPolicy({ obsDim: 4, numActions: 2, seed: -1 }), 'seed');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [3] });
  try {
    expectField(() => policy.logits(policy.params, tf.zeros([2, 5]) as never), 'obs.shape');
    expectField(() => policy.logits(policy.params.slice(0, 3), tf.zeros([2, 4]) as never), 'params');
    expectField(() => policy.logits([policy.params[0], policy.params[1], policy.params[0], policy.params[1]], tf.zeros([2, 4]) as never), 'params[2].shape');
  } finally {
    policy.dispose();
  }
});

test('dispose frees every parameter tensor', () => {
  const before = tf.memory().numTensors;
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2 });
  assert.equal(tf.memory().numTensors, before + 6);
  policy.setFlat(policy.getFlat());
  assert.equal(tf.memory().numTensors, before + 6, 'setFlat allocates nothing that stays');
  policy.dispose();
  assert.equal(tf.memory().numTensors, before);
});
