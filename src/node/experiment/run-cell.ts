// One grid cell, run to completion in its run directory: training in segments that end at the
// held-out evaluation points, each point evaluated from the checkpoint, everything resumable.
//
// runCell is the one place where a cell's run is executed. Today it drives the CLI, the stable
// contract, in child processes:
//   node bin/dmaml.js train --config CELL.json --out DIR --iterations P1      (a fresh cell)
//   node bin/dmaml.js train --resume DIR --iterations P2                      (every later segment)
// and evaluates each checkpoint at P1, P2, …, N in this process (what `dmaml evaluate` prints),
// so a cell directory is exactly what `dmaml train` writes (plus heldout.jsonl), and an
// interrupted cell resumes bit-identically through `--resume`. The programmatic runner of the
// run-directory work (one writer per directory, a lock) replaces `trainSegment` below without
// changing the loop: see the SWITCH POINT comment.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors';
import { resolveConfig, type TrainConfig } from '../../train/config';
import { deserializeState } from '../../train/checkpoint';
import { writeFileAtomic } from '../store';
import { heldoutEvaluation, type HeldoutRecord } from '../commands/evaluate';
import type { Cell, HeldoutSpec } from './grid';

export const HELDOUT_FILE = 'heldout.jsonl';
const STATE_FILE = 'state.json';
const METRICS_FILE = 'metrics.jsonl';

export interface CellHooks {
  /** Iterations the cell's run directory holds (called when it changes; for a progress bar). */
  onIterations?(iterations: number): void;
  /** After each checkpoint (an iteration or an evaluation): the directory is consistent. The queue worker ships it. */
  onCheckpoint?(): Promise<void>;
  /** Aborting stops the cell after its current iteration (the child gets SIGINT, like Ctrl-C). */
  signal?: AbortSignal;
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
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const state = deserializeState(text);
  return { iteration: state.iteration as number, config: resolveConfig(state.config) };
}

export async function readHeldout(dir: string): Promise<HeldoutRecord[]> {
  let text: string;
  try {
    text = await readFile(join(dir, HELDOUT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as HeldoutRecord);
}

/** Whether a cell's directory holds its complete run (every iteration and every evaluation). */
export async function cellComplete(cell: Cell, dir: string): Promise<boolean> {
  const state = await readCellState(dir).catch(() => null);
  if (!state || state.iteration < cell.config.iterations) return false;
  if (!cell.heldout) return true;
  const done = new Set((await readHeldout(dir)).map((r) => r.iteration));
  return evaluationPoints(cell.config.iterations, cell.heldout).every((p) => done.has(p));
}

/** The first config field in which a checkpoint differs from the cell's plan (iterations aside), or null. */
function differingField(saved: TrainConfig, planned: TrainConfig): string | null {
  for (const key of new Set([...Object.keys(saved), ...Object.keys(planned)])) {
    if (key === 'iterations') continue;
    if (JSON.stringify(saved[key as keyof TrainConfig]) !== JSON.stringify(planned[key as keyof TrainConfig])) return key;
  }
  return null;
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

function childFailure(cell: Cell, what: string, r: ChildResult): Error {
  const lines = r.stderr.trim().split('\n').filter((l) => !/^iteration /.test(l));
  return new Error(`cell ${cell.name}: dmaml ${what} exited with ${r.code ?? r.signal}: ${lines[lines.length - 1] ?? '(no message)'}`);
}

/** The cell's runner over `dmaml train` child processes (held-out evaluation in this process). */
export const runCellByCli: RunCell = async (cell, dir, hooks = {}) => {
  const N = cell.config.iterations;
  await removeStaleTemporaries(dir);
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
    let state = await readCellState(dir).catch((err: Error) => {
      throw new ConfigError(`cell ${cell.name}`, join(dir, STATE_FILE), `an intact checkpoint (${err.message}); delete ${dir} to start the cell over`);
    });
    if (!state && existsSync(dir)) {
      // A cell directory without a checkpoint was cut short before its first iteration was saved:
      // the runner made it, nothing in it can be resumed, so it starts over.
      await rm(dir, { recursive: true, force: true });
    }
    if (state) {
      const field = differingField(state.config, cell.config);
      if (field) {
        throw new ConfigError(`cell ${cell.name}`, dir, `a run made with this grid (its ${field} is ${JSON.stringify(state.config[field as keyof TrainConfig])}, the grid's ${JSON.stringify(cell.config[field as keyof TrainConfig])}); use another --out`);
      }
      if (state.iteration > N) throw new ConfigError(`cell ${cell.name}`, dir, `a run of at most ${N} iterations (it has ${state.iteration})`);
    }
    const done = state?.iteration ?? 0;
    hooks.onIterations?.(done);
    if (hooks.signal?.aborted) return { iterations: done, interrupted: done < N };

    // Evaluate the checkpoint when it sits on an evaluation point that has no record yet.
    if (cell.heldout && done > 0 && points.includes(done)) {
      const records = await readHeldout(dir);
      if (!records.some((r) => r.iteration === done)) {
        const record = await evaluatePoint(dir, cell.heldout, hooks.signal);
        if (!record) return { iterations: done, interrupted: true };
        // heldout.jsonl is rewritten whole (atomic): a crash leaves the old file or the new one.
        const kept = records.filter((r) => r.iteration < done);
        await writeFileAtomic(join(dir, HELDOUT_FILE), [...kept, record].map((r) => `${JSON.stringify(r)}\n`).join(''));
        await hooks.onCheckpoint?.();
        continue;
      }
    }
    if (done >= N) return { iterations: done, interrupted: false };

    const target = points.find((p) => p > done) as number;
    state = null;
    if (done > 0) await cutMetrics(dir, done);
    const r = await trainSegment(cell, dir, done, target, hooks.signal, watch);
    if (r.code === 130 || (r.code === null && r.signal === 'SIGINT') || hooks.signal?.aborted) {
      const after = (await readCellState(dir).catch(() => null))?.iteration ?? 0;
      return { iterations: after, interrupted: true };
    }
    if (r.code !== 0) throw childFailure(cell, 'train', r);
  }
};

/**
 * Removes the temporary files of atomic writes (`name.tmp-<pid>-<random>`) that a killed process
 * left in a cell's directory: the runner is the cell's only writer, so none of them is live.
 */
async function removeStaleTemporaries(dir: string): Promise<void> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const rel of entries.map(String)) if (/\.tmp-\d+-[a-z0-9]+$/.test(rel)) await rm(join(dir, rel), { force: true });
}

/**
 * Cuts metrics.jsonl to the checkpoint's `iterations` complete lines when a crash left more, or a
 * torn last line (a kill in the middle of an append), so the resumed run appends to whole lines.
 * (The run-directory work makes `dmaml train --resume` do this itself; here it costs one read.)
 */
async function cutMetrics(dir: string, iterations: number): Promise<void> {
  const text = await readFile(join(dir, METRICS_FILE), 'utf8').catch(() => null);
  if (text === null) return;
  const lines = text.split('\n');
  const complete = lines.slice(0, -1); // the text after the last newline is '' or torn
  if (complete.length === iterations && lines[lines.length - 1] === '') return;
  await writeFileAtomic(join(dir, METRICS_FILE), complete.slice(0, iterations).map((l) => `${l}\n`).join(''));
}

/**
 * Trains the cell from `done` to `target` iterations.
 * SWITCH POINT (programmatic runner): replace with the in-process runTraining of src/node
 * (fresh: {config: {...cell.config, iterations: target}, out: dir}; else {resume: dir, iterations:
 * target}) and call hooks.onIterations / onCheckpoint from its per-iteration callback.
 */
async function trainSegment(cell: Cell, dir: string, done: number, target: number, signal: AbortSignal | undefined,
  watch: () => Promise<void>): Promise<ChildResult> {
  if (done > 0) return dmamlChild(['train', '--resume', dir, '--iterations', String(target)], signal, watch);
  // A fresh cell: its whole config goes in a --config file (JSON keeps every value exact).
  const tmp = await mkdtemp(join(tmpdir(), 'dmaml-cell-'));
  try {
    const configPath = join(tmp, 'config.json');
    await writeFile(configPath, JSON.stringify({ ...cell.config, iterations: target }));
    return await dmamlChild(['train', '--config', configPath, '--out', dir], signal, watch);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The held-out record of the checkpoint in `dir` (in this process: an evaluation is a few
 * rollouts, cheaper than starting a process), or null when interrupted before it.
 */
async function evaluatePoint(dir: string, h: HeldoutSpec, signal: AbortSignal | undefined): Promise<HeldoutRecord | null> {
  if (signal?.aborted) return null;
  return heldoutEvaluation(dir, { tasks: h.tasks, taskSeed: h.seed, steps: h.steps, episodes: h.episodes });
}
