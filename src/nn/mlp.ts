// The functional MLP: logits = W_L(…act(W_1 x + b_1)…) + b_L, parameters passed in as a list so
// that adapted parameters (θ' = θ − α∇L, still on the tape) flow through the same code.
// Layout (the contract with assembly/policy.ts and tfjs Dense layers): [W1, b1, W2, b2, …],
// W_l of shape [in, out], b_l of shape [out].
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';

export type Activation = 'tanh' | 'relu';
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu'];

/** Layer widths [obsDim, ...hidden, numActions] read from the parameter shapes; throws if they do not chain. */
export function layerSizes(params: readonly tf.Tensor[]): number[] {
  const layout = '[W1 [in, h1], b1 [h1], W2 [h1, h2], b2 [h2], …] (an even number ≥ 2 of tensors)';
  if (!Array.isArray(params) || params.length < 2 || params.length % 2 !== 0) {
    throw new ConfigError('params', Array.isArray(params) ? `${params.length} tensors` : params, layout);
  }
  const sizes: number[] = [];
  for (let l = 0; l < params.length / 2; l++) {
    const w = params[2 * l], b = params[2 * l + 1];
    if (!(w instanceof tf.Tensor) || !(b instanceof tf.Tensor)) {
      throw new ConfigError(`params[${w instanceof tf.Tensor ? 2 * l + 1 : 2 * l}]`, 'not a tensor', layout);
    }
    if (w.rank !== 2) throw new ConfigError(`params[${2 * l}].shape`, w.shape, `[in, out] kernel; ${layout}`);
    const [inDim, outDim] = w.shape;
    if (l === 0) sizes.push(inDim);
    else if (inDim !== sizes[l]) {
      throw new ConfigError(`params[${2 * l}].shape`, w.shape, `[${sizes[l]}, out] (previous layer has ${sizes[l]} units)`);
    }
    if (b.rank !== 1 || b.shape[0] !== outDim) {
      throw new ConfigError(`params[${2 * l + 1}].shape`, b.shape, `[${outDim}] bias`);
    }
    sizes.push(outDim);
  }
  return sizes;
}

export function checkActivation(activation: unknown, field = 'activation'): Activation {
  if (!ACTIVATIONS.includes(activation as Activation)) throw new ConfigError(field, activation, ACTIVATIONS.join(' | '));
  return activation as Activation;
}

// The hidden activation travels with the parameter tensors: a Policy marks its variables, and
// dm.adapt marks the tensors it derives from marked ones, so a loss over `params` never guesses it.
const carried = new WeakMap<tf.Tensor, Activation>();

export function carryActivation(tensors: readonly tf.Tensor[], activation: Activation): void {
  for (const t of tensors) carried.set(t, activation);
}

/** The activation the tensors carry (undefined when none does); throws if they disagree. */
export function carriedActivation(tensors: readonly tf.Tensor[]): Activation | undefined {
  let found: Activation | undefined;
  for (const t of tensors) {
    const a = carried.get(t);
    if (a !== undefined && found !== undefined && a !== found) {
      throw new ConfigError('params', `tensors of a '${found}' and a '${a}' policy`, 'the parameters of one policy');
    }
    found ??= a;
  }
  return found;
}

/** Logits [n, numActions] of obs [n, obsDim]; hidden layers use `activation`, the last is linear. */
export function mlpLogits(params: readonly tf.Tensor[], obs: tf.Tensor, activation: Activation): tf.Tensor2D {
  const sizes = layerSizes(params);
  checkActivation(activation);
  if (obs.rank !== 2 || obs.shape[1] !== sizes[0]) {
    throw new ConfigError('obs.shape', obs.shape, `[n, ${sizes[0]}] (the first kernel has ${sizes[0]} inputs)`);
  }
  const numLayers = params.length / 2;
  return tf.tidy(() => {
    let h = obs as tf.Tensor2D;
    for (let l = 0; l < numLayers; l++) {
      // Plain matMul + add (not tf.fused): their gradients are ordinary differentiable ops.
      const z = tf.add(tf.matMul(h, params[2 * l] as tf.Tensor2D), params[2 * l + 1]) as tf.Tensor2D;
      h = l === numLayers - 1 ? z : activation === 'tanh' ? tf.tanh(z) : tf.relu(z);
    }
    return h;
  });
}
