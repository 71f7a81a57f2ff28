// dm.loadPolicy treats a model as data: weight specs are checked against the topology and the
// weight data before anything is allocated — negative, fractional or wrong shapes, string and int32
// dtypes, quantized weights, data shorter or longer than the specs — each refused as one ConfigError
// naming the weight; the metadata a file carries is checked the same way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });
const tf = dm.tf;

type Artifacts = dm.tf.io.ModelArtifacts;

async function artifactsOf(metadata?: Record<string, unknown>): Promise<Artifacts> {
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [3], seed: 1 });
  try {
    return await dm.policyArtifacts(policy, metadata === undefined ? {} : { metadata });
  } finally {
    policy.dispose();
  }
}

/** The artifacts with weight spec `i` changed by `edit` (and the data replaced when given). */
function withSpec(a: Artifacts, i: number, edit: Record<string, unknown>, data?: ArrayBuffer): Artifacts {
  const specs = structuredClone(a.weightSpecs!) as unknown as Record<string, unknown>[];
  Object.assign(specs[i]!, edit);
  return { ...a, weightSpecs: specs as unknown as dm.tf.io.WeightsManifestEntry[], weightData: data ?? a.weightData };
}

async function refused(a: Artifacts, field: string, value?: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  await assert.rejects(dm.loadPolicy(tf.io.fromMemory(a)), (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError, `a ConfigError, got ${err}`);
    assert.equal(err.field, field);
    assert.equal(err.message.split('\n').length, 1, 'one line');
    if (value) assert.match(err.message, value);
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'nothing allocated is left behind');
}

test('shapes: negative, fractional, huge and wrong shapes are refused by weight name', async () => {
  const a = await artifactsOf();
  await refused(withSpec(a, 0, { shape: [-4, 3] }), 'model.weights.hidden_1/kernel.shape', /-4/);
  await refused(withSpec(a, 0, { shape: [4, 2.5] }), 'model.weights.hidden_1/kernel.shape', /2\.5/);
  await refused(withSpec(a, 0, { shape: 'x' }), 'model.weights.hidden_1/kernel.shape');
  // Larger than the data: refused before allocating (2^40 floats would be 4 TiB).
  await refused(withSpec(a, 0, { shape: [2 ** 20, 2 ** 20] }), 'model.weights.hidden_1/kernel.shape', /bytes left/);
  // Consistent with the data but not with the topology (3 hidden units).
  await refused(withSpec(a, 1, { shape: [1, 3] }), 'model.weights.hidden_1/bias.shape');
});

test('dtypes: string, int32 and quantized weights are refused by weight name', async () => {
  const a = await artifactsOf();
  await refused(withSpec(a, 2, { dtype: 'string' }), 'model.weights.logits/kernel.dtype', /string/);
  await refused(withSpec(a, 2, { dtype: 'int32' }), 'model.weights.logits/kernel.dtype', /int32/);
  await refused(withSpec(a, 3, { quantization: { dtype: 'uint8', scale: 1, min: 0 } }), 'model.weights.logits/bias.quantization');
});

test('byte lengths: short data, long data and a weight listed twice are refused', async () => {
  const a = await artifactsOf();
  const data = tf.io.concatenateArrayBuffers(a.weightData!);
  await refused({ ...a, weightData: data.slice(0, data.byteLength - 4) }, 'model.weights.logits/bias.shape', /bytes left/);
  const longer = new Uint8Array(data.byteLength + 8);
  longer.set(new Uint8Array(data));
  await refused({ ...a, weightData: longer.buffer }, 'model.weightData', /bytes/);
  const specs = [...a.weightSpecs!, a.weightSpecs![3]!];
  const twice = new Uint8Array(data.byteLength + 8);
  twice.set(new Uint8Array(data));
  await refused({ ...a, weightSpecs: specs, weightData: twice.buffer }, 'model.weights.logits/bias', /twice/);
});

test('the metadata a file carries is checked as data and kept on the loaded policy', async () => {
  const meta = { env: 'CartPole-v1', ranges: { halfLength: [0.25, 0.75] }, algo: 'maml', innerLr: 0.05, maxSteps: 100, iterations: 3 };
  const loaded = await dm.loadPolicy(tf.io.fromMemory(await artifactsOf({ [dm.POLICY_METADATA_KEY]: meta })));
  assert.deepEqual(loaded.metadata, meta);
  const family = dm.taskFamily(loaded);
  assert.equal(family.id, 'CartPole-v1');
  assert.deepEqual(family.ranges.halfLength, [0.25, 0.75]);
  loaded.dispose();
  const bad = async (m: Record<string, unknown>, field: string) => refused(await artifactsOf({ [dm.POLICY_METADATA_KEY]: m }), `model.userDefinedMetadata.directedMaml.${field}`);
  await bad({ env: 7 }, 'env');
  await bad({ innerLr: -1 }, 'innerLr');
  await bad({ innerLr: [0.1, 0.2] }, 'innerLr'); // not one rate per parameter
  await bad({ ranges: { halfLength: [0.25] } }, 'ranges');
  await bad({ maxSteps: 1.5 }, 'maxSteps');
  // No metadata: a policy all the same, and dm.taskFamily says what it lacks.
  const plain = await dm.loadPolicy(tf.io.fromMemory(await artifactsOf()));
  assert.equal(plain.metadata, null);
  assert.throws(() => dm.taskFamily(plain), (err: unknown) => err instanceof dm.ConfigError && err.field === 'policy.metadata.env');
  plain.dispose();
});

test('in Node without directed-maml/node, a path or file:// URL is one line saying what to import', async () => {
  for (const source of ['./runs/x/policy', 'file:///tmp/x/model.json']) {
    await assert.rejects(dm.loadPolicy(source), (err: unknown) => err instanceof dm.ConfigError && err.field === 'source' && /directed-maml\/node/.test(err.message));
  }
});
