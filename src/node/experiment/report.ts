// DIR/results.jsonl, DIR/RESULTS.md and DIR/figures/*.svg of `dmaml experiment`, generated from
// the cells' run directories (metrics.jsonl, heldout.jsonl) and nothing else, so a report can be
// rebuilt at any time and equals the one a distributed run writes.
//
// The numbers are analysis.ts's; this module reads the cells' files and writes the report.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, cpus } from 'node:os';
import { readMetrics, writeFileAtomic } from '../store';
import { bandPanelsSvg, interpolate, type BandSeries, type BandPanel } from '../plot';
import type { IterationMetrics } from '../../train/types';
import { baseOf, type Cell, type Grid, type Overrides } from './grid';
import type { AlgoName } from '../../train/config';
import { readHeldout, HELDOUT_FILE } from './run-cell';
import { cellDir } from './scheduler';
import { bootstrapMean, postAuc, finalWindow, cumulativeSeconds, streamOf, BOOTSTRAP_RESAMPLES, CI_LEVEL, REACH_WINDOW, type Estimate, type Verdict } from './stats';
import { analyse, cellResult, tuningOf, BOOTSTRAP_SEED, type ArmSummary, type CellResult, type MetricName, type Report, type TuningResult } from './analysis';

export const RESULTS_JSONL = 'results.jsonl';
export const RESULTS_MD = 'RESULTS.md';
export const FIGURES_DIR = 'figures';

interface LoadedCell { cell: Cell; result: CellResult; metrics: IterationMetrics[]; heldoutByIteration: Map<number, number[]> }

export async function loadCell(outDir: string, cell: Cell, threshold: number): Promise<LoadedCell> {
  const dir = cellDir(outDir, cell);
  const metrics = (await readMetrics(dir)).slice(0, cell.config.iterations);
  const records = cell.heldout ? await readHeldout(dir) : [];
  return { cell, result: cellResult(cell, metrics, records, threshold), metrics, heldoutByIteration: new Map(records.map((r) => [r.iteration, r.mean])) };
}

/** Per env and swept base: the rate whose runs on the sweep seeds have the largest mean AUC (the first on a tie). */
export async function pickOuterLr(outDir: string, grid: Grid, tuneCells: readonly Cell[]): Promise<{ picks: Record<string, Record<string, number>>; tuning: TuningResult[] }> {
  const aucs = new Map<Cell, number>();
  for (const c of tuneCells) aucs.set(c, postAuc((await readMetrics(cellDir(outDir, c))).slice(0, c.config.iterations)));
  return tuningOf(grid, tuneCells, (c) => aucs.get(c)!);
}

// ---- Writing: results.jsonl, figures, RESULTS.md.

/**
 * Arm colours: one hue per base algorithm, so that a reader compares within a family; in it the
 * base is light and dashed, its directed variant dark and solid, the random-task control dotted,
 * and the other variants (β_d) thin, in the family's middle shades.
 */
const FAMILY_SHADES: Record<string, readonly string[]> = {
  maml: ['#8fb8de', '#08519c', '#3a7fc1', '#6aa2d4', '#1f5f9e'],
  fomaml: ['#f7b27a', '#a63603', '#e0601a', '#f08c43', '#c44c0c'],
  'meta-sgd': ['#9fd396', '#006d2c', '#2f9e4f', '#66bb6a', '#1b7a3a'],
};
const OTHER_SHADES = ['#b279a2', '#72b7b2', '#9d755d', '#eeca3b', '#bab0ac'];

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

function est(e: Estimate | undefined, prefix = ''): string {
  if (!e || e.n === 0) return '–';
  return Number.isFinite(e.lo) ? `${prefix}${fmt(e.mean)} [${fmt(e.lo)}, ${fmt(e.hi)}]` : `${prefix}${fmt(e.mean)}`;
}

const signed = (e: Estimate): string => (Number.isFinite(e.lo) ? `${e.mean >= 0 ? '+' : ''}${fmt(e.mean)} [${fmt(e.lo)}, ${fmt(e.hi)}]` : fmt(e.mean));

/** A short label of an arm for tables and legends: algorithm and overrides. */
function armLabel(a: { algo: string; overrides: Overrides }): string {
  const o = a.overrides;
  const parts = [a.algo];
  if (o.medium === 'random') parts.push('random task');
  if (o.directedLr !== undefined) parts.push(`β_d ${o.directedLr}`);
  if (o.outerLr !== undefined) parts.push(`lr ${o.outerLr}`);
  return parts.length === 1 ? parts[0] : `${parts[0]} (${parts.slice(1).join(', ')})`;
}

/** Mean and bootstrap CI at each common x of several runs (linear interpolation between a run's points). */
function bandOf(runs: ReadonlyArray<{ x: number[]; y: number[] }>, label: string): { x: number[]; y: number[]; lo: number[]; hi: number[] } {
  const start = Math.max(...runs.map((r) => r.x[0]));
  const end = Math.min(...runs.map((r) => r.x[r.x.length - 1]));
  const xs = [...new Set(runs.flatMap((r) => r.x.filter((v) => v >= start && v <= end)))].sort((p, q) => p - q);
  const out = { x: xs, y: [] as number[], lo: [] as number[], hi: [] as number[] };
  xs.forEach((at, i) => {
    const e = bootstrapMean(runs.map((r) => interpolate(r.x, r.y, at)), { seed: BOOTSTRAP_SEED, stream: streamOf(`${label}/${i}`), resamples: 2000 });
    out.y.push(e.mean);
    out.lo.push(Number.isFinite(e.lo) ? e.lo : e.mean);
    out.hi.push(Number.isFinite(e.hi) ? e.hi : e.mean);
  });
  return out;
}

type ArmStyle = Pick<BandSeries, 'color' | 'dash' | 'lineWidth'>;

/** The style of every arm, in the order of `arms` (FAMILY_SHADES). */
function armStyles(arms: readonly ArmSummary[]): ArmStyle[] {
  const othersSeen = new Map<string, number>();
  return arms.map((arm) => {
    const base = baseOf(arm.algo as AlgoName);
    const shades = FAMILY_SHADES[base] ?? OTHER_SHADES;
    const directed = arm.algo !== base;
    if (!directed) return { color: shades[0], dash: '7 4', lineWidth: 2 };
    if (arm.overrides.medium === 'random') return { color: shades[2], dash: '2 3', lineWidth: 2 };
    if (arm.overrides.directedLr === undefined) return { color: shades[1], lineWidth: 2.5 };
    const k = othersSeen.get(base) ?? 0;
    othersSeen.set(base, k + 1);
    return { color: shades[3 + (k % (shades.length - 3))], dash: k % 2 === 0 ? '5 2 1 2' : '1 2', lineWidth: 1.3 };
  });
}

function curvesSvg(env: string, threshold: number, loaded: readonly LoadedCell[], arms: readonly ArmSummary[]): string {
  const perIteration: BandSeries[] = [], perSecond: BandSeries[] = [];
  let maxSec = 0, minSec = Infinity;
  const styles = armStyles(arms);
  arms.forEach((arm, i) => {
    const cells = loaded.filter((l) => l.cell.arm === arm.arm);
    const style = styles[i];
    const label = armLabel(arm);
    const it = bandOf(cells.map((l) => ({ x: l.metrics.map((m) => m.iteration), y: l.metrics.map((m) => m.postReturn) })), `${arm.arm}/curve`);
    perIteration.push({ label, ...style, ...it });
    const sec = bandOf(cells.map((l) => ({ x: cumulativeSeconds(l.metrics), y: l.metrics.map((m) => m.postReturn) })), `${arm.arm}/seconds`);
    perSecond.push({ label, ...style, ...sec });
    maxSec = Math.max(maxSec, ...sec.x);
    minSec = Math.min(minSec, ...sec.x.filter((x) => x > 0));
  });
  const rules = [{ y: threshold, label: `threshold ${threshold}` }];
  const panels: BandPanel[] = [
    { xLabel: 'meta-iteration', yLabel: 'post-adaptation return', series: perIteration, rules, integerX: true },
    { xLabel: 'training seconds (sum of per-iteration compute)', yLabel: 'post-adaptation return', series: perSecond, rules, xScale: maxSec / minSec > 30 ? 'log' : 'linear' },
  ];
  return bandPanelsSvg(panels, { title: `${env}: post-adaptation return`, subtitle: `mean over seeds; band: ${CI_LEVEL * 100}% bootstrap CI of the mean` });
}

function kshotSvg(env: string, loaded: readonly LoadedCell[], arms: readonly ArmSummary[]): string | null {
  const series: BandSeries[] = [];
  const styles = armStyles(arms);
  arms.forEach((arm, i) => {
    if (arm.heldout.length === 0) return;
    series.push({
      label: armLabel(arm), ...styles[i],
      x: arm.heldout.map((_, k) => k), y: arm.heldout.map((e) => e.mean),
      lo: arm.heldout.map((e) => (Number.isFinite(e.lo) ? e.lo : e.mean)), hi: arm.heldout.map((e) => (Number.isFinite(e.hi) ? e.hi : e.mean)),
    });
  });
  if (series.length === 0) return null;
  const iteration = loaded.find((l) => l.cell.heldout)?.result.heldout?.iteration;
  return bandPanelsSvg([{ xLabel: 'inner adaptation steps on a held-out task', yLabel: 'mean return', series, integerX: true }],
    { title: `${env}: k-shot returns on held-out tasks (after ${iteration} iterations)`, subtitle: `mean over seeds; band: ${CI_LEVEL * 100}% bootstrap CI of the mean`, panelWidth: 760 });
}

export interface ReportContext {
  /** The command that produced the experiment, quoted at the top of RESULTS.md. */
  command: string;
  jobs: number;
  /** Where the cells ran: 'local' or the queue URL without credentials. */
  where: string;
}

/** Writes results.jsonl, RESULTS.md and the figures for a complete grid; returns the report. */
export async function writeReport(outDir: string, grid: Grid, tuneCells: readonly Cell[], mainCells: readonly Cell[], context: ReportContext): Promise<Report> {
  const loaded: LoadedCell[] = [];
  for (const cell of mainCells) loaded.push(await loadCell(outDir, cell, grid.perEnv[cell.env].threshold));
  const tuneLoaded: LoadedCell[] = [];
  for (const cell of tuneCells) tuneLoaded.push(await loadCell(outDir, cell, grid.perEnv[cell.env].threshold));
  const tuneAuc = new Map(tuneLoaded.map((l) => [l.cell, l.result.auc]));
  const { tuning } = tuningOf(grid, tuneCells, (c) => tuneAuc.get(c)!);
  const report = analyse(grid, [...tuneLoaded, ...loaded].map((l) => l.result), tuning);

  const lines = [...report.cells, ...report.tuning, ...report.arms, ...report.comparisons, ...report.claims].map((x) => JSON.stringify(x));
  await writeFileAtomic(join(outDir, RESULTS_JSONL), `${lines.join('\n')}\n`);

  await mkdir(join(outDir, FIGURES_DIR), { recursive: true });
  const figures: Record<string, string[]> = {};
  for (const env of grid.envs) {
    const arms = report.arms.filter((a) => a.env === env);
    const envLoaded = loaded.filter((l) => l.cell.env === env);
    figures[env] = [];
    const curves = `${env}-curves.svg`;
    await writeFileAtomic(join(outDir, FIGURES_DIR, curves), curvesSvg(env, grid.perEnv[env].threshold, envLoaded, arms));
    figures[env].push(curves);
    const kshot = kshotSvg(env, envLoaded, arms);
    if (kshot) {
      await writeFileAtomic(join(outDir, FIGURES_DIR, `${env}-kshot.svg`), kshot);
      figures[env].push(`${env}-kshot.svg`);
    }
  }
  await writeFileAtomic(join(outDir, RESULTS_MD), resultsMarkdown(grid, mainCells, report, figures, context));
  return report;
}

/** The shared settings of an env's cells; β_d from a directed cell's config (the others have none). */
function configLine(c: Cell['config'], directed: Cell['config'] | undefined, swept: boolean): string {
  return `${c.iterations} meta-iterations, ${c.metaBatch} tasks × ${c.episodes} episodes per iteration, at most ${c.maxSteps} steps per episode, `
    + `policy [${c.hidden.join(', ')}] ${c.activation}, α = ${c.innerLr}, ${c.innerSteps} inner step(s), `
    + (swept ? 'outer Adam lr picked per base algorithm (each arm\'s is in its name)' : `outer Adam lr ${c.outerLr}`)
    + (directed ? `, β_d = ${directed.directedLr}` : '');
}

const VERDICT_MARK: Record<Verdict, string> = { holds: '**holds**', 'does not hold': '**does not hold**', inconclusive: 'inconclusive' };

function resultsMarkdown(grid: Grid, mainCells: readonly Cell[], report: Report, figures: Record<string, string[]>, context: ReportContext): string {
  const out: string[] = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out.push('# Directed-MAML against its base algorithms: results', '');
  out.push('Generated by:', '', '```sh', context.command, '```', '');
  out.push(`Machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}; cells ran ${context.where}${context.jobs > 0 ? ` with ${context.jobs} at a time` : ''}. `
    + 'Training seconds are the sum of the per-iteration compute times in metrics.jsonl (no process start-up, checkpoint writing or evaluation), '
    + 'measured while other cells ran beside them: compare them within this report only.', '');
  out.push('## Method', '');
  out.push(`- Seeds ${grid.seeds.join(', ')} for every arm; a seed fixes the task draws, the initial policy and every rollout, so arms are compared **paired** on the same seeds.`);
  for (const env of grid.envs) {
    const c = mainCells.find((x) => x.env === env)!.config;
    const directed = mainCells.find((x) => x.env === env && x.algo.startsWith('directed-') && x.overrides.directedLr === undefined)?.config;
    out.push(`- ${env}: threshold **${grid.perEnv[env].threshold}** (post-adaptation return); ${configLine(c, directed, grid.controls.outerLrSweep !== undefined)}; task ranges ${JSON.stringify(c.ranges)}.`);
  }
  out.push(`- Iterations (seconds) to threshold: the first meta-iteration at which the mean post-adaptation return of the last ${REACH_WINDOW} iterations (fewer at the start) is ≥ the threshold (the training seconds up to it). A run that never gets there counts as its budget + 1 iterations (its total seconds) — a lower bound, marked by "reached k/n".`);
  out.push(`- AUC: the mean post-adaptation return over all iterations (area under the curve per iteration). Final return: the mean over the last ${finalWindow(mainCells[0].config.iterations)} iteration(s).`);
  out.push(`- Held-out: ${grid.heldout.tasks} test tasks drawn with seed ${grid.heldout.seed} (never trained on), each adapted 0..${grid.heldout.steps} inner steps from the policy at iterations ${grid.heldout.every}, ${2 * grid.heldout.every}, … and the last; gain = k-shot minus 0-shot return at the last evaluation.`);
  out.push(`- Intervals: ${CI_LEVEL * 100}% percentile bootstrap of the mean over seeds (${BOOTSTRAP_RESAMPLES} resamples, seed ${BOOTSTRAP_SEED}); with 5 seeds such intervals tend to be narrow, so read them as a screen, not a proof.`);
  out.push('- Verdicts: a claim **holds** when the CI of the paired difference lies entirely on the claimed side of 0, **does not hold** when it lies entirely on the other side or at 0, and is inconclusive when it straddles 0 — or when runs that never reached the threshold (lower bounds) could overturn it.');
  if (grid.controls.outerLrSweep) {
    const s = grid.controls.outerLrSweep;
    out.push(`- Outer learning rate: swept over ${s.rates.join(', ')} for each base algorithm on seeds ${s.seeds.join(', ')} (not reported), picked by AUC; each directed variant and its controls run at the rate picked for its base.`);
  }
  if (grid.controls.randomMedium) out.push('- Random-task control: the directed step taken on a task drawn from the task distribution at each iteration (`--medium random`) instead of the medium task.');
  if (grid.controls.directedLrSweep) out.push(`- β_d sweep: the directed variants also run at β_d = ${grid.controls.directedLrSweep.rates.join(', ')}.`);
  out.push('');

  out.push('## Claims', '');
  out.push('| env | claim | paired difference (mean [CI]) | verdict |', '|---|---|---|---|');
  for (const c of report.claims) {
    const comp = report.comparisons.find((x) => x.arm === c.arm && x.against === c.against)!;
    out.push(`| ${c.env} | ${c.claim} | ${signed(comp.metrics[c.metric].diff)} ${c.metric === 'secondsToThreshold' ? 's' : c.metric === 'iterationsToThreshold' ? 'iterations' : ''} | ${VERDICT_MARK[c.verdict]} |`);
  }
  if (report.claims.length === 0) out.push('| – | no directed variant with its base in this grid | – | – |');
  out.push('');

  if (report.tuning.length) {
    out.push('## Outer learning rate (tuning seeds)', '');
    out.push('| env | base algorithm | AUC per rate (mean [CI]) | picked |', '|---|---|---|---|');
    for (const t of report.tuning) out.push(`| ${t.env} | ${t.base} | ${t.rates.map((r) => `${r.outerLr}: ${est(r.auc)}`).join('; ')} | **${t.picked}** |`);
    out.push('');
  }

  for (const env of grid.envs) {
    const arms = report.arms.filter((a) => a.env === env);
    const k = grid.heldout.steps;
    out.push(`## ${env}`, '');
    out.push(`| arm | reached | iterations to ${grid.perEnv[env].threshold} | seconds to ${grid.perEnv[env].threshold} | AUC | final return | held-out 0-shot | held-out gain, 1 step | held-out gain, ${k} steps |`);
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const a of arms) {
      const censored = a.reached < a.seeds.length ? '≥ ' : '';
      out.push(`| ${armLabel(a)} | ${a.reached}/${a.seeds.length} | ${est(a.iterationsToThreshold, censored)} | ${est(a.secondsToThreshold, censored)} | ${est(a.auc)} | ${est(a.finalReturn)} | ${est(a.heldout[0])} | ${est(a.heldoutGain[0])} | ${est(a.heldoutGain[k - 1])} |`);
    }
    out.push('');
    const comps = report.comparisons.filter((c) => c.env === env);
    if (comps.length) {
      out.push('Paired differences (first arm minus second, same seeds; verdict on "the first is better"):', '');
      out.push('| arms | iterations to threshold | seconds to threshold | AUC | final return | held-out gain |', '|---|---|---|---|---|---|');
      for (const c of comps) {
        const label = (arm: string) => armLabel(report.arms.find((a) => a.arm === arm)!);
        const cell = (m: MetricName) => `${signed(c.metrics[m].diff)} ${c.metrics[m].verdict === 'inconclusive' ? '' : `(${c.metrics[m].verdict})`}`;
        out.push(`| ${label(c.arm)} − ${label(c.against)} | ${cell('iterationsToThreshold')} | ${cell('secondsToThreshold')} | ${cell('auc')} | ${cell('finalReturn')} | ${cell('heldoutGain')} |`);
      }
      out.push('');
    }
    for (const f of figures[env] ?? []) out.push(`![${env}: ${f.includes('kshot') ? 'k-shot returns on held-out tasks' : 'post-adaptation return per iteration and per second'}](${FIGURES_DIR}/${f})`, '');
  }
  out.push(`Per-cell numbers: \`${RESULTS_JSONL}\` (one JSON object per line: cells, tuning, arms, comparisons, claims); each cell's run directory is under \`cells/\` (metrics.jsonl, state.json, policy/, curve.svg, ${HELDOUT_FILE}).`, '');
  return out.join('\n');
}
