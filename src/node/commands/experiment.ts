// `dmaml experiment`: a grid of training runs (env × algorithm × seed × controls), run on a local
// pool of child processes or on a BullMQ queue, then results.jsonl, RESULTS.md and figures.
// Everything the user gave is validated before any cell runs; DIR/experiment.json records the
// resolved grid, so a rerun with the same command skips complete cells and resumes the others.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { readFlags, configFromFlags, NO_VALUE, CONFIG_FIELDS, isPlainObject } from '../../config';
import { init } from '../../init';
import { writeFileAtomic } from '../store';
import { resolveGrid, tuneCells, mainCells, type Grid, type Cell } from '../experiment/grid';
import { runLocal, defaultJobs, type ScheduleResult } from '../experiment/scheduler';
import { runCellByCli } from '../experiment/run-cell';
import { pickOuterLr, writeReport, RESULTS_MD, RESULTS_JSONL, FIGURES_DIR } from '../experiment/report';
import { intOption, listOption, stringOption } from '../experiment/flags';

export const EXPERIMENT_FILE = 'experiment.json';

export const EXPERIMENT_USAGE = `Usage:
  dmaml experiment --out DIR [--grid grid.json] [--envs A,B] [--algos X,Y] [--seeds 1,2,3] [--jobs N]
                   [--queue redis://HOST:PORT] [--<train field> value …]
      runs every (env, algorithm, seed, control) cell of the grid as a dmaml train run directory under
      DIR/cells/, evaluates each on held-out tasks, and writes DIR/results.jsonl, DIR/RESULTS.md and
      DIR/figures/. --envs/--algos/--seeds replace the grid file's lists; any dmaml train flag
      (--iterations, --meta-batch, …) applies to every cell and wins over the grid file. Cells run
      --jobs at a time (default: the cores), or on the BullMQ queue at --queue, run by
      'dmaml worker --queue URL' on any machine. Rerun the same command to resume: complete cells
      are skipped, interrupted ones resume from their checkpoint.
  Grid file (JSON): {"envs", "algos", "seeds", "config": {train fields}, "perEnv": {ENV: {"threshold",
      "config"}}, "heldout": {"every", "tasks", "seed", "steps", "episodes"}, "controls": {"outerLrSweep":
      {"rates", "seeds"}, "randomMedium": true, "directedLrSweep": {"rates"}}}
`;

const OWN_FLAGS = ['out', 'grid', 'envs', 'algos', 'seeds', 'jobs', 'queue'];

/** Runs a phase's cells somewhere (the local pool or a queue); resolves when they are done or interrupted. */
export interface CellExecutor {
  run(cells: readonly Cell[], phase: string): Promise<ScheduleResult>;
  /** 'local' or where the queue is, for RESULTS.md. */
  readonly where: string;
  readonly jobs: number;
  close(): Promise<void>;
}

async function readGridFile(path: string): Promise<Record<string, unknown>> {
  const allowed = 'a readable JSON file holding a grid object';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('--grid', path, `${allowed} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--grid', path, `${allowed} (${(err as Error).message})`);
  }
  if (!isPlainObject(value)) throw new ConfigError('--grid', path, allowed);
  return value;
}

export interface ExperimentPlan {
  grid: Grid;
  out: string;
  jobs: number;
  queue?: string;
}

/** Flags and grid file → a validated plan; touches no file. */
export async function planExperiment(argv: string[]): Promise<ExperimentPlan> {
  const flags = readFlags(argv);
  const own: Record<string, string | typeof NO_VALUE> = {}, trainFlags: Record<string, string | typeof NO_VALUE> = {};
  for (const [name, value] of Object.entries(flags)) {
    if (OWN_FLAGS.includes(name)) own[name] = value;
    else if (CONFIG_FIELDS.some((f) => f.flag === name)) trainFlags[name] = value;
    else throw new ConfigError(`--${name}`, value === NO_VALUE ? '(no value)' : value, `${OWN_FLAGS.map((f) => `--${f}`).join(', ')}, or a dmaml train config flag (dmaml train --help)`);
  }
  for (const cellFlag of ['env', 'algo', 'seed']) {
    if (cellFlag in trainFlags) throw new ConfigError(`--${cellFlag}`, trainFlags[cellFlag], `--${cellFlag === 'env' ? 'envs' : `${cellFlag}s`} (a list) for an experiment`);
  }
  const out = stringOption(own, 'out', 'the directory of the experiment');
  if (out === undefined) throw new ConfigError('--out', '(missing)', 'the directory of the experiment (created, or an earlier experiment to resume)');
  const gridPath = stringOption(own, 'grid', 'a grid JSON file');
  const raw: Record<string, unknown> = gridPath ? await readGridFile(gridPath) : {};
  const envs = listOption(own, 'envs', 'env ids');
  const algos = listOption(own, 'algos', 'algorithms');
  const seeds = listOption(own, 'seeds', 'seeds');
  if (envs) raw.envs = envs;
  if (algos) raw.algos = algos;
  if (seeds) {
    raw.seeds = seeds.map((s) => {
      const v = Number(s);
      if (!Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1) throw new ConfigError('--seeds', own.seeds, 'a comma-separated list of integers in [0, 4294967295]');
      return v;
    });
  }
  for (const [key, what] of [['envs', '--envs'], ['algos', '--algos'], ['seeds', '--seeds']]) {
    if (raw[key] === undefined) throw new ConfigError(what, '(missing)', `a list, as ${what} or "${key}" in --grid`);
  }
  // Train flags apply to every cell: over the grid's config and over every perEnv config.
  const flagConfig = configFromFlags(trainFlags) as Record<string, unknown>;
  if (Object.keys(flagConfig).length) {
    raw.config = { ...(isPlainObject(raw.config) ? raw.config : {}), ...flagConfig };
    if (isPlainObject(raw.perEnv)) {
      for (const entry of Object.values(raw.perEnv)) {
        if (isPlainObject(entry) && isPlainObject(entry.config)) for (const key of Object.keys(flagConfig)) delete entry.config[key];
      }
    }
  }
  await init();
  const grid = resolveGrid(raw);
  const queue = stringOption(own, 'queue', 'redis://HOST:PORT');
  const jobs = intOption(own, 'jobs', defaultJobs(), 1, 1024);
  return { grid, out, jobs, queue };
}

/** The grid without what only the analysis reads (the thresholds): cells made under one serve any of them. */
function cellsIdentity(grid: Grid): string {
  return JSON.stringify({ ...grid, perEnv: Object.fromEntries(Object.entries(grid.perEnv).map(([env, e]) => [env, e.config])) });
}

/**
 * Creates DIR with experiment.json, or checks that DIR holds this same experiment (to resume, or
 * to report it again with other thresholds, which experiment.json then records). Refuses a
 * non-empty DIR that holds something else.
 */
async function prepareDir(out: string, grid: Grid): Promise<void> {
  const recorded = `${JSON.stringify({ format: 'directed-maml-experiment', formatVersion: 1, grid }, null, 2)}\n`;
  let entries: string[] = [];
  try {
    entries = await readdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ConfigError('--out', out, 'a directory (this path is a file)');
    if (code !== 'ENOENT') throw new ConfigError('--out', out, `a directory this user can create or read (${code})`);
  }
  if (entries.length > 0) {
    if (!entries.includes(EXPERIMENT_FILE)) throw new ConfigError('--out', out, `a new or empty directory, or an earlier experiment's (it holds files but no ${EXPERIMENT_FILE})`);
    let before: Grid | undefined;
    try {
      before = (JSON.parse(await readFile(join(out, EXPERIMENT_FILE), 'utf8')) as { grid?: Grid }).grid;
    } catch {
      before = undefined;
    }
    if (!before || cellsIdentity(before) !== cellsIdentity(grid)) {
      throw new ConfigError('--out', out, `the directory of this same grid to resume it (${EXPERIMENT_FILE} there records another grid); choose another --out`);
    }
    if (JSON.stringify(before) !== JSON.stringify(grid)) await writeFileAtomic(join(out, EXPERIMENT_FILE), recorded);
    return;
  }
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, EXPERIMENT_FILE), recorded);
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export async function experimentCommand(argv: string[], makeQueueExecutor?: (url: string, out: string, grid: Grid) => Promise<CellExecutor>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EXPERIMENT_USAGE);
    return 0;
  }
  const plan = await planExperiment(argv);
  const { grid, out } = plan;
  let executor: CellExecutor;
  const stop = new AbortController();
  if (plan.queue !== undefined) {
    if (!makeQueueExecutor) throw new ConfigError('--queue', plan.queue, 'a queue this build supports');
    executor = await makeQueueExecutor(plan.queue, out, grid);
  } else {
    executor = {
      where: 'locally', jobs: plan.jobs,
      run: (cells, phase) => runLocal(out, cells, { jobs: plan.jobs, runCell: runCellByCli, signal: stop.signal, phase }),
      close: async () => undefined,
    };
  }
  await prepareDir(out, grid);
  const command = `dmaml experiment ${argv.map(shellQuote).join(' ')}`;
  const tune = tuneCells(grid);
  const total = tune.length + mainCellsCount(grid);
  console.error(`dmaml experiment: ${total} cells (${tune.length ? `${tune.length} tuning, ` : ''}${grid.envs.join(', ')} × ${grid.algos.join(', ')} × ${grid.seeds.length} seeds${controlsText(grid)}) → ${out}, ${executor.where}`);

  // Ctrl-C reaches the cells' processes too (one process group): each finishes its iteration.
  // A second Ctrl-C quits at once. SIGTERM is forwarded to the cells as an interrupt.
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(130);
    process.stderr.write(`\ndmaml experiment: stopping after the current iterations (${sig === 'SIGINT' ? 'Ctrl-C again' : 'SIGTERM again'} to quit now)\n`);
    stop.abort(sig === 'SIGINT' ? 'group-signal' : 'forward');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    let result = await executor.run(tune, 'tuning ');
    if (!result.interrupted && !stop.signal.aborted) {
      const { picks } = await pickOuterLr(out, grid, tune);
      const cells = mainCells(grid, picks);
      result = await executor.run(cells, '');
      if (!result.interrupted && !stop.signal.aborted) {
        const report = await writeReport(out, grid, tune, cells, { command, jobs: executor.jobs, where: executor.where });
        for (const c of report.claims) console.log(`${c.env}: ${c.claim}: ${c.verdict}`);
        console.log(`report:  ${join(out, RESULTS_MD)}`);
        console.log(`results: ${join(out, RESULTS_JSONL)}`);
        console.log(`figures: ${join(out, FIGURES_DIR)}/`);
        return 0;
      }
    }
    console.error(`dmaml experiment: interrupted; continue with: ${command}`);
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await executor.close();
  }
}

function mainCellsCount(grid: Grid): number {
  let arms = 0;
  for (const algo of grid.algos) {
    arms += 1;
    if (algo.startsWith('directed-')) arms += (grid.controls.randomMedium ? 1 : 0) + (grid.controls.directedLrSweep?.rates.length ?? 0);
  }
  return arms * grid.envs.length * grid.seeds.length;
}

function controlsText(grid: Grid): string {
  const parts: string[] = [];
  if (grid.controls.outerLrSweep) parts.push('outer-lr sweep');
  if (grid.controls.randomMedium) parts.push('random-task control');
  if (grid.controls.directedLrSweep) parts.push('β_d sweep');
  return parts.length ? `; controls: ${parts.join(', ')}` : '';
}
