// The MLP policy: its parameters (tfjs variables) and their one flat layout, and its head
// (./head.ts: categorical logits, or a Gaussian's mean with a learned log-std).
// Flat layout = the contract with assembly/policy.ts: layer by layer, the kernel [in, out]
// row-major, then the bias [out] — i.e. the order of `params` = [W1, b1, W2, b2, …] — then a
// Gaussian head's log-std [actionSize].
import * as tf from '@tensorflow/tfjs-core';
import { uniforms, Purpose } from '../core/rng';
import { ConfigError } from '../errors';
import { carryActivation, checkActivation, mlpLogits, type Activation } from './mlp';
import { headOutputs, headParamCount, splitParams, type PolicyHead } from './head';

export interface PolicyOptions {
  /** Observation size (inputs of the first layer). */
  obsDim: number;
  /** Number of discrete actions (logits of the last layer): a categorical head. */
  numActions?: number;
  /** Length of a box action (means of the last layer): a Gaussian head with a learned log-std, initialised to 0. Give this or numActions. */
  actionSize?: number;
  /** Hidden layer widths; [] gives a linear policy. Default [64, 64]. */
  hidden?: readonly number[];
  /** Hidden activation. Default 'tanh'. */
  activation?: Activation;
  /** Seed of the Xavier-uniform kernel draws (RNG purpose INIT, task = layer index). Default 0. */
  seed?: number;
}

/** Build one with createPolicy (which validates the options). */
export class Policy {
  /** [W1, b1, W2, b2, …]: W_l of shape [in, out] (Dense layout), b_l of shape [out]; then a Gaussian head's log-std [actionSize]. */
  readonly params: tf.Variable[];
  /** Widths [obsDim, ...hidden, outputs] (outputs: numActions, or a Gaussian's actionSize). */
  readonly layerSizes: readonly number[];
  /** Total number of floats in `params` (length of the flat layout). */
  readonly numParams: number;
  /** Discrete actions (0 for a Gaussian head) and box action size (0 for a categorical head), as TaskFamily has them. */
  readonly numActions: number;
  readonly actionSize: number;

  constructor(
    readonly obsDim: number,
    readonly head: PolicyHead,
    readonly hidden: readonly number[],
    readonly activation: Activation,
    readonly seed: number,
  ) {
    this.numActions = head.kind === 'categorical' ? head.numActions : 0;
    this.actionSize = head.kind === 'gaussian' ? head.actionSize : 0;
    this.layerSizes = [obsDim, ...hidden, headOutputs(head)];
    this.params = [];
    let total = 0;
    for (let l = 0; l + 1 < this.layerSizes.length; l++) {
      const inDim = this.layerSizes[l], outDim = this.layerSizes[l + 1];
      // Xavier/Glorot uniform: W ~ U(−r, r), r = √(6 / (in + out)); biases zero.
      const limit = Math.sqrt(6 / (inDim + outDim));
      const u = uniforms(seed, Purpose.INIT, l, 0, inDim * outDim);
      const kernel = new Float32Array(inDim * outDim);
      for (let k = 0; k < kernel.length; k++) kernel[k] = (2 * u[k] - 1) * limit;
      // Variables are not tracked by tidy; the tidy frees their initial values.
      this.params.push(...tf.tidy(() => [tf.variable(tf.tensor2d(kernel, [inDim, outDim])), tf.variable(tf.zeros([outDim]))]));
      total += inDim * outDim + outDim;
    }
    const own = headParamCount(head);
    if (own > 0) {
      this.params.push(tf.tidy(() => tf.variable(tf.zeros([own])))); // the log-std: σ = 1 at the start
      total += own;
    }
    this.numParams = total;
    carryActivation(this.params, activation);
  }

  /** The MLP's outputs [n, outputs] (logits, or a Gaussian's means) of obs [n, obsDim] under `params` (this.params or adapted ones). */
  logits(params: readonly tf.Tensor[], obs: tf.Tensor2D): tf.Tensor2D {
    return mlpLogits(splitParams(this.head, params).layers, obs, this.activation);
  }

  /** All parameters as one Float32Array in the flat layout (a copy). */
  getFlat(): Float32Array {
    return flattenTensors(this.params);
  }

  /** Overwrites all parameters from one array in the flat layout. */
  setFlat(flat: ArrayLike<number>): void {
    if (flat == null || flat.length !== this.numParams) {
      throw new ConfigError('flat.length', flat?.length, `${this.numParams} (the policy's parameter count)`);
    }
    for (let i = 0; i < flat.length; i++) {
      if (!Number.isFinite(flat[i])) throw new ConfigError(`flat[${i}]`, flat[i], 'a finite number');
    }
    const values = Float32Array.from(flat);
    let offset = 0;
    for (const p of this.params) {
      const slice = values.subarray(offset, offset + p.size);
      tf.tidy(() => p.assign(tf.tensor(slice, p.shape, 'float32')));
      offset += p.size;
    }
  }

  /** Frees the parameter variables. */
  dispose(): void {
    for (const p of this.params) p.dispose();
  }
}

/** The values of tensors laid end to end (the flat layout when given [W1, b1, W2, b2, …]). */
export function flattenTensors(tensors: readonly tf.Tensor[]): Float32Array {
  const flat = new Float32Array(tensors.reduce((n, t) => n + t.size, 0));
  let offset = 0;
  for (const t of tensors) {
    flat.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return flat;
}

function checkPositiveInt(field: string, value: unknown, min: number): number {
  if (!Number.isInteger(value) || (value as number) < min) throw new ConfigError(field, value, `an integer >= ${min}`);
  return value as number;
}

/** A seeded MLP policy with Xavier-uniform kernels and zero biases. */
export function createPolicy(options: PolicyOptions): Policy {
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ obsDim, numActions | actionSize, hidden?, activation?, seed? }');
  const obsDim = checkPositiveInt('obsDim', options.obsDim, 1);
  const box = options.actionSize !== undefined && options.actionSize !== 0;
  if (box && options.numActions !== undefined && options.numActions !== 0) {
    throw new ConfigError('numActions', options.numActions, 'absent (or 0) with actionSize: one head, categorical (numActions) or Gaussian (actionSize)');
  }
  const head: PolicyHead = box
    ? { kind: 'gaussian', actionSize: checkPositiveInt('actionSize', options.actionSize, 1) }
    : { kind: 'categorical', numActions: checkPositiveInt('numActions', options.numActions, 2) };
  const hidden = options.hidden ?? [64, 64];
  if (!Array.isArray(hidden)) throw new ConfigError('hidden', hidden, 'an array of layer widths, e.g. [64, 64]');
  hidden.forEach((h, i) => checkPositiveInt(`hidden[${i}]`, h, 1));
  const activation = checkActivation(options.activation ?? 'tanh');
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ConfigError('seed', seed, 'an integer in [0, 4294967295]');
  return new Policy(obsDim, head, [...hidden], activation, seed);
}
