// The options of the inner loop, checked in one place: the algorithm records (dm.maml …),
// dm.adapt, dm.metaGradient and dm.adaptPolicy take α, k, the order and the estimator with the same
// rules, the same defaults (src/core/defaults.ts) and the same messages as the config schema.
import { ConfigError } from '../errors';
import { DEFAULTS, MAX_ROLLOUT_COUNT } from '../core/defaults';
import { ESTIMATORS, type Estimator } from '../nn/loss';

/**
 * α is a step size: a finite number >= 0 (DESIGN.md refuses negative rates; α = 0 is the
 * no-adaptation control of the learning tests). Meta-SGD keeps its learned rates >= MIN_INNER_LR.
 */
export const INNER_LR_ALLOWED = 'a number >= 0'; // the schema's words for the same rule (finite)

const isRate = (x: number): boolean => Number.isFinite(x) && x >= 0;

/** A scalar α, or a ConfigError naming `field`. `vector`: how the per-parameter form is described, when one is allowed. */
export function checkInnerLrNumber(value: unknown, field: string, vector?: string): number {
  if (typeof value !== 'number' || !isRate(value)) throw new ConfigError(field, value, vector ? `${INNER_LR_ALLOWED}, or ${vector}` : INNER_LR_ALLOWED);
  return value;
}

/** Meta-SGD's α as one rate per parameter (flat layout): the count, then every rate. */
export function checkInnerLrRates(rates: Float32Array, field: string, numParams: number): Float32Array {
  if (rates.length !== numParams) throw new ConfigError(`${field}.length`, rates.length, `${numParams} (the policy's flat parameter count)`);
  for (let i = 0; i < rates.length; i++) if (!isRate(rates[i])) throw new ConfigError(`${field}[${i}]`, rates[i], INNER_LR_ALLOWED);
  return rates;
}

/**
 * α as dm.metaGradient and dm.adaptPolicy take it: a number, or Meta-SGD's rates (a Float32Array in
 * the policy's flat layout). Default DEFAULTS.innerLr.
 */
export function checkInnerLr(value: unknown, field: string, numParams: number): number | Float32Array {
  if (value === undefined) return DEFAULTS.innerLr;
  if (value instanceof Float32Array) return checkInnerLrRates(value, field, numParams);
  return checkInnerLrNumber(value, field, `a Float32Array of ${numParams} per-parameter rates (Meta-SGD)`);
}

/**
 * Inner gradient steps k, an integer in [min, MAX_ROLLOUT_COUNT]; default DEFAULTS.innerSteps.
 * (What k costs in memory is checked where the memory is known: the trainer's memory plan, the
 * wasm engine's workspace in dm.metaGradient.)
 */
export function checkInnerSteps(value: unknown, field: string, min: 0 | 1 = 1): number {
  const steps = value === undefined ? DEFAULTS.innerSteps : value;
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < min || steps > MAX_ROLLOUT_COUNT) {
    throw new ConfigError(field, steps, `an integer in [${min}, ${MAX_ROLLOUT_COUNT}]`);
  }
  return steps;
}

/** 2: exact second order (the inner gradient keeps its graph); 1: first order. Default 2. */
export function checkOrder(value: unknown, field = 'order'): 1 | 2 {
  const order = value === undefined ? DEFAULTS.order : value;
  if (order !== 1 && order !== 2) throw new ConfigError(field, order, '1 (first order, FOMAML) | 2 (exact second order)');
  return order;
}

/** The inner surrogate: 'naive' or 'lvc' (see dm.reinforceLoss). Default 'naive'. */
export function checkEstimator(value: unknown, field = 'estimator'): Estimator {
  const estimator = value === undefined ? DEFAULTS.estimator : value;
  if (typeof estimator !== 'string' || !(ESTIMATORS as readonly string[]).includes(estimator)) throw new ConfigError(field, estimator, ESTIMATORS.join(' | '));
  return estimator as Estimator;
}
