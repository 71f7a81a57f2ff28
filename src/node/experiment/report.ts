// DIR/results.jsonl, DIR/RESULTS.md and DIR/figures/*.svg of `dmaml experiment`, generated from
// the cells' run directories (metrics.jsonl, heldout.jsonl) and nothing else, so a report can be
// rebuilt at any time and equals the one a distributed run writes.
//
// The numbers are analysis.ts's; this module reads the cells' files and writes the report.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, cpus } from 'node:os';
import { readMetrics, writeFileAtomic } from '../store';
import type { IterationMetrics } from '../../train/types';
import { METRIC_NAMES, controlSeedsOf, widenOf, type Cell, type Grid } from './grid';
import { readHeldout, HELDOUT_FILE } from './run-cell';
import { cellDir } from './scheduler';
import { postAuc, finalWindow, REACH_WINDOW, type Estimate } from './stats';
import { analyse, cellResult, tuningOf, edgeWarnings, CLAIM_ALPHA, type Picks, type CellResult, type Claim, type MetricName, type Report, type TuningResult, type Verdict } from './analysis';
import { armLabel, curvesFigure, kshotFigure, differencesFigure, FIGURE_LEVEL } from './figures';

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
export async function pickOuterLr(outDir: string, grid: Grid, tuneCells: readonly Cell[]): Promise<Picks> {
  const aucs = new Map<Cell, number>();
  for (const c of tuneCells) aucs.set(c, postAuc((await readMetrics(cellDir(outDir, c))).slice(0, c.config.iterations)));
  return tuningOf(grid, tuneCells, (c) => aucs.get(c)!);
}

// ---- Writing: results.jsonl, figures, RESULTS.md.

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

function est(e: Estimate | undefined, prefix = ''): string {
  if (!e || e.n === 0) return '–';
  return Number.isFinite(e.lo) ? `${prefix}${fmt(e.mean)} [${fmt(e.lo)}, ${fmt(e.hi)}]` : `${prefix}${fmt(e.mean)}`;
}

const signed = (e: Estimate): string => `${e.mean >= 0 ? '+' : ''}${fmt(e.mean)}${Number.isFinite(e.lo) ? ` [${fmt(e.lo)}, ${fmt(e.hi)}]` : ''}`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export interface ReportContext {
  /** The command that produced the experiment, quoted at the top of RESULTS.md. */
  command: string;
  jobs: number;
  /** Where the cells ran: 'local' or the queue URL without credentials. */
  where: string;
  /** The machine, one line (default: this one's cores, CPU and Node). */
  machine?: string;
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

  const lines = [...report.cells, ...report.tuning, ...report.arms, ...report.comparisons, ...report.claims, ...report.headroom, ...report.untested].map((x) => JSON.stringify(x));
  await writeFileAtomic(join(outDir, RESULTS_JSONL), `${lines.join('\n')}\n`);

  await mkdir(join(outDir, FIGURES_DIR), { recursive: true });
  const figures: Record<string, Array<{ file: string; alt: string }>> = {};
  const n = grid.seeds.length;
  for (const env of grid.envs) {
    const arms = report.arms.filter((a) => a.env === env);
    const envLoaded = loaded.filter((l) => l.cell.env === env);
    figures[env] = [];
    const write = async (file: string, alt: string, svg: string | null) => {
      if (svg === null) return;
      await writeFileAtomic(join(outDir, FIGURES_DIR, file), svg);
      figures[env].push({ file, alt });
    };
    const curves = arms.map((arm) => ({ arm, runs: envLoaded.filter((l) => l.cell.arm === arm.arm).map((l) => l.metrics) }));
    await write(`${env}-curves.svg`, `${env}: trailing-mean post-adaptation return per meta-iteration and per env-step`, curvesFigure(env, grid.perEnv[env].threshold, curves, n));
    const iteration = envLoaded.find((l) => l.cell.heldout)?.result.heldout?.iteration;
    await write(`${env}-kshot.svg`, `${env}: k-shot returns on held-out tasks`, kshotFigure(env, arms, iteration, n));
    const label = (arm: string) => armLabel(report.arms.find((a) => a.arm === arm)!);
    const claimed = METRIC_NAMES.filter((m) => report.claims.some((c) => c.env === env && c.metric === m));
    await write(`${env}-differences.svg`, `${env}: paired differences and their intervals`, differencesFigure(env, report.comparisons.filter((c) => c.env === env), claimed, label, n));
  }
  const machine = context.machine ?? `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`;
  await writeFileAtomic(join(outDir, RESULTS_MD), resultsMarkdown(grid, mainCells, report, figures, { ...context, machine }));
  return report;
}

/** The shared settings of an env's cells; β_d from a directed cell's config (the others have none). */
function configLine(c: Cell['config'], directed: Cell['config'] | undefined, swept: boolean, tunedBeta: boolean): string {
  return `${c.iterations} meta-iterations, ${c.metaBatch} tasks × ${c.episodes} episodes per iteration, at most ${c.maxSteps} steps per episode, `
    + `policy [${c.hidden.join(', ')}] ${c.activation}, α = ${c.innerLr}, ${plural(c.innerSteps, 'inner step')}, `
    + (swept ? `outer Adam lr picked per ${tunedBeta ? 'algorithm' : 'base algorithm'} (each arm's is in its name)` : `outer Adam lr ${c.outerLr}`)
    + (tunedBeta ? ', β_d picked with the outer lr per directed algorithm (each arm\'s is in its name)' : directed ? `, β_d = ${directed.directedLr}` : '');
}

const VERDICT_MARK: Record<Verdict, string> = { holds: '**holds**', 'does not hold': '**does not hold**', inconclusive: 'inconclusive', 'tie at ceiling': 'tie at ceiling' };
const UNIT: Record<MetricName, string> = {
  iterationsToThreshold: 'iterations', envStepsToThreshold: 'env-steps', secondsToThreshold: 's', auc: '', finalReturn: '', heldoutReturn: '', heldoutGain: '',
};

/** p-values as a reader scans them: 3 significant digits, tiny ones in scientific notation. */
const pText = (p: number): string => (p === 0 ? '0' : p < 1e-3 ? p.toExponential(1) : p.toPrecision(2));

/** How the seconds were measured, from how the cells ran. */
export function secondsText(context: Pick<ReportContext, 'jobs' | 'where'>): string {
  const what = 'Training seconds are wall-clock compute per iteration summed from metrics.jsonl (not CPU time; no process start-up, checkpoint writing or evaluation)';
  if (context.where !== 'local') return `${what}, measured on queue workers that may differ and share their machines: compare them within this report only, with care.`;
  if (context.jobs === 1) return `${what}, measured with the cells run one at a time.`;
  return `${what}, measured with ${context.jobs} cells running at a time on the same cores: contention inflates them, so compare them within this report only.`;
}

/**
 * RESULTS.md's "Adaptation headroom" section (empty without the oracle control): per env, the
 * meta arm's 0-shot and k-shot and the oracles' k-shot on the oracle tasks, the paired gap, its
 * label, and what the label does to the medium-task claims.
 */
export function headroomSection(grid: Grid, report: Report): string[] {
  const o = grid.controls.oracle;
  if (!o || report.headroom.length === 0) return [];
  const k = grid.heldout.steps;
  const out = ['## Adaptation headroom', '',
    `Per env, on held-out tasks 0–${o.tasks - 1}: ${o.algo}'s main arm after 0 and ${k} inner step${k === 1 ? '' : 's'}, and the oracle — ${o.algo} with the same budget trained on that one task (every range fixed at it) — after ${k}, each a mean over the tasks, then over seeds (95% t intervals). `
    + `The gap is oracle − ${k}-shot, paired per seed. An env has **headroom** when the gap's interval lies above 0; otherwise (within noise or negative) **no headroom**, and its "the medium task matters" claims are not tested (not in the Holm family): with nothing left to gain by adapting, the directed step's task cannot matter.`, '',
    `| env | seeds | 0-shot | ${k}-shot | oracle | gap (oracle − ${k}-shot) | label |`, '|---|---|---|---|---|---|---|'];
  for (const h of report.headroom) {
    out.push(`| ${h.env} | ${h.seeds.length ? h.seeds.join(', ') : 'none complete'} | ${est(h.zeroShot)} | ${est(h.kShot)} | ${est(h.oracle)} | ${signed(h.gap)} | ${h.label === 'headroom' ? '**headroom**' : '**no headroom**'} |`);
  }
  out.push('');
  for (const h of report.headroom) {
    const dropped = report.untested.filter((u) => u.env === h.env).length;
    if (h.label === 'headroom') out.push(`- ${h.env}: headroom — the oracles beat the meta-policy's ${k}-shot return by ${signed(h.gap)}; its medium-task claims are tested.`);
    else {
      const why = h.gap.n < 2 ? `fewer than 2 seeds with the meta arm and every oracle (${h.gap.n}): no interval` : h.gap.hi < 0 ? 'the gap lies below 0' : 'its interval contains 0 (within noise)';
      out.push(`- ${h.env}: no headroom — ${why} (gap ${signed(h.gap)}); ${dropped ? `${plural(dropped, 'medium-task claim')} not tested` : 'no medium-task claim to drop'}.`);
    }
  }
  out.push('');
  return out;
}

/** RESULTS.md: every sentence from the grid, the context and the report's numbers. */
export function resultsMarkdown(grid: Grid, mainCells: readonly Cell[], report: Report, figures: Record<string, ReadonlyArray<{ file: string; alt: string }>>, context: ReportContext & { machine: string }): string {
  const out: string[] = [];
  const n = grid.seeds.length;
  const label = (arm: string) => armLabel(report.arms.find((a) => a.arm === arm) ?? { algo: arm, overrides: {} });
  out.push('# Directed-MAML against its base algorithms: results', '');
  const primary = report.claims.filter((c) => c.primary);
  if (primary.length) {
    out.push('## Primary claims', '', 'Stated before any number; each is one hypothesis of the Holm-corrected family below.', '');
    for (const c of primary) out.push(`- ${c.env}: ${c.claim} (threshold ${grid.perEnv[c.env].threshold}).`);
    out.push('');
  }
  out.push(...headroomSection(grid, report));
  out.push('Generated by:', '', '```sh', context.command, '```', '');
  out.push(`Machine: ${context.machine}; cells ran ${context.where === 'local' ? 'locally' : context.where}${context.jobs > 0 ? ` with ${context.jobs} at a time` : ''}. ${secondsText(context)}`, '');

  out.push('## Method', '');
  const controlSeeds = controlSeedsOf(grid);
  const controlsApart = controlSeeds.length !== grid.seeds.length && report.arms.some((a) => a.control);
  const arms = controlsApart ? 'arm of the grid\'s algorithms' : 'arm';
  out.push(n === 1
    ? `- One seed (${grid.seeds[0]}) for every ${arms}: no interval and no test is possible, so every verdict below is inconclusive (or a tie at a ceiling).`
    : `- ${plural(n, 'seed')} (${grid.seeds.join(', ')}) for every ${arms}; a seed fixes the task draws, the initial policy and every rollout, so arms are compared **paired** on the same seeds.`);
  if (controlsApart) {
    out.push(`- The control arms ran on ${plural(controlSeeds.length, 'seed')} of these (${controlSeeds.join(', ')}; grid.controls.seeds): a comparison with a control is paired on those seeds only (the claims table gives each claim's paired seeds).`);
  }
  for (const env of grid.envs) {
    const envCells = mainCells.filter((x) => x.env === env);
    if (envCells.length === 0) continue;
    const c = envCells[0].config;
    const tunedBeta = grid.controls.outerLrSweep?.directedLrs !== undefined;
    const directed = envCells.find((x) => x.algo.startsWith('directed-') && x.overrides.directedLr === undefined)?.config;
    const { maxReturn, margins } = grid.perEnv[env];
    const marginText = METRIC_NAMES.filter((m) => margins[m] !== undefined).map((m) => `${m} ±${fmt(margins[m]!)}`).join(', ');
    out.push(`- ${env}: threshold **${grid.perEnv[env].threshold}** (post-adaptation return); ${configLine(c, directed, grid.controls.outerLrSweep !== undefined, tunedBeta)}; task ranges ${JSON.stringify(c.ranges)}. `
      + `Ceilings: reaching the threshold on the first iteration${maxReturn === null ? '; the return has none stated' : `; a return of ${maxReturn}`}. Equivalence margins: ${marginText || 'none (no "does not hold" from equivalence)'}.`);
  }
  out.push(`- Iterations, env-steps and seconds to threshold: the first meta-iteration at which the mean post-adaptation return of the last ${REACH_WINDOW} iterations (fewer at the start) is ≥ the threshold (the env-steps and training seconds up to it; env-steps compare budgets matched in samples). A run that never gets there counts as its budget + 1 iterations (its total env-steps and seconds) — a lower bound, marked by "reached k/n".`);
  out.push(`- AUC: the mean post-adaptation return over all iterations. Final return: the mean over the last ${plural(finalWindow(mainCells[0]?.config.iterations ?? 1), 'iteration')}.`);
  out.push(`- Held-out: ${plural(grid.heldout.tasks, 'test task')} drawn with seed ${grid.heldout.seed} (never trained on); θ_0 … θ_${grid.heldout.steps} after 0..${grid.heldout.steps} inner steps are all scored on one common evaluation batch, apart from the adaptation data${grid.heldout.innerLr !== undefined ? `, with α = ${grid.heldout.innerLr}` : ''}; policies at iterations ${grid.heldout.every}, ${2 * grid.heldout.every}, … and the last; the tables use the last.`);
  if (n >= 2) out.push(`- Intervals: ${FIGURE_LEVEL * 100}% Student-t intervals of the mean over ${plural(n, 'seed')}${controlsApart ? ` (${controlSeeds.length} for a control)` : ''} (arms) and of the mean paired difference (comparisons).`);
  const hypotheses = 3 * report.claims.length;
  out.push(`- Verdicts: each claim is tested on its paired differences with exact sign-flip permutation tests (both directions) and a TOST equivalence test against its margin; the ${plural(hypotheses, 'p-value')} of the ${plural(report.claims.length, 'claim')} are Holm-corrected together at α = ${CLAIM_ALPHA}. Seconds are compared but not claimed (they depend on the machine and on what ran beside the cells). `
    + 'A claim **holds** when "better" is significant, **does not hold** when "worse" is, or equivalence within the margin is; a tie at a ceiling (both arms at the best value on every seed) is labelled so; anything else, and any verdict that runs not reaching the threshold (bounds) could overturn, is inconclusive.');
  if (n >= 1 && hypotheses > 0 && hypotheses * 2 ** -n >= CLAIM_ALPHA) {
    out.push(`- With ${plural(n, 'seed')}, the smallest sign-flip p-value is 2^-${n} = ${pText(2 ** -n)}, and Holm's first step multiplies it by ${hypotheses}: no claim can be shown better or worse in this report (equivalence within a margin, TOST's t statistics, still can).`);
  } else if (controlsApart && hypotheses > 0 && hypotheses * 2 ** -controlSeeds.length >= CLAIM_ALPHA) {
    const m = controlSeeds.length;
    out.push(`- A claim against a control is paired on ${plural(m, 'seed')}: its smallest sign-flip p-value is 2^-${m} = ${pText(2 ** -m)}, and Holm's first step multiplies it by ${hypotheses}: no claim against a control can be shown better or worse in this report (equivalence within a margin, TOST's t statistics, still can).`);
  }
  if (grid.controls.outerLrSweep) {
    const s = grid.controls.outerLrSweep;
    out.push(s.perArm
      ? `- Outer learning rate: swept over ${s.rates.join(', ')} for every arm (directed variants and controls included) on seeds ${s.seeds.join(', ')} (not reported), each arm run at the rate of its largest mean AUC.`
      : s.directedLrs
        ? `- Outer learning rate: swept over ${s.rates.join(', ')} for each base algorithm, and with β_d for each directed algorithm, on seeds ${s.seeds.join(', ')} (not reported), picked by AUC; the bases' controls run at the rate picked for their base.`
        : `- Outer learning rate: swept over ${s.rates.join(', ')} for each base algorithm on seeds ${s.seeds.join(', ')} (not reported), picked by AUC; each directed variant and its controls run at the rate picked for its base.`);
    const widen = widenOf(grid);
    out.push(widen > 0
      ? `- Widening: a pick at the highest (lowest) rate of a key adds the next rate above (below) on the sweep's log spacing, run on the same seeds, and the pick is made again; at most ${plural(widen, 'rate')} per side (outerLrSweep.widen). The table below gives every key's final rates.`
      : '- Widening: none (outerLrSweep.widen 0): a pick at an edge of the rates stays there.');
    if (s.directedLrs) {
      out.push(`- β_d tuned: each directed algorithm's tuning cells span the outer rates × β_d = ${s.directedLrs.join(', ')}, and it runs at the (outer lr, β_d) pair of the largest mean AUC${grid.controls.randomMedium ? ', as does its random-task control (the two differ only in the task of the directed step)' : ''}; a tuned β_d is the algorithm's setting, not a control.`);
    }
  }
  if (grid.controls.randomMedium) out.push('- Random-task control: the directed step taken on a task drawn from the task distribution at each iteration (`--medium random`) instead of the medium task.');
  if (grid.controls.directedLrSweep) out.push(`- β_d sweep: the directed variants also run at β_d = ${grid.controls.directedLrSweep.rates.join(', ')}.`);
  if (grid.controls.extraTask) out.push('- Extra-task baseline: each base with a directed variant also runs with one more task per iteration (metaBatch + 1: two more rollout batches, at least what the directed step samples), so a directed gain is checked against the same extra samples spent on the base.');
  if (grid.controls.oracle) {
    const o = grid.controls.oracle;
    out.push(`- Oracle control (adaptation headroom): on each of the first ${plural(o.tasks, 'held-out task')}, ${o.algo} trained with the same budget${grid.controls.outerLrSweep ? ' and outer rate' : ''} as its main arm but with every task range fixed at that task, on seeds ${controlSeedsOf(grid).join(', ')}, and scored on that task's common evaluation batch after ${plural(grid.heldout.steps, 'inner step')}; it is not an arm of the tables below.`);
  }
  if (grid.controls.nonMeta) out.push('- Non-meta baseline (the MAML paper\'s): multi-task REINFORCE on the task mixture — FOMAML trained with α = 0 — evaluated on the held-out tasks with the usual inner step(s).');
  out.push('');

  out.push('## Claims', '');
  out.push('| env | claim | paired difference (mean [CI]) | Holm p: better / worse / equivalent | verdict |', '|---|---|---|---|---|');
  for (const c of report.claims) {
    const margin = c.margin === null ? '–' : `${pText(c.pEquivalent)} (±${fmt(c.margin)})`;
    const diff = `${signed(c.diff)} ${UNIT[c.metric]}`;
    const diffText = controlsApart ? `${diff.trimEnd()}, ${plural(c.diff.n, 'paired seed')}` : diff;
    out.push(`| ${c.env} | ${c.primary ? '**primary:** ' : ''}${c.claim} | ${diffText} | ${pText(c.pToward)} / ${pText(c.pAway)} / ${margin} | ${VERDICT_MARK[c.verdict]} |`);
  }
  for (const u of report.untested) out.push(`| ${u.env} | ${u.claim} | – | – | not tested: no headroom (gap ${signed(u.gap)}) |`);
  if (report.claims.length === 0 && report.untested.length === 0) out.push('| – | no claim: no directed variant with its base (or base with the non-meta baseline) in this grid | – | – | – |');
  out.push('');

  if (report.tuning.length) {
    out.push('## Outer learning rate (tuning seeds)', '');
    out.push(`| env | ${grid.controls.outerLrSweep?.perArm ? 'arm' : grid.controls.outerLrSweep?.directedLrs ? 'algorithm' : 'base algorithm'} | AUC per rate (mean [CI]) | picked |`, '|---|---|---|---|');
    for (const t of report.tuning) {
      const rate = (r: TuningResult['rates'][number]) => `${r.outerLr}${r.directedLr !== undefined ? `, β_d ${r.directedLr}` : ''}: ${est(r.auc)}`;
      const picked = `**${t.picked}**${t.pickedDirectedLr !== undefined ? `, β_d **${t.pickedDirectedLr}**` : ''}`;
      out.push(`| ${t.env} | ${t.arm} | ${t.rates.map(rate).join('; ')} | ${picked}${t.widened ? ` (widened by ${t.widened.join(', ')})` : ''}${t.edge ? ` (the ${t.edge} rate: an edge)` : ''} |`);
    }
    out.push('');
    for (const w of edgeWarnings(report.tuning)) out.push(`Warning: ${w}.`, '');
  }

  for (const env of grid.envs) {
    const arms = report.arms.filter((a) => a.env === env);
    const k = grid.heldout.steps;
    const t = grid.perEnv[env].threshold;
    out.push(`## ${env}`, '');
    out.push(`| arm | reached | iterations to ${t} | env-steps to ${t} | seconds to ${t} | AUC | final return | held-out 0-shot | held-out ${k}-shot | held-out gain, ${k} step${k === 1 ? '' : 's'} |`);
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const a of [...arms.filter((x) => !x.control), ...arms.filter((x) => x.control)]) {
      const censored = a.reached < a.seeds.length ? '≥ ' : '';
      out.push(`| ${a.control ? 'control: ' : ''}${armLabel(a)} | ${a.reached}/${a.seeds.length} | ${est(a.iterationsToThreshold, censored)} | ${est(a.envStepsToThreshold, censored)} | ${est(a.secondsToThreshold, censored)} | ${est(a.auc)} | ${est(a.finalReturn)} | ${est(a.heldout[0])} | ${est(a.heldout[k])} | ${est(a.heldoutGain[k - 1])} |`);
    }
    out.push('');
    const comps = report.comparisons.filter((c) => c.env === env);
    if (comps.length) {
      out.push('Paired differences (first arm minus second, same seeds; the verdict where the difference is a claim):', '');
      out.push(`| arms | ${METRIC_NAMES.join(' | ')} |`, `|---|${METRIC_NAMES.map(() => '---').join('|')}|`);
      for (const c of comps) {
        const cell = (m: MetricName) => {
          const claim: Claim | undefined = report.claims.find((x) => x.arm === c.arm && x.against === c.against && x.metric === m);
          return `${signed(c.metrics[m].diff)}${claim ? ` (${claim.verdict})` : ''}`;
        };
        out.push(`| ${label(c.arm)} − ${label(c.against)} | ${METRIC_NAMES.map(cell).join(' | ')} |`);
      }
      out.push('');
    }
    for (const f of figures[env] ?? []) out.push(`![${f.alt}](${FIGURES_DIR}/${f.file})`, '');
  }
  out.push(`Per-cell numbers: \`${RESULTS_JSONL}\` (one JSON object per line: cells, tuning, arms, comparisons, claims); each cell's run directory is under \`cells/\` (metrics.jsonl, state.json, policy/, curve.svg, ${HELDOUT_FILE}).`, '');
  return out.join('\n');
}
