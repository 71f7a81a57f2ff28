// The one place that knows a policy head. A policy is an MLP whose outputs feed a head:
//   categorical — the outputs are logits over `numActions` discrete actions; actions are indices
//                 (Int32Array, one per row);
//   gaussian    — the outputs are the mean μ of a diagonal Gaussian over a box of `actionSize`
//                 floats; a state-independent log-std vector s (a learned parameter, initialised
//                 to 0) follows the MLP's parameters (flat layout [W1, b1, …, WL, bL, s]);
//                 actions are Float32Array rows of actionSize (sampled unclipped: the env clips).
// The rollout, recordEpisode (drawAction), the gradient kernels (through the WASM code HEAD_*), the
// losses, export/load and the page read this record; nothing else tests which head a policy has.
import * as tf from '@tensorflow/tfjs-core';
import { wasmConst } from '../core/wasm';
import { ConfigError } from '../errors';
import { logSoftmax } from './ops';

export type PolicyHead =
  | { readonly kind: 'categorical'; readonly numActions: number }
  | { readonly kind: 'gaussian'; readonly actionSize: number };

/** The actions of rows under a head: Int32Array indices (categorical) or Float32Array n x actionSize (gaussian). */
export type Actions = Int32Array | Float32Array;

/** The head an env's action space needs (a TaskFamily's actionSpace, or its two sizes). */
export function headFor(space: { numActions: number; actionSize: number }): PolicyHead {
  return space.actionSize > 0 ? { kind: 'gaussian', actionSize: space.actionSize } : { kind: 'categorical', numActions: space.numActions };
}

/** Units of the MLP's last layer. */
export function headOutputs(head: PolicyHead): number {
  return head.kind === 'gaussian' ? head.actionSize : head.numActions;
}

/** Parameters of the head itself, after the MLP's (the log-std of a Gaussian). */
export function headParamCount(head: PolicyHead): number {
  return head.kind === 'gaussian' ? head.actionSize : 0;
}

/** Numbers per row of actions: 1 index, or actionSize floats. */
export function actionWidth(head: PolicyHead): number {
  return head.kind === 'gaussian' ? head.actionSize : 1;
}

/**
 * Room for `rows` rows of actions in the head's array type: a new zeroed array, or a view of
 * `buffer` from `byteOffset` (the WASM sampler's compacted actions).
 */
export function actionArray(head: PolicyHead, rows: number, buffer?: ArrayBufferLike, byteOffset = 0): Actions {
  const n = rows * actionWidth(head);
  if (head.kind === 'gaussian') return buffer ? new Float32Array(buffer, byteOffset, n) : new Float32Array(n);
  return buffer ? new Int32Array(buffer, byteOffset, n) : new Int32Array(n);
}

/**
 * Uniforms in [0, 1) one action draw takes (drawAction): 1 for the inverse CDF of a categorical;
 * a Gaussian's Box–Muller takes 2 per pair of components, so actionSize rounded up to even.
 */
export function uniformsPerAction(head: PolicyHead): number {
  return head.kind === 'gaussian' ? head.actionSize + (head.actionSize % 2) : 1;
}

/**
 * One action for one state into `into` (one row), from the policy's outputs for that state (the WASM
 * forward's logits and, for a categorical, log-probabilities), the head's own parameters `own` and
 * `u`, uniformsPerAction(head) uniforms in [0, 1).
 * Categorical: the first a with u₀ < Σ_{k ≤ a} π(k|s) (inverse CDF; the last action if rounding
 * leaves the sum below u₀). Gaussian: a_j = μ_j + e^{s_j}·z_j, where components 2i and 2i + 1 share
 * the pair (u_{2i}, u_{2i+1}): ρ = √(−2 log(1 − u_{2i})), φ = 2π·u_{2i+1}, z_{2i} = ρ cos φ and
 * z_{2i+1} = ρ sin φ (Box–Muller; 1 − u keeps the log finite at u = 0).
 */
export function drawAction(head: PolicyHead, outputs: { logits: Float32Array; logProbs: Float32Array }, own: Float32Array, u: Float32Array, into: Actions): void {
  if (head.kind === 'categorical') {
    const A = head.numActions;
    let a = A - 1, cumulative = 0;
    for (let k = 0; k < A; k++) {
      cumulative += Math.exp(outputs.logProbs[k]);
      if (u[0] < cumulative) { a = k; break; }
    }
    into[0] = a;
    return;
  }
  const mean = outputs.logits;
  for (let j = 0; j < head.actionSize; j++) {
    const pair = j & ~1;
    const rho = Math.sqrt(-2 * Math.log(1 - u[pair])), phi = 2 * Math.PI * u[pair + 1];
    into[j] = mean[j] + Math.exp(own[j]) * (j % 2 === 0 ? rho * Math.cos(phi) : rho * Math.sin(phi));
  }
}

/** The head's code in the WASM module (assembly/policy.ts HEAD_*). */
export function headCode(head: PolicyHead): number {
  return wasmConst(head.kind === 'gaussian' ? 'HEAD_GAUSSIAN' : 'HEAD_CATEGORICAL');
}

export function sameHead(a: PolicyHead, b: PolicyHead): boolean {
  return a.kind === b.kind && headOutputs(a) === headOutputs(b);
}

export function describeHead(head: PolicyHead): string {
  return head.kind === 'gaussian' ? `a Gaussian head over ${head.actionSize} action components` : `a categorical head over ${head.numActions} actions`;
}

/**
 * The head of a parameter list: the MLP's layers come in [W, b] pairs, so an odd count means a
 * Gaussian's log-std [actionSize] last; an even count is a categorical MLP.
 */
export function headOfParams(params: readonly tf.Tensor[]): PolicyHead {
  if (params.length % 2 === 1 && params.length >= 3) {
    // [..., W_L, b_L, s]: the log-std follows the last bias, and is as long.
    const s = params[params.length - 1], b = params[params.length - 2];
    if (s instanceof tf.Tensor && s.rank === 1 && b instanceof tf.Tensor && b.rank === 1 && b.shape[0] === s.shape[0]) {
      return { kind: 'gaussian', actionSize: s.shape[0] };
    }
  }
  const b = params[params.length - 1];
  return { kind: 'categorical', numActions: b instanceof tf.Tensor && b.rank === 1 ? b.shape[0] : 0 };
}

/** The MLP's [W1, b1, …] and the head's own parameters of a parameter list. */
export function splitParams(head: PolicyHead, params: readonly tf.Tensor[]): { layers: readonly tf.Tensor[]; own: readonly tf.Tensor[] } {
  const k = params.length - (head.kind === 'gaussian' ? 1 : 0);
  return { layers: params.slice(0, k), own: params.slice(k) };
}

/** ½·log 2π, the Gaussian's normaliser per component. */
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log π(a|s) per row [n], differentiable to any order, from the MLP's outputs [n, outputs] and the
 * head's own parameters. Categorical: `actions` int32 indices [n] or a one-hot mask [n, numActions]
 * (never tf.gather: no gradient on wasm). Gaussian: `actions` [n, actionSize] floats;
 * log π = Σ_j −½((a_j − μ_j)·e^{−s_j})² − s_j − ½log 2π.
 */
export function headLogProb(head: PolicyHead, outputs: tf.Tensor2D, own: readonly tf.Tensor[], actions: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    if (head.kind === 'categorical') {
      const mask = actions.rank === 1 ? tf.cast(tf.oneHot(actions as tf.Tensor1D, head.numActions), 'float32') : tf.cast(actions, 'float32');
      return tf.sum(tf.mul(logSoftmax(outputs), mask), -1) as tf.Tensor1D;
    }
    const logStd = own[0];
    const z = tf.mul(tf.sub(tf.cast(actions, 'float32'), outputs), tf.exp(tf.neg(logStd)));
    const perComponent = tf.sub(tf.sub(tf.mul(tf.scalar(-0.5), tf.square(z)), logStd), tf.scalar(HALF_LOG_TWO_PI));
    return tf.sum(perComponent, -1) as tf.Tensor1D;
  });
}

/** Throws naming the first bad action of n rows (an index out of range, or a non-finite float). */
export function checkActions(head: PolicyHead, field: string, actions: unknown, n: number): void {
  if (head.kind === 'categorical') {
    if (!(actions instanceof Int32Array) || actions.length !== n) throw new ConfigError(field, actions, `an Int32Array of ${n} action indices`);
    for (let i = 0; i < n; i++) {
      const a = actions[i];
      if (!(a >= 0 && a < head.numActions)) throw new ConfigError(`${field}[${i}]`, a, `an integer in [0, ${head.numActions - 1}]`);
    }
    return;
  }
  const D = head.actionSize;
  if (!(actions instanceof Float32Array) || actions.length !== n * D) throw new ConfigError(field, actions, `a Float32Array of n x actionSize = ${n} x ${D} floats`);
  for (let i = 0; i < actions.length; i++) {
    if (!Number.isFinite(actions[i])) throw new ConfigError(`${field}[${Math.floor(i / D)}][${i % D}]`, actions[i], 'a finite number');
  }
}

/** The actions of rows as the tensor headLogProb takes. */
export function actionsTensor(head: PolicyHead, actions: Actions): tf.Tensor {
  if (head.kind === 'categorical') return tf.tensor1d(actions as Int32Array, 'int32');
  return tf.tensor2d(actions as Float32Array, [actions.length / head.actionSize, head.actionSize]);
}
