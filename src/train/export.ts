// Exports a policy as a tfjs LayersModel (model.json + weights): Dense layers with the policy's
// hidden activation and a linear output of logits, so any tfjs program can load it with
// tf.loadLayersModel and act with argmax / tf.multinomial without this library. A Gaussian head's
// last Dense layer ('mean') gives the action means; its log-std is not a layer's weight (tfjs's
// loader refuses weights no layer owns), so it travels in model.json's userDefinedMetadata under
// HEAD_METADATA_KEY, with its float32 bit patterns so that dm.loadPolicy restores it bit for bit.
import { tf } from '../core/backend';
import { ConfigError } from '../errors';
import type { Activation } from '../nn/mlp';
import { headOutputs, splitParams, type PolicyHead } from '../nn/head';

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

/** A tf.Sequential holding a copy of the policy's current weights (the caller disposes it). */
export function policyToLayersModel(policy: ExportablePolicy): tf.Sequential {
  const head = headOf(policy);
  const sizes = [policy.obsDim, ...policy.hidden, headOutputs(head)];
  const numLayers = sizes.length - 1;
  const own = head.kind === 'gaussian' ? 1 : 0;
  if (policy.params.length !== 2 * numLayers + own) {
    throw new ConfigError('policy.params', `${policy.params.length} tensors`, `${2 * numLayers + own} ([W, b] per layer of ${sizes.join('-')}${own ? ', then the log-std' : ''})`);
  }
  for (let l = 0; l < numLayers; l++) {
    const w = policy.params[2 * l], b = policy.params[2 * l + 1];
    if (w.shape.join() !== `${sizes[l]},${sizes[l + 1]}` || b.shape.join() !== `${sizes[l + 1]}`) {
      throw new ConfigError(`policy.params[${2 * l}]`, `[${w.shape}] and [${b.shape}]`, `[${sizes[l]}, ${sizes[l + 1]}] and [${sizes[l + 1]}]`);
    }
  }
  const model = tf.sequential({ name: 'directed_maml_policy' });
  for (let l = 0; l < numLayers; l++) {
    model.add(tf.layers.dense({
      units: sizes[l + 1],
      activation: l === numLayers - 1 ? 'linear' : policy.activation,
      useBias: true,
      name: l === numLayers - 1 ? (head.kind === 'gaussian' ? 'mean' : 'logits') : `hidden_${l + 1}`,
      ...(l === 0 ? { inputShape: [policy.obsDim] } : {}),
    }));
  }
  // setWeights copies the values into the layers' own variables: the policy keeps its tensors.
  model.setWeights([...splitParams(head, policy.params).layers]);
  return model;
}

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
  const values = Float32Array.from(splitParams(head, policy.params).own[0].dataSync());
  return { kind: 'gaussian', actionSize: head.actionSize, logStd: Array.from(values), logStdFloat32Bits: Array.from(new Uint32Array(values.buffer)) };
}

export interface ExportOptions {
  /** A JSON object saved with the model (what it was trained on, the inner rate, …); dm.loadPolicy ignores it. */
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
 * Saves the policy in tfjs LayersModel format through a tfjs IO handler (or a URL scheme tfjs
 * knows: 'indexeddb://…', 'downloads://…'; in Node the CLI passes the file handler of src/node/store).
 */
export async function exportPolicy(policy: ExportablePolicy, handler: tf.io.IOHandler | string, options: ExportOptions = {}): Promise<tf.io.SaveResult> {
  const model = policyToLayersModel(policy);
  try {
    // Stored as the model's userDefinedMetadata (model.json), which tfjs loaders pass through.
    const head = headMetadata(policy);
    const metadata = head ? { ...options.metadata, [HEAD_METADATA_KEY]: head } : options.metadata;
    if (metadata !== undefined) model.setUserDefinedMetadata(metadata);
    return await model.save(handler);
  } finally {
    model.dispose();
  }
}
