// The figures of an experiment's report, each a small function from the analysis' numbers (and the
// cells' curves) to an SVG document. Only this module draws, through the project's plotting module,
// so switching the plotting module touches this file alone.
//
// Drawn with src/plot/ (the plotting module the page shares).
// - curves: the trailing mean of the post-adaptation return that the threshold is read from, per
//   meta-iteration and per env-step (matched budgets), main arms and controls in separate panels;
// - k-shot: held-out returns after k = 0..steps inner steps (common random numbers: every θ_k is
//   scored on one evaluation batch), main arms and controls apart;
// - differences: each paired comparison's mean difference and its t-interval, a panel per claimed
//   metric, with 0 marked: what the verdicts are computed from.
import { bandPanelsSvg, interpolate, type BandSeries, type BandPanel } from '../../plot';
import type { IterationMetrics } from '../../train/types';
import { baseOf, type Overrides } from './grid';
import type { AlgoName } from '../../train/config';
import { REACH_WINDOW, mean, type Estimate } from './stats';
import { tInterval } from './inference';
import type { ArmSummary, Comparison, MetricName } from './analysis';

/** Level of every interval drawn. */
export const FIGURE_LEVEL = 0.95;

/**
 * Arm colours: one hue per base algorithm, so that a reader compares within a family; in it the
 * base is light and dashed, its directed variant dark and solid, the random-task control dotted,
 * and the other variants (β_d, extra task, non-meta) thin, in the family's middle shades.
 */
const FAMILY_SHADES: Record<string, readonly string[]> = {
  maml: ['#8fb8de', '#08519c', '#3a7fc1', '#6aa2d4', '#1f5f9e'],
  fomaml: ['#f7b27a', '#a63603', '#e0601a', '#f08c43', '#c44c0c'],
  'meta-sgd': ['#9fd396', '#006d2c', '#2f9e4f', '#66bb6a', '#1b7a3a'],
};
const OTHER_SHADES = ['#b279a2', '#72b7b2', '#9d755d', '#eeca3b', '#bab0ac'];

/** A short label of an arm for tables and legends: algorithm and overrides. */
export function armLabel(a: { algo: string; overrides: Overrides }): string {
  const o = a.overrides;
  if (o.innerLr === 0) return `multi-task REINFORCE (${a.algo} at α = 0${o.outerLr !== undefined ? `, lr ${o.outerLr}` : ''})`;
  const parts = [a.algo];
  if (o.medium === 'random') parts.push('random task');
  if (o.directedLr !== undefined) parts.push(`β_d ${o.directedLr}`);
  if (o.metaBatch !== undefined) parts.push(`${o.metaBatch} tasks`);
  if (o.outerLr !== undefined) parts.push(`lr ${o.outerLr}`);
  return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join(', ')})`;
}

type ArmStyle = Pick<BandSeries, 'color' | 'dash' | 'lineWidth'>;

/** The style of every arm, in the order of `arms` (FAMILY_SHADES). */
function armStyles(arms: readonly ArmSummary[]): ArmStyle[] {
  const othersSeen = new Map<string, number>();
  return arms.map((arm) => {
    const base = baseOf(arm.algo as AlgoName);
    const shades = FAMILY_SHADES[base] ?? OTHER_SHADES;
    if (!arm.control) return arm.algo === base ? { color: shades[0], dash: '7 4', lineWidth: 2 } : { color: shades[1], lineWidth: 2.5 };
    if (arm.overrides.medium === 'random') return { color: shades[2], dash: '2 3', lineWidth: 2 };
    const k = othersSeen.get(base) ?? 0;
    othersSeen.set(base, k + 1);
    return { color: shades[3 + (k % (shades.length - 3))], dash: k % 2 === 0 ? '5 2 1 2' : '1 2', lineWidth: 1.3 };
  });
}

/** The band of an estimate: its interval where it has one (n ≥ 2), else none. */
const bandOf = (es: readonly Estimate[]): Pick<BandSeries, 'lo' | 'hi'> =>
  es.every((e) => Number.isFinite(e.lo) && Number.isFinite(e.hi)) ? { lo: es.map((e) => e.lo), hi: es.map((e) => e.hi) } : {};

/** Mean and t-interval over runs at each x all of them cover (linear interpolation between a run's points). */
function across(runs: ReadonlyArray<{ x: number[]; y: number[] }>): Pick<BandSeries, 'x' | 'y' | 'lo' | 'hi'> {
  const start = Math.max(...runs.map((r) => r.x[0]));
  const end = Math.min(...runs.map((r) => r.x[r.x.length - 1]));
  const xs = [...new Set(runs.flatMap((r) => r.x.filter((v) => v >= start && v <= end)))].sort((p, q) => p - q);
  const es = xs.map((at) => tInterval(runs.map((r) => interpolate(r.x, r.y, at)), FIGURE_LEVEL));
  return { x: xs, y: es.map((e) => e.mean), ...bandOf(es) };
}

/** The trailing mean of the last `window` post-adaptation returns (fewer at the start): the curve the threshold is read from. */
export function trailingMean(metrics: readonly IterationMetrics[], window = REACH_WINDOW): number[] {
  return metrics.map((_, i) => mean(metrics.slice(Math.max(0, i + 1 - window), i + 1).map((m) => m.postReturn)));
}

function cumulative(xs: readonly number[]): number[] {
  let t = 0;
  return xs.map((x) => (t += x));
}

/** What a band means, for a subtitle: the interval over `seeds` seeds, or that one seed has none. */
export function bandText(seeds: number): string {
  return seeds >= 2 ? `mean over ${seeds} seeds; band: ${FIGURE_LEVEL * 100}% Student-t interval of the mean` : 'one seed: its value, no interval';
}

export interface ArmCurves { arm: ArmSummary; runs: ReadonlyArray<readonly IterationMetrics[]> }

/** Trailing-mean curves per meta-iteration and per env-step; main arms and controls in separate panels. */
export function curvesFigure(env: string, threshold: number, curves: readonly ArmCurves[], seeds: number): string {
  const styles = armStyles(curves.map((c) => c.arm));
  const byIteration: BandSeries[] = [], byEnvSteps: BandSeries[] = [];
  curves.forEach(({ arm, runs }, i) => {
    const label = armLabel(arm);
    byIteration.push({ label, ...styles[i], ...across(runs.map((m) => ({ x: m.map((r) => r.iteration), y: trailingMean(m) }))) });
    byEnvSteps.push({ label, ...styles[i], ...across(runs.map((m) => ({ x: cumulative(m.map((r) => r.envSteps)), y: trailingMean(m) }))) });
  });
  const rules = [{ y: threshold, label: `threshold ${threshold}` }];
  const yLabel = `post-adaptation return, trailing mean of ${REACH_WINDOW}`;
  const panels: BandPanel[] = [];
  const isControl = curves.map((c) => c.arm.control);
  for (const [series, xLabel, integerX] of [[byIteration, 'meta-iteration', true], [byEnvSteps, 'env-steps (matched budget)', false]] as const) {
    panels.push({ xLabel, yLabel, series: series.filter((_, i) => !isControl[i]), rules, integerX, note: 'main arms' });
    if (isControl.some(Boolean)) panels.push({ xLabel, yLabel, series: series.filter((_, i) => isControl[i] || !curves[i].arm.algo.startsWith('directed-')), rules, integerX, note: 'controls (bases repeated)' });
  }
  return bandPanelsSvg(panels, { title: `${env}: the curve the threshold is read from`, subtitle: bandText(seeds), panelWidth: panels.length > 2 ? 440 : 560 });
}

/** Held-out k-shot returns (common evaluation batch), main arms and controls in separate panels; null without held-out data. */
export function kshotFigure(env: string, arms: readonly ArmSummary[], iteration: number | undefined, seeds: number): string | null {
  const styles = armStyles(arms);
  const series = arms.map((arm, i) => ({ arm, s: { label: armLabel(arm), ...styles[i], x: arm.heldout.map((_, k) => k), y: arm.heldout.map((e) => e.mean), ...bandOf(arm.heldout) } as BandSeries }))
    .filter(({ arm }) => arm.heldout.length > 0);
  if (series.length === 0) return null;
  const xLabel = 'inner adaptation steps on a held-out task', yLabel = 'mean return (one evaluation batch for every k)';
  const panels: BandPanel[] = [{ xLabel, yLabel, series: series.filter((x) => !x.arm.control).map((x) => x.s), integerX: true, note: 'main arms' }];
  const controls = series.filter((x) => x.arm.control);
  if (controls.length) panels.push({ xLabel, yLabel, series: series.filter((x) => x.arm.control || !x.arm.algo.startsWith('directed-')).map((x) => x.s), integerX: true, note: 'controls (bases repeated)' });
  return bandPanelsSvg(panels, { title: `${env}: k-shot returns on held-out tasks (after ${iteration} iterations)`, subtitle: bandText(seeds), panelWidth: 560 });
}

const METRIC_AXIS: Record<MetricName, string> = {
  iterationsToThreshold: 'Δ meta-iterations to threshold', envStepsToThreshold: 'Δ env-steps to threshold', secondsToThreshold: 'Δ seconds to threshold',
  auc: 'Δ AUC', finalReturn: 'Δ final return', heldoutReturn: 'Δ held-out k-shot return', heldoutGain: 'Δ held-out gain',
};

/**
 * Paired differences (first arm minus second, same seeds) with their t-intervals: one panel per
 * metric, each comparison a short bar at its own x (the interval as a band, the mean as a line), 0 ruled.
 */
export function differencesFigure(env: string, comparisons: readonly Comparison[], metrics: readonly MetricName[], label: (arm: string) => string, seeds: number): string | null {
  if (comparisons.length === 0 || metrics.length === 0) return null;
  const palette = [...OTHER_SHADES, '#08519c', '#a63603', '#006d2c', '#e0601a', '#3a7fc1'];
  const panels: BandPanel[] = metrics.map((metric) => ({
    xLabel: 'comparison (legend order)', yLabel: METRIC_AXIS[metric], integerX: true, rules: [{ y: 0, label: '0' }],
    series: comparisons.flatMap((c, i) => {
      const d = c.metrics[metric].diff;
      if (!Number.isFinite(d.mean)) return [];
      return { label: `${i + 1}: ${label(c.arm)} − ${label(c.against)}`, color: palette[i % palette.length], lineWidth: 3,
        x: [i + 0.75, i + 1.25], y: [d.mean, d.mean], ...(Number.isFinite(d.lo) ? { lo: [d.lo, d.lo], hi: [d.hi, d.hi] } : {}) };
    }),
  }));
  return bandPanelsSvg(panels, { title: `${env}: paired differences`, subtitle: seeds >= 2 ? `mean paired difference over ${seeds} seeds; band: ${FIGURE_LEVEL * 100}% Student-t interval` : 'one seed: the difference, no interval', panelWidth: 420 });
}
