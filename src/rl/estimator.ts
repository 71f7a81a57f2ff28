// Advantages (assembly/estimator.ts), the batch tensors for tfjs, and the WASM policy gradient:
// the cheap first-order estimator the task-directed step calls.
import * as tf from '@tensorflow/tfjs-core';
import { wasm, wasmConst, Scratch } from '../core/wasm';
import { ConfigError } from '../errors';
import { DEFAULTS } from '../core/defaults';
import type { Policy } from '../nn/policy';
import type { Trajectories } from './trajectories';
import { wasmMlp, loadWeights, shapeOf } from './wasm-policy';
import { actionWidth, actionsTensor, checkActions, describeHead, headOutputs, sameHead } from '../nn/head';

export interface AdvantageOptions {
  /** Discount γ in [0, 1] (default DEFAULTS.gamma). */
  gamma?: number;
  /** GAE λ in [0, 1] (default DEFAULTS.lambda). */
  lambda?: number;
}

export interface Advantages {
  returns: Float32Array;
  /** The linear-feature baseline's values. */
  values: Float32Array;
  /** Normalised GAE, per task. */
  advantages: Float32Array;
  /** 1 / episode length for every row. */
  weights: Float32Array;
  /** Tasks whose ridge fit failed every try (their baseline is 0). */
  baselineFailures: number;
}

const inputScratch = new Scratch();
const outputScratch = new Scratch();

/**
 * WASM memory of the estimator's scratch buffers after calls on at most `numSteps` rows of
 * `numEpisodes` episodes (estimateAdvantages, policyGradient) for a policy of numParams parameters.
 * `largest` is the largest request; the buffers grow by doubling (capped at the allocator's block
 * limit), so `total` counts up to twice the requests.
 */
export function estimatorScratchBytes(numEpisodes: number, numSteps: number, obsDim: number, numParams: number): { total: number; largest: number } {
  const input = Math.max((numEpisodes + numSteps * (obsDim + 1)) * 4, numSteps * (obsDim + 3) * 4) + 16;
  const output = Math.max(numSteps * 16 + 16, numParams * 4);
  const held = (bytes: number) => Math.max(bytes, Math.min(2 * bytes, wasmConst('ALLOC_MAX_BYTES')));
  return { total: held(input) + held(output), largest: Math.max(input, output) };
}

/** Throws when trajectories and policy (or their own arrays) disagree on sizes. */
function checkTrajectories(traj: Trajectories, policy?: Policy): void {
  const n = traj.numSteps;
  let lengthSum = 0;
  for (const length of traj.episodeLengths) lengthSum += length;
  if (lengthSum !== n) throw new ConfigError('traj.episodeLengths', `sum ${lengthSum}`, `${n} (the number of steps)`);
  if (traj.obs.length !== n * traj.obsDim) throw new ConfigError('traj.obs.length', traj.obs.length, `${n} x ${traj.obsDim}`);
  if (traj.rewards.length !== n) throw new ConfigError('traj.rewards.length', traj.rewards.length, `${n}`);
  if (traj.numEpisodes % traj.episodesPerTask !== 0) throw new ConfigError('traj.episodesPerTask', traj.episodesPerTask, `a divisor of ${traj.numEpisodes} episodes`);
  if (policy && (policy.obsDim !== traj.obsDim || !sameHead(policy.head, traj.head))) {
    throw new ConfigError('policy', `obsDim ${policy.obsDim}, ${describeHead(policy.head)}`, `obsDim ${traj.obsDim}, ${describeHead(traj.head)} (the trajectories')`);
  }
}

function checkWeights(policy: Policy, weights: Float32Array | undefined): Float32Array {
  if (weights === undefined) return policy.getFlat();
  if (!(weights instanceof Float32Array) || weights.length !== policy.numParams) {
    throw new ConfigError('weights.length', weights?.length, `${policy.numParams} (the policy's flat parameter count)`);
  }
  return weights;
}

function unitInterval(field: string, v: number): number {
  if (!(v >= 0 && v <= 1)) throw new ConfigError(field, v, '[0, 1]');
  return v;
}

/** Returns, baseline, normalised GAE and row weights, task by task, in WASM. */
export function estimateAdvantages(traj: Trajectories, options: AdvantageOptions = {}): Advantages {
  const gamma = unitInterval('gamma', options.gamma ?? DEFAULTS.gamma);
  const lambda = unitInterval('lambda', options.lambda ?? DEFAULTS.lambda);
  checkTrajectories(traj);
  const w = wasm();
  const n = traj.numSteps, E = traj.numEpisodes, D = traj.obsDim;
  const inPtr = inputScratch.ensure((E + n * (D + 1)) * 4 + 16);
  const lengthsPtr = inPtr, obsPtr = lengthsPtr + E * 4, rewardPtr = obsPtr + n * D * 4;
  let buffer = w.memory.buffer;
  new Int32Array(buffer, lengthsPtr, E).set(traj.episodeLengths);
  new Float32Array(buffer, obsPtr, n * D).set(traj.obs);
  new Float32Array(buffer, rewardPtr, n).set(traj.rewards);
  const outPtr = outputScratch.ensure(n * 16 + 16);
  const [retPtr, valPtr, advPtr, wPtr] = [0, 1, 2, 3].map((k) => outPtr + k * n * 4);
  const failures = w.estimateAdvantages(E, traj.episodesPerTask, lengthsPtr, D, obsPtr, rewardPtr, gamma, lambda, retPtr, valPtr, advPtr, wPtr);
  buffer = w.memory.buffer;
  const out = (ptr: number) => new Float32Array(buffer, ptr, n).slice();
  return { returns: out(retPtr), values: out(valPtr), advantages: out(advPtr), weights: out(wPtr), baselineFailures: failures };
}

export interface Batch {
  obs: tf.Tensor2D;
  /** One-hot [n, numActions] (tfjs's gather has no gradient on wasm); a Gaussian head's [n, actionSize] floats. */
  actions: tf.Tensor2D;
  advantages: tf.Tensor1D;
  weights: tf.Tensor1D;
}

/** The tensors of dm.reinforceLoss for these trajectories. The caller disposes them. */
export function toBatch(traj: Trajectories, options: AdvantageOptions = {}): Batch {
  const est = estimateAdvantages(traj, options);
  const n = traj.numSteps;
  return tf.tidy(() => ({
    obs: tf.tensor2d(traj.obs, [n, traj.obsDim]),
    actions: (traj.head.kind === 'gaussian' ? actionsTensor(traj.head, traj.actions)
      : tf.cast(tf.oneHot(tf.tensor1d(traj.actions as Int32Array, 'int32'), traj.numActions), 'float32')) as tf.Tensor2D,
    advantages: tf.tensor1d(est.advantages),
    weights: tf.tensor1d(est.weights),
  }));
}

/**
 * ∇θ of −Σ w·log π_θ(a|s)·Â / Σ w on these trajectories, computed in WASM, as one Float32Array
 * in the flat parameter layout. `weights` evaluates the gradient at other parameters (flat).
 */
export function policyGradient(policy: Policy, traj: Trajectories, options: AdvantageOptions & { weights?: Float32Array; advantages?: Advantages } = {}): Float32Array {
  checkTrajectories(traj, policy);
  const est = options.advantages ?? estimateAdvantages(traj, options);
  const n = traj.numSteps, D = traj.obsDim;
  if (est.advantages.length !== n || est.weights.length !== n) {
    throw new ConfigError('advantages.length', est.advantages.length, `${n} (the number of steps)`);
  }
  checkActions(traj.head, 'traj.actions', traj.actions, n);
  const width = actionWidth(traj.head);
  const w = wasm();
  const mlp = wasmMlp(shapeOf(policy), 1);
  loadWeights(mlp, [checkWeights(policy, options.weights)]);
  const floats = w.mlpFlatFloats(mlp);
  const inPtr = inputScratch.ensure(n * (D + 2 + width) * 4 + 16);
  const obsPtr = inPtr, actPtr = obsPtr + n * D * 4, advPtr = actPtr + n * width * 4, wPtr = advPtr + n * 4;
  const buffer = w.memory.buffer;
  new Float32Array(buffer, obsPtr, n * D).set(traj.obs);
  (traj.actions instanceof Float32Array ? new Float32Array(buffer, actPtr, n * width) : new Int32Array(buffer, actPtr, n)).set(traj.actions);
  new Float32Array(buffer, advPtr, n).set(est.advantages);
  new Float32Array(buffer, wPtr, n).set(est.weights);
  const gradPtr = outputScratch.ensure(floats * 4);
  w.mlpPolicyGradient(mlp, 0, n, obsPtr, actPtr, advPtr, wPtr, gradPtr);
  return new Float32Array(w.memory.buffer, gradPtr, floats).slice();
}

/**
 * Logits and log-probabilities of obs rows from the WASM policy (for cross-checks); for a Gaussian
 * head, `logits` are the means and `logProbs` is empty (its log-probabilities need actions).
 */
export function wasmForward(policy: Policy, obs: Float32Array, weights?: Float32Array): { logits: Float32Array; logProbs: Float32Array } {
  if (obs.length % policy.obsDim !== 0) throw new ConfigError('obs.length', obs.length, `a multiple of obsDim ${policy.obsDim}`);
  const w = wasm();
  const mlp = wasmMlp(shapeOf(policy), 1);
  loadWeights(mlp, [checkWeights(policy, weights)]);
  const n = obs.length / policy.obsDim, A = headOutputs(policy.head);
  const withLogProbs = policy.head.kind === 'categorical';
  const inPtr = inputScratch.ensure(obs.length * 4 + 16);
  new Float32Array(w.memory.buffer, inPtr, obs.length).set(obs);
  const outPtr = outputScratch.ensure(2 * n * A * 4 + 16);
  w.mlpForwardBatch(mlp, 0, n, inPtr, outPtr, withLogProbs ? outPtr + n * A * 4 : 0);
  const buffer = w.memory.buffer;
  return { logits: new Float32Array(buffer, outPtr, n * A).slice(), logProbs: withLogProbs ? new Float32Array(buffer, outPtr + n * A * 4, n * A).slice() : new Float32Array(0) };
}
