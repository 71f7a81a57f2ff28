// dm.loadPolicy reads back what dm.exportPolicy writes: sizes and activation from the model, the
// same flat parameters bit for bit, hence the same logits bit for bit through the same code (tfjs
// functional forward and the WASM forward); against tfjs's own Dense layers within 1e-6. Round trips
// through memory, the Node file handlers and an HTTP URL. Models it cannot use are one ConfigError.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as dm from 'directed-maml';
import { fileSaveHandler, fileLoadHandler } from 'directed-maml/node';

before(async () => { await dm.init(); });

// The tfjs umbrella (a dev dependency) for tfjs-layers; its tfjs-core is the library's (dm.tf).
import * as tf from '@tensorflow/tfjs';

/** Saves into memory through exportPolicy; returns the artifacts tfjs produced. */
async function exportToMemory(policy: dm.ExportablePolicy, metadata?: Record<string, unknown>): Promise<dm.tf.io.ModelArtifacts> {
  let artifacts: dm.tf.io.ModelArtifacts | undefined;
  await dm.exportPolicy(policy, tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { metadata });
  return artifacts!;
}

/** A policy with every parameter moved off its initial value (biases start at zero). */
function perturbedPolicy(hidden: number[], activation: dm.Activation, numActions = 3): dm.Policy {
  const policy = dm.createPolicy({ obsDim: 4, numActions, hidden, activation, seed: 5 });
  const flat = policy.getFlat();
  const noise = dm.uniforms(6, dm.Purpose.TASKS, 98, 0, flat.length);
  policy.setFlat(flat.map((x, i) => x + (noise[i] - 0.5)));
  return policy;
}

function observations(n: number, dim: number): Float32Array {
  return dm.uniforms(3, dm.Purpose.TASKS, 99, 0, n * dim).map((x) => (x - 0.5) * 6);
}

const sameBits = (a: Float32Array, b: Float32Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

const cases: Array<{ hidden: number[]; activation: dm.Activation }> = [
  { hidden: [64, 64], activation: 'tanh' },
  { hidden: [16, 8, 5], activation: 'relu' },
  { hidden: [], activation: 'tanh' }, // a linear policy
];

for (const { hidden, activation } of cases) {
  test(`round trip of hidden [${hidden}] ${activation}: same sizes, same parameters and logits bit for bit`, async () => {
    const original = perturbedPolicy(hidden, activation);
    const before = tf.memory().numTensors;
    const loaded = await dm.loadPolicy(tf.io.fromMemory(await exportToMemory(original)));
    assert.equal(tf.memory().numTensors - before, loaded.params.length, 'only the loaded policy holds new tensors');
    assert.equal(loaded.obsDim, 4);
    assert.equal(loaded.numActions, 3);
    assert.deepEqual([...loaded.hidden], hidden);
    if (hidden.length > 0) assert.equal(loaded.activation, activation);
    assert.ok(sameBits(loaded.getFlat(), original.getFlat()), 'flat parameters bit-identical');

    const n = 257;
    const obsFlat = observations(n, 4);
    const obs = tf.tensor2d(obsFlat, [n, 4]);
    const [a, b] = [loaded, original].map((p) => tf.tidy(() => p.logits(p.params, obs).dataSync() as Float32Array));
    assert.ok(sameBits(a, b), 'tfjs logits bit-identical');
    assert.ok(sameBits(dm.wasmForward(loaded, obsFlat).logits, dm.wasmForward(original, obsFlat).logits), 'WASM logits bit-identical');
    // tfjs's own Dense layers (fused matMul + bias) on the same file: equal to rounding.
    const model = await tf.loadLayersModel(tf.io.fromMemory(await exportToMemory(loaded)));
    const dense = tf.tidy(() => (model.predict(obs) as dm.tf.Tensor).dataSync() as Float32Array);
    let maxErr = 0;
    for (let i = 0; i < a.length; i++) maxErr = Math.max(maxErr, Math.abs(a[i] - dense[i]) / Math.max(1, Math.abs(a[i])));
    assert.ok(maxErr <= 1e-6, `max |Δlogit| / max(1, |logit|) against tf.loadLayersModel = ${maxErr}`);
    model.dispose();
    obs.dispose();
    original.dispose();
    loaded.dispose();
    assert.equal(tf.memory().numTensors, before - original.params.length, 'nothing left behind');
  });
}

test('round trip through the Node file handlers and an HTTP URL (string source); metadata is stored in model.json', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dm-load-'));
  const original = perturbedPolicy([8], 'relu', 2);
  const server = createServer(async (req, res) => {
    try {
      const body = await readFile(join(dir, new URL(req.url ?? '/', 'http://x').pathname.slice(1)));
      res.writeHead(200).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  try {
    await dm.exportPolicy(original, fileSaveHandler(dir), { metadata: { env: 'CartPole-v1', innerLr: 0.1 } });
    const fromFile = await dm.loadPolicy(fileLoadHandler(dir));
    assert.ok(sameBits(fromFile.getFlat(), original.getFlat()));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    assert.deepEqual(json.userDefinedMetadata, { env: 'CartPole-v1', innerLr: 0.1 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.json`;
    const fromUrl = await dm.loadPolicy(url);
    assert.equal(fromUrl.activation, 'relu');
    assert.ok(sameBits(fromUrl.getFlat(), original.getFlat()));
    fromFile.dispose();
    fromUrl.dispose();
  } finally {
    original.dispose();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a Keras Sequential that opens with an InputLayer and nests its topology in model_config loads", async () => {
  const original = perturbedPolicy([6], 'tanh');
  const artifacts = await exportToMemory(original);
  const topology = structuredClone(artifacts.modelTopology) as { config: { layers: unknown[] } };
  topology.config.layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: [null, 4], dtype: 'float32', name: 'input' } });
  const loaded = await dm.loadPolicy(tf.io.fromMemory({ ...artifacts, modelTopology: { model_config: topology } }));
  assert.ok(sameBits(loaded.getFlat(), original.getFlat()));
  loaded.dispose();
  original.dispose();
});

/** Artifacts of a tfjs model built from layers. */
async function modelArtifacts(model: tf.Sequential): Promise<dm.tf.io.ModelArtifacts> {
  let artifacts: dm.tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return artifacts!;
}

async function refused(source: Parameters<typeof dm.loadPolicy>[0], field: string | RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  await assert.rejects(dm.loadPolicy(source), (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError, `a ConfigError, got ${err}`);
    assert.match(err.field, typeof field === 'string' ? new RegExp(`^${field.replace(/[[\].]/g, '\\$&')}$`) : field);
    assert.equal(err.message.split('\n').length, 1, 'one line');
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'a refused model leaves no tensor behind');
}

test('a convolutional layer is refused by name', async () => {
  const model = tf.sequential({ layers: [
    tf.layers.conv1d({ filters: 2, kernelSize: 2, inputShape: [4, 1] }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 2 }),
  ] });
  await refused(tf.io.fromMemory(await modelArtifacts(model)), 'model.layers[0].class_name');
});

test('an activation the policy does not have (sigmoid), mixed activations and a softmax output are refused', async () => {
  const dense = (units: number, activation: 'tanh' | 'relu' | 'sigmoid' | 'linear' | 'softmax', inputShape?: number[]) =>
    tf.layers.dense({ units, activation, ...(inputShape ? { inputShape } : {}) });
  await refused(tf.io.fromMemory(await modelArtifacts(tf.sequential({ layers: [dense(8, 'sigmoid', [4]), dense(2, 'linear')] }))), 'model.layers[0].activation');
  await refused(tf.io.fromMemory(await modelArtifacts(tf.sequential({ layers: [dense(8, 'tanh', [4]), dense(8, 'relu'), dense(2, 'linear')] }))), 'model.layers[1].activation');
  await refused(tf.io.fromMemory(await modelArtifacts(tf.sequential({ layers: [dense(8, 'tanh', [4]), dense(2, 'softmax')] }))), 'model.layers[1].activation');
});

test('weights whose shapes do not match the layers, missing weights and a non-finite weight are refused', async () => {
  const policy = perturbedPolicy([8], 'tanh', 2);
  const artifacts = await exportToMemory(policy);
  // The topology says 7 hidden units; the weights have 8.
  const topology = structuredClone(artifacts.modelTopology) as { config: { layers: { config: { units: number } }[] } };
  topology.config.layers[0].config.units = 7;
  await refused(tf.io.fromMemory({ ...artifacts, modelTopology: topology }), 'model.weights.hidden_1/kernel.shape');
  // A bias dropped from the manifest (and its bytes from the data).
  const specs = artifacts.weightSpecs!.filter((s) => s.name !== 'logits/bias');
  const bytes = (artifacts.weightData as ArrayBuffer).slice(0, (artifacts.weightData as ArrayBuffer).byteLength - 2 * 4);
  await refused(tf.io.fromMemory({ ...artifacts, weightSpecs: specs, weightData: bytes }), 'model.weights.logits/bias');
  // NaN in the first kernel.
  const nan = (artifacts.weightData as ArrayBuffer).slice(0);
  new Float32Array(nan)[3] = NaN;
  await refused(tf.io.fromMemory({ ...artifacts, weightData: nan }), 'flat[3]');
  policy.dispose();
});

test('sources that are not models: a bad argument, a URL that does not load, a GraphModel-like topology', async () => {
  await refused(42 as unknown as string, 'source');
  await refused('http://127.0.0.1:9/nothing/model.json', 'source');
  await refused(tf.io.fromMemory({ modelTopology: { class_name: 'Model', config: {} } }), 'model.class_name');
});

test('a Gaussian policy round-trips bit for bit, its log-std included (also -0 and subnormals); tfjs loads the model alone', async () => {
  const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [8, 8], seed: 3 });
  try {
    const flat = policy.getFlat();
    const noise = dm.uniforms(6, dm.Purpose.TASKS, 97, 0, flat.length);
    const moved = flat.map((x, i) => x + (noise[i] - 0.5));
    moved[moved.length - 2] = -0; // the log-std's bits must survive JSON: -0 ...
    moved[moved.length - 1] = 1.4e-45; // ... and the smallest subnormal
    policy.setFlat(moved);
    const artifacts = await exportToMemory(policy, { note: 'kept' });
    const meta = artifacts.userDefinedMetadata as Record<string, any>;
    assert.equal(meta.note, 'kept', "the caller's metadata is kept beside the head's");
    assert.equal(meta[dm.HEAD_METADATA_KEY].kind, 'gaussian');
    const loaded = await dm.loadPolicy(tf.io.fromMemory(artifacts));
    try {
      assert.deepEqual(loaded.head, { kind: 'gaussian', actionSize: 2 });
      assert.ok(sameBits(loaded.getFlat(), policy.getFlat()), 'flat parameters bit for bit');
      assert.ok(Object.is(loaded.getFlat()[moved.length - 2], -0));
    } finally {
      loaded.dispose();
    }
    // Any tfjs program loads the means' network (the log-std is metadata, not an orphan weight).
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    assert.equal(model.layers[model.layers.length - 1].name, 'mean');
    model.dispose();
  } finally {
    policy.dispose();
  }
});
