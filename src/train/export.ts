// Exports a policy as a tfjs LayersModel (model.json + weights): Dense layers with the policy's
// hidden activation and a linear output of logits, so any tfjs program can load it with
// tf.loadLayersModel and act with argmax / tf.multinomial without this library.
import { tf } from '../core/backend';
import { ConfigError } from '../errors';
import type { Activation } from '../nn/mlp';

/** What the export needs of a policy (dm.Policy has all of it). */
export interface ExportablePolicy {
  readonly obsDim: number;
  readonly numActions: number;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  /** [W1, b1, W2, b2, …], W_l of shape [in, out] — the Dense kernel layout. */
  readonly params: readonly tf.Tensor[];
}

/** A tf.Sequential holding a copy of the policy's current weights (the caller disposes it). */
export function policyToLayersModel(policy: ExportablePolicy): tf.Sequential {
  const sizes = [policy.obsDim, ...policy.hidden, policy.numActions];
  const numLayers = sizes.length - 1;
  if (policy.params.length !== 2 * numLayers) {
    throw new ConfigError('policy.params', `${policy.params.length} tensors`, `${2 * numLayers} ([W, b] per layer of ${sizes.join('-')})`);
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
      name: l === numLayers - 1 ? 'logits' : `hidden_${l + 1}`,
      ...(l === 0 ? { inputShape: [policy.obsDim] } : {}),
    }));
  }
  // setWeights copies the values into the layers' own variables: the policy keeps its tensors.
  model.setWeights([...policy.params]);
  return model;
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
    if (options.metadata !== undefined) model.setUserDefinedMetadata(options.metadata);
    return await model.save(handler);
  } finally {
    model.dispose();
  }
}
