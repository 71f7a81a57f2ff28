// The meta-learners as data (learn2learn's habit: the algorithm is a small record, the maths
// lives in one meta-step). MAML, FOMAML and Meta-SGD differ only in the order of the inner
// gradient and in whether the inner rates α are learned; `directed` wraps any of them.
import { ConfigError } from '../errors';
import { DEFAULTS } from '../core/defaults';
import { parseDirectedSchedule, type DirectedSchedule } from '../core/schedule';
import type { Estimator } from '../nn/loss';
import { checkEstimator, checkInnerLrNumber, checkInnerSteps } from './inner-options';

export type BaseAlgoName = 'maml' | 'fomaml' | 'meta-sgd';

export interface MetaAlgorithm {
  name: BaseAlgoName;
  /** 2: exact second-order meta-gradient; 1: first order. */
  order: 1 | 2;
  /** Meta-SGD: α is a learned tensor per parameter, initialised to innerLr. */
  learnInnerLr: boolean;
  innerLr: number;
  innerSteps: number;
  /** Inner surrogate whose Hessian the second-order meta-gradient uses (first order: the same). */
  estimator: Estimator;
  /** Present when the task-directed step is on (see `directed`). */
  directed?: DirectedOptions;
}

export interface DirectedOptions {
  /** β_d, the step size of the directed step (default: the algorithm's innerLr). */
  lr: number;
  /**
   * The medium task by parameter name; unnamed parameters take the centre of their range.
   * 'random': a task drawn from the task distribution at each iteration instead (the control that
   * separates "one extra first-order step" from "the medium task").
   */
  medium?: Record<string, number> | 'random';
  /** 'pg': one policy-gradient step on medium-task rollouts; 'fomaml': step along the post-adaptation gradient. */
  variant: 'pg' | 'fomaml';
  schedule: DirectedSchedule;
}

export interface InnerOptions {
  /** α (default DEFAULTS.innerLr). */
  innerLr?: number;
  /** Inner gradient steps k (default 1). */
  innerSteps?: number;
  /** 'naive' (default) or 'lvc' (see dm.reinforceLoss). */
  estimator?: Estimator;
}

/** What sets the base algorithms apart: the order of the meta-gradient, and whether α is learned. */
const BASES: Readonly<Record<BaseAlgoName, { order: 1 | 2; learnInnerLr: boolean }>> = {
  maml: { order: 2, learnInnerLr: false },
  fomaml: { order: 1, learnInnerLr: false },
  'meta-sgd': { order: 2, learnInnerLr: true },
};

/** The base algorithm of a config's algo name ('directed-meta-sgd' → meta-sgd, order 2, learned α). */
export function baseAlgorithm(algo: string): Pick<MetaAlgorithm, 'name' | 'order' | 'learnInnerLr'> {
  const name = algo.replace(/^directed-/, '') as BaseAlgoName;
  return { name, ...BASES[name] };
}

/**
 * The record of options already checked — a resolved config's (algorithmFromConfig), or what the
 * factories below have checked — taken as given: nothing is checked or defaulted again.
 */
export function algorithmRecord(algo: string, inner: Required<InnerOptions>, directedOptions?: DirectedOptions): MetaAlgorithm {
  const record: MetaAlgorithm = { ...baseAlgorithm(algo), ...inner };
  return directedOptions ? { ...record, directed: directedOptions } : record;
}

function base(name: BaseAlgoName, options: InnerOptions): MetaAlgorithm {
  const innerLr = checkInnerLrNumber(options.innerLr ?? DEFAULTS.innerLr, 'innerLr');
  const innerSteps = checkInnerSteps(options.innerSteps, 'innerSteps');
  const estimator = checkEstimator(options.estimator);
  return algorithmRecord(name, { innerLr, innerSteps, estimator });
}

/** MAML with the exact second-order meta-gradient. */
export const maml = (options: InnerOptions = {}) => base('maml', options);
/** First-order MAML: ∂θ'/∂θ taken as the identity. */
export const fomaml = (options: InnerOptions = {}) => base('fomaml', options);
/** Meta-SGD: θ' = θ − α ⊙ ∇L with α learned jointly (second order). */
export const metaSgd = (options: InnerOptions = {}) => base('meta-sgd', options);

/**
 * The task-directed approximation (Directed-MAML) around any meta-learner: before the meta-step
 * of a scheduled iteration, one cheap first-order step on the medium task moves θ toward where
 * the meta-gradient would lead. One wrapper for MAML, FOMAML and Meta-SGD alike.
 */
export function directed(algo: MetaAlgorithm, options: { lr?: number; medium?: Record<string, number> | 'random'; variant?: 'pg' | 'fomaml'; schedule?: string } = {}): MetaAlgorithm {
  const lr = checkInnerLrNumber(options.lr ?? algo.innerLr, 'directed.lr');
  const variant = options.variant ?? 'pg';
  if (variant !== 'pg' && variant !== 'fomaml') throw new ConfigError('directed.variant', variant, "'pg' | 'fomaml'");
  const schedule = parseDirectedSchedule(options.schedule ?? 'every', 'directed.schedule');
  return { ...algo, directed: { lr, medium: options.medium, variant, schedule } };
}

/** The CLI/config name of an algorithm record. */
export function algoName(algo: MetaAlgorithm): string {
  return algo.directed ? `directed-${algo.name}` : algo.name;
}

/**
 * Whether an algorithm's meta-gradient differentiates through the adaptation (order 2, or learned
 * rates); first order without learned rates takes ∇L(θ'_i; D'_i) straight from the WASM estimator.
 */
export function differentiatesAdaptation(algo: { order: number; learnInnerLr: boolean }): boolean {
  return algo.order !== 1 || algo.learnInnerLr;
}
