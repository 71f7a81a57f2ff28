// Exports a policy as a tfjs LayersModel (model.json + weights): Dense layers with the policy's
// hidden activation and a linear output of logits, so any tfjs program can load it with
// tf.loadLayersModel and act with argmax / tf.multinomial without this library. Written with
// tfjs-core's io only (the topology JSON is built here): the library does not need tfjs-layers. A
// Gaussian head's last Dense layer ('mean') gives the action means; its log-std is not a layer's
// weight (tfjs's loader refuses weights no layer owns), so it travels in model.json's
// userDefinedMetadata under HEAD_METADATA_KEY, with its float32 bit patterns so that
// dm.loadPolicy restores it bit for bit.
import { tf } from '../core/backend';
import { ConfigError } from '../errors';
import type { Activation } from '../nn/mlp';
import { headOutputs, splitParams, type PolicyHead } from '../nn/head';
import { fileHandlers, namesFile } from './files';

/** What the export needs of a policy (dm.Policy has all of it). */
export interface ExportablePolicy {
  readonly obsDim: number;
  readonly numActions: number;
  /** The policy head (default: categorical over numActions). */
  readonly head?: PolicyHead;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  /** [W1, b1, W2, b2, …], W_l of shape [in, out] — the Dense kernel layout; then a Gaussian head's log-std. */
  readonly params: readonly tf.Tensor[];
}

const DENSE_DEFAULTS = {
  kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
  bias_initializer: { class_name: 'Zeros', config: {} },
  kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
};

/** The layer sizes [obsDim, ...hidden, numActions], after checking that the params chain through them. */
function layerSizes(policy: ExportablePolicy): number[] {
  const head = headOf(policy);
  const sizes = [policy.obsDim, ...policy.hidden, headOutputs(head)];
  const numLayers = sizes.length - 1;
  const own = head.kind === 'gaussian' ? 1 : 0;
  if (policy.params.length !== 2 * numLayers + own) {
    throw new ConfigError('policy.params', `${policy.params.length} tensors`, `${2 * numLayers + own} ([W, b] per layer of ${sizes.join('-')}${own ? ', then the log-std' : ''})`);
  }
  for (let l = 0; l < numLayers; l++) {
    const w = policy.params[2 * l]!, b = policy.params[2 * l + 1]!;
    if (w.shape.join() !== `${sizes[l]},${sizes[l + 1]}` || b.shape.join() !== `${sizes[l + 1]}`) {
      throw new ConfigError(`policy.params[${2 * l}]`, `[${w.shape}] and [${b.shape}]`, `[${sizes[l]}, ${sizes[l + 1]}] and [${sizes[l + 1]}]`);
    }
  }
  return sizes;
}

/** The name of the l-th Dense layer of an exported policy ('hidden_1', …, 'logits' or a Gaussian head's 'mean'). */
const layerName = (l: number, numLayers: number, head: PolicyHead): string =>
  (l === numLayers - 1 ? (head.kind === 'gaussian' ? 'mean' : 'logits') : `hidden_${l + 1}`);

function headOf(policy: ExportablePolicy): PolicyHead {
  return policy.head ?? { kind: 'categorical', numActions: policy.numActions };
}

/** The key of userDefinedMetadata holding a non-categorical head (a Gaussian's log-std). */
export const HEAD_METADATA_KEY = 'directedMamlHead';

/** What HEAD_METADATA_KEY holds for a Gaussian head: the log-std, readable and as float32 bit patterns (exact). */
export interface HeadMetadata {
  kind: 'gaussian';
  actionSize: number;
  logStd: number[];
  logStdFloat32Bits: number[];
}

function headMetadata(policy: ExportablePolicy): HeadMetadata | null {
  const head = headOf(policy);
  if (head.kind !== 'gaussian') return null;
  const values = Float32Array.from(splitParams(head, policy.params).own[0]!.dataSync());
  return { kind: 'gaussian', actionSize: head.actionSize, logStd: Array.from(values), logStdFloat32Bits: Array.from(new Uint32Array(values.buffer)) };
}

/**
 * The Keras/tfjs-layers topology of the policy: a Sequential of Dense layers, the JSON that
 * tfjs-layers' `tf.sequential` + `tf.layers.dense` serialise (a test compares them), written here so
 * the library needs only tfjs-core.
 */
export function policyTopology(policy: ExportablePolicy): tf.io.ModelJSON['modelTopology'] {
  const sizes = layerSizes(policy);
  const numLayers = sizes.length - 1;
  const layers = [];
  for (let l = 0; l < numLayers; l++) {
    layers.push({ class_name: 'Dense', config: {
      units: sizes[l + 1], activation: l === numLayers - 1 ? 'linear' : policy.activation, use_bias: true, ...DENSE_DEFAULTS,
      name: layerName(l, numLayers, headOf(policy)), trainable: true, ...(l === 0 ? { batch_input_shape: [null, policy.obsDim], dtype: 'float32' } : {}),
    } });
  }
  return { class_name: 'Sequential', config: { name: 'directed_maml_policy', layers }, keras_version: `tfjs-layers ${tf.version_core}`, backend: 'tensor_flow.js' };
}

/**
 * The policy as tfjs model artifacts (LayersModel format: topology, weight specs, weights as
 * float32 bytes in [W1, b1, W2, b2, …] order), what a save handler receives. tf.loadLayersModel
 * (tfjs-layers) and dm.loadPolicy read them.
 */
export async function policyArtifacts(policy: ExportablePolicy, options: ExportOptions = {}): Promise<tf.io.ModelArtifacts> {
  const sizes = layerSizes(policy);
  const numLayers = sizes.length - 1;
  const head = headOf(policy);
  const layers = splitParams(head, policy.params).layers;
  const named: tf.NamedTensorMap = {};
  for (let l = 0; l < numLayers; l++) {
    named[`${layerName(l, numLayers, head)}/kernel`] = layers[2 * l]!;
    named[`${layerName(l, numLayers, head)}/bias`] = layers[2 * l + 1]!;
  }
  const { data, specs } = await tf.io.encodeWeights(named);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: policyTopology(policy), format: 'layers-model', generatedBy: `directed-maml (tfjs-core v${tf.version_core})`, convertedBy: null,
    weightSpecs: specs, weightData: data,
  };
  if (options.metadata !== undefined) {
    const m: unknown = options.metadata;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) throw new ConfigError('metadata', m, 'a JSON object');
  }
  const headMeta = headMetadata(policy);
  const metadata = headMeta ? { ...options.metadata, [HEAD_METADATA_KEY]: headMeta } : options.metadata;
  if (metadata !== undefined) artifacts.userDefinedMetadata = metadata as Record<string, {}>;
  return artifacts;
}

/**
 * Kept for earlier callers: the policy as a tfjs-layers model (needs @tensorflow/tfjs or
 * @tensorflow/tfjs-layers in the app: pass its `loadLayersModel`). The caller disposes it.
 */
export async function policyToLayersModel<M>(policy: ExportablePolicy, loadLayersModel: (handler: tf.io.IOHandler) => Promise<M>): Promise<M> {
  return loadLayersModel(tf.io.fromMemory(await policyArtifacts(policy)));
}

export interface ExportOptions {
  /** A JSON object saved with the model; under POLICY_METADATA_KEY what it was trained on (trainer.policyMetadata()), which dm.loadPolicy reads back. */
  metadata?: Record<string, unknown>;
}

/** The key of userDefinedMetadata under which the CLI and the page describe a saved policy. */
export const POLICY_METADATA_KEY = 'directedMaml';

/** What the CLI and the page store under POLICY_METADATA_KEY (every field optional: a model may come from elsewhere). */
export interface PolicyMetadata {
  env?: string;
  /** The task ranges it was meta-trained on. */
  ranges?: Record<string, [number, number]>;
  algo?: string;
  /** Meta-training iterations behind it. */
  iterations?: number;
  /** The config hash of the `dmaml train` run it belongs to (its run directory's identity). */
  run?: string;
  /** The episode step limit it was trained (and is adapted) with. */
  maxSteps?: number;
  /** The inner rate to adapt it with: α, or Meta-SGD's learned rates in the flat layout. */
  innerLr?: number | number[];
  /** Set when the policy is an adapted one: the task (named values) and the steps taken. */
  adapted?: { task: Record<string, number>; steps: number; episodes: number; seed: number; returns: number[] };
}

/**
 * Saves the policy in tfjs LayersModel format through a tfjs IO handler, a URL scheme tfjs knows
 * ('indexeddb://…', 'downloads://…'), or in Node with 'directed-maml/node' imported a directory
 * (a path or a file:// URL). `metadata`: e.g. trainer.policyMetadata(), what dm.loadPolicy gives back.
 */
export async function exportPolicy(policy: ExportablePolicy, handler: tf.io.IOHandler | string, options: ExportOptions = {}): Promise<tf.io.SaveResult> {
  let target = handler;
  const files = fileHandlers();
  if (typeof target === 'string' && files && namesFile(target)) target = files.save(target);
  if (typeof target === 'string') {
    const handlers = tf.io.getSaveHandlers(target);
    if (handlers.length !== 1) throw new ConfigError('handler', target, `a URL that exactly one tfjs save handler claims (indexeddb://, localstorage://, downloads://, http(s)://; found ${handlers.length})`);
    target = handlers[0]!;
  }
  if (target === null || typeof target !== 'object' || typeof target.save !== 'function') throw new ConfigError('handler', target, 'a tfjs IOHandler with save() or a URL');
  return target.save(await policyArtifacts(policy, options));
}
