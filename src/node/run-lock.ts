// The lock of a run directory (Node only): one writer at a time.
//
// The lock is a file created atomically (written under a temporary name, then hard-linked to
// run.lock, which fails if run.lock exists). A lock whose process is gone (same host and pid
// namespace; the pid is not running, or runs but started later than the lock says) is stale and
// is taken over under a second lock named after the stale one's nonce: of several processes that
// find the same stale lock, exactly one removes it, and they then race for run.lock by the same
// atomic creation. A lock of another host (or container) is never judged: it is refused.
import { link, open, readdir, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../errors';
import { FileError, readTextIfPresent, tempFileOwner, tempPath } from './store';
import { LOCK_FILE, POLICY_DIR } from './run-files';

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

/** Names in a directory that are not the user's: the lock and the temporary files of writers. */
export function isOurLitter(name: string): boolean {
  return name === LOCK_FILE || name.startsWith(`${LOCK_FILE}.takeover-`) || tempFileOwner(name) !== undefined;
}

