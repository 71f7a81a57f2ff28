// dm.loadPolicy: a Policy from a tfjs LayersModel such as dm.exportPolicy writes (./export.ts). The
// model is read as data (topology JSON + weight buffer), not rebuilt as tfjs layers: every layer
// must be a Dense with a bias, the hidden ones sharing one activation the policy knows and the last
// one linear (logits). Sizes and the activation come from the model; the weights are copied into a
// fresh Policy, so its logits are computed by the same code as the exported policy's.
import { tf } from '../core/backend';
import { ConfigError } from '../errors';
import { createPolicy, flattenTensors, type Policy } from '../nn/policy';
import { ACTIVATIONS, type Activation } from '../nn/mlp';
import { HEAD_METADATA_KEY } from './export';

const WANTED = 'a tfjs LayersModel of Dense layers with biases (hidden: tanh | relu, last: linear logits), as dm.exportPolicy writes';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The IO handler of a URL ('indexeddb://…', 'https://…', a relative URL) or the handler itself. */
function loadHandler(source: string | tf.io.IOHandler): tf.io.IOHandler {
  if (typeof source === 'string') {
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

/**
 * A Policy from a tfjs LayersModel written by dm.exportPolicy (or any Dense/Dense/…/linear model of
 * that shape). `source`: a URL tfjs knows ('indexeddb://name', 'https://…/model.json', a relative
 * URL in a page) or an IOHandler (tf.io.browserFiles, tf.io.fromMemory, the Node file handler of
 * directed-maml/node). Anything else is one ConfigError naming what does not fit.
 */
export async function loadPolicy(source: string | tf.io.IOHandler): Promise<Policy> {
  const handler = loadHandler(source);
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load!();
  } catch (err) {
    throw new ConfigError('source', typeof source === 'string' ? source : 'the IOHandler', `a model that loads (${(err as Error).message})`);
  }
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new ConfigError('model.modelTopology', 'a binary (GraphModel) topology', WANTED);
  const layers = denseLayers(artifacts.modelTopology);
  const offset = layerList(artifacts.modelTopology).length - layers.length;
  const activation = policyActivation(layers, offset);

  const specs = artifacts.weightSpecs ?? [];
  if (artifacts.weightData === undefined) throw new ConfigError('model.weightData', 'none', 'the weights of every layer');
  const named = tf.io.decodeWeights(artifacts.weightData, specs);
  try {
    const tensor = (name: string, shape: number[]): tf.Tensor => {
      const t = named[name];
      if (!t) throw new ConfigError(`model.weights.${name}`, 'missing', `a tensor of shape [${shape}] (weights: ${Object.keys(named).join(', ') || 'none'})`);
      if (t.shape.join() !== shape.join()) throw new ConfigError(`model.weights.${name}.shape`, t.shape, `[${shape.join(', ')}]`);
      return t;
    };
    // The input width is the first kernel's; each later kernel must take the previous layer's units.
    const first = named[`${layers[0].name}/kernel`];
    if (!first || first.rank !== 2) throw new ConfigError(`model.weights.${layers[0].name}/kernel`, first ? first.shape : 'missing', '[obsDim, units]');
    const sizes = [first.shape[0], ...layers.map((l) => l.units)];
    const params: tf.Tensor[] = [];
    layers.forEach((layer, l) => {
      params.push(tensor(`${layer.name}/kernel`, [sizes[l], sizes[l + 1]]), tensor(`${layer.name}/bias`, [sizes[l + 1]]));
    });
    const outputs = sizes[sizes.length - 1];
    const logStd = gaussianLogStd(artifacts.userDefinedMetadata, outputs);
    const policy = createPolicy({ obsDim: sizes[0], ...(logStd ? { actionSize: outputs } : { numActions: outputs }), hidden: sizes.slice(1, -1), activation, seed: 0 });
    try {
      const flat = flattenTensors(params);
      policy.setFlat(logStd ? Float32Array.of(...flat, ...logStd) : flat); // refuses non-finite weights by index
    } catch (err) {
      policy.dispose();
      throw err;
    }
    return policy;
  } finally {
    tf.dispose(Object.values(named));
  }
}

/**
 * A Gaussian head's log-std from the model's userDefinedMetadata (export.ts HEAD_METADATA_KEY),
 * restored from its float32 bit patterns; null for a categorical model (no such entry).
 */
function gaussianLogStd(metadata: unknown, outputs: number): Float32Array | null {
  const head = isObject(metadata) ? metadata[HEAD_METADATA_KEY] : undefined;
  if (head === undefined) return null;
  const field = `model.userDefinedMetadata.${HEAD_METADATA_KEY}`;
  if (!isObject(head) || head.kind !== 'gaussian') throw new ConfigError(`${field}.kind`, isObject(head) ? head.kind : head, "'gaussian'");
  const bits = head.logStdFloat32Bits;
  if (!Array.isArray(bits) || bits.length !== outputs || !bits.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xffffffff)) {
    throw new ConfigError(`${field}.logStdFloat32Bits`, bits, `${outputs} float32 bit patterns (one per output of the last layer)`);
  }
  return new Float32Array(Uint32Array.from(bits as number[]).buffer);
}
