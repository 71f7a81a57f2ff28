// dm.loadPolicy: a Policy from a tfjs LayersModel such as dm.exportPolicy writes (./export.ts). The
// model is read as data (topology JSON + weight buffer), not rebuilt as tfjs layers: every layer
// must be a Dense with a bias, the hidden ones sharing one activation the policy knows and the last
// one linear (logits). Sizes and the activation come from the model; the weights are copied into a
// fresh Policy, so its logits are computed by the same code as the exported policy's.
import { tf } from '../core/backend';
import { ConfigError } from '../errors';
import { createPolicy, flattenTensors, type Policy } from '../nn/policy';
import { ACTIVATIONS, type Activation } from '../nn/mlp';
import { HEAD_METADATA_KEY, POLICY_METADATA_KEY, type PolicyMetadata } from './export';
import { fileHandlers, namesFile } from './files';

const WANTED = 'a tfjs LayersModel of Dense layers with biases (hidden: tanh | relu, last: linear logits), as dm.exportPolicy writes';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The IO handler of a URL ('indexeddb://…', 'https://…', a relative URL), a file (Node), or the handler itself. */
function loadHandler(source: string | tf.io.IOHandler): tf.io.IOHandler {
  if (typeof source === 'string') {
    const files = fileHandlers();
    if (files && namesFile(source)) return files.load(source);
    if (/^file:\/\//i.test(source) || (namesFile(source) && !tf.env().getBool('IS_BROWSER'))) {
      throw new ConfigError('source', source, "a URL tfjs can fetch here; files (a path or a file:// URL) load in Node after `import 'directed-maml/node'`");
    }
    const handlers = tf.io.getLoadHandlers(source);
    if (handlers.length > 1) throw new ConfigError('source', source, 'a URL that exactly one tfjs IO handler claims');
    // tfjs's own fallback for a string no scheme claims (tf.loadLayersModel does the same): HTTP.
    return handlers[0] ?? tf.io.http(source);
  }
  if (!isObject(source) || typeof (source as tf.io.IOHandler).load !== 'function') {
    throw new ConfigError('source', source, 'a model URL (string) or a tfjs IOHandler with load()');
  }
  return source;
}

/** The Sequential layer list of a Keras/tfjs topology (tfjs-converter nests it in model_config). */
function layerList(topology: unknown): Json[] {
  const root = isObject(topology) && isObject(topology.model_config) ? topology.model_config : topology;
  if (!isObject(root) || root.class_name !== 'Sequential') {
    throw new ConfigError('model.class_name', isObject(root) ? root.class_name : root, `Sequential (${WANTED})`);
  }
  const config = root.config;
  const layers = Array.isArray(config) ? config : isObject(config) ? config.layers : undefined;
  if (!Array.isArray(layers) || layers.length === 0) throw new ConfigError('model.config.layers', layers, `a non-empty list (${WANTED})`);
  return layers.map((layer, i) => {
    if (!isObject(layer) || !isObject(layer.config)) throw new ConfigError(`model.layers[${i}]`, layer, WANTED);
    return layer;
  });
}

interface DenseLayer { name: string; units: number; activation: string }

function denseLayers(topology: unknown): DenseLayer[] {
  const layers = layerList(topology);
  // Keras' Sequential may open with an InputLayer that holds only the input shape.
  const body = layers[0].class_name === 'InputLayer' ? layers.slice(1) : layers;
  const offset = layers.length - body.length;
  if (body.length === 0) throw new ConfigError('model.config.layers', 'an InputLayer only', WANTED);
  return body.map((layer, j) => {
    const i = j + offset;
    const c = layer.config as Json;
    if (layer.class_name !== 'Dense') throw new ConfigError(`model.layers[${i}].class_name`, layer.class_name, `Dense (${WANTED})`);
    if (c.use_bias === false) throw new ConfigError(`model.layers[${i}].use_bias`, false, 'true (the policy has a bias in every layer)');
    if (!Number.isInteger(c.units) || (c.units as number) < 1) throw new ConfigError(`model.layers[${i}].units`, c.units, 'an integer >= 1');
    if (typeof c.name !== 'string') throw new ConfigError(`model.layers[${i}].name`, c.name, 'a layer name');
    return { name: c.name, units: c.units as number, activation: c.activation === undefined ? 'linear' : String(c.activation) };
  });
}

/** The hidden activation shared by every layer but the last (which must be linear). */
function policyActivation(layers: readonly DenseLayer[], offset: number): Activation {
  const last = layers.length - 1;
  if (layers[last].activation !== 'linear') {
    throw new ConfigError(`model.layers[${last + offset}].activation`, layers[last].activation, 'linear (the last layer gives logits)');
  }
  if (last === 0) return 'tanh'; // a linear policy: no hidden activation to read
  const first = layers[0].activation;
  for (let l = 0; l < last; l++) {
    const a = layers[l].activation;
    if (!ACTIVATIONS.includes(a as Activation)) throw new ConfigError(`model.layers[${l + offset}].activation`, a, ACTIVATIONS.join(' | '));
    if (a !== first) throw new ConfigError(`model.layers[${l + offset}].activation`, a, `${first} (one activation for every hidden layer)`);
  }
  return first as Activation;
}

/** A policy read by dm.loadPolicy, with what its file says it was trained on (null: nothing). */
export type LoadedPolicy = Policy & { readonly metadata: PolicyMetadata | null };

/**
 * A Policy from a tfjs LayersModel written by dm.exportPolicy (or any Dense/Dense/…/linear model of
 * that shape). `source`: a URL tfjs knows ('indexeddb://name', 'https://…/model.json', a relative
 * URL in a page) or an IOHandler (tf.io.browserFiles, tf.io.fromMemory, the Node file handler of
 * directed-maml/node). Anything else is one ConfigError naming what does not fit.
 */
export async function loadPolicy(source: string | tf.io.IOHandler): Promise<LoadedPolicy> {
  const handler = loadHandler(source);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (err) {
    if (err instanceof ConfigError) throw err; // a handler that already names what does not fit (the Node file handler)
    throw new ConfigError('source', typeof source === 'string' ? source : 'the IOHandler', `a model that loads (${(err as Error).message})`);
  }
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new ConfigError('model.modelTopology', 'a binary (GraphModel) topology', WANTED);
  const layers = denseLayers(artifacts.modelTopology);
  const offset = layerList(artifacts.modelTopology).length - layers.length;
  const activation = policyActivation(layers, offset);

  const metadata = policyMetadata(artifacts.userDefinedMetadata);
  const named = weightViews(artifacts);
  const tensor = (name: string, shape: number[]): Float32Array => {
    const w = named.get(name);
    if (!w) throw new ConfigError(`model.weights.${name}`, 'missing', `a float32 tensor of shape [${shape}] (weights: ${[...named.keys()].join(', ') || 'none'})`);
    if (w.shape.join() !== shape.join()) throw new ConfigError(`model.weights.${name}.shape`, w.shape, `[${shape.join(', ')}]`);
    return w.values;
  };
  // The input width is the first kernel's; each later kernel must take the previous layer's units.
  const first = named.get(`${layers[0]!.name}/kernel`);
  if (!first || first.shape.length !== 2 || first.shape[0]! < 1) {
    throw new ConfigError(`model.weights.${layers[0]!.name}/kernel${first ? '.shape' : ''}`, first ? first.shape : 'missing', '[obsDim >= 1, units]');
  }
  const sizes = [first.shape[0]!, ...layers.map((l) => l.units)];
  const parts: Float32Array[] = [];
  layers.forEach((layer, l) => {
    parts.push(tensor(`${layer.name}/kernel`, [sizes[l]!, sizes[l + 1]!]), tensor(`${layer.name}/bias`, [sizes[l + 1]!]));
  });
  const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { flat.set(p, at); at += p.length; }
  const outputs = sizes[sizes.length - 1]!;
  const logStd = gaussianLogStd(artifacts.userDefinedMetadata, outputs);
  const policy = createPolicy({ obsDim: sizes[0]!, ...(logStd ? { actionSize: outputs } : { numActions: outputs }), hidden: sizes.slice(1, -1), activation, seed: 0 });
  try {
    policy.setFlat(logStd ? Float32Array.of(...flat, ...logStd) : flat); // refuses non-finite weights by index
    if (metadata?.innerLr !== undefined && typeof metadata.innerLr !== 'number' && metadata.innerLr.length !== policy.numParams) {
      throw new ConfigError(`model.userDefinedMetadata.${POLICY_METADATA_KEY}.innerLr`, `${metadata.innerLr.length} rates`, `a number, or ${policy.numParams} rates (one per parameter)`);
    }
  } catch (err) {
    policy.dispose();
    throw err;
  }
  return Object.assign(policy, { metadata });
}

/** The float32 weights of the artifacts by name, checked against their specs before any is read. */
function weightViews(artifacts: tf.io.ModelArtifacts): Map<string, { shape: number[]; values: Float32Array }> {
  if (artifacts.weightData === undefined) throw new ConfigError('model.weightData', 'none', 'the weights of every layer');
  const specs: unknown = artifacts.weightSpecs ?? [];
  if (!Array.isArray(specs)) throw new ConfigError('model.weightSpecs', specs, 'a list of { name, shape, dtype }');
  const data = tf.io.concatenateArrayBuffers(artifacts.weightData);
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  specs.forEach((spec: unknown, i) => {
    if (!isObject(spec) || typeof spec.name !== 'string') throw new ConfigError(`model.weightSpecs[${i}]`, spec, '{ name, shape, dtype }');
    const at = `model.weights.${spec.name}`;
    const { shape, dtype } = spec;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new ConfigError(`${at}.shape`, shape, 'a list of integers >= 0');
    if (dtype !== 'float32') throw new ConfigError(`${at}.dtype`, dtype, 'float32 (the policy\'s parameters)');
    if (spec.quantization !== undefined && spec.quantization !== null) throw new ConfigError(`${at}.quantization`, spec.quantization, 'none (unquantized float32 weights)');
    if (out.has(spec.name)) throw new ConfigError(at, 'listed twice', 'one spec per weight');
    const count = (shape as number[]).reduce((n, d) => n * d, 1);
    const bytes = count * 4;
    if (!Number.isSafeInteger(bytes) || offset + bytes > data.byteLength) {
      throw new ConfigError(`${at}.shape`, shape, `a shape whose ${count} floats are in the weight data (${Math.max(0, data.byteLength - offset)} bytes left of ${data.byteLength})`);
    }
    // A copy: the weight data's offsets need not be 4-byte aligned.
    out.set(spec.name, { shape: shape as number[], values: new Float32Array(data.slice(offset, offset + bytes)) });
    offset += bytes;
  });
  if (offset !== data.byteLength) throw new ConfigError('model.weightData', `${data.byteLength} bytes`, `the ${offset} bytes its weight specs declare`);
  return out;
}

const META = `model.userDefinedMetadata.${POLICY_METADATA_KEY}`;

/** What the file says it was trained on (dm.exportPolicy's `metadata` under POLICY_METADATA_KEY), checked as data; null when absent. */
function policyMetadata(userDefined: unknown): PolicyMetadata | null {
  if (userDefined === undefined || userDefined === null) return null;
  if (!isObject(userDefined)) throw new ConfigError('model.userDefinedMetadata', userDefined, 'a JSON object');
  if (!Object.hasOwn(userDefined, POLICY_METADATA_KEY)) return null;
  const m = userDefined[POLICY_METADATA_KEY];
  if (!isObject(m)) throw new ConfigError(META, m, 'a JSON object (env, ranges, algo, innerLr, …)');
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const out: PolicyMetadata = {};
  const field = <K extends keyof PolicyMetadata>(key: K, ok: (v: unknown) => boolean, allowed: string): void => {
    if (!Object.hasOwn(m, key) || m[key] === undefined) return;
    if (!ok(m[key])) throw new ConfigError(`${META}.${key}`, m[key], allowed);
    out[key] = m[key] as PolicyMetadata[K];
  };
  field('env', (v) => typeof v === 'string', 'an env id');
  field('algo', (v) => typeof v === 'string', 'an algorithm name');
  field('run', (v) => typeof v === 'string', 'a config hash');
  field('iterations', (v) => Number.isInteger(v) && (v as number) >= 0, 'an integer >= 0');
  field('maxSteps', (v) => Number.isInteger(v) && (v as number) >= 1, 'an integer >= 1');
  field('innerLr', (v) => (finite(v) && v >= 0) || (Array.isArray(v) && v.every((x) => finite(x) && x >= 0)), 'a number >= 0, or one rate >= 0 per parameter');
  field('ranges', (v) => isObject(v) && Object.values(v).every((r) => Array.isArray(r) && r.length === 2 && r.every(finite)), '{ name: [low, high], … } with finite numbers');
  if (Object.hasOwn(m, 'adapted') && m.adapted !== undefined) {
    if (!isObject(m.adapted)) throw new ConfigError(`${META}.adapted`, m.adapted, 'a JSON object');
    out.adapted = m.adapted as PolicyMetadata['adapted'];
  }
  // Plain copies: a loaded file never hands out objects with prototypes of its choosing.
  if (out.ranges) out.ranges = Object.fromEntries(Object.entries(out.ranges).map(([k, r]) => [k, [r[0], r[1]]]));
  if (Array.isArray(out.innerLr)) out.innerLr = [...out.innerLr];
  return out;
}

/**
 * A Gaussian head's log-std from the model's userDefinedMetadata (export.ts HEAD_METADATA_KEY),
 * restored from its float32 bit patterns; null for a categorical model (no such entry).
 */
function gaussianLogStd(metadata: unknown, outputs: number): Float32Array | null {
  const head = isObject(metadata) && Object.hasOwn(metadata, HEAD_METADATA_KEY) ? metadata[HEAD_METADATA_KEY] : undefined;
  if (head === undefined) return null;
  const field = `model.userDefinedMetadata.${HEAD_METADATA_KEY}`;
  if (!isObject(head) || head.kind !== 'gaussian') throw new ConfigError(`${field}.kind`, isObject(head) ? head.kind : head, "'gaussian'");
  const bits = head.logStdFloat32Bits;
  if (!Array.isArray(bits) || bits.length !== outputs || !bits.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xffffffff)) {
    throw new ConfigError(`${field}.logStdFloat32Bits`, bits, `${outputs} float32 bit patterns (one per output of the last layer)`);
  }
  return new Float32Array(Uint32Array.from(bits as number[]).buffer);
}
