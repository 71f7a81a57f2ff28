// The REINFORCE surrogate loss of a categorical MLP policy, differentiable to any order.
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../errors';
import { carriedActivation, checkActivation, layerSizes, mlpLogits, type Activation } from './mlp';
import { stopGradient } from './ops';
import { headLogProb, headOfParams, sameHead, describeHead, splitParams, type PolicyHead } from './head';
import { Policy } from './policy';

export interface ReinforceBatch {
  /** Observations [n, obsDim]. */
  obs: tf.Tensor;
  /** Actions: int32 indices [n], or one-hot (any float mask) [n, numActions]; a Gaussian head's [n, actionSize] floats. */
  actions: tf.Tensor;
  /** Advantages [n] (constants: no gradient flows into them). */
  advantages: tf.Tensor;
  /** Per-row weights [n] (e.g. 0 for padding); default all 1. */
  weights?: tf.Tensor;
}

export interface ReinforceOptions {
  /**
   * Hidden activation of the MLP the params describe. Default: the one the params carry (a
   * Policy's variables, and the tensors dm.adapt derives from them); needed only for other tensors
   * of a network with hidden layers. A Policy fits here.
   */
  activation?: Activation;
  /** Replaces the built-in MLP forward (params, obs) → logits [n, numActions]. A Policy fits here. */
  logits?: (params: readonly tf.Tensor[], obs: tf.Tensor2D) => tf.Tensor2D;
  /**
   * 'naive' (default): log π(a|s)·A. 'lvc': ProMP's low-variance curvature surrogate
   * π(a|s)/⊥π(a|s)·A = exp(log π − ⊥log π)·A (Rothfuss et al. 2019): the same value of the
   * gradient, but its Hessian also credits how θ moves the sampling distribution of the batch
   * (−Σ w·A·∇log π ∇log πᵀ / Σ w more), which the naive inner loss of MAML-RL drops.
   */
  estimator?: Estimator;
  /** The policy head (./head.ts). Default: the Policy's, else read from the params (an odd count ends with a Gaussian's log-std). */
  head?: PolicyHead;
}

export type Estimator = 'naive' | 'lvc';
export const ESTIMATORS: readonly Estimator[] = ['naive', 'lvc'];

function checkRows(field: string, t: tf.Tensor | undefined, n: number): void {
  if (!(t instanceof tf.Tensor) || t.rank !== 1 || t.shape[0] !== n) {
    throw new ConfigError(`${field}.shape`, t instanceof tf.Tensor ? t.shape : t, `[${n}] (one value per row of obs)`);
  }
}

/**
 * The forward of `params`: options.logits, else the MLP with the activation given or carried by
 * the params. Never a guess: a network with hidden layers whose params carry no activation needs
 * one given, and a given one must match the carried one.
 */
function forwardOf(params: readonly tf.Tensor[], options: ReinforceOptions, head: PolicyHead): (params: readonly tf.Tensor[], obs: tf.Tensor2D) => tf.Tensor2D {
  if (options.logits) return (p, obs) => options.logits!(p, obs); // a method call: options may be a Policy
  const layersOf = (p: readonly tf.Tensor[]) => splitParams(head, p).layers;
  const layers = layersOf(params);
  const given = options.activation === undefined ? undefined : checkActivation(options.activation);
  const own = carriedActivation(layers);
  if (given && own && given !== own) throw new ConfigError('activation', given, `'${own}' (the params are a ${own} policy's)`);
  // A linear policy (one layer) has no hidden activation to choose.
  const activation = given ?? own ?? (layers.length === 2 ? 'tanh' : undefined);
  if (!activation) {
    throw new ConfigError('activation', undefined, "'tanh' | 'relu' (these params carry none: pass { activation }, or the Policy as params or options)");
  }
  return (p, obs) => mlpLogits(layersOf(p), obs, activation);
}

/**
 * L(θ) = −Σ_n w_n · log π_θ(a_n | s_n) · A_n / Σ_n w_n  (with estimator 'lvc', log π → π/⊥π).
 * `params`: a Policy (its parameters and forward), or a list of tensors [W1, b1, …]. The chosen
 * action's log-probability is picked with a one-hot mask, never with tf.gather (which has no
 * gradient on the wasm backend and gives wrong values with batchDims there).
 */
export function reinforceLoss(params: readonly tf.Tensor[] | Policy, batch: ReinforceBatch, options: ReinforceOptions = {}): tf.Scalar {
  if (params instanceof Policy) return reinforceLoss(params.params, batch, { logits: params.logits.bind(params), head: params.head, ...options });
  if (batch == null || typeof batch !== 'object') throw new ConfigError('batch', batch, '{ obs, actions, advantages, weights? }');
  const { obs, actions, advantages, weights } = batch;
  const head = options.head ?? headOfParams(params);
  if (options.head && !sameHead(options.head, headOfParams(params))) {
    throw new ConfigError('params', `${params.length} tensors`, `the parameters of a policy with ${describeHead(options.head)}`);
  }
  const sizes = layerSizes(splitParams(head, params).layers);
  const numActions = sizes[sizes.length - 1];
  if (!(obs instanceof tf.Tensor) || obs.rank !== 2) throw new ConfigError('obs.shape', obs instanceof tf.Tensor ? obs.shape : obs, '[n, obsDim]');
  const n = obs.shape[0];
  if (head.kind === 'gaussian') {
    if (!(actions instanceof tf.Tensor) || actions.rank !== 2 || actions.shape[0] !== n || actions.shape[1] !== head.actionSize) {
      throw new ConfigError('actions.shape', actions instanceof tf.Tensor ? actions.shape : actions, `[${n}, ${head.actionSize}] floats (a Gaussian head's actions)`);
    }
  } else {
    if (!(actions instanceof tf.Tensor)) throw new ConfigError('actions', actions, `int32 indices [${n}] or one-hot [${n}, ${numActions}]`);
    if (actions.rank === 1) {
      checkRows('actions', actions, n);
      if (actions.dtype !== 'int32') throw new ConfigError('actions.dtype', actions.dtype, "'int32' for indices (or pass one-hot [n, numActions])");
    } else if (actions.rank !== 2 || actions.shape[0] !== n || actions.shape[1] !== numActions) {
      throw new ConfigError('actions.shape', actions.shape, `[${n}] int32 indices or [${n}, ${numActions}] one-hot`);
    }
  }
  checkRows('advantages', advantages, n);
  if (weights !== undefined) checkRows('weights', weights, n);
  const estimator = options.estimator ?? 'naive';
  if (!ESTIMATORS.includes(estimator)) throw new ConfigError('estimator', estimator, ESTIMATORS.join(' | '));
  const forward = forwardOf(params, options, head);

  return tf.tidy(() => {
    const outputs = forward(params, obs as tf.Tensor2D); // logits, or a Gaussian head's means
    const logProb = headLogProb(head, outputs, splitParams(head, params).own, actions); // log π(a_n | s_n), [n]
    return surrogate(logProb, estimator, advantages, weights);
  });
}

/** −Σ w·score·A / Σ w with score = log π (naive) or π/⊥π (lvc). */
function surrogate(logProb: tf.Tensor1D, estimator: Estimator, advantages: tf.Tensor, weights: tf.Tensor | undefined): tf.Scalar {
  return tf.tidy(() => {
    const score = estimator === 'lvc' ? tf.exp(tf.sub(logProb, stopGradient(logProb))) : logProb;
    const weighted = tf.mul(score, tf.cast(advantages, 'float32'));
    if (weights === undefined) return tf.neg(tf.mean(weighted)) as tf.Scalar;
    const w = tf.cast(weights, 'float32');
    return tf.neg(tf.div(tf.sum(tf.mul(weighted, w)), tf.sum(w))) as tf.Scalar;
  });
}
