// The inner loop of MAML, FOMAML and Meta-SGD, and the one place where the order lives
// (learn2learn's `adapt` with its `first_order` switch, in functional form).
//
// How the order works on tfjs's tape. `tf.grads(f)(xs)` records every op that f runs on one tape
// and, at the end, backpropagates over the part of the tape that leads from xs to f's result.
// A `tf.grads` called INSIDE an enclosing f does its own backward pass while the enclosing
// recording is still on, so the ops of that backward pass (the inner gradient ∇L(θ) as a function
// of θ) are recorded too. With the gradient fixes of ../nn/gradient-fixes.ts every op's backward
// is itself made of differentiable ops that depend on θ, so the enclosing backward pass
// differentiates through ∇L(θ): the exact MAML meta-gradient, Hessian-vector products included.
//   order 2: the inner gradient is taken at the params themselves → graph kept.
//   order 1: it is taken at fresh copies of the params' values. A copy made from data has no tape
//            node linking it to θ, so the enclosing pass prunes the whole inner forward/backward
//            (no second-order work is done) and sees θ' = θ − α⊙g with g a constant: FOMAML.
//            (A stopGradient on g would give the same values but would still backpropagate zeros
//            through the inner graph: measured as costly as order 2, vs about half for the copy.)
//            The inner ops are still recorded on an enclosing tape (tfjs has no public way to pause
//            it); they are pruned from its backward pass and freed when that outer call returns.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { carriedActivation, carryActivation } from '../nn/mlp';
import { checkInnerLrNumber, checkInnerSteps, checkOrder } from './inner-options';

export type LossFn = (params: tf.Tensor[]) => tf.Scalar;

export interface AdaptOptions {
  /** Inner learning rate α: one number (MAML/FOMAML), or one tensor per param, shaped like it (Meta-SGD). */
  lr: number | readonly tf.Tensor[];
  /** Number of inner gradient steps k (0 returns copies of params). Default 1. */
  steps?: number;
  /** 2: exact second order (the inner gradient keeps its graph); 1: first order (FOMAML). Default 2. */
  order?: 1 | 2;
}

function checkOptions(params: readonly tf.Tensor[], options: AdaptOptions): { steps: number; order: 1 | 2 } {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof tf.Tensor)) {
    throw new ConfigError('params', params, 'a non-empty array of tensors');
  }
  if (options == null || typeof options !== 'object') throw new ConfigError('options', options, '{ lr, steps?, order? }');
  const { lr } = options;
  if (Array.isArray(lr)) {
    if (lr.length !== params.length) throw new ConfigError('lr.length', lr.length, `${params.length} (one tensor per param)`);
    lr.forEach((a, i) => {
      if (!(a instanceof tf.Tensor) || !tf.util.arraysEqual(a.shape, params[i].shape)) {
        throw new ConfigError(`lr[${i}].shape`, a instanceof tf.Tensor ? a.shape : a, `[${params[i].shape.join(', ')}] (the shape of params[${i}])`);
      }
    });
  } else {
    checkInnerLrNumber(lr, 'lr', 'one tensor per param (Meta-SGD)');
  }
  return { steps: checkInnerSteps(options.steps, 'steps', 0), order: checkOrder(options.order) };
}

/**
 * A tensor with x's values and no tape connection to x, made from its downloaded data (a plain
 * memory copy on wasm/cpu; a synchronous read on webgl — a few thousand floats per step).
 */
function detachedCopy(x: tf.Tensor): tf.Tensor {
  return tf.tensor(x.dataSync(), x.shape, x.dtype);
}

/**
 * k steps of θ ← θ − α ⊙ ∇_θ L(θ), starting from `params`; returns the adapted parameters.
 *
 * Call it inside an outer `tf.grads` (or valueAndGrads) to get the meta-gradient through the
 * adaptation: exact with order 2, first order with order 1; with `lr` tensors it is also
 * differentiable with respect to α (Meta-SGD). `lossFn` must return a scalar that depends on every
 * param, and must only read the params it is given.
 *
 * Memory: everything made here is freed except the returned tensors, which are new (never aliases
 * of `params`, also for steps = 0) and belong to the caller: dispose them, or call adapt inside a
 * tf.tidy. Inside an outer tf.grads the tape keeps what the backward pass needs until that outer
 * call returns (for order 2 about one inner forward + backward per step and task).
 */
export function adapt(params: readonly tf.Tensor[], lossFn: LossFn, options: AdaptOptions): tf.Tensor[] {
  const { steps, order } = checkOptions(params, options);
  if (typeof lossFn !== 'function') throw new ConfigError('lossFn', lossFn, 'a function (params) => scalar loss');
  const { lr } = options;
  const scalarLoss = (...p: tf.Tensor[]): tf.Scalar => {
    const loss = lossFn(p);
    if (!(loss instanceof tf.Tensor) || loss.rank !== 0) {
      throw new ConfigError('lossFn', loss instanceof tf.Tensor ? `a tensor of shape [${loss.shape}]` : loss, 'a function returning a scalar tensor');
    }
    return loss;
  };

  // The tensors made here carry the params' activation (nn/mlp.ts), so lossFn may leave it implicit.
  const activation = carriedActivation(params);
  const carry = (ts: tf.Tensor[]): tf.Tensor[] => {
    if (activation) carryActivation(ts, activation);
    return ts;
  };
  return tf.tidy(() => {
    let theta = carry(params.map((p) => tf.clone(p)));
    for (let k = 0; k < steps; k++) {
      // g = ∇_θ L(θ): on θ itself (order 2, graph kept) or on a disconnected copy (order 1).
      const at = order === 2 ? theta : carry(theta.map(detachedCopy));
      const g = tf.grads(scalarLoss)(at);
      // θ ← θ − α ⊙ g  (α a number, or Meta-SGD's per-parameter rates)
      theta = carry(theta.map((p, i) => tf.sub(p, tf.mul(typeof lr === 'number' ? lr : lr[i], g[i]))));
    }
    return theta;
  });
}
