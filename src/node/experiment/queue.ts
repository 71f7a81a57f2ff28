// Distributed cells over a BullMQ queue (Redis). No shared file system is assumed:
// - the coordinator (`dmaml experiment --queue URL`) adds one job per incomplete cell and follows
//   their progress; when a job completes it verifies the snapshot in Redis as a finished cell is
//   verified (cellComplete) and writes the cell's run directory under DIR from it;
// - a worker (`dmaml worker --queue URL`) checks a job's cell as a grid entry is checked (its config
//   resolved, its name the one its config gives: a name is never a path) before anything touches
//   the disk, runs it with the local runner (runCell) in a temporary directory of its own, and after
//   every checkpoint (each iteration, each evaluation) stores a snapshot of that directory in Redis
//   (only ever moving forward);
// - a worker that dies stops renewing its job's lock; BullMQ's stalled-job check puts the job
//   back, and the next worker restores the snapshot into its own directory and resumes from it —
//   bit-identically, since a resumed run equals an uninterrupted one.
// Each experiment's jobs and snapshots live under keys of their own: a job's id starts with the
// grid's key (a hash of the grid's cells, what experiment.json records but the thresholds), so two
// experiments on one Redis never share a job, a snapshot or a worker's directory. A re-run of a
// grid retries its failed jobs (BullMQ's Job.retry) and adds again any job Redis lost (a server
// restarted empty). Connections give up after a bounded number of retries (ioredis retries forever
// by default): an unreachable Redis, a missing database index, keys of the wrong type are one
// line, and the experiment stays resumable.
import { mkdtemp, mkdir, readdir, readFile, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Queue, Worker, Job, UnrecoverableError, type ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../errors';
import { init } from '../../init';
import { deserializeState, fnv1a64 } from '../../train/checkpoint';
import { configField, isPlainObject } from '../../train/config';
import { isOurLitter } from '../run-lock';
import { FileError } from '../store';
import { armName, cellName, cellsIdentity, mainCells, resolveGrid, NOT_IN_GRID, OVERRIDE_KEYS, type Cell, type Grid, type Overrides } from './grid';
import { runCellByCli, cellComplete, readCellState } from './run-cell';
import { cellDir, surveyCells, workersPerCell, GridProgress, type CellExecutor, type ScheduleResult } from './scheduler';
import type { WorkerOptions } from './usage';

export const QUEUE_NAME = 'dmaml-cells';
const SNAPSHOT_PREFIX = 'dmaml:snapshot:';
const CONNECT_TIMEOUT_MS = 3000;
/** Reconnection attempts before a connection gives up (about 20 s). */
const MAX_RECONNECTS = 12;

/** redis://[user:password@]HOST:PORT[/db] → ioredis options; anything else is a ConfigError naming --queue. */
export function redisOptions(url: string): RedisOptions {
  const allowed = 'redis://HOST:PORT (optionally redis://user:password@HOST:PORT/db)';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('--queue', url, allowed);
  }
  if (u.protocol !== 'redis:' || !u.hostname) throw new ConfigError('--queue', url, allowed);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname && u.pathname !== '/' ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new ConfigError('--queue', url, allowed);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''), port, db,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ's blocking connections need maxRetriesPerRequest null; bounded reconnection instead.
    maxRetriesPerRequest: null,
    retryStrategy: (times: number) => (times > MAX_RECONNECTS ? null : Math.min(200 * times, 2000)),
  };
}

/** The URL without its password, for messages and RESULTS.md. */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.username = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/**
 * Connects once, without retrying: a ConfigError within CONNECT_TIMEOUT_MS when Redis cannot be
 * reached, and one when the URL's database index is not one the server has (ioredis would select
 * it on every reconnection, fail, and leave the caller waiting).
 */
export async function connectRedis(url: string): Promise<Redis> {
  const options = redisOptions(url);
  const probe = new Redis({ ...options, db: 0, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let lastError: Error | null = null;
  probe.on('error', (err: Error) => { lastError = err; });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    const reason = (lastError ?? (err as Error)).message || String(err);
    throw new ConfigError('--queue', publicUrl(url), `a reachable Redis server (${firstLine(reason)})`);
  }
  try {
    if (options.db) await probe.select(options.db);
  } catch (err) {
    const databases = await probe.config('GET', 'databases').then((r) => (r as string[])[1], () => undefined);
    throw new ConfigError('--queue', publicUrl(url), `a database index this server has${databases ? ` (0 to ${Number(databases) - 1})` : ''} (${firstLine((err as Error).message)})`);
  } finally {
    probe.disconnect();
  }
  const client = new Redis(options);
  client.on('error', () => undefined); // reported by the watchdog, once
  return client;
}

/**
 * Resolves never; rejects with one line when Redis has not answered a PING for `seconds`.
 * (ioredis queues commands while reconnecting, so a dead server would otherwise be a silent hang.)
 */
function watchdog(client: Redis, url: string, seconds: number, stop: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    let lastOk = Date.now();
    const timer = setInterval(() => {
      if (stop.aborted) { clearInterval(timer); return; }
      const ping = client.ping().then(() => { lastOk = Date.now(); }, () => undefined);
      void Promise.race([ping, new Promise((r) => setTimeout(r, 2000))]).then(() => {
        if (Date.now() - lastOk > seconds * 1000) {
          clearInterval(timer);
          reject(new ConfigError('--queue', publicUrl(url), `a reachable Redis server (no answer for ${seconds} s)`));
        }
      });
    }, 1000);
    stop.addEventListener('abort', () => clearInterval(timer));
  });
}

function firstLine(text: string): string {
  return String(text).split('\n')[0];
}

/**
 * A failure of Redis itself (gone, restarted, a key of another type) as one line naming --queue,
 * with what to do: the queue and DIR are left as they are, so the same command resumes.
 */
export function queueFailure(err: unknown, url: string): Error {
  if (err instanceof ConfigError || err instanceof FileError) return err;
  const message = firstLine((err as Error)?.message ?? String(err)).replace(/ script: .*$/, ''); // not the Lua script's hash
  const what = /^WRONGTYPE/.test(message)
    ? `a Redis whose keys under "bull:${QUEUE_NAME}:" and "${SNAPSHOT_PREFIX}" are this program's (${message}); remove those keys or use another database (redis://HOST:PORT/DB)`
    : `a reachable Redis server (${message}); run the same command again when it is back (the experiment resumes)`;
  return new ConfigError('--queue', publicUrl(url), what);
}

/** p, or undefined after `ms` (closing a connection to a server that is gone must not hang). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => (setTimeout(r, ms) as unknown as NodeJS.Timeout).unref())]);
}

/** The key of a grid's jobs and snapshots: a hash of its cells (the thresholds aside). */
export function gridKey(grid: Grid): string {
  return fnv1a64(new TextEncoder().encode(cellsIdentity(grid))).slice(0, 12);
}

/**
 * The job id of a cell of the grid with key `key`: the key, the cell's name and a hash of its whole
 * plan (same grid and plan, same job, whoever adds it; another grid, another job).
 */
export function jobIdOf(key: string, cell: Cell): string {
  const plan = JSON.stringify({ config: cell.config, heldout: cell.heldout });
  return `${key}.${cell.name}.${fnv1a64(new TextEncoder().encode(plan)).slice(0, 12)}`;
}

/**
 * The cell a job carries, checked as a local grid entry is checked before anything touches the
 * disk: its config resolved by the grid's rules (resolveGrid: schema, physics, memory), its name,
 * arm, env, algo, seed and overrides the ones that config gives, its held-out spec the grid's. The
 * cell returned is built here, never taken from the job. A ConfigError naming the job otherwise.
 */
export function jobCell(id: string, data: unknown): Cell {
  const where = `job ${id}`;
  const cell = isPlainObject(data) ? data.cell : undefined;
  if (!isPlainObject(cell) || !isPlainObject(cell.config)) throw new ConfigError(where, data, 'a job of dmaml experiment: {cell: {name, config, …}}');
  const given = cell.config;
  const algo = given.algo as Cell['algo'];
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(given)) {
    const field = configField(key);
    if (key in NOT_IN_GRID || (field?.appliesTo && typeof algo === 'string' && !field.appliesTo({ algo }))) continue;
    fields[key] = value;
  }
  // An oracle cell's held-out spec names its one task (not a grid's key): the rest is the grid's.
  const { task: oracleTask, ...heldoutRaw } = isPlainObject(cell.heldout) ? cell.heldout : {} as Record<string, unknown>;
  let grid: Grid;
  try {
    // The threshold is the analysis's, not the cell's (cellsIdentity leaves it out): any finite one
    // resolves an env that has no default (Navigation2D-v0's job failed for want of one).
    grid = resolveGrid({ envs: [given.env], algos: [given.algo], seeds: [given.seed], config: fields, perEnv: { [given.env as string]: { threshold: 0 } }, ...(cell.heldout ? { heldout: heldoutRaw } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${where}: ${err.field}`, err.value, err.allowed);
    throw err;
  }
  const expected = mainCells(grid)[0];
  if (JSON.stringify(expected.config) !== JSON.stringify(given)) {
    throw new ConfigError(`${where}: cell.config`, given, `the config a grid gives this cell (${JSON.stringify(expected.config)})`);
  }
  const overrides: Overrides = {};
  const rawOverrides = isPlainObject(cell.overrides) ? cell.overrides : null;
  if (!rawOverrides) throw new ConfigError(`${where}: cell.overrides`, cell.overrides, `an object of ${OVERRIDE_KEYS.join(', ')}`);
  for (const [key, value] of Object.entries(rawOverrides)) {
    // An oracle's task index: its held-out spec's task, its config's ranges every one fixed (at that task's values, by the grid that made it).
    if (key === 'oracle') {
      const fixed = Object.values(expected.config.ranges).every((r) => typeof r === 'number');
      if (!Number.isInteger(value) || value !== oracleTask || !fixed || cell.phase !== 'main') {
        throw new ConfigError(`${where}: cell.overrides.oracle`, value, 'a held-out task index equal to cell.heldout.task, on a main cell whose config fixes every range');
      }
      overrides.oracle = value as number;
      continue;
    }
    // Every key a grid's cell may override (the extra-task arm's metaBatch, the non-meta arm's innerLr too).
    if (!(OVERRIDE_KEYS as readonly string[]).includes(key) || value !== (given as Record<string, unknown>)[key]) {
      throw new ConfigError(`${where}: cell.overrides.${key}`, value, `${OVERRIDE_KEYS.join(', ')}, equal to the cell config's`);
    }
    (overrides as Record<string, unknown>)[key] = value;
  }
  const arm = armName(expected.env, expected.algo, overrides);
  const name = cellName(arm, expected.seed);
  if (cell.name !== name || cell.arm !== arm || cell.env !== expected.env || cell.algo !== expected.algo || cell.seed !== expected.seed) {
    throw new ConfigError(`${where}: cell.name`, cell.name, `the name its config gives (${name}): a cell name is never a path`);
  }
  if (cell.phase !== 'tune' && cell.phase !== 'main') throw new ConfigError(`${where}: cell.phase`, cell.phase, 'tune | main');
  const heldout = cell.heldout === null ? null : overrides.oracle === undefined ? grid.heldout : { ...grid.heldout, task: overrides.oracle };
  if (oracleTask !== undefined && overrides.oracle === undefined) throw new ConfigError(`${where}: cell.heldout.task`, oracleTask, 'absent unless cell.overrides.oracle names the task');
  if (cell.heldout !== null && JSON.stringify(cell.heldout) !== JSON.stringify(heldout)) {
    throw new ConfigError(`${where}: cell.heldout`, cell.heldout, `a held-out spec as a grid resolves it (${JSON.stringify(heldout)})`);
  }
  return { name, arm, env: expected.env, algo: expected.algo, seed: expected.seed, overrides, phase: cell.phase, config: expected.config, heldout };
}

// ---- Snapshots of a run directory.

/** Files of a run directory, relative path → bytes (base64), with a progress count that only grows. */
export interface Snapshot { progress: number; files: Record<string, string> }

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile() && !isOurLitter(entry.name)) out.push(rel); // not the lock, not a writer's temporary file
  }
  return out;
}

/**
 * A consistent snapshot of a run directory that a training process may be writing: state.json
 * (atomic) decides the iteration, metrics.jsonl is cut to that many complete lines (it is
 * appended before the state), and the policy is taken only when model.json and the weights it
 * names are read together. null before the first checkpoint.
 */
export async function snapshotDir(dir: string): Promise<Snapshot | null> {
  let state: string;
  try {
    state = await readFile(join(dir, 'state.json'), 'utf8');
  } catch {
    return null;
  }
  // The iteration of the text just read (a second read could meet the next checkpoint's file).
  let iteration = 0;
  try {
    const read = deserializeState(state).iteration;
    if (Number.isInteger(read) && (read as number) >= 0) iteration = read as number;
  } catch {
    // a torn or foreign file: no metrics go with it
  }
  const files: Record<string, string> = { 'state.json': Buffer.from(state).toString('base64') };
  const rels = await listFiles(dir);
  for (const rel of rels) {
    if (rel === 'state.json' || rel.startsWith('policy/')) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, rel));
    } catch {
      continue;
    }
    if (rel === 'metrics.jsonl') {
      const lines = bytes.toString('utf8').split('\n').slice(0, iteration);
      bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
    }
    files[rel] = bytes.toString('base64');
  }
  try {
    const model = await readFile(join(dir, 'policy', 'model.json'));
    const named = (JSON.parse(model.toString('utf8')).weightsManifest as Array<{ paths: string[] }>).flatMap((g) => g.paths);
    const weights: Record<string, string> = {};
    for (const p of named) weights[`policy/${p}`] = (await readFile(join(dir, 'policy', p))).toString('base64');
    files['policy/model.json'] = model.toString('base64');
    Object.assign(files, weights);
  } catch {
    // no policy yet, or replaced while reading: the next snapshot takes it
  }
  const evaluations = (files['heldout.jsonl'] ? Buffer.from(files['heldout.jsonl'], 'base64').toString('utf8').split('\n').length - 1 : 0);
  return { progress: iteration * 1000 + evaluations, files };
}

/** Writes a snapshot's files into `dir` (created). */
export async function restoreSnapshot(dir: string, snapshot: Snapshot): Promise<void> {
  for (const [rel, b64] of Object.entries(snapshot.files)) {
    if (rel.split('/').some((part) => part === '..' || part === '' || part === '.') || rel.includes('\\')) throw new ConfigError('snapshot file', rel, 'a relative path inside the cell directory');
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(b64, 'base64'));
  }
}

// Stores a snapshot unless Redis already holds a later one (two workers may briefly run one cell).
const STORE_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'progress')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[1], 'files', ARGV[2])
return 1`;

export async function storeSnapshot(client: Redis, jobId: string, snapshot: Snapshot): Promise<void> {
  await client.eval(STORE_SCRIPT, 1, SNAPSHOT_PREFIX + jobId, String(snapshot.progress), JSON.stringify(snapshot.files));
}

/** The snapshot of a job, or null; a damaged one (not what storeSnapshot writes) is a ConfigError naming its key. */
export async function loadSnapshot(client: Redis, jobId: string): Promise<Snapshot | null> {
  const key = SNAPSHOT_PREFIX + jobId;
  const [progress, files] = await client.hmget(key, 'progress', 'files');
  if (progress === null || files === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(files);
  } catch {
    parsed = undefined;
  }
  if (!isPlainObject(parsed) || !Object.values(parsed).every((v) => typeof v === 'string') || !Number.isFinite(Number(progress))) {
    throw new ConfigError('snapshot', key, 'a snapshot of a cell directory as a worker stores it (this one is damaged)');
  }
  return { progress: Number(progress), files: parsed as Record<string, string> };
}

async function dropSnapshot(client: Redis, jobId: string): Promise<void> {
  await client.del(SNAPSHOT_PREFIX + jobId);
}

// ---- The coordinator.

interface JobData { cell: Cell }

/** How a worker marks a job's failure for the coordinator: a file system error, or a refusal. */
const FILE_FAILURE = '[file] ', REFUSAL = '[refused] ';
const RETRY = 'run the same command again once the cause is fixed (failed cells are retried from their last checkpoint in Redis)';

/** A failed job as one line: a FileError (exit 1) for a worker's file system, else a ConfigError (exit 2). */
function jobFailure(cell: Cell, id: string, reason: string): Error {
  if (reason.startsWith(FILE_FAILURE)) return new FileError('a worker', `train cell ${cell.name} on`, undefined, reason.slice(FILE_FAILURE.length), RETRY);
  return new ConfigError(`cell ${cell.name}`, id, `a cell the workers can run; it failed on a worker: ${firstLine(reason.replace(REFUSAL, ''))}; ${RETRY}`);
}

export async function queueExecutor(url: string, outDir: string, grid: Grid, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<CellExecutor> {
  const client = await connectRedis(url);
  const connection = redisOptions(url) as ConnectionOptions;
  const queue = new Queue<JobData, unknown, string>(QUEUE_NAME, { connection });
  queue.on('error', () => undefined); // the watchdog reports a lost server once
  const closing = new AbortController();
  const lost = watchdog(client, url, 20, closing.signal);
  lost.catch(() => undefined);
  const pollMs = options.pollMs ?? 500;
  const key = gridKey(grid);
  const stop = options.signal;
  const stopped = new Promise<void>((resolve) => {
    if (stop?.aborted) resolve();
    stop?.addEventListener('abort', () => resolve(), { once: true });
  });

  /** Adds the cell's job, or retries it when it failed (an earlier run's), or leaves it (queued, running, completed). */
  async function addJob(cell: Cell, id: string): Promise<void> {
    // A cell begun elsewhere (an earlier local run) continues from its directory.
    const dir = cellDir(outDir, cell);
    const local = await stat(dir).then(() => snapshotDir(dir), () => null);
    if (local) await storeSnapshot(client, id, local);
    const existing = await Job.fromId<JobData>(queue, id);
    if (existing) {
      if ((await existing.getState()) === 'failed') await existing.retry('failed');
      return;
    }
    // attempts: a worker stopped by Ctrl-C fails its attempt and the cell goes back to the queue.
    await queue.add(cell.name, { cell }, { jobId: id, attempts: 1000, removeOnComplete: false, removeOnFail: false });
  }

  /**
   * Writes a completed job's cell into DIR from its snapshot, verified before it replaces anything.
   * A damaged snapshot is dropped with its job (the next run of the same command runs the cell
   * again) and is one line.
   */
  async function collect(cell: Cell, id: string, job: Job<JobData>): Promise<'written' | 'lost'> {
    const dir = cellDir(outDir, cell);
    const incoming = `${dir}.incoming-${process.pid}`;
    await rm(incoming, { recursive: true, force: true });
    try {
      const snapshot = await loadSnapshot(client, id);
      if (!snapshot) return 'lost';
      await restoreSnapshot(incoming, snapshot);
      if (!(await cellComplete(cell, incoming))) throw new ConfigError('snapshot', id, 'the complete run of its completed job (it is not complete)');
    } catch (err) {
      await rm(incoming, { recursive: true, force: true });
      if (!(err instanceof ConfigError)) throw err;
      await job.remove().catch(() => undefined);
      await dropSnapshot(client, id);
      throw new ConfigError(`cell ${cell.name}`, `snapshot ${id}`, `its complete run in Redis (${err.message}); dropped from Redis: run the same command again to run the cell again`);
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await rename(incoming, dir);
    return 'written';
  }

  async function run(cells: readonly Cell[], phase: string): Promise<ScheduleResult> {
    if (cells.length === 0) return { complete: 0, interrupted: false };
    const survey = await surveyCells(outDir, cells);
    const { initial } = survey;
    let complete = cells.length - survey.pending.length;
    const pending = new Map<string, Cell>();
    for (const cell of survey.pending) pending.set(jobIdOf(key, cell), cell);
    const progress = new GridProgress(cells, initial, undefined, phase);
    for (const cell of cells) if (!pending.has(jobIdOf(key, cell))) progress.cellDone(cell);
    progress.draw();
    try {
      for (const [id, cell] of pending) {
        if (stop?.aborted) return { complete, interrupted: true };
        await addJob(cell, id);
      }
      while (pending.size > 0) {
        await Promise.race([new Promise((r) => setTimeout(r, pollMs)), lost, stopped]);
        // Stopped: the jobs stay on the queue (workers go on with them); the same command collects them.
        if (closing.signal.aborted || stop?.aborted) return { complete, interrupted: true };
        for (const [id, cell] of [...pending]) {
          const job = await Job.fromId<JobData>(queue, id);
          if (!job) {
            // Redis lost it (restarted empty, flushed): added again, the cell resumes from what is left.
            process.stderr.write(`\ndmaml experiment: the job of cell ${cell.name} left the queue (Redis restarted empty?); added again\n`);
            await addJob(cell, id);
            continue;
          }
          const state = await job.getState();
          if (typeof job.progress === 'object' && job.progress && 'iterations' in job.progress) progress.iterations(cell, Number((job.progress as { iterations: number }).iterations));
          if (state === 'failed') throw jobFailure(cell, id, job.failedReason ?? '(no reason given)');
          if (state !== 'completed') continue;
          if ((await collect(cell, id, job)) === 'lost') {
            // Completed, but its snapshot is gone (Redis restarted between the two): the cell runs again.
            await job.remove().catch(() => undefined);
            await addJob(cell, id);
            continue;
          }
          await job.remove().catch(() => undefined);
          await dropSnapshot(client, id);
          pending.delete(id);
          complete++;
          progress.iterations(cell, cell.config.iterations);
          progress.cellDone(cell);
        }
      }
    } catch (err) {
      throw queueFailure(err, url);
    } finally {
      progress.finish();
    }
    return { complete, interrupted: complete < cells.length };
  }

  return {
    where: `on the BullMQ queue at ${publicUrl(url)}`,
    jobs: 0,
    run,
    async close() {
      closing.abort();
      await within(queue.close().catch(() => undefined), 5000);
      client.disconnect();
    },
  };
}

// ---- The worker.

/** A cell's failure as the coordinator shows it: no advice to resume a temporary directory of this worker. */
function workerMessage(err: unknown): string {
  return firstLine((err as Error)?.message ?? String(err)).replace(/; [^;]* holds iteration \d+ intact; .*$/, '').replace(/^dmaml: /, '');
}

/** `dmaml worker` with its flags read (src/node/experiment/usage.ts parseWorkerArgs). */
export async function workerCommand({ url, jobs, lockSeconds }: WorkerOptions): Promise<number> {
  // Cells side by side on this machine share its cores (like the local pool's).
  const workers = workersPerCell(jobs);
  await init(); // a job's cell is checked by the grid's rules, which read the env registry and the WASM memory
  const client = await connectRedis(url);
  const stop = new AbortController();
  const root = await mkdtemp(join(tmpdir(), 'dmaml-worker-'));

  const processor = async (job: Job<JobData>): Promise<{ iterations: number }> => {
    const id = job.id as string;
    let cell: Cell;
    try {
      cell = jobCell(id, job.data);
    } catch (err) {
      throw new UnrecoverableError(REFUSAL + workerMessage(err));
    }
    // A directory of this job's own under this worker's root (mkdtemp: unique, whatever the job says).
    let jobDir: string | null = null;
    try {
      jobDir = await mkdtemp(join(root, 'job-'));
      return await runJob(job, cell, join(jobDir, 'cell'));
    } catch (err) {
      // What this machine cannot do (its disk) or refuses fails the job until a re-run retries it;
      // a stop or a Redis that is away for a moment sends it back to the queue.
      const e = err as NodeJS.ErrnoException;
      if (err instanceof FileError || (typeof e?.code === 'string' && typeof e?.path === 'string')) throw new UnrecoverableError(FILE_FAILURE + workerMessage(FileError.from(err, e.path ?? '', 'write')));
      if (err instanceof ConfigError) throw new UnrecoverableError(REFUSAL + workerMessage(err));
      throw err;
    } finally {
      if (jobDir) await rm(jobDir, { recursive: true, force: true }).catch(() => undefined);
    }
  };

  const runJob = async (job: Job<JobData>, cell: Cell, dir: string): Promise<{ iterations: number }> => {
    const id = job.id as string;
    let snapshot: Snapshot | null = null;
    try {
      snapshot = await loadSnapshot(client, id);
      if (snapshot) {
        await restoreSnapshot(dir, snapshot);
        await cellComplete(cell, dir); // verified as a resume verifies it
      }
    } catch (err) {
      if (/^WRONGTYPE/.test((err as Error)?.message ?? '')) throw new UnrecoverableError(REFUSAL + queueFailure(err, url).message);
      if (!(err instanceof ConfigError)) throw err;
      // A damaged snapshot: the cell starts over (a run is deterministic: the same results).
      console.error(`dmaml worker: cell ${cell.name}: its snapshot in Redis is damaged (${workerMessage(err)}); the cell starts over`);
      await rm(dir, { recursive: true, force: true });
      await dropSnapshot(client, id);
      snapshot = null;
    }
    if (snapshot) {
      const at = (await readCellState(dir).catch(() => null))?.iteration ?? 0;
      console.error(`dmaml worker: cell ${cell.name} resumes at iteration ${at} from its checkpoint in Redis`);
    }
    // Redis away for a moment: the next checkpoint ships again.
    const ship = async () => {
      const s = await snapshotDir(dir);
      if (s) await storeSnapshot(client, id, s).catch(() => undefined);
    };
    const outcome = await runCellByCli(cell, dir, {
      signal: stop.signal, workers,
      onIterations: (n) => { void job.updateProgress({ iterations: n }).catch(() => undefined); },
      onCheckpoint: ship,
    });
    // The last checkpoint reaches Redis before the job completes (if not, the attempt fails and is retried).
    const last = await snapshotDir(dir);
    if (last) await storeSnapshot(client, id, last);
    if (outcome.interrupted) throw new Error('worker stopped; the cell goes back to the queue');
    return { iterations: outcome.iterations };
  };

  const worker = new Worker<JobData>(QUEUE_NAME, processor, {
    connection: redisOptions(url) as ConnectionOptions,
    concurrency: jobs,
    lockDuration: lockSeconds * 1000,
    stalledInterval: Math.max(1000, (lockSeconds * 1000) / 2),
    // A cell may outlive many dead workers; each stall puts it back.
    maxStalledCount: 1000,
  });
  // Keys of another type under the queue's prefix: one line, not a silent loop.
  const fatal = new Promise<never>((_, reject) => {
    worker.on('error', (err: Error) => { if (/^WRONGTYPE/.test(err?.message ?? '')) reject(queueFailure(err, url)); });
  });
  fatal.catch(() => undefined);
  const name = (job: Job<JobData> | undefined) => (job ? String((job.data as Partial<JobData>)?.cell?.name ?? job.id) : '?');
  console.error(`dmaml worker: ${jobs} cell(s) at a time with ${workers} worker thread(s) each, from ${publicUrl(url)}; Ctrl-C to stop`);
  worker.on('active', (job) => console.error(`dmaml worker: cell ${name(job)}`));
  worker.on('completed', (job) => console.error(`dmaml worker: cell ${name(job)} done`));
  worker.on('failed', (job, err) => {
    if (err instanceof UnrecoverableError) console.error(`dmaml worker: cell ${name(job)} failed: ${err.message.replace(FILE_FAILURE, '').replace(REFUSAL, '')}`);
  });

  // The first SIGINT/SIGTERM stops the cells after their current iteration (their last
  // checkpoints shipped; their jobs go back to the queue); the second quits at once. Exit 130 / 143.
  let exitCode = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      const code = sig === 'SIGINT' ? 130 : 143;
      if (stop.signal.aborted) process.exit(code);
      exitCode = code;
      process.stderr.write(`\ndmaml worker: stopping after the current iterations; the cells go back to the queue (${sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit now)\n`);
      // A Ctrl-C reached the cells' processes from the terminal already; SIGTERM is passed on.
      stop.abort(sig === 'SIGINT' ? 'group-signal' : 'forward');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  let serverLost = false;
  try {
    await Promise.race([stopped, fatal, watchdog(client, url, 20, stop.signal).catch((err) => { serverLost = true; throw err; })]);
  } catch (err) {
    serverLost = true;
    throw err;
  } finally {
    if (!stop.signal.aborted) stop.abort('forward');
    // Cells in progress stop after their iteration and ship their last checkpoint first (unless
    // the server is gone: then their checkpoints are already in Redis up to the loss).
    await within(worker.close(serverLost).catch(() => undefined), serverLost ? 3000 : 120_000);
    client.disconnect();
    await rm(root, { recursive: true, force: true });
  }
  return exitCode;
}
