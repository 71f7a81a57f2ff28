// One grid cell, run to completion in its run directory: training in segments that end at the
// held-out evaluation points, each point evaluated from the checkpoint, everything resumable.
//
// Cells run as `dmaml train` child processes — the CLI is the stable contract, and processes give
// the local pool its parallelism (each cell's process with its share of the cores as worker
// threads, CellHooks.workers):
//   dmaml train --workers W --config CELL.json --out DIR       (a fresh cell: no run.json yet)
//   dmaml train --workers W --config CELL.json --resume DIR    (every later segment)
// with CELL.json the cell's config and iterations = the segment's end. The child holds the cell
// directory's lock while it trains, and `dmaml train` itself makes the directory safe to continue:
// --resume refuses a run of another config (CELL.json is checked against the run's, only
// iterations and workers may differ), cuts metrics lines past the checkpoint and a torn last line,
// and the lock removes temporary files of dead writers. Between segments this process evaluates the
// checkpoint (what `dmaml evaluate` prints) under the cell's lock and appends it to heldout.jsonl,
// so a cell directory is exactly what `dmaml train` writes plus heldout.jsonl, and an interrupted
// cell resumes bit-identically. (runTraining in src/node/run-training.ts is the in-process
// equivalent of the child; the runner keeps processes for the reasons above.)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors';
import { definedEnv } from '../../envs/registry';
import { configHash, type TrainConfig } from '../../train/config';
import { writeFileAtomic, FileError } from '../store';
import { RUN_FILE, STATE_FILE, METRICS_FILE } from '../run-files';
import { acquireRunLock } from '../run-lock';
import { describeIdentity } from '../run-identity';
import { readRun, readStateFile } from '../run-survey';
import { heldoutEvaluation, type HeldoutRecord } from './heldout';
import type { Cell, HeldoutSpec } from './grid';

export const HELDOUT_FILE = 'heldout.jsonl';

export interface CellHooks {
  /** Iterations the cell's run directory holds (called when it changes; for a progress bar). */
  onIterations?(iterations: number): void;
  /** After each checkpoint (an iteration or an evaluation): the directory is consistent. The queue worker ships it. */
  onCheckpoint?(): Promise<void>;
  /** Aborting stops the cell after its current iteration (the child gets SIGINT, like Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Worker threads of the cell's training process (--workers; default: one per core). Not part of
   * the run's identity, so a cell resumed with another count gives the same results.
   */
  workers?: number;
}

export interface CellOutcome {
  /** Iterations in the run directory at the end. */
  iterations: number;
  /** True when stopped by the signal before the cell was complete. */
  interrupted: boolean;
}

/** Runs (or resumes) `cell` in `dir` until it is complete. */
export type RunCell = (cell: Cell, dir: string, hooks?: CellHooks) => Promise<CellOutcome>;

/** The iterations at which a cell is evaluated: every `every`, and the last one. */
export function evaluationPoints(iterations: number, heldout: HeldoutSpec | null): number[] {
  if (!heldout) return [iterations];
  const points: number[] = [];
  for (let p = heldout.every; p < iterations; p += heldout.every) points.push(p);
  points.push(iterations);
  return points;
}

/** The state of a cell's run directory: the checkpoint's iteration and config, or null (no checkpoint). */
export async function readCellState(dir: string): Promise<{ iteration: number; config: TrainConfig } | null> {
  const state = await readStateFile(dir, 'cell');
  return state ? { iteration: state.iteration, config: state.config } : null;
}

/**
 * The records of heldout.jsonl (none when absent). A line that is not a record (a torn or foreign
 * file) is a ConfigError naming `flag`, the file and the line: it cannot be regenerated here.
 */
export async function readHeldout(dir: string, flag = 'cell'): Promise<HeldoutRecord[]> {
  const path = join(dir, HELDOUT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw FileError.from(err, path, 'read');
  }
  const lines = text.split('\n');
  const torn = lines.pop() !== '';
  const records: HeldoutRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    let record: unknown;
    try {
      record = JSON.parse(lines[i]);
    } catch {
      record = undefined;
    }
    if (!isHeldoutRecord(record)) throw new ConfigError(flag, path, `a held-out file of JSON records, one per line (line ${i + 1} is not one)`);
    records.push(record);
  }
  if (torn) throw new ConfigError(flag, path, `a held-out file of JSON records, one per line (line ${lines.length + 1} is torn)`);
  return records;
}

function isHeldoutRecord(r: unknown): r is HeldoutRecord {
  const numbers = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'number');
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return false;
  const o = r as Record<string, unknown>;
  return Number.isInteger(o.iteration) && Number.isInteger(o.taskSeed) && Number.isInteger(o.steps) && Number.isInteger(o.episodes)
    && Array.isArray(o.tasks) && o.tasks.every(numbers) && Array.isArray(o.returns) && o.returns.every(numbers) && numbers(o.mean);
}

/**
 * The held-out records of a cell's directory, checked against its spec and its checkpoint
 * (`iteration`): records of evaluation points up to the checkpoint, in order, made with the
 * spec's tasks, seed, steps and episodes. Anything else is one ConfigError naming the cell.
 */
async function cellHeldout(cell: Cell, dir: string, iteration: number): Promise<HeldoutRecord[]> {
  const h = cell.heldout;
  if (!h) return [];
  const flag = `cell ${cell.name}`;
  const path = join(dir, HELDOUT_FILE);
  const records = await readHeldout(dir, flag);
  const points = evaluationPoints(cell.config.iterations, h).filter((p) => p <= iteration);
  let last = 0;
  records.forEach((r, i) => {
    if (!points.includes(r.iteration) || r.iteration <= last) {
      throw new ConfigError(flag, path, `held-out records of evaluation points ${points.join(', ') || '(none yet)'} in order (line ${i + 1} is of iteration ${r.iteration})`);
    }
    last = r.iteration;
    const tasks = h.task === undefined ? h.tasks : 1;
    // Without heldout.episodes a record is made with the cell's own episodes.
    const episodes = h.episodes ?? cell.config.episodes;
    if (r.taskSeed !== h.seed || r.steps !== h.steps || r.episodes !== episodes || r.tasks.length !== tasks || r.mean.length !== h.steps + 1 || r.task !== h.task) {
      throw new ConfigError(flag, path, `held-out records of this grid's spec (tasks ${h.tasks}${h.task === undefined ? '' : `, task ${h.task} alone`}, seed ${h.seed}, steps ${h.steps}, episodes ${episodes}); line ${i + 1} is of another`);
    }
  });
  return records;
}

/**
 * Whether a cell's directory holds its complete run, verified as `dmaml train --resume` verifies a
 * run (readRun: run.json, state.json, every metrics line of this run's config hash, iterations
 * 1..n in order, the policy's tag) and its held-out records against the grid's spec. False when
 * there is more to do: iterations, evaluations, or the repair train's resume makes (metrics lines
 * past the checkpoint, a torn tail). A ConfigError naming the cell when the damage cannot be
 * repaired (another run's files, metrics lines missing below the checkpoint).
 */
export async function cellComplete(cell: Cell, dir: string): Promise<boolean> {
  const run = await cellRun(cell, dir);
  if (!run) return false;
  const records = await cellHeldout(cell, dir, run.iteration);
  if (run.iteration < cell.config.iterations || run.metricsNeedCut) return false;
  if (!cell.heldout) return true;
  const done = new Set(records.map((r) => r.iteration));
  return evaluationPoints(cell.config.iterations, cell.heldout).every((p) => done.has(p));
}

/** bin/dmaml.js of this package (from dist/ when bundled, from src/node/experiment/ under tsx). */
export function dmamlBin(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++, d = dirname(d)) {
    const bin = join(d, 'bin', 'dmaml.js');
    if (existsSync(bin) && existsSync(join(d, 'package.json'))) return bin;
  }
  throw new Error('dmaml experiment: cannot find bin/dmaml.js above this module');
}

interface ChildResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Runs `dmaml <args>`; polls `watch` (if given) every 250 ms while it runs; SIGINT on abort. */
function dmamlChild(args: string[], signal: AbortSignal | undefined, watch?: () => Promise<void>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [dmamlBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr = (stderr + b).slice(-20_000); });
    // 'group-signal': a Ctrl-C that the terminal already delivered to the child (same process group).
    const onAbort = () => { if (signal?.reason !== 'group-signal') child.kill('SIGINT'); };
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted) onAbort();
    let polling = Promise.resolve();
    const timer = watch ? setInterval(() => { polling = polling.then(watch).catch(() => undefined); }, 250) : undefined;
    child.on('error', reject);
    child.on('close', (code, sig) => {
      if (timer) clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      // one last look, after the child's final writes
      polling.then(() => (watch ? watch().catch(() => undefined) : undefined)).then(() => resolve({ code, signal: sig, stdout, stderr }));
    });
  });
}

/**
 * A child that failed: what it refused (exit 2) or the file system error it met (exit 1) stays one
 * line for the user, naming the cell; anything else (a crash) keeps the child's last line.
 */
function childFailure(cell: Cell, dir: string, what: string, r: ChildResult): Error {
  const lines = r.stderr.trim().split('\n').filter((l) => !/^(iteration |dmaml train: )/.test(l));
  const last = (lines[lines.length - 1] ?? '(no message)').replace(/^dmaml: /, '');
  if (r.code === 2) return new ConfigError(`cell ${cell.name}`, dir, `a cell dmaml ${what} accepts; it refused: ${last}`);
  if (r.code === 1) return new FileError(dir, `train cell ${cell.name} in`, undefined, last);
  return new Error(`cell ${cell.name}: dmaml ${what} exited with ${r.code ?? r.signal}: ${last}`);
}

/** The checkpoint's iteration of the cell's run directory, checked like `dmaml train --resume` checks it; null: no run yet. */
async function cellRun(cell: Cell, dir: string): Promise<{ iteration: number; metricsNeedCut: boolean } | null> {
  if (!existsSync(join(dir, RUN_FILE))) return null; // absent, empty, or left before run.json: dmaml train starts it
  const run = await readRun(dir, `cell ${cell.name}`);
  const id = configHash(cell.config);
  if (run.identity.configHash !== id) {
    throw new ConfigError(`cell ${cell.name}`, dir, `the run of this cell (config ${id}); it holds another run (${describeIdentity(run.identity)}); use another --out`);
  }
  const iteration = run.state?.iteration ?? 0;
  if (iteration > cell.config.iterations) throw new ConfigError(`cell ${cell.name}`, dir, `a run of at most ${cell.config.iterations} iterations (it has ${iteration})`);
  return { iteration, metricsNeedCut: run.metricsNeedCut };
}

/** The cell's runner over `dmaml train` child processes (held-out evaluation in this process). */
export const runCellByCli: RunCell = async (cell, dir, hooks = {}) => {
  const N = cell.config.iterations;
  const points = evaluationPoints(N, cell.heldout);
  let lastIterations = -1, lastStateTime = 0;
  // Progress and checkpoints while a training child runs: metrics.jsonl lines, state.json renames.
  const watch = async () => {
    const text = await readFile(join(dir, METRICS_FILE), 'utf8').catch(() => '');
    const lines = text.split('\n').length - 1;
    if (lines !== lastIterations) { lastIterations = lines; hooks.onIterations?.(lines); }
    const time = await stat(join(dir, STATE_FILE)).then((s) => s.mtimeMs).catch(() => 0);
    if (time !== lastStateTime) { lastStateTime = time; await hooks.onCheckpoint?.(); }
  };

  for (;;) {
    const run = await cellRun(cell, dir);
    const done = run?.iteration ?? 0;
    hooks.onIterations?.(done);
    if (hooks.signal?.aborted) return { iterations: done, interrupted: done < N };

    // Evaluate the checkpoint when it sits on an evaluation point that has no record yet.
    if (cell.heldout && done > 0 && points.includes(done) && !(await readHeldout(dir, `cell ${cell.name}`)).some((r) => r.iteration === done)) {
      if (!(await evaluatePoint(cell, dir, done, cell.heldout, hooks.signal))) return { iterations: done, interrupted: true };
      await hooks.onCheckpoint?.();
      continue;
    }
    // Complete, with metrics lines past the checkpoint or a torn tail: train's resume cuts them.
    if (done >= N && !run!.metricsNeedCut) return { iterations: done, interrupted: false };

    const target = done >= N ? N : points.find((p) => p > done) as number;
    const r = await trainSegment(cell, dir, run !== null, target, hooks, watch);
    if (r.code === 130 || (r.code === null && r.signal === 'SIGINT') || hooks.signal?.aborted) {
      const after = (await readCellState(dir).catch(() => null))?.iteration ?? 0;
      return { iterations: after, interrupted: true };
    }
    if (r.code !== 0) throw childFailure(cell, dir, 'train', r);
  }
};

/**
 * Trains the cell to `target` iterations: a `dmaml train` child process, started fresh or resumed
 * (`exists`: the directory holds the cell's run.json), given the cell's config in a --config file
 * (JSON keeps every value exact). `dmaml train --resume` checks the file against the run's config.
 */
async function trainSegment(cell: Cell, dir: string, exists: boolean, target: number, hooks: CellHooks,
  watch: () => Promise<void>): Promise<ChildResult> {
  const tmp = await mkdtemp(join(tmpdir(), 'dmaml-cell-'));
  try {
    const configPath = join(tmp, 'config.json');
    // A defined env goes to the child as its module's file URL (dmaml train defines it from there).
    const envModule = definedEnv(cell.config.env)?.module;
    await writeFile(configPath, JSON.stringify({ ...cell.config, iterations: target, ...(envModule ? { env: envModule } : {}) }));
    // --workers first: the lock file records the command's first 200 characters.
    const workers = hooks.workers !== undefined ? ['--workers', String(hooks.workers)] : [];
    return await dmamlChild(['train', ...workers, '--config', configPath, exists ? '--resume' : '--out', dir], hooks.signal, watch);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Evaluates the checkpoint at iteration `at` on the held-out tasks (in this process: an evaluation
 * is a few rollouts, cheaper than starting a process) and adds its record to heldout.jsonl, under
 * the cell directory's lock. heldout.jsonl is rewritten whole (atomic): a crash leaves the old file
 * or the new one. False when interrupted before it.
 */
async function evaluatePoint(cell: Cell, dir: string, at: number, h: HeldoutSpec, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  const lock = await acquireRunLock(dir, { command: `dmaml experiment: held-out evaluation of cell ${cell.name}`, flag: `cell ${cell.name}` });
  try {
    const records = await readHeldout(dir, `cell ${cell.name}`);
    const record = await heldoutEvaluation(dir, { tasks: h.tasks, taskSeed: h.seed, steps: h.steps, episodes: h.episodes, innerLr: h.innerLr, task: h.task });
    if (record.iteration !== at) throw new Error(`cell ${cell.name}: evaluated iteration ${record.iteration}, expected ${at}`);
    const kept = records.filter((r) => r.iteration < at);
    await writeFileAtomic(join(dir, HELDOUT_FILE), [...kept, record].map((r) => `${JSON.stringify(r)}\n`).join(''));
  } finally {
    lock.release();
  }
  return true;
}
