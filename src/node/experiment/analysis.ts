// The analysis of an experiment (pure: numbers in, numbers out; no file, no clock): what report.ts
// writes as results.jsonl, RESULTS.md and figures/, computed from the cells' metrics and held-out
// evaluations.
//
// Per cell: iterations and training seconds until the post-adaptation return first reaches the
// env's threshold, the area under the post-adaptation curve (its mean over iterations), the final
// return (mean of the last tenth of the run), the held-out k-shot returns at the last evaluation.
// Per arm (env, algorithm, overrides): the mean over seeds and its 95% Student-t interval. Per
// pair of arms on the same seeds (a directed variant against its base, against its base given one
// more task per iteration, or against its random-task control; a base against the non-meta
// baseline): the paired differences' t-interval, sign-flip permutation p-values both ways and the
// TOST p-value against the grid's margin (inference.ts). The report's claims get their verdicts
// together, Holm-corrected across all of them (decideClaims); ties at a metric's ceiling are named.
import type { IterationMetrics } from '../../train/types';
import { baseOf, armName, isControlArm, tuningKey, tunesDirectedLr, widenOf, METRIC_NAMES, NON_META_ALGO, type Cell, type Grid, type MetricName, type Overrides, type Widened } from './grid';
import type { AlgoName } from '../../train/config';
import { pairedDifferences, reachThreshold, postAuc, finalReturn, mean, type Estimate } from './stats';
import {
  tInterval, testClaim, decideClaims, studentTCdf, tostPValue, MAX_EXACT_SEEDS, type ClaimTest, type Censoring, type Verdict,
} from './inference';
import { headroomOf, type HeadroomResult } from './headroom';

export type { MetricName, Verdict };

/** Family-wise error rate of a report's claims (Holm). */
export const CLAIM_ALPHA = 0.05;

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
  /** Env-steps (sum of the metrics' envSteps) up to and including the reach iteration. */
  reachEnvSteps: number | null;
  auc: number;
  finalReturn: number;
  trainSeconds: number;
  envSteps: number;
  /**
   * Held-out k-shot mean returns (k = 0..steps) at the last evaluation point, or null; returns[i][k]
   * per task (absent in results written before it was kept), task: an oracle's one task.
   */
  heldout: { iteration: number; mean: number[]; returns?: number[][]; task?: number } | null;
  /** heldout.mean[k] − heldout.mean[0] for k = 1..steps. */
  heldoutGain: number[] | null;
}

/** A cell's held-out evaluation at one iteration: the mean return after k = 0..steps adaptation steps (per task: returns[i][k]). */
export interface HeldoutPoint { iteration: number; mean: number[]; returns?: number[][]; task?: number }

/** A cell's result from its metrics (cut to its iterations) and its held-out evaluations. */
export function cellResult(cell: Cell, metrics: readonly IterationMetrics[], records: readonly HeldoutPoint[], threshold: number): CellResult {
  const last = records.length ? records.reduce((a, b) => (b.iteration > a.iteration ? b : a)) : null;
  const reach = reachThreshold(metrics, threshold);
  return {
    type: 'cell', cell: cell.name, arm: cell.arm, env: cell.env, algo: cell.algo, seed: cell.seed, overrides: cell.overrides, phase: cell.phase,
    iterations: metrics.length, threshold, reachIteration: reach.iteration, reachSeconds: reach.seconds,
    reachEnvSteps: reach.iteration === null ? null : metrics.filter((m) => m.iteration <= reach.iteration!).reduce((s, m) => s + m.envSteps, 0),
    auc: postAuc(metrics), finalReturn: finalReturn(metrics),
    trainSeconds: metrics.reduce((s, m) => s + m.seconds, 0), envSteps: metrics.reduce((s, m) => s + m.envSteps, 0),
    heldout: last ? { iteration: last.iteration, mean: last.mean, ...(last.returns ? { returns: last.returns } : {}), ...(last.task === undefined ? {} : { task: last.task }) } : null,
    heldoutGain: last ? last.mean.slice(1).map((r) => r - last.mean[0]) : null,
  };
}

// ---- The outer-learning-rate sweep.

export interface TuningResult {
  type: 'tuning';
  env: string;
  /** The base algorithm (per-base sweep) or the arm's algorithm (per-arm sweep). */
  base: string;
  /** What the rate is picked for (tuningKey): the base algorithm, or the arm's name without its rate. */
  arm: string;
  /** Every rate of the key (the sweep's, then those the widening added, ascending), × β_d when the sweep tunes it. */
  rates: Array<{ outerLr: number; directedLr?: number; auc: Estimate }>;
  picked: number;
  /** The picked β_d (outerLrSweep.directedLrs, a directed key), else absent. */
  pickedDirectedLr?: number;
  /** The rates the widening added (absent when none). */
  widened?: number[];
  /** The pick is the sweep's lowest or highest rate: the best rate may lie beyond it. */
  edge: 'lowest' | 'highest' | null;
}

export interface Picks {
  /** picks[env][tuningKey]: the outer rate. */
  picks: Record<string, Record<string, number>>;
  /** directedPicks[env][tuningKey]: the β_d of a directed key (outerLrSweep.directedLrs). */
  directedPicks: Record<string, Record<string, number>>;
  tuning: TuningResult[];
}

/**
 * Each tuned base's (or arm's) rates (with a tuned β_d: each (rate, β_d) pair), their AUC
 * (t-interval over the tuning seeds) and the pick — the largest mean AUC, the first on a tie —
 * from each tuning cell's AUC.
 */
export function tuningOf(grid: Grid, tuneCells: readonly Cell[], aucOf: (c: Cell) => number): Picks {
  const picks: Picks['picks'] = {};
  const directedPicks: Picks['directedPicks'] = {};
  const tuning: TuningResult[] = [];
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return { picks, directedPicks, tuning };
  for (const env of grid.envs) {
    picks[env] = {};
    const envCells = tuneCells.filter((c) => c.env === env);
    const keyOf = (c: Cell) => tuningKey(grid, env, c.algo, c.overrides);
    for (const key of [...new Set(envCells.map(keyOf))]) {
      const cellsOfKey = envCells.filter((c) => keyOf(c) === key);
      const tunedBeta = tunesDirectedLr(grid, cellsOfKey[0].algo);
      const widened = [...new Set(cellsOfKey.map((c) => c.overrides.outerLr!))].filter((r) => !sweep.rates.includes(r)).sort((a, b) => a - b);
      const outerRates = [...sweep.rates, ...widened];
      const rates: TuningResult['rates'] = [];
      for (const outerLr of outerRates) {
        for (const directedLr of tunedBeta ? sweep.directedLrs! : [undefined]) {
          const auc = tInterval(cellsOfKey.filter((c) => c.overrides.outerLr === outerLr && c.overrides.directedLr === directedLr).map(aucOf));
          rates.push(directedLr === undefined ? { outerLr, auc } : { outerLr, directedLr, auc });
        }
      }
      const best = rates.reduce((a, b) => (b.auc.mean > a.auc.mean ? b : a));
      picks[env][key] = best.outerLr;
      if (best.directedLr !== undefined) (directedPicks[env] ??= {})[key] = best.directedLr;
      const sorted = [...outerRates].sort((a, b) => a - b);
      const edge = sorted.length < 2 ? null : best.outerLr === sorted[0] ? 'lowest' : best.outerLr === sorted[sorted.length - 1] ? 'highest' : null;
      tuning.push({
        type: 'tuning', env, base: cellsOfKey[0].algo, arm: key, rates, picked: best.outerLr,
        ...(best.directedLr !== undefined ? { pickedDirectedLr: best.directedLr } : {}), ...(widened.length ? { widened } : {}), edge,
      });
    }
  }
  return { picks, directedPicks, tuning };
}

/** A rate as the widening writes it: 12 significant digits (0.009, not 0.008999999999999998), so cell names stay readable. */
const roundRate = (x: number): number => Number(x.toPrecision(12));

/**
 * The next round of a sweep's widening, from the picks of the rates run so far: each key whose pick
 * is its highest rate gets the next rate above on the sweep's log spacing (the highest times the
 * ratio of the two highest; ×√10 for a lone rate), likewise below for the lowest, while the key has
 * fewer than outerLrSweep.widen rates beyond that side of the sweep's own. Returns every added rate
 * so far per env and key (the input of tuneCells), or null when this round adds none: the picks are
 * final. Pure, so a rerun recomputes the same rates from the same finished cells.
 */
export function widenSweep(grid: Grid, tuning: readonly TuningResult[]): Widened | null {
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return null;
  const widen = widenOf(grid);
  const low = Math.min(...sweep.rates), high = Math.max(...sweep.rates);
  const out: Widened = {};
  let added = false;
  for (const t of tuning) {
    const rates = [...new Set(t.rates.map((r) => r.outerLr))].sort((a, b) => a - b);
    const extra = rates.filter((r) => !sweep.rates.includes(r));
    const n = rates.length;
    if (t.picked === rates[n - 1] && rates.filter((r) => r > high).length < widen) {
      extra.push(roundRate(rates[n - 1] * (n >= 2 ? rates[n - 1] / rates[n - 2] : Math.sqrt(10))));
      added = true;
    } else if (t.picked === rates[0] && rates.filter((r) => r < low).length < widen) {
      extra.push(roundRate(rates[0] / (n >= 2 ? rates[1] / rates[0] : Math.sqrt(10))));
      added = true;
    }
    if (extra.length) (out[t.env] ??= {})[t.arm] = extra.sort((a, b) => a - b);
  }
  return added ? out : null;
}

/** A one-line warning for each sweep whose pick is an edge of its rates (empty when none is). */
export function edgeWarnings(tuning: readonly TuningResult[]): string[] {
  return tuning.filter((t) => t.edge).map((t) => `outer-lr sweep: ${t.arm.startsWith(`${t.env}.`) ? t.arm : `${t.env} ${t.arm}`} picked ${t.picked}, the ${t.edge} rate of the sweep; the best rate may lie beyond it (raise controls.outerLrSweep.widen or widen its rates)`);
}

// ---- Arms and their comparisons.

/** A value with censoring: runs that never reached the threshold count as a lower bound. */
interface Censored { values: Map<number, number>; censored: Set<number> }

type Reach = 'iterations' | 'seconds' | 'envSteps';

function reachValues(cells: readonly CellResult[], which: Reach): Censored {
  const values = new Map<number, number>(), censored = new Set<number>();
  for (const c of cells) {
    const v = which === 'iterations' ? c.reachIteration : which === 'seconds' ? c.reachSeconds : c.reachEnvSteps;
    if (v === null) {
      censored.add(c.seed);
      // Not reached within the run: the true value exceeds the run (the budget + 1 iteration, or its seconds, or its env-steps).
      values.set(c.seed, which === 'iterations' ? c.iterations + 1 : which === 'seconds' ? c.trainSeconds : c.envSteps);
    } else values.set(c.seed, v);
  }
  return { values, censored };
}

export const BETTER: Readonly<Record<MetricName, 'lower' | 'higher'>> = {
  iterationsToThreshold: 'lower', envStepsToThreshold: 'lower', secondsToThreshold: 'lower',
  auc: 'higher', finalReturn: 'higher', heldoutReturn: 'higher', heldoutGain: 'higher',
};

const lastOf = (xs: readonly number[] | null | undefined): number | undefined => (xs && xs.length ? xs[xs.length - 1] : undefined);

/** Per seed values of one metric for one arm (held-out: the return, or the gain, after the last adaptation step). */
function metricValues(cells: readonly CellResult[], metric: MetricName): Censored {
  if (metric === 'iterationsToThreshold') return reachValues(cells, 'iterations');
  if (metric === 'secondsToThreshold') return reachValues(cells, 'seconds');
  if (metric === 'envStepsToThreshold') return reachValues(cells, 'envSteps');
  const values = new Map<number, number>();
  for (const c of cells) {
    const v = metric === 'auc' ? c.auc : metric === 'finalReturn' ? c.finalReturn : metric === 'heldoutReturn' ? lastOf(c.heldout?.mean) : lastOf(c.heldoutGain);
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
  /** A control (random task, β_d, extra task, non-meta) rather than a grid algorithm at its defaults. */
  control: boolean;
  seeds: number[];
  /** Runs that reached the threshold (the others count as budget + 1 iterations / their total seconds / env-steps). */
  reached: number;
  iterationsToThreshold: Estimate;
  envStepsToThreshold: Estimate;
  secondsToThreshold: Estimate;
  auc: Estimate;
  finalReturn: Estimate;
  /** Held-out return after k = 0..steps adaptation steps at the last evaluation. */
  heldout: Estimate[];
  /** Held-out gain (k-shot minus 0-shot) for k = 1..steps. */
  heldoutGain: Estimate[];
}

function summariseArm(grid: Grid, env: string, arm: string, cells: readonly CellResult[]): ArmSummary {
  const steps = cells[0].heldout ? cells[0].heldout.mean.length : 0;
  const withHeldout = cells.filter((c) => c.heldout);
  return {
    type: 'arm', env, arm, algo: cells[0].algo, overrides: cells[0].overrides, control: isControlArm(grid, cells[0].algo as AlgoName, cells[0].overrides), seeds: cells.map((c) => c.seed),
    reached: cells.filter((c) => c.reachIteration !== null).length,
    iterationsToThreshold: tInterval([...reachValues(cells, 'iterations').values.values()]),
    envStepsToThreshold: tInterval([...reachValues(cells, 'envSteps').values.values()]),
    secondsToThreshold: tInterval([...reachValues(cells, 'seconds').values.values()]),
    auc: tInterval(cells.map((c) => c.auc)),
    finalReturn: tInterval(cells.map((c) => c.finalReturn)),
    heldout: Array.from({ length: steps }, (_, k) => tInterval(withHeldout.map((c) => c.heldout!.mean[k]))),
    heldoutGain: Array.from({ length: Math.max(0, steps - 1) }, (_, k) => tInterval(withHeldout.map((c) => c.heldoutGain![k]))),
  };
}

/** One metric of a paired comparison: the paired differences' t-interval and the raw (uncorrected) tests. */
export interface MetricTest extends ClaimTest {
  /** The TOST margin (grid.margins, perEnv.<env>.margins or the default), or null: no equivalence test. */
  margin: number | null;
  censoring: Censoring;
}

export type ComparisonKind = 'directed-vs-base' | 'directed-vs-extra-task' | 'medium-vs-random' | 'meta-vs-non-meta';

export interface Comparison {
  type: 'comparison';
  env: string;
  kind: ComparisonKind;
  /** The arm a claim would be about and the arm it is measured against. */
  arm: string;
  against: string;
  seeds: number[];
  /** Paired difference arm − against per metric (mean, t-interval) and its raw tests of "arm is better". */
  metrics: Record<MetricName, MetricTest>;
}

/** A one-sided p-value for more seeds than the sign-flip test enumerates: the paired t-test. */
function tTestPValue(diffs: readonly number[], side: 'lower' | 'higher'): number {
  const n = diffs.length, m = mean(diffs);
  const se = Math.sqrt(diffs.reduce((s, d) => s + (d - m) ** 2, 0) / (n - 1) / n);
  if (se === 0) return (side === 'lower' ? m < 0 : m > 0) ? 0 : 1;
  const t = m / se;
  return side === 'lower' ? studentTCdf(t, n - 1) : 1 - studentTCdf(t, n - 1);
}

/**
 * Both arms sit at the metric's best value on every paired seed: reached on the first iteration
 * (iterations, env-steps and seconds to threshold alike), or every return at the env's maximum.
 */
function atCeiling(cells: readonly CellResult[], seeds: ReadonlySet<number>, metric: MetricName, maxReturn: number | null): boolean {
  const paired = cells.filter((c) => seeds.has(c.seed));
  if (paired.length === 0) return false;
  if (metric === 'iterationsToThreshold' || metric === 'envStepsToThreshold' || metric === 'secondsToThreshold') return paired.every((c) => c.reachIteration === 1);
  if (maxReturn === null) return false;
  if (metric === 'auc') return paired.every((c) => c.auc === maxReturn);
  if (metric === 'finalReturn') return paired.every((c) => c.finalReturn === maxReturn);
  if (metric === 'heldoutReturn') return paired.every((c) => lastOf(c.heldout?.mean) === maxReturn);
  return paired.every((c) => c.heldout !== null && c.heldout.mean.every((r) => r === maxReturn)); // heldoutGain: 0 at the top
}

function compare(grid: Grid, env: string, kind: ComparisonKind, arm: string, a: readonly CellResult[], against: string, b: readonly CellResult[]): Comparison {
  const metrics = {} as Comparison['metrics'];
  const { maxReturn, margins } = grid.perEnv[env];
  let seeds: number[] = [];
  for (const metric of METRIC_NAMES) {
    const va = metricValues(a, metric), vb = metricValues(b, metric);
    const paired = pairedDifferences(va.values, vb.values);
    if (metric === 'iterationsToThreshold') seeds = paired.seeds;
    const better = BETTER[metric];
    const margin = margins[metric] ?? null;
    const armValues = paired.seeds.map((s) => va.values.get(s)!), againstValues = paired.seeds.map((s) => vb.values.get(s)!);
    const test: ClaimTest = paired.seeds.length > MAX_EXACT_SEEDS
      ? { diff: tInterval(paired.diffs), pToward: tTestPValue(paired.diffs, better), pAway: tTestPValue(paired.diffs, better === 'lower' ? 'higher' : 'lower'),
        pEquivalent: margin === null ? 1 : tostPValue(paired.diffs, margin), ceilingTie: false }
      : testClaim(armValues, againstValues, { better, margin: margin ?? undefined });
    const seedSet = new Set(paired.seeds);
    test.ceilingTie = atCeiling(a, seedSet, metric, maxReturn) && atCeiling(b, seedSet, metric, maxReturn);
    // A censored value of `arm` is a lower bound of a lower-is-better metric: the true difference
    // may be larger (away from the claim); one of `against` may make it smaller (toward it).
    const censoring = { awayFromClaim: paired.seeds.some((s) => va.censored.has(s)), towardClaim: paired.seeds.some((s) => vb.censored.has(s)) };
    metrics[metric] = { ...test, margin, censoring };
  }
  return { type: 'comparison', env, kind, arm, against, seeds, metrics };
}

export interface Claim {
  type: 'claim';
  env: string;
  claim: string;
  /** The primary claim of its env and base algorithm (directed vs base at matched env-steps; MAML and FOMAML). */
  primary: boolean;
  metric: MetricName;
  arm: string;
  against: string;
  diff: Estimate;
  /** Holm-adjusted p-values (across every claim of the report): better, worse, equivalent within the margin. */
  pToward: number;
  pAway: number;
  pEquivalent: number;
  margin: number | null;
  verdict: Verdict;
}

/** A claim left out of the Holm family: its env has no adaptation headroom (the oracle control). */
export interface UntestedClaim {
  type: 'untested';
  env: string;
  claim: string;
  metric: MetricName;
  arm: string;
  against: string;
  reason: 'no headroom';
  /** The env's headroom gap (oracle − meta k-shot) that made it so. */
  gap: Estimate;
}

export interface Report {
  cells: CellResult[];
  tuning: TuningResult[];
  arms: ArmSummary[];
  comparisons: Comparison[];
  claims: Claim[];
  /** Per env with oracle cells: its adaptation headroom. */
  headroom: HeadroomResult[];
  untested: UntestedClaim[];
}

/** The bases whose directed variant's speed claim is primary (the issue's "MAML and FOMAML"). */
export const PRIMARY_BASES: readonly string[] = ['maml', 'fomaml'];

/** Summaries, comparisons and claims (Holm-corrected together) from the main cells' results. */
export function analyse(grid: Grid, results: readonly CellResult[], tuning: TuningResult[] = []): Report {
  const byArm = new Map<string, CellResult[]>();
  const headroom = headroomOf(grid, results);
  const untested: UntestedClaim[] = [];
  for (const r of results) {
    // Oracle cells are not arms (each is one task): they make the headroom.
    if (r.phase !== 'main' || r.overrides.oracle !== undefined) continue;
    if (!byArm.has(r.arm)) byArm.set(r.arm, []);
    byArm.get(r.arm)!.push(r);
  }
  const arms: ArmSummary[] = [...byArm.entries()].map(([arm, cells]) => summariseArm(grid, cells[0].env, arm, cells));
  const comparisons: Comparison[] = [];
  const pending: Array<Omit<Claim, 'diff' | 'pToward' | 'pAway' | 'pEquivalent' | 'margin' | 'verdict'> & { test: MetricTest }> = [];
  const claim = (c: Comparison, metric: MetricName, text: string, primary = false) =>
    pending.push({ type: 'claim', env: c.env, claim: text, primary, metric, arm: c.arm, against: c.against, test: c.metrics[metric] });
  const findArm = (env: string, ok: (o: Overrides, algo: string) => boolean) => [...byArm.entries()].find(([, cells]) => cells[0].env === env && ok(cells[0].overrides, cells[0].algo));

  for (const [arm, cells] of byArm) {
    const { env, algo, overrides } = cells[0];
    if (!algo.startsWith('directed-')) continue;
    const { medium, directedLr, ...shared } = overrides;
    const base = baseOf(algo as never);
    // A β_d the sweep tuned is the directed arm's own setting (not the β_d-sweep control), and its
    // outer rate was tuned with it: its base and extra-task arms are found whatever their rate.
    // With outerLrSweep.perArm every arm has its own rate too: arms are paired by role, not by rate.
    const tuned = tunesDirectedLr(grid, algo as AlgoName);
    const ownRates = tuned || grid.controls.outerLrSweep?.perArm === true;
    const swept = directedLr !== undefined && !tuned;
    const sameRate = (o: Overrides) => ownRates || o.outerLr === shared.outerLr;
    const baseEntry = ownRates ? findArm(env, (o, a) => a === base && !isControlArm(grid, a as AlgoName, o)) : byArm.has(armName(env, base, shared)) ? [armName(env, base, shared), byArm.get(armName(env, base, shared))!] as const : undefined;
    const isDefault = medium === undefined && !swept;
    if (baseEntry && !swept) {
      const c = compare(grid, env, 'directed-vs-base', arm, cells, baseEntry[0], baseEntry[1]);
      comparisons.push(c);
      if (isDefault) {
        claim(c, 'envStepsToThreshold', `${algo} reaches the threshold in fewer env-steps than ${base}`, PRIMARY_BASES.includes(base));
        claim(c, 'iterationsToThreshold', `${algo} reaches the threshold in fewer meta-iterations than ${base}`);
        // Seconds are compared (comparisons) but not claimed: they depend on the machine and on what
        // ran beside the cells, and through Holm every claim's verdict would depend on them too.
      }
    }
    const extra = isDefault ? findArm(env, (o, a) => a === base && o.metaBatch !== undefined && sameRate(o) && o.innerLr === undefined) : undefined;
    if (extra) {
      const c = compare(grid, env, 'directed-vs-extra-task', arm, cells, extra[0], extra[1]);
      comparisons.push(c);
      const more = `${base} with one more task per iteration (metaBatch ${extra[1][0].overrides.metaBatch})`;
      claim(c, 'envStepsToThreshold', `${algo} reaches the threshold in fewer env-steps than ${more}`);
      claim(c, 'iterationsToThreshold', `${algo} reaches the threshold in fewer meta-iterations than ${more}`);
    }
    if (medium === 'random' && !swept) {
      const mediumArm = ownRates
        ? findArm(env, (o, a) => a === algo && o.medium === undefined && !isControlArm(grid, a as AlgoName, o))?.[0] ?? ''
        : armName(env, algo, shared);
      if (byArm.has(mediumArm)) {
        const c = compare(grid, env, 'medium-vs-random', mediumArm, byArm.get(mediumArm)!, arm, cells);
        comparisons.push(c);
        // No headroom: no gain from adapting is left for the directed step's task to matter to.
        const none = headroom.find((h) => h.env === env && h.label === 'no headroom');
        const mediumClaim = (metric: MetricName, text: string) => (none
          ? untested.push({ type: 'untested', env, claim: text, metric, arm: c.arm, against: c.against, reason: 'no headroom', gap: none.gap })
          : claim(c, metric, text));
        mediumClaim('iterationsToThreshold', `the medium task matters: ${algo} reaches the threshold in fewer meta-iterations than with a random task for its directed step`);
        mediumClaim('auc', `the medium task matters: ${algo} has a larger area under the post-adaptation curve than with a random task`);
      }
    }
  }
  // Meta-learning against multi-task training followed by the same inner step(s).
  for (const [arm, cells] of byArm) {
    const { env, algo, overrides } = cells[0];
    if (algo.startsWith('directed-') || isControlArm(grid, algo as AlgoName, overrides)) continue;
    const nonMeta = findArm(env, (o, a) => a === NON_META_ALGO && o.innerLr === 0);
    if (!nonMeta) continue;
    const c = compare(grid, env, 'meta-vs-non-meta', arm, cells, nonMeta[0], nonMeta[1]);
    comparisons.push(c);
    claim(c, 'heldoutReturn', `meta-learning helps: ${algo}'s held-out return after ${grid.heldout.steps} inner step${grid.heldout.steps === 1 ? '' : 's'} exceeds multi-task REINFORCE's after the same`);
  }

  const decided = decideClaims(pending.map((p) => p.test), pending.map((p) => p.test.censoring), CLAIM_ALPHA);
  const claims: Claim[] = pending.map(({ test, ...p }, i) => ({ ...p, diff: test.diff, margin: test.margin, ...decided[i] }));
  // Primary claims first, in their order of discovery.
  claims.sort((x, y) => Number(y.primary) - Number(x.primary));
  return { cells: [...results], tuning, arms, comparisons, claims, headroom, untested };
}
