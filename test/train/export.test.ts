// exportPolicy: the LayersModel that tf.loadLayersModel reads back gives the functional policy's
// logits, for tanh and relu, deep and linear policies, with non-zero biases.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

// The tfjs umbrella (a dev dependency) for tfjs-layers; its tfjs-core is the library's (dm.tf).
import * as tf from '@tensorflow/tfjs';

/** Saves into memory and loads back through tfjs's own IO handlers. */
async function roundTrip(policy: dm.Policy): Promise<{ model: any; artifacts: any }> {
  let artifacts: any;
  const result = await dm.exportPolicy(policy, tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  assert.ok(result.modelArtifactsInfo);
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, artifacts };
}

function randomObs(n: number, dim: number, seed: number): Float32Array {
  const u = dm.uniforms(seed, dm.Purpose.TASKS, 99, 0, n * dim);
  return u.map((x) => (x - 0.5) * 6);
}

const cases: Array<{ hidden: number[]; activation: 'tanh' | 'relu' }> = [
  { hidden: [64, 64], activation: 'tanh' },
  { hidden: [16, 8, 5], activation: 'relu' },
  { hidden: [], activation: 'tanh' },
];

for (const { hidden, activation } of cases) {
  test(`hidden [${hidden}] ${activation}: loaded LayersModel logits equal the policy's (≤ 1e-6 relative)`, async () => {
    const policy = dm.createPolicy({ obsDim: 4, numActions: 3, hidden, activation, seed: 5 });
    // Perturb every parameter (biases start at zero) so a swapped or dropped bias would show.
    const flat = policy.getFlat();
    const noise = dm.uniforms(6, dm.Purpose.TASKS, 98, 0, flat.length);
    policy.setFlat(flat.map((x, i) => x + (noise[i] - 0.5)));
    const before = tf.memory().numTensors;
    const { model, artifacts } = await roundTrip(policy);
    assert.equal(tf.memory().numTensors - before, model.weights.length, 'only the loaded model holds new tensors');
    // Topology: Dense layers, hidden activation, linear logits.
    const layers = model.layers;
    assert.equal(layers.length, hidden.length + 1);
    layers.forEach((layer: any, l: number) => {
      assert.equal(layer.getClassName(), 'Dense');
      assert.equal(layer.getConfig().activation, l === layers.length - 1 ? 'linear' : activation);
    });
    assert.equal(artifacts.weightData.byteLength, policy.numParams * 4);
    const n = 257;
    const obs = tf.tensor2d(randomObs(n, 4, 3), [n, 4]);
    const expected = policy.logits(policy.params, obs);
    const actual = model.predict(obs) as dm.tf.Tensor;
    const e = expected.dataSync(), a = actual.dataSync();
    assert.equal(a.length, n * 3);
    // Dense runs a fused matMul + bias, the functional forward two ops: the float32 results may
    // differ in the last bit, so the bound is 1e-6 relative to the logit's size (≈ 8 ulp).
    let maxErr = 0;
    for (let i = 0; i < e.length; i++) maxErr = Math.max(maxErr, Math.abs(e[i] - a[i]) / Math.max(1, Math.abs(e[i])));
    assert.ok(maxErr <= 1e-6, `max |Δlogit| / max(1, |logit|) = ${maxErr}`);
    // The policy's own variables are untouched by the export.
    assert.deepEqual([...policy.getFlat()], [...flat.map((x, i) => Math.fround(x + (noise[i] - 0.5)))]);
    tf.dispose([obs, expected, actual]);
    model.dispose();
    policy.dispose();
  });
}

test('a policy whose params do not chain is refused by name', async () => {
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const fake = { obsDim: 5, numActions: 2, hidden: [8], activation: 'tanh' as const, params: policy.params };
  await assert.rejects(dm.exportPolicy(fake, tf.io.withSaveHandler(async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }))), (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError);
    assert.equal(err.field, 'policy.params[0]');
    return true;
  });
  policy.dispose();
});

test("the topology written without tfjs-layers equals tfjs-layers' own serialisation of the same Dense stack", async () => {
  for (const { hidden, activation } of cases) {
    const policy = dm.createPolicy({ obsDim: 4, numActions: 3, hidden, activation, seed: 5 });
    const sizes = [4, ...hidden, 3];
    const model = tf.sequential({ name: 'directed_maml_policy' });
    for (let l = 0; l < sizes.length - 1; l++) {
      const last = l === sizes.length - 2;
      model.add(tf.layers.dense({ units: sizes[l + 1], activation: last ? 'linear' : activation, useBias: true,
        name: last ? 'logits' : `hidden_${l + 1}`, ...(l === 0 ? { inputShape: [4] } : {}) }));
    }
    assert.deepEqual(dm.policyTopology(policy), model.toJSON(null, false), `hidden [${hidden}] ${activation}`);
    model.dispose();
    policy.dispose();
  }
});
