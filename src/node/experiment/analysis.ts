// The analysis of an experiment (pure: numbers in, numbers out; no file, no clock): what report.ts
// writes as results.jsonl, RESULTS.md and figures/, computed from the cells' metrics and held-out
// evaluations.
//
// Per cell: iterations and training seconds until the post-adaptation return first reaches the
// env's threshold, the area under the post-adaptation curve (its mean over iterations), the final
// return (mean of the last tenth of the run), the held-out k-shot returns at the last evaluation.
// Per arm (env, algorithm, overrides): the mean over seeds and its 95% bootstrap CI. Per pair of
// arms on the same seeds (a directed variant against its base, or against its random-task
// control): the mean paired difference, its CI and a verdict on the claim.
import type { IterationMetrics } from '../../train/types';
import { baseOf, armName, type Cell, type Grid, type Overrides } from './grid';
import {
  bootstrapMean, pairedDifferences, verdict, reachThreshold, postAuc, finalReturn, streamOf, type Estimate, type Verdict,
} from './stats';

/** Seed of every bootstrap of a report (each statistic has its own stream, see streamOf). */
export const BOOTSTRAP_SEED = 20251001;

export interface CellResult {
  type: 'cell';
  cell: string;
  arm: string;
  env: string;
  algo: string;
  seed: number;
  overrides: Overrides;
  phase: Cell['phase'];
  iterations: number;
  threshold: number;
  /** null: not reached within the run. */
  reachIteration: number | null;
  reachSeconds: number | null;
  auc: number;
  finalReturn: number;
  trainSeconds: number;
  envSteps: number;
  /** Held-out k-shot mean returns (k = 0..steps) at the last evaluation point, or null. */
  heldout: { iteration: number; mean: number[] } | null;
  /** heldout.mean[k] − heldout.mean[0] for k = 1..steps. */
  heldoutGain: number[] | null;
}

/** A cell's held-out evaluation at one iteration: the mean return after k = 0..steps adaptation steps. */
export interface HeldoutPoint { iteration: number; mean: number[] }

/** A cell's result from its metrics (cut to its iterations) and its held-out evaluations. */
export function cellResult(cell: Cell, metrics: readonly IterationMetrics[], records: readonly HeldoutPoint[], threshold: number): CellResult {
  const last = records.length ? records.reduce((a, b) => (b.iteration > a.iteration ? b : a)) : null;
  const reach = reachThreshold(metrics, threshold);
  return {
    type: 'cell', cell: cell.name, arm: cell.arm, env: cell.env, algo: cell.algo, seed: cell.seed, overrides: cell.overrides, phase: cell.phase,
    iterations: metrics.length, threshold, reachIteration: reach.iteration, reachSeconds: reach.seconds,
    auc: postAuc(metrics), finalReturn: finalReturn(metrics),
    trainSeconds: metrics.reduce((s, m) => s + m.seconds, 0), envSteps: metrics.reduce((s, m) => s + m.envSteps, 0),
    heldout: last ? { iteration: last.iteration, mean: last.mean } : null,
    heldoutGain: last ? last.mean.slice(1).map((r) => r - last.mean[0]) : null,
  };
}

// ---- The outer-learning-rate sweep.

export interface TuningResult {
  type: 'tuning';
  env: string;
  base: string;
  rates: Array<{ outerLr: number; auc: Estimate }>;
  picked: number;
}

/** Each base algorithm's sweep rates, their AUC (bootstrap over the tuning seeds) and the pick, from each tuning cell's AUC. */
export function tuningOf(grid: Grid, tuneCells: readonly Cell[], aucOf: (c: Cell) => number): { picks: Record<string, Record<string, number>>; tuning: TuningResult[] } {
  const picks: Record<string, Record<string, number>> = {};
  const tuning: TuningResult[] = [];
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return { picks, tuning };
  for (const env of grid.envs) {
    picks[env] = {};
    const bases = [...new Set(tuneCells.filter((c) => c.env === env).map((c) => c.algo))];
    for (const base of bases) {
      const rates: TuningResult['rates'] = [];
      for (const outerLr of sweep.rates) {
        const cells = tuneCells.filter((c) => c.env === env && c.algo === base && c.overrides.outerLr === outerLr);
        rates.push({ outerLr, auc: bootstrapMean(cells.map(aucOf), { seed: BOOTSTRAP_SEED, stream: streamOf(`tuning/${env}/${base}/${outerLr}`) }) });
      }
      const best = rates.reduce((a, b) => (b.auc.mean > a.auc.mean ? b : a));
      picks[env][base] = best.outerLr;
      tuning.push({ type: 'tuning', env, base, rates, picked: best.outerLr });
    }
  }
  return { picks, tuning };
}

// ---- Arms and their comparisons.

/** A value with censoring: runs that never reached the threshold count as a lower bound. */
interface Censored { values: Map<number, number>; censored: Set<number> }

function reachValues(cells: readonly CellResult[], which: 'iterations' | 'seconds'): Censored {
  const values = new Map<number, number>(), censored = new Set<number>();
  for (const c of cells) {
    const v = which === 'iterations' ? c.reachIteration : c.reachSeconds;
    if (v === null) {
      censored.add(c.seed);
      // Not reached within the run: the true value exceeds the run (the budget + 1 iteration, or its seconds).
      values.set(c.seed, which === 'iterations' ? c.iterations + 1 : c.trainSeconds);
    } else values.set(c.seed, v);
  }
  return { values, censored };
}

const METRICS = ['iterationsToThreshold', 'secondsToThreshold', 'auc', 'finalReturn', 'heldoutGain'] as const;
export type MetricName = (typeof METRICS)[number];
const BETTER: Record<MetricName, 'lower' | 'higher'> = {
  iterationsToThreshold: 'lower', secondsToThreshold: 'lower', auc: 'higher', finalReturn: 'higher', heldoutGain: 'higher',
};

/** Per seed values of one metric for one arm (heldoutGain: the gain after the last adaptation step). */
function metricValues(cells: readonly CellResult[], metric: MetricName): Censored {
  if (metric === 'iterationsToThreshold') return reachValues(cells, 'iterations');
  if (metric === 'secondsToThreshold') return reachValues(cells, 'seconds');
  const values = new Map<number, number>();
  for (const c of cells) {
    const v = metric === 'auc' ? c.auc : metric === 'finalReturn' ? c.finalReturn : c.heldoutGain?.[c.heldoutGain.length - 1];
    if (v !== undefined && Number.isFinite(v)) values.set(c.seed, v);
  }
  return { values, censored: new Set() };
}

export interface ArmSummary {
  type: 'arm';
  env: string;
  arm: string;
  algo: string;
  overrides: Overrides;
  seeds: number[];
  /** Runs that reached the threshold (the others count as budget + 1 iterations / their total seconds). */
  reached: number;
  iterationsToThreshold: Estimate;
  secondsToThreshold: Estimate;
  auc: Estimate;
  finalReturn: Estimate;
  /** Held-out return after k = 0..steps adaptation steps at the last evaluation. */
  heldout: Estimate[];
  /** Held-out gain (k-shot minus 0-shot) for k = 1..steps. */
  heldoutGain: Estimate[];
}

function summariseArm(env: string, arm: string, cells: readonly CellResult[]): ArmSummary {
  const ci = (label: string, values: number[]) => bootstrapMean(values, { seed: BOOTSTRAP_SEED, stream: streamOf(`${arm}/${label}`) });
  const steps = cells[0].heldout ? cells[0].heldout.mean.length : 0;
  const withHeldout = cells.filter((c) => c.heldout);
  return {
    type: 'arm', env, arm, algo: cells[0].algo, overrides: cells[0].overrides, seeds: cells.map((c) => c.seed),
    reached: cells.filter((c) => c.reachIteration !== null).length,
    iterationsToThreshold: ci('iterationsToThreshold', [...reachValues(cells, 'iterations').values.values()]),
    secondsToThreshold: ci('secondsToThreshold', [...reachValues(cells, 'seconds').values.values()]),
    auc: ci('auc', cells.map((c) => c.auc)),
    finalReturn: ci('finalReturn', cells.map((c) => c.finalReturn)),
    heldout: Array.from({ length: steps }, (_, k) => ci(`heldout${k}`, withHeldout.map((c) => c.heldout!.mean[k]))),
    heldoutGain: Array.from({ length: Math.max(0, steps - 1) }, (_, k) => ci(`heldoutGain${k + 1}`, withHeldout.map((c) => c.heldoutGain![k]))),
  };
}

export interface Comparison {
  type: 'comparison';
  env: string;
  kind: 'directed-vs-base' | 'medium-vs-random';
  /** The arm the claim is about (a directed variant) and the arm it is measured against. */
  arm: string;
  against: string;
  seeds: number[];
  /** Mean paired difference arm − against per metric, its CI, and the verdict on "arm is better". */
  metrics: Record<MetricName, { diff: Estimate; verdict: Verdict }>;
}

function compare(env: string, kind: Comparison['kind'], arm: string, a: readonly CellResult[], against: string, b: readonly CellResult[]): Comparison {
  const metrics = {} as Comparison['metrics'];
  let seeds: number[] = [];
  for (const metric of METRICS) {
    const va = metricValues(a, metric), vb = metricValues(b, metric);
    const paired = pairedDifferences(va.values, vb.values);
    if (metric === 'iterationsToThreshold') seeds = paired.seeds;
    const diff = bootstrapMean(paired.diffs, { seed: BOOTSTRAP_SEED, stream: streamOf(`${arm}-vs-${against}/${metric}`) });
    // A censored value of `arm` is a lower bound of a lower-is-better metric: the true difference
    // may be larger (away from the claim); one of `against` may make it smaller (toward it).
    const censoring = { awayFromClaim: paired.seeds.some((s) => va.censored.has(s)), towardClaim: paired.seeds.some((s) => vb.censored.has(s)) };
    metrics[metric] = { diff, verdict: verdict(diff, BETTER[metric], censoring) };
  }
  return { type: 'comparison', env, kind, arm, against, seeds, metrics };
}

export interface Claim {
  type: 'claim';
  env: string;
  claim: string;
  metric: MetricName;
  arm: string;
  against: string;
  verdict: Verdict;
}

export interface Report {
  cells: CellResult[];
  tuning: TuningResult[];
  arms: ArmSummary[];
  comparisons: Comparison[];
  claims: Claim[];
}

/** Summaries, comparisons and claims from the main cells' results. */
export function analyse(grid: Grid, results: readonly CellResult[], tuning: TuningResult[] = []): Report {
  const byArm = new Map<string, CellResult[]>();
  for (const r of results) {
    if (r.phase !== 'main') continue;
    if (!byArm.has(r.arm)) byArm.set(r.arm, []);
    byArm.get(r.arm)!.push(r);
  }
  const arms: ArmSummary[] = [...byArm.entries()].map(([arm, cells]) => summariseArm(cells[0].env, arm, cells));
  const comparisons: Comparison[] = [];
  const claims: Claim[] = [];
  for (const [arm, cells] of byArm) {
    const { env, algo, overrides } = cells[0];
    if (!algo.startsWith('directed-')) continue;
    const { medium, directedLr, ...shared } = overrides;
    const baseArm = armName(env, baseOf(algo as never), shared);
    const isDefault = medium === undefined && directedLr === undefined;
    if (byArm.has(baseArm) && directedLr === undefined) {
      const c = compare(env, 'directed-vs-base', arm, cells, baseArm, byArm.get(baseArm)!);
      comparisons.push(c);
      if (isDefault) {
        const base = baseOf(algo as never);
        claims.push({ type: 'claim', env, metric: 'iterationsToThreshold', arm, against: baseArm, verdict: c.metrics.iterationsToThreshold.verdict,
          claim: `${algo} reaches the threshold in fewer meta-iterations than ${base}` });
        claims.push({ type: 'claim', env, metric: 'secondsToThreshold', arm, against: baseArm, verdict: c.metrics.secondsToThreshold.verdict,
          claim: `${algo} reaches the threshold in less training time than ${base}` });
      }
    }
    if (medium === 'random' && directedLr === undefined) {
      const mediumArm = armName(env, algo, shared);
      if (byArm.has(mediumArm)) {
        const c = compare(env, 'medium-vs-random', mediumArm, byArm.get(mediumArm)!, arm, cells);
        comparisons.push(c);
        claims.push({ type: 'claim', env, metric: 'iterationsToThreshold', arm: mediumArm, against: arm, verdict: c.metrics.iterationsToThreshold.verdict,
          claim: `the medium task matters: ${algo} reaches the threshold in fewer meta-iterations than with a random task for its directed step` });
        claims.push({ type: 'claim', env, metric: 'auc', arm: mediumArm, against: arm, verdict: c.metrics.auc.verdict,
          claim: `the medium task matters: ${algo} has a larger area under the post-adaptation curve than with a random task` });
      }
    }
  }
  return { cells: [...results], tuning, arms, comparisons, claims };
}
