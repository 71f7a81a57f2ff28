// `dmaml experiment`: a grid of training runs (env × algorithm × seed × controls), run on a local
// pool of child processes or on a BullMQ queue, then results.jsonl, RESULTS.md and figures.
// Everything the user gave is validated before any cell runs; DIR/experiment.json records the
// resolved grid, so a rerun with the same command skips complete cells and resumes the others.
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../../errors';
import { CONFIG_FIELDS, flagsHelp, intFlag, parseArgs, isPlainObject, type CommandFlag, type TrainConfig } from '../../config';
import { init } from '../../init';
import { readJsonObjectFile } from './train';
import { writeFileAtomic, FileError } from '../store';
import { LOCK_FILE } from '../run-files';
import { acquireRunLock, isOurLitter, type RunLock } from '../run-lock';
import { createRunDir } from '../run-survey';
import { shellQuote } from '../shell';
import { resolveGrid, tuneCells, mainCells, tuningKey, tunesDirectedLr, cellsIdentity, NOT_IN_GRID, DEFAULT_THRESHOLDS, type Grid } from '../experiment/grid';
import { runLocal, surveyCells, defaultJobs, workersPerCell, type CellExecutor } from '../experiment/scheduler';
import { HELDOUT_DEFAULTS } from '../experiment/heldout';
import { runCellByCli } from '../experiment/run-cell';
import { isEnvModulePath, loadEnvModule } from '../env-module';
import { edgeWarnings } from '../experiment/analysis';
import { settleTuning } from '../experiment/tuning';
import { withReuse } from '../experiment/reuse';
import { writeReport, RESULTS_MD, RESULTS_JSONL, FIGURES_DIR } from '../experiment/report';

export const EXPERIMENT_FILE = 'experiment.json';

/** A comma-separated list flag: '1,2,3' → ['1', '2', '3'] (no empty item). */
function listFlag(flag: string, placeholder: string, description: string, what: string): CommandFlag {
  const allowed = `a comma-separated list of ${what}`;
  return {
    flag, type: placeholder, description, allowed,
    parse(text) {
      const items = text.split(',').map((x) => x.trim());
      if (items.some((x) => x === '')) throw new ConfigError(`--${flag}`, text, allowed);
      return items;
    },
  };
}

const REUSE_ALLOWED = `the directory of an earlier dmaml experiment (holding its ${EXPERIMENT_FILE}), other than --out`;
const REUSE_IS_OUT = `${REUSE_ALLOWED} (it is --out itself; rerun without --reuse to resume it)`;
const SEEDS_ALLOWED = 'a comma-separated list of integers in [0, 4294967295]';

export const EXPERIMENT_FLAGS: readonly CommandFlag[] = [
  { flag: 'out', type: '<dir>', description: 'the experiment directory: new, empty, or an earlier run of this same grid (to resume it)', allowed: 'a directory path' },
  { flag: 'grid', type: '<grid.json>', description: 'the grid file (JSON; config fields named in camelCase, as in dmaml train --config)', allowed: 'a JSON file path' },
  listFlag('envs', '<id,…>', 'env ids (replace the grid file\'s envs)', 'env ids'),
  listFlag('algos', '<name,…>', 'algorithms (replace the grid file\'s algos)', 'algorithms'),
  {
    flag: 'seeds', type: '<int,…>', description: 'the reported seeds (replace the grid file\'s seeds)', allowed: SEEDS_ALLOWED,
    parse(text) {
      const seeds = text.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
      if (seeds.some((v) => !Number.isInteger(v) || v < 0 || v > 2 ** 32 - 1)) throw new ConfigError('--seeds', text, SEEDS_ALLOWED);
      return seeds;
    },
  },
  intFlag('jobs', 'cells at a time (default: the cores); each cell trains with max(1, floor(cores / jobs)) worker threads', 1, 1024),
  { flag: 'queue', type: '<redis://HOST:PORT>', description: "run the cells on this BullMQ queue (Redis), by 'dmaml worker --queue URL' on any machine", allowed: 'redis://HOST:PORT' },
  { flag: 'reuse', type: '<dir>', description: 'an earlier experiment directory, only read: each cell of this grid complete there (same name, resolved config and held-out spec) is hard-linked or copied into --out instead of trained', allowed: REUSE_ALLOWED },
];

/**
 * Config fields that are not flags of an experiment: given as flags, each is refused with what to
 * use instead (a cell's env, algo and seed come from the lists; its worker threads from --jobs).
 */
const REDIRECTED_FLAGS: readonly CommandFlag[] = CONFIG_FIELDS.filter((f) => f.name in NOT_IN_GRID).map((f) => {
  const instead = f.name === 'workers'
    ? '--jobs (each cell trains with max(1, floor(cores / jobs)) worker threads; results are the same for any count)'
    : `--${f.flag}s (a list) for an experiment`;
  return {
    flag: f.flag, type: f.type, description: '', allowed: instead,
    parse(text: string): never { throw new ConfigError(`--${f.flag}`, text, instead); },
  };
});
const EXPERIMENT_CONFIG_FIELDS = CONFIG_FIELDS.map((f) => f.name).filter((n) => !(n in NOT_IN_GRID));

export const EXPERIMENT_USAGE = `Usage:
  dmaml experiment --out DIR [--grid grid.json] [--envs A,B] [--algos X,Y] [--seeds 1,2,3] [--jobs N]
                   [--queue redis://HOST:PORT] [--reuse EARLIER_DIR] [--<train field> value …]
      runs every (env, algorithm, seed, control) cell of the grid as a dmaml train run directory under
      DIR/cells/, evaluates each on held-out tasks, and writes DIR/results.jsonl, DIR/RESULTS.md and
      DIR/figures/. --envs/--algos/--seeds replace the grid file's lists; any dmaml train config flag
      (--iterations, --meta-batch, …; not --env, --algo, --seed, --workers) applies to every cell and
      wins over the grid file (directed-only fields: to the directed-* cells). Cells run --jobs at a
      time (default: the cores), each a 'dmaml train' process with max(1, floor(cores / jobs)) worker
      threads, or on the BullMQ queue at --queue, run by 'dmaml worker --queue URL' on any machine.
      One runner at a time per DIR (DIR/${LOCK_FILE}). Rerun the same command to resume: complete
      cells are skipped, interrupted ones resume from their checkpoint. To extend a finished grid
      (more envs, seeds, rates) in a new DIR, --reuse the old one: its cells that are complete and
      identical (same name and resolved config) are linked in, and only the others train.
  Without --grid: --envs, --algos and --seeds are required; every cell is a dmaml train run at its
      defaults (and the train flags given); the threshold of each env is its default
      (${Object.entries(DEFAULT_THRESHOLDS).map(([env, t]) => `${env} ${t}`).join(', ')}); held-out evaluation every
      ceil(iterations / 3) iterations on ${HELDOUT_DEFAULTS.tasks} tasks (seed ${HELDOUT_DEFAULTS.taskSeed}), 0..${HELDOUT_DEFAULTS.steps} steps; no controls
      (they are set in a grid file).
  Grid file (JSON; config fields in camelCase): {"envs", "algos", "seeds", "config": {train fields},
      "perEnv": {ENV: {"threshold", "config", "maxReturn", "margins"}}, "margins": {metric: margin},
      "heldout": {"every", "tasks", "seed", "steps", "episodes"},
      "controls": {"outerLrSweep": {"rates", "seeds", "perArm", "widen", "directedLrs"}, "randomMedium": true,
      "directedLrSweep": {"rates"}, "extraTask": true, "nonMeta": true, "oracle": {"tasks", "algo"},
      "seeds": [control seeds]}} (README "Experiments" says what each does)
`;

export function experimentHelp(): string {
  return `${EXPERIMENT_USAGE}\nFlags:\n${flagsHelp(EXPERIMENT_FLAGS)}\n  --<train field> value   any config flag of dmaml train (dmaml train --help) but --env, --algo, --seed, --workers\n`;
}

export interface ExperimentPlan {
  grid: Grid;
  out: string;
  jobs: number;
  queue?: string;
  /** --reuse: an earlier experiment directory to take complete cells from. */
  reuse?: string;
}

/**
 * Envs of the grid given as module paths (relative to the grid file, or to the working directory
 * for --envs) are defined (src/node/env-module.ts) and stand as their ids from here on, in
 * grid.envs and as keys of grid.perEnv.
 */
async function defineGridEnvs(raw: Record<string, unknown>, base: string, fromFlag: boolean): Promise<void> {
  if (!Array.isArray(raw.envs)) return;
  const ids = new Map<string, string>();
  raw.envs = await Promise.all(raw.envs.map(async (entry, i) => {
    if (!isEnvModulePath(entry)) return entry;
    const id = await loadEnvModule(entry, base, fromFlag ? '--envs' : `grid.envs[${i}]`);
    ids.set(entry, id);
    return id;
  }));
  if (isPlainObject(raw.perEnv)) {
    raw.perEnv = Object.fromEntries(Object.entries(raw.perEnv).map(([key, value]) => [ids.get(key) ?? key, value]));
  }
}

/** Flags and grid file → a validated plan; touches no file. */
export async function planExperiment(argv: string[]): Promise<ExperimentPlan> {
  const { flags, config } = parseArgs(argv, { command: 'experiment', flags: [...EXPERIMENT_FLAGS, ...REDIRECTED_FLAGS], configFields: EXPERIMENT_CONFIG_FIELDS });
  const out = flags.out as string | undefined;
  if (out === undefined) throw new ConfigError('--out', '(missing)', 'the directory of the experiment (created, or an earlier experiment to resume)');
  const raw: Record<string, unknown> = flags.grid !== undefined ? await readJsonObjectFile(flags.grid as string, '--grid', 'a readable JSON file holding a grid object') as Record<string, unknown> : {};
  const fromFlags = new Set<string>();
  for (const key of ['envs', 'algos', 'seeds']) {
    if (flags[key] !== undefined) {
      raw[key] = flags[key];
      fromFlags.add(key);
    }
    if (raw[key] === undefined) throw new ConfigError(`--${key}`, '(missing)', `a list, as --${key} or "${key}" in --grid`);
  }
  await init();
  await defineGridEnvs(raw, fromFlags.has('envs') ? process.cwd() : dirname(resolve(flags.grid as string)), fromFlags.has('envs'));
  let grid: Grid;
  try {
    grid = resolveGrid(raw, config as Partial<TrainConfig>);
  } catch (err) {
    // A bad item of a list given as a flag is named after the flag (--envs), not the grid entry.
    const list = err instanceof ConfigError ? /^grid\.(envs|algos|seeds)(\[\d+\])?$/.exec(err.field) : null;
    if (list && fromFlags.has(list[1])) throw new ConfigError(`--${list[1]}`, (err as ConfigError).value, (err as ConfigError).allowed);
    throw err;
  }
  const reuse = flags.reuse as string | undefined;
  if (reuse !== undefined && resolve(reuse) === resolve(out)) throw new ConfigError('--reuse', reuse, REUSE_IS_OUT);
  return { grid, out, jobs: (flags.jobs as number | undefined) ?? defaultJobs(), queue: flags.queue as string | undefined, reuse };
}

/**
 * The grid DIR/experiment.json records; undefined when the file is not the record dmaml experiment
 * writes (damaged, or another program's). A file that cannot be read is a FileError.
 */
async function recordedGrid(dir: string): Promise<Grid | undefined> {
  const path = join(dir, EXPERIMENT_FILE);
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as { format?: unknown; grid?: Grid };
    if (record?.format === 'directed-maml-experiment' && record.grid !== null && typeof record.grid === 'object') return record.grid;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw FileError.from(err, path, 'read');
  }
  return undefined;
}

/**
 * --reuse, reading only: an existing directory (not --out under another name) whose experiment.json
 * is dmaml experiment's record. Its grid may be any: cells are matched one by one (reuse.ts).
 */
async function checkReuseDir(from: string, out: string): Promise<void> {
  const info = await stat(from).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw FileError.from(err, from, 'read');
  });
  if (!info) throw new ConfigError('--reuse', from, `${REUSE_ALLOWED} (there is no such directory)`);
  if (!info.isDirectory()) throw new ConfigError('--reuse', from, `${REUSE_ALLOWED} (this is a file)`);
  const sameAsOut = await realpath(out).then(async (o) => o === await realpath(from), () => false);
  if (sameAsOut) throw new ConfigError('--reuse', from, REUSE_IS_OUT);
  const present = await stat(join(from, EXPERIMENT_FILE)).then(() => true, () => false);
  if (!present) throw new ConfigError('--reuse', from, `${REUSE_ALLOWED} (it holds no ${EXPERIMENT_FILE})`);
  if (!(await recordedGrid(from))) throw new ConfigError('--reuse', from, `${REUSE_ALLOWED} (its ${EXPERIMENT_FILE} is not the record dmaml experiment writes)`);
}

/**
 * Whether DIR can hold this experiment, reading only: 'new' (absent or empty) or 'resume' (it
 * holds this same grid's experiment.json, perhaps with other thresholds). Refuses a directory that
 * holds anything else, or another grid.
 */
async function checkDir(out: string, grid: Grid): Promise<'new' | 'resume'> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'new';
    if (code === 'ENOTDIR') throw new ConfigError('--out', out, 'a directory (this path, or a part of it, is a file)');
    throw new ConfigError('--out', out, `a directory this user can create or read (${code})`);
  }
  if (entries.filter((name) => !isOurLitter(name)).length === 0) return 'new';
  if (!entries.includes(EXPERIMENT_FILE)) throw new ConfigError('--out', out, `a new or empty directory, or an earlier experiment's (it holds files but no ${EXPERIMENT_FILE})`);
  const before = await recordedGrid(out);
  // A damaged record is not "another grid": say what it is (the cells beside it are kept).
  if (!before) throw new ConfigError('--out', out, `an experiment directory whose ${EXPERIMENT_FILE} is the record dmaml experiment writes (this one is damaged: restore it, or choose another --out)`);
  let same = false;
  try {
    same = cellsIdentity(before) === cellsIdentity(grid);
  } catch {
    same = false;
  }
  if (!same) {
    throw new ConfigError('--out', out, `the directory of this same grid to resume it (${EXPERIMENT_FILE} there records another grid); choose another --out`);
  }
  return 'resume';
}

/**
 * Opens DIR for this runner: checked (checkDir), created if needed, locked (one runner per
 * experiment directory: a second is refused in one line naming the first), checked again under
 * the lock, and experiment.json written (new, or with new thresholds). The caller releases the lock.
 */
async function openExperimentDir(out: string, grid: Grid, command: string): Promise<RunLock> {
  await checkDir(out, grid);
  const removeCreated = await createRunDir(out, '--out');
  let lock: RunLock;
  try {
    lock = await acquireRunLock(out, { command, flag: '--out' });
  } catch (err) {
    await removeCreated();
    throw err;
  }
  try {
    await checkDir(out, grid); // another runner may have written it between the first look and the lock
    const recorded = `${JSON.stringify({ format: 'directed-maml-experiment', formatVersion: 1, grid }, null, 2)}\n`;
    const current = await readFile(join(out, EXPERIMENT_FILE), 'utf8').catch(() => null);
    if (current !== recorded) await writeFileAtomic(join(out, EXPERIMENT_FILE), recorded);
  } catch (err) {
    lock.release();
    await removeCreated();
    throw err;
  }
  return lock;
}

export async function experimentCommand(argv: string[], makeQueueExecutor?: (url: string, out: string, grid: Grid, signal: AbortSignal) => Promise<CellExecutor>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(experimentHelp());
    return 0;
  }
  const plan = await planExperiment(argv);
  const { grid, out } = plan;
  if (plan.reuse !== undefined) await checkReuseDir(plan.reuse, out);
  let executor: CellExecutor;
  const stop = new AbortController();
  if (plan.queue !== undefined) {
    if (!makeQueueExecutor) throw new ConfigError('--queue', plan.queue, 'a queue this build supports');
    executor = await makeQueueExecutor(plan.queue, out, grid, stop.signal);
  } else {
    // Cells side by side share the cores: each trains with its share of them as worker threads.
    const workers = workersPerCell(plan.jobs);
    executor = {
      where: 'local', jobs: plan.jobs,
      run: (cells, phase) => runLocal(out, cells, { jobs: plan.jobs, runCell: (cell, dir, hooks) => runCellByCli(cell, dir, { ...hooks, workers }), signal: stop.signal, phase }),
      close: async () => undefined,
    };
  }
  // Each phase's cells are first taken from the earlier experiment where it holds them complete.
  if (plan.reuse !== undefined) executor = withReuse(executor, out, plan.reuse);
  const command = `dmaml experiment ${argv.map(shellQuote).join(' ')}`;
  let lock: RunLock;
  try {
    lock = await openExperimentDir(out, grid, command);
  } catch (err) {
    await executor.close();
    throw err;
  }
  // The lock is held for the runner's lifetime: released on return, on an error, and at exit (a
  // second Ctrl-C); a killed runner's lock is stale and taken over by the next one.
  const releaseOnExit = () => lock.release();
  process.on('exit', releaseOnExit);
  const tune = tuneCells(grid);
  try {
    // Cells already on disk are verified before anything runs: damage that cannot be repaired is
    // one line now, not after the other cells have trained (surveyCells throws it).
    const settled = await settleTuning(out, grid, async (cells) => (await surveyCells(out, cells)).pending.length === 0);
    if (settled) await surveyCells(out, mainCells(grid, settled.picks, settled.directedPicks));
  } catch (err) {
    await executor.close();
    lock.release();
    throw err;
  }
  const total = tune.length + mainCellsCount(grid);
  console.error(`dmaml experiment: ${total} cells (${tune.length ? `${tune.length} tuning, ` : ''}${grid.envs.join(', ')} × ${grid.algos.join(', ')} × ${grid.seeds.length} seed${grid.seeds.length === 1 ? '' : 's'}${controlsText(grid)}) → ${out}, ${plan.queue === undefined ? 'locally' : executor.where}${plan.queue === undefined ? `, ${plan.jobs} at a time with ${workersPerCell(plan.jobs)} worker thread(s) each` : ''}`);

  // Ctrl-C reaches the cells' processes too (one process group): each finishes its iteration.
  // A second Ctrl-C quits at once. SIGTERM is forwarded to the cells as an interrupt. On a queue
  // the coordinator stops at once (its jobs stay queued; the same command collects them). Exit
  // 130 for SIGINT, 143 for SIGTERM.
  let signals = 0;
  let stoppedBy = 'SIGINT' as NodeJS.Signals;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    stoppedBy = sig;
    process.stderr.write(`\ndmaml experiment: stopping after the current iterations (${sig === 'SIGINT' ? 'Ctrl-C again' : 'SIGTERM again'} to quit now)\n`);
    stop.abort(sig === 'SIGINT' ? 'group-signal' : 'forward');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The tuning rounds (the sweep, then its widening), then the reported cells at the final picks.
    let round = 0, previous = tune.length;
    const settled = await settleTuning(out, grid, async (cells) => {
      if (round++ > 0) console.error(`dmaml experiment: widening the outer-lr sweep (round ${round - 1}): ${cells.length - previous} more tuning cells`);
      previous = cells.length;
      const r = await executor.run(cells, 'tuning ');
      return !r.interrupted && !stop.signal.aborted;
    });
    if (settled) {
      for (const warning of edgeWarnings(settled.tuning)) console.error(`dmaml experiment: ${warning}`);
      const cells = mainCells(grid, settled.picks, settled.directedPicks);
      const result = await executor.run(cells, '');
      if (!result.interrupted && !stop.signal.aborted) {
        const report = await writeReport(out, grid, settled.cells, cells, { command, jobs: executor.jobs, where: executor.where });
        for (const c of report.claims) console.log(`${c.env}: ${c.claim}: ${c.verdict}`);
        console.log(`report:  ${join(out, RESULTS_MD)}`);
        console.log(`results: ${join(out, RESULTS_JSONL)}`);
        console.log(`figures: ${join(out, FIGURES_DIR)}/`);
        return 0;
      }
    }
    console.error(`dmaml experiment: interrupted; continue with: ${command}`);
    return stoppedBy === 'SIGTERM' ? 143 : 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await executor.close();
    lock.release();
    process.off('exit', releaseOnExit);
  }
}

function mainCellsCount(grid: Grid): number {
  // The count does not depend on the values the sweep picks: its first rate (and β_d) stands in for every pick.
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return mainCells(grid).length;
  const picksOf = (value: number, ok: (c: ReturnType<typeof tuneCells>[number]) => boolean) => Object.fromEntries(grid.envs.map((env) => [env,
    Object.fromEntries(tuneCells(grid).filter((c) => c.env === env && ok(c)).map((c) => [tuningKey(grid, env, c.algo, c.overrides), value]))]));
  return mainCells(grid, picksOf(sweep.rates[0], () => true), sweep.directedLrs ? picksOf(sweep.directedLrs[0], (c) => tunesDirectedLr(grid, c.algo)) : undefined).length;
}

function controlsText(grid: Grid): string {
  const parts: string[] = [];
  if (grid.controls.outerLrSweep) parts.push(`outer-lr sweep${grid.controls.outerLrSweep.directedLrs ? ' with β_d' : ''}`);
  if (grid.controls.randomMedium) parts.push('random-task control');
  if (grid.controls.directedLrSweep) parts.push('β_d sweep');
  if (grid.controls.extraTask) parts.push('base with one more task');
  if (grid.controls.nonMeta) parts.push('non-meta baseline');
  if (grid.controls.oracle) parts.push(`${grid.controls.oracle.algo} oracles on ${grid.controls.oracle.tasks} held-out task${grid.controls.oracle.tasks === 1 ? '' : 's'} (headroom)`);
  const seeds = grid.controls.seeds ? ` (on ${grid.controls.seeds.length} of the seeds)` : '';
  return parts.length ? `; controls: ${parts.join(', ')}${seeds}` : '';
}
