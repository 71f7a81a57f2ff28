// The survey of a run directory (Node only), without writing to it: what a path holds for a new run,
// whether a run's files all belong to it (readRun), its checkpoint; and the creation of a new one.
import { readdir, rmdir, stat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { configHash, resolveConfig, type TrainConfig } from '../train/config';
import { deserializeState } from '../train/checkpoint';
import type { TrainerState } from '../train/trainer';
import { POLICY_METADATA_KEY } from '../train/export';
import type { IterationMetrics } from '../train/types';
import { FileError, onFile, readMetricsFile, readTextIfPresent } from './store';
import { METRICS_FILE, POLICY_DIR, RUN_FILE, STATE_FILE } from './run-files';
import { isOurLitter } from './run-lock';
import { describeIdentity, identityOf, readRunFile, type RunIdentity } from './run-identity';
import { shellQuote } from './shell';

/** dir/state.json as a trainer state (null when absent); a ConfigError naming `flag` when corrupt. */
export async function readStateFile(dir: string, flag: string): Promise<TrainerState | null> {
  const path = join(dir, STATE_FILE);
  const text = await readTextIfPresent(path);
  if (text === null) return null;
  let state: Record<string, unknown>;
  try {
    state = deserializeState(text);
  } catch (err) {
    throw new ConfigError(flag, path, `an intact checkpoint written by dmaml train; ${(err as Error).message}`);
  }
  // The config inside is validated like any other config (a hand-edited file could break it).
  try {
    state.config = resolveConfig(state.config);
  } catch (err) {
    throw new ConfigError(flag, path, `a checkpoint with a valid config; ${(err as Error).message}`);
  }
  if (!Number.isInteger(state.iteration) || (state.iteration as number) < 0 || !(state.theta instanceof Float32Array)) {
    throw new ConfigError(flag, path, 'a checkpoint with iteration and theta');
  }
  return state as unknown as TrainerState;
}

/** What a path is: an absent path, a directory (with its entries), or something else. */
async function inspect(path: string, flag: string): Promise<{ kind: 'none' } | { kind: 'dir'; entries: string[] } | { kind: 'other' }> {
  if (path === '') throw new ConfigError(flag, path, 'a directory path (not empty)');
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'none' };
    if (code === 'ENOTDIR') throw new ConfigError(flag, path, 'a directory path (a part of this path is a file, not a directory: ENOTDIR)');
    throw FileError.from(err, path, 'read');
  }
  if (!isDir) return { kind: 'other' };
  const entries = await onFile(path, 'list', () => readdir(path));
  return { kind: 'dir', entries };
}

/**
 * What `dir` is for a new run, without writing to it: 'absent', 'empty' (nothing of a user's in
 * it: at most a lock or temporary files of dmaml), or 'run' (it holds a run's files). A file, or a
 * directory holding anything else, is refused: a new run never writes among a user's files.
 */
export async function inspectRunDir(dir: string, flag: string): Promise<'absent' | 'empty' | 'run'> {
  const found = await inspect(dir, flag);
  if (found.kind === 'none') return 'absent';
  if (found.kind === 'other') throw new ConfigError(flag, dir, 'a directory (this path is a file)');
  const theirs = found.entries.filter((name) => !isOurLitter(name));
  if (theirs.length === 0) return 'empty';
  if (theirs.some((n) => n === RUN_FILE || n === STATE_FILE || n === METRICS_FILE)) return 'run';
  const shown = theirs.slice(0, 4).join(', ') + (theirs.length > 4 ? `, … (${theirs.length} entries)` : '');
  throw new ConfigError(flag, dir, `an empty or new directory (it holds ${shown}; dmaml train never writes into a directory that holds other files)`);
}

/** The refusal of a new run in a directory that holds a run (saying whose, when run.json tells). */
export async function holdsRunError(dir: string, flag: string, config: TrainConfig): Promise<ConfigError> {
  const present = (await readdir(dir).catch(() => [] as string[])).filter((n) => n === RUN_FILE || n === STATE_FILE || n === METRICS_FILE);
  let identity: RunIdentity;
  try {
    identity = (await readRunFile(dir, flag)).identity;
  } catch {
    return new ConfigError(flag, dir, `an empty or new directory (it holds ${present.join(', ')} without a usable ${RUN_FILE}: not a run that can be resumed; choose another --out, or move it away first)`);
  }
  const whose = identity.configHash === configHash(config) ? 'this same config' : `another config (${describeIdentity(identity)})`;
  return new ConfigError(flag, dir, `a directory without a run in it (it holds a run of ${whose}: continue it with --resume ${shellQuote(dir)}, or choose another --out)`);
}

export interface RunContents {
  identity: RunIdentity;
  /** The config of run.json (as started; iterations may differ from the state's). */
  config: TrainConfig;
  /** null: no checkpoint yet (a crash before the first iteration's state.json). */
  state: TrainerState | null;
  /** The metrics of iterations 1..state.iteration (what a resume keeps). */
  metrics: IterationMetrics[];
  /** Whether metrics.jsonl holds more than those lines (iterations past the state, a torn tail): cut before appending. */
  metricsNeedCut: boolean;
  /** Iteration of the policy in policy/ (null when there is none yet). */
  policyIteration: number | null;
}

/**
 * Reads and checks a run directory without writing to it: run.json, state.json, metrics.jsonl and
 * the policy must all belong to the same run (configHash), and the metrics must be iterations
 * 1..n in order with n >= the state's iteration. A ConfigError naming `flag` says what is wrong.
 */
export async function readRun(dir: string, flag: string): Promise<RunContents> {
  const found = await inspect(dir, flag);
  if (found.kind !== 'dir') throw new ConfigError(flag, dir, `a run directory written by dmaml train (${found.kind === 'none' ? 'ENOENT' : 'this path is a file'})`);
  const { identity, config } = await readRunFile(dir, flag);
  const id = identity.configHash;

  const state = await readStateFile(dir, flag);
  if (state) {
    const theirs = identityOf(state.config);
    if (theirs.configHash !== id) {
      throw new ConfigError(flag, join(dir, STATE_FILE), `the checkpoint of this run (${describeIdentity(identity)}); it belongs to another run (${describeIdentity(theirs)})`);
    }
  }
  const iteration = state?.iteration ?? 0;

  const metricsPath = join(dir, METRICS_FILE);
  let file;
  try {
    file = await readMetricsFile(dir);
  } catch (err) {
    if (err instanceof FileError) throw err;
    throw new ConfigError(flag, metricsPath, `a metrics file of JSON lines; ${(err as Error).message}`);
  }
  for (let i = 0; i < file.lines.length; i++) {
    if (file.runIds[i] !== id) {
      throw new ConfigError(flag, metricsPath, `the metrics of this run (config ${id}); line ${i + 1} belongs to ${file.runIds[i] === undefined ? 'no run (it has no "run" field)' : `another run (config ${file.runIds[i]})`}`);
    }
    if (file.lines[i].iteration !== i + 1) {
      throw new ConfigError(flag, metricsPath, `iterations 1..n in order; line ${i + 1} holds iteration ${JSON.stringify(file.lines[i].iteration)}`);
    }
  }
  if (file.lines.length < iteration) {
    throw new ConfigError(flag, metricsPath, `a metrics file with at least the ${iteration} iterations of ${STATE_FILE} (it has ${file.lines.length}${file.totalBytes > file.completeBytes ? ' and a torn last line' : ''})`);
  }

  let policyIteration: number | null = null;
  const modelPath = join(dir, POLICY_DIR, 'model.json');
  const modelText = await readTextIfPresent(modelPath);
  if (modelText !== null) {
    let tag: { run?: unknown; iterations?: unknown } | undefined;
    try {
      tag = (JSON.parse(modelText) as { userDefinedMetadata?: Record<string, { run?: unknown; iterations?: unknown }> }).userDefinedMetadata?.[POLICY_METADATA_KEY];
    } catch {
      throw new ConfigError(flag, modelPath, 'the policy of this run (this file is not JSON)');
    }
    if (!tag || tag.run !== id) {
      throw new ConfigError(flag, modelPath, `the policy of this run (config ${id}); it belongs to ${tag?.run === undefined ? 'no run of dmaml train' : `another run (config ${String(tag.run)})`}`);
    }
    policyIteration = typeof tag.iterations === 'number' ? tag.iterations : null;
  }

  return {
    identity, config, state,
    metrics: file.lines.slice(0, iteration),
    metricsNeedCut: file.totalBytes !== 0 && (file.lines.length > iteration || file.totalBytes > file.completeBytes),
    policyIteration,
  };
}

/**
 * Creates `dir` (and its parents) for a new run. Returns a function that removes what was created
 * (the directories made here, if still empty), for a start that fails before the run exists.
 */
export async function createRunDir(dir: string, flag: string): Promise<() => Promise<void>> {
  const made: string[] = [];
  let path = resolve(dir);
  // The directories that do not exist yet, outermost first.
  for (;;) {
    const found = await stat(path).then(() => true, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      if (err.code === 'ENOTDIR') throw new ConfigError(flag, dir, 'a directory path (a part of this path is a file, not a directory: ENOTDIR)');
      throw FileError.from(err, path, 'read');
    });
    if (found) break;
    made.unshift(path);
    const parent = resolve(path, '..');
    if (parent === path) break;
    path = parent;
  }
  for (const p of made) {
    await mkdir(p).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') return;
      if (err.code === 'ENOTDIR') throw new ConfigError(flag, dir, 'a directory path (a part of this path is a file, not a directory: ENOTDIR)');
      throw FileError.from(err, p, 'create directory');
    });
  }
  return async () => {
    for (const p of [...made].reverse()) await rmdir(p).catch(() => undefined);
  };
}
