// A run directory (Node only): one writer at a time, an identity every file agrees on, and the
// checks that keep a user's files and a long run from being lost.
//
//   run.json       the identity, written once when the run starts: env, algo, seed, the resolved
//                  config and its hash (configHash: every field but iterations)
//   run.lock       present while a process writes the directory: pid, host, start time, command
//   metrics.jsonl  one JSON line per iteration, each carrying the run's hash ("run")
//   state.json     the trainer state (atomic; the commit point of an iteration)
//   policy/        the policy (tfjs LayersModel; model.json names the run and the iteration)
//   curve.svg      pre/post-adaptation return per iteration
//
// The lock is a file created atomically (written under a temporary name, then hard-linked to
// run.lock, which fails if run.lock exists). A lock whose process is gone (same host and pid
// namespace; the pid is not running, or runs but started later than the lock says) is stale and
// is taken over under a second lock named after the stale one's nonce: of several processes that
// find the same stale lock, exactly one removes it, and they then race for run.lock by the same
// atomic creation. A lock of another host (or container) is never judged: it is refused.
import { link, open, readFile, readdir, rmdir, stat, unlink, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import { configHash, resolveConfig, type TrainConfig } from '../train/config';
import { definedEnv, envIds, importEnv } from '../envs/registry';
import { deserializeState } from '../train/checkpoint';
import type { TrainerState } from '../train/trainer';
import { POLICY_METADATA_KEY } from '../train/export';
import type { IterationMetrics } from '../train/types';
import { FileError, METRICS_FILE, onFile, readMetricsFile, readTextIfPresent, tempFileOwner, tempPath } from './store';

export const RUN_FILE = 'run.json';
export const LOCK_FILE = 'run.lock';
export const STATE_FILE = 'state.json';
export const POLICY_DIR = 'policy';
export const CURVE_FILE = 'curve.svg';
export { METRICS_FILE };

export const RUN_FORMAT = 'directed-maml-run';
export const RUN_FORMAT_VERSION = 1;

/** A path quoted for a POSIX shell when it needs it (so a printed command can be pasted back). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_\/.,:=+@%^-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

// ---------------------------------------------------------------------------------------------
// The lock

export interface LockInfo {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  command: string;
  /** Random: tells this lock from any other, even one of the same pid. */
  nonce: string;
  /** The process's start time in clock ticks since boot (Linux /proc), to detect a reused pid. */
  procStart?: string;
  /** The pid namespace (Linux /proc/self/ns/pid): containers sharing a host name and a volume are told apart. */
  pidNamespace?: string;
}

export interface RunLock {
  readonly dir: string;
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock if it is still this one. Synchronous (safe in an exit handler); idempotent. */
  release(): void;
}

/** Fields 3.. of /proc/<pid>/stat (after the command name), or undefined where there is no /proc. */
function procStatOf(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (start time), or undefined where there is no /proc. */
function procStartOf(pid: number | 'self'): string | undefined {
  return procStatOf(pid)?.[19];
}

/** This process's pid namespace, where /proc tells it. */
function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

type LockState = 'live' | 'stale' | 'elsewhere';

/** Whether a lock's process runs: pids can only be checked on the same host and in the same pid namespace. */
function lockState(info: LockInfo): LockState {
  if (info.hostname !== hostname()) return 'elsewhere';
  const ns = pidNamespace();
  if (info.pidNamespace && ns && info.pidNamespace !== ns) return 'elsewhere';
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'stale' : 'live';
  }
  // The pid exists. A zombie (killed, not yet reaped by its parent — an orphan waits for pid 1,
  // which may take seconds) holds no file and writes nothing more: its lock is stale.
  const stat = procStatOf(info.pid);
  if (stat && (stat[0] === 'Z' || stat[0] === 'X')) return 'stale';
  // It runs; it is the lock's process unless the pid was reused since.
  const start = stat?.[19];
  return info.procStart && start && start !== info.procStart ? 'stale' : 'live';
}

function describeHolder(info: LockInfo): string {
  return `pid ${info.pid} on ${info.hostname} (${info.command}, since ${info.startedAt})`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The lock file's content: a LockInfo, null when there is none, or the text when it is not one. */
async function readLock(path: string): Promise<LockInfo | null | { unreadable: string }> {
  const text = await readTextIfPresent(path);
  if (text === null) return null;
  try {
    const info = JSON.parse(text) as LockInfo;
    if (Number.isInteger(info.pid) && typeof info.hostname === 'string' && typeof info.nonce === 'string') return info;
  } catch { /* not a lock */ }
  return { unreadable: text };
}

/**
 * Creates `path` holding `text`, atomically and only if it does not exist: written under a
 * temporary name, then hard-linked (link fails with EEXIST when the name exists), so the file is
 * never seen half-written. Where hard links are not supported, falls back to an exclusive open.
 * Returns false when `path` exists.
 */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const tmp = tempPath(path);
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    try {
      await link(tmp, path);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    }
    // No hard links here: an exclusive create (a reader may briefly see it empty; readLock retries).
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw FileError.from(err, path, 'create');
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Takes `path` for this process, taking over a stale holder; `depth` bounds nested take-overs.
 * Refusals are ConfigErrors naming `flag` and `dir` (the directory the user gave).
 */
async function takeLock(path: string, info: LockInfo, depth: number, flag: string, dir: string): Promise<void> {
  const text = `${JSON.stringify(info)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createExclusive(path, text)) return;
    let holder = await readLock(path);
    // A lock created without a hard link may be seen before its content: look again.
    for (let k = 0; k < 5 && holder && 'unreadable' in holder; k++) {
      await sleep(20);
      holder = await readLock(path);
    }
    if (holder === null) continue; // released meanwhile: try again
    if ('unreadable' in holder) {
      throw new ConfigError(flag, dir, `a directory with no other writer (${path} is not a lock written by dmaml: ${JSON.stringify(holder.unreadable.slice(0, 40))}; if no dmaml process uses the directory, delete it)`);
    }
    const state = lockState(holder);
    if (state === 'live') {
      throw new ConfigError(flag, dir, `a directory with no other writer (it is being written by ${describeHolder(holder)}, which holds ${path}; wait for it to finish or stop it)`);
    }
    if (state === 'elsewhere') {
      throw new ConfigError(flag, dir, `a directory with no other writer (it is being written by ${describeHolder(holder)}, which holds ${path}; if that process is gone, delete ${path})`);
    }
    // Stale. Only the holder of `<path>.takeover-<nonce>` may remove this lock instance; the others
    // wait and look again (they will find the new holder's lock, or none).
    if (depth >= 3) throw new ConfigError(flag, dir, `a directory with no other writer (the stale lock ${path} of ${describeHolder(holder)} is being taken over by others; try again)`);
    const mutex = `${path}.takeover-${holder.nonce}`;
    try {
      await takeLock(mutex, info, depth + 1, flag, dir);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      await sleep(20 + Math.random() * 30);
      continue;
    }
    try {
      const current = await readLock(path);
      if (current && !('unreadable' in current) && current.nonce === holder.nonce) {
        await unlink(path).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw FileError.from(err, path, 'remove'); });
      }
    } finally {
      await unlink(mutex).catch(() => undefined);
    }
  }
  throw new ConfigError(flag, dir, `a directory with no other writer (its lock ${path} kept changing hands; try again)`);
}

/**
 * Takes the lock of run directory `dir` (which must exist) for this process: refused with a
 * ConfigError naming the holder when another live process has it; a stale lock is taken over.
 * Also removes what dead writers left: their temporary files and take-over locks.
 */
export async function acquireRunLock(dir: string, options: { command: string; flag?: string }): Promise<RunLock> {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), command: options.command.slice(0, 200),
    nonce: randomBytes(8).toString('hex'), procStart: procStartOf('self'), pidNamespace: pidNamespace(),
  };
  await takeLock(path, info, 0, options.flag ?? 'dir', dir);
  let released = false;
  const lock: RunLock = {
    dir, path, info,
    release() {
      if (released) return;
      released = true;
      try {
        const current = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
        if (current.nonce === info.nonce) unlinkSync(path);
      } catch { /* gone, or not ours any more */ }
    },
  };
  try {
    await removeDeadWritersFiles(dir);
  } catch (err) {
    lock.release();
    throw err;
  }
  return lock;
}

/** Temporary files (tempPath) of processes that are gone, and take-over locks of stale locks, in dir and dir/policy. */
async function removeDeadWritersFiles(dir: string): Promise<void> {
  for (const sub of [dir, join(dir, POLICY_DIR)]) {
    let names: string[];
    try {
      names = await readdir(sub);
    } catch {
      continue;
    }
    for (const name of names) {
      const owner = tempFileOwner(name);
      let dead = owner !== undefined && owner !== process.pid && lockState({ pid: owner, hostname: hostname(), nonce: '', startedAt: '', command: '' }) === 'stale';
      if (!dead && name.startsWith(`${LOCK_FILE}.takeover-`)) {
        const holder = await readLock(join(sub, name));
        dead = holder !== null && !('unreadable' in holder) && lockState(holder) === 'stale';
      }
      if (dead) await unlink(join(sub, name)).catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The identity

export interface RunIdentity {
  env: string;
  algo: string;
  seed: number;
  /** configHash of the config: the run's id, in every metrics line and in the policy. */
  configHash: string;
}

export function identityOf(config: TrainConfig): RunIdentity {
  return { env: config.env, algo: config.algo, seed: config.seed, configHash: configHash(config) };
}

/** A run's identity as messages name it: env, algo, seed, config hash. */
export function describeIdentity(id: RunIdentity): string {
  return `${id.env}, ${id.algo}, seed ${id.seed}, config ${id.configHash}`;
}

/** The text of run.json for a new run. */
export function runFileText(config: TrainConfig): string {
  const id = identityOf(config);
  // A defined env's module (dm.defineEnv, --env ./file.mjs), so that a resume or an evaluation can define it again.
  const user = definedEnv(config.env);
  const envModule = user?.module ? { envModule: { url: user.module, exportName: user.exportName } } : {};
  return `${JSON.stringify({ format: RUN_FORMAT, formatVersion: RUN_FORMAT_VERSION, ...id, config, ...envModule, createdAt: new Date().toISOString() }, null, 1)}\n`;
}

/** dir/run.json: the run's identity and its config as started; a ConfigError naming `flag` when unusable. */
export async function readRunFile(dir: string, flag: string): Promise<{ identity: RunIdentity; config: TrainConfig }> {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ConfigError(flag, dir, `a run directory written by dmaml train, holding ${RUN_FILE} (${code})${await deadEndAdvice(dir)}`);
    }
    throw FileError.from(err, path, 'read');
  }
  const bad = (why: string) => new ConfigError(flag, path, `the identity file of a run written by dmaml train; ${why}`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (doc?.format !== RUN_FORMAT) throw bad(`format is ${JSON.stringify(doc?.format)}, expected "${RUN_FORMAT}"`);
  if (doc.formatVersion !== RUN_FORMAT_VERSION) throw bad(`formatVersion is ${JSON.stringify(doc.formatVersion)}; this version reads ${RUN_FORMAT_VERSION}`);
  const envModule = doc.envModule as { url?: unknown; exportName?: unknown } | undefined;
  const envId = (doc.config as { env?: unknown } | undefined)?.env;
  if (envModule && typeof envModule.url === 'string' && typeof envId === 'string' && !envIds().includes(envId)) {
    try {
      await importEnv(envModule.url, typeof envModule.exportName === 'string' ? envModule.exportName : 'default', envId);
    } catch (err) {
      throw bad(`its env ${envId} comes from ${envModule.url}, which does not define it: ${(err as Error).message}`);
    }
  }
  let config: TrainConfig;
  try {
    config = resolveConfig(doc.config);
  } catch (err) {
    throw bad(`its config is invalid: ${(err as Error).message}`);
  }
  const identity = identityOf(config);
  if (doc.configHash !== identity.configHash || doc.env !== identity.env || doc.algo !== identity.algo || doc.seed !== identity.seed) {
    throw bad(`it names config ${JSON.stringify(doc.configHash)} but holds config ${identity.configHash} (edited by hand?)`);
  }
  return { identity, config };
}

/** What to tell a user whose directory holds pieces of a run but no run.json. */
async function deadEndAdvice(dir: string): Promise<string> {
  const present: string[] = [];
  for (const name of [STATE_FILE, METRICS_FILE]) if (await stat(join(dir, name)).then(() => true, () => false)) present.push(name);
  if (present.length === 0) return '';
  return `; ${dir} holds ${present.join(' and ')} but no ${RUN_FILE}, so it cannot be resumed: start over in a new directory (dmaml train --out NEW_DIR), or move ${shellQuote(dir)} away first to reuse its name`;
}

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

// ---------------------------------------------------------------------------------------------
// The checks

/** Names in a directory that are not the user's: the lock and the temporary files of writers. */
export function isOurLitter(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.takeover-`) || tempFileOwner(name) !== undefined;
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
