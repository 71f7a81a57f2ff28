// The statistics of `dmaml experiment`: per-run summaries of a learning curve and paired
// differences on the same seeds. The report's intervals, tests and verdicts are inference.ts's
// (Student-t, sign-flip, TOST, Holm). The percentile bootstrap stays for the coverage simulation
// that shows why it was replaced (inference.test.ts: ~82–84% at n = 5); its draws come from the
// library's one RNG (stream: seed, BOOTSTRAP purpose, a stream id per statistic).
import { uniforms, Purpose } from '../../core/rng';
import { fnv1a64 } from '../../train/checkpoint';
import type { IterationMetrics } from '../../train/types';

export const BOOTSTRAP_RESAMPLES = 10_000;
export const CI_LEVEL = 0.95;

export interface Estimate {
  /** Number of values (seeds). */
  n: number;
  mean: number;
  /** Bounds of an interval of the mean: a Student-t one (inference.ts) or the percentile bootstrap's (NaN when n < 2). */
  lo: number;
  hi: number;
}

export const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The p-quantile of sorted values, linear between order statistics (R's type 7). */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const k = Math.floor(h);
  const next = sorted[Math.min(k + 1, sorted.length - 1)];
  return sorted[k] + (h - k) * (next - sorted[k]);
}

/** A 32-bit stream id for a statistic's label, so each statistic resamples its own stream. */
export function streamOf(label: string): number {
  return parseInt(fnv1a64(new TextEncoder().encode(label)).slice(8), 16) >>> 0;
}

export interface BootstrapOptions {
  seed?: number;
  /** Stream id (see streamOf). */
  stream?: number;
  resamples?: number;
  level?: number;
}

/**
 * Mean of `values` and its percentile-bootstrap CI: `resamples` samples of n values drawn with
 * replacement, the mean of each, and the (1 ± level)/2 quantiles of those means. With few seeds
 * (n = 5) this interval is known to be somewhat narrow; RESULTS.md says so.
 */
export function bootstrapMean(values: readonly number[], options: BootstrapOptions = {}): Estimate {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, lo: NaN, hi: NaN };
  const m = mean(values);
  if (n < 2) return { n, mean: m, lo: NaN, hi: NaN };
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = options.level ?? CI_LEVEL;
  const u = uniforms(options.seed ?? 0, Purpose.BOOTSTRAP, options.stream ?? 0, 0, resamples * n);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += values[Math.min(n - 1, Math.floor(u[b * n + j] * n))];
    means[b] = sum / n;
  }
  means.sort();
  return { n, mean: m, lo: quantile(means, (1 - level) / 2), hi: quantile(means, (1 + level) / 2) };
}

/** Per-seed differences a − b on the seeds both have (paired: same seed, same tasks and init). */
export function pairedDifferences(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { seeds: number[]; diffs: number[] } {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  return { seeds, diffs: seeds.map((s) => (a.get(s) as number) - (b.get(s) as number)) };
}

// ---- One run's learning curve, summarised.

export interface Reach {
  /** First iteration at which the smoothed post-adaptation return is >= the threshold, or null (not reached). */
  iteration: number | null;
  /** Training seconds (sum of the metrics' `seconds`) up to and including that iteration. */
  seconds: number | null;
}

/**
 * Iterations averaged when reading a threshold off a curve: one iteration's return is noisy
 * (Intersection-v0's swing with a few crashes), so a curve reaches the threshold at the first
 * iteration where the trailing mean of the last REACH_WINDOW returns (fewer at the start) does.
 */
export const REACH_WINDOW = 5;

export function reachThreshold(metrics: readonly IterationMetrics[], threshold: number, window = REACH_WINDOW): Reach {
  let seconds = 0;
  for (let i = 0; i < metrics.length; i++) {
    seconds += metrics[i].seconds;
    const recent = metrics.slice(Math.max(0, i + 1 - window), i + 1);
    if (mean(recent.map((m) => m.postReturn)) >= threshold) return { iteration: metrics[i].iteration, seconds };
  }
  return { iteration: null, seconds: null };
}

/** Area under the post-adaptation curve per iteration: the mean post-adaptation return over the run. */
export function postAuc(metrics: readonly IterationMetrics[]): number {
  return mean(metrics.map((m) => m.postReturn));
}

/** Iterations averaged for the final return: the last tenth of the run, at least one. */
export const finalWindow = (iterations: number): number => Math.max(1, Math.round(iterations / 10));

/** Final post-adaptation return: the mean over the last finalWindow(n) iterations. */
export function finalReturn(metrics: readonly IterationMetrics[]): number {
  return mean(metrics.slice(-finalWindow(metrics.length)).map((m) => m.postReturn));
}
