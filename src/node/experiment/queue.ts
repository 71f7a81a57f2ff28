// Distributed cells over a BullMQ queue (Redis). No shared file system is assumed:
// - the coordinator (`dmaml experiment --queue URL`) adds one job per incomplete cell (job id:
//   the cell's name and a hash of its plan, so re-adding is a no-op), follows their progress, and
//   when a job completes writes the cell's run directory under DIR from the snapshot in Redis;
// - a worker (`dmaml worker --queue URL`) runs a job's cell with the local runner (runCell) in a
//   temporary directory, and after every checkpoint (each iteration, each evaluation) stores a
//   snapshot of that directory in Redis (key dmaml:snapshot:<job id>, only ever moving forward);
// - a worker that dies stops renewing its job's lock; BullMQ's stalled-job check puts the job
//   back, and the next worker restores the snapshot into its own directory and resumes from it —
//   bit-identically, since a resumed run equals an uninterrupted one.
// Connections give up after a bounded number of retries (ioredis retries forever by default): an
// unreachable Redis is one line within seconds, at start or while running.
import { mkdtemp, mkdir, readdir, readFile, rename, rm, writeFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { Queue, Worker, Job, UnrecoverableError, type ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../errors';
import { deserializeState, fnv1a64 } from '../../train/checkpoint';
import { isOurLitter } from '../run-dir';
import type { Cell, Grid } from './grid';
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

/** Connects once, without retrying: a ConfigError within CONNECT_TIMEOUT_MS when Redis cannot be reached. */
export async function connectRedis(url: string): Promise<Redis> {
  const options = redisOptions(url);
  const probe = new Redis({ ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let lastError: Error | null = null;
  probe.on('error', (err: Error) => { lastError = err; });
  try {
    await probe.connect();
    await probe.ping();
  } catch (err) {
    probe.disconnect();
    const reason = (lastError ?? (err as Error)).message || String(err);
    throw new ConfigError('--queue', publicUrl(url), `a reachable Redis server (${reason})`);
  }
  probe.disconnect();
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

/** p, or undefined after `ms` (closing a connection to a server that is gone must not hang). */
function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([p, new Promise<undefined>((r) => (setTimeout(r, ms) as unknown as NodeJS.Timeout).unref())]);
}

/** The job id of a cell: its name and a hash of its whole plan (same plan, same job, whoever adds it). */
export function jobIdOf(cell: Cell): string {
  const plan = JSON.stringify({ config: cell.config, heldout: cell.heldout });
  return `${cell.name}.${fnv1a64(new TextEncoder().encode(plan)).slice(0, 12)}`;
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
    if (rel.split('/').some((part) => part === '..' || part === '')) throw new Error(`snapshot: unsafe path ${rel}`);
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

export async function loadSnapshot(client: Redis, jobId: string): Promise<Snapshot | null> {
  const [progress, files] = await client.hmget(SNAPSHOT_PREFIX + jobId, 'progress', 'files');
  if (progress === null || files === null) return null;
  return { progress: Number(progress), files: JSON.parse(files) as Record<string, string> };
}

// ---- The coordinator.

interface JobData { cell: Cell }

export async function queueExecutor(url: string, outDir: string, _grid: Grid, options: { pollMs?: number } = {}): Promise<CellExecutor> {
  const client = await connectRedis(url);
  const connection = redisOptions(url) as ConnectionOptions;
  const queue = new Queue<JobData, unknown, string>(QUEUE_NAME, { connection });
  queue.on('error', () => undefined); // the watchdog reports a lost server once
  const closing = new AbortController();
  const lost = watchdog(client, url, 20, closing.signal);
  lost.catch(() => undefined);
  const pollMs = options.pollMs ?? 500;

  async function writeCellDir(cell: Cell, snapshot: Snapshot): Promise<void> {
    const dir = cellDir(outDir, cell);
    const incoming = `${dir}.incoming-${process.pid}`;
    await rm(incoming, { recursive: true, force: true });
    await restoreSnapshot(incoming, snapshot);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dirname(dir), { recursive: true });
    await rename(incoming, dir);
  }

  async function run(cells: readonly Cell[], phase: string): Promise<ScheduleResult> {
    if (cells.length === 0) return { complete: 0, interrupted: false };
    const survey = await surveyCells(outDir, cells);
    const { initial } = survey;
    let complete = cells.length - survey.pending.length;
    const pending = new Map<string, Cell>();
    for (const cell of survey.pending) {
      const dir = cellDir(outDir, cell);
      const id = jobIdOf(cell);
      // A cell begun elsewhere (an earlier local run) continues from its directory.
      const local = await stat(dir).then(() => snapshotDir(dir), () => null);
      if (local) await storeSnapshot(client, id, local);
      pending.set(id, cell);
      // attempts: a worker stopped by Ctrl-C fails its attempt and the cell goes back to the queue.
      await queue.add(cell.name, { cell }, { jobId: id, attempts: 1000, removeOnComplete: false, removeOnFail: false });
    }
    const progress = new GridProgress(cells, initial, undefined, phase);
    for (const cell of cells) if (!pending.has(jobIdOf(cell))) progress.cellDone(cell);
    progress.draw();
    try {
      while (pending.size > 0) {
        await Promise.race([new Promise((r) => setTimeout(r, pollMs)), lost]);
        if (closing.signal.aborted) return { complete, interrupted: true };
        for (const [id, cell] of [...pending]) {
          const job = await Job.fromId<JobData>(queue, id);
          if (!job) throw new Error(`cell ${cell.name}: its job ${id} left the queue before it completed`);
          const state = await job.getState();
          if (typeof job.progress === 'object' && job.progress && 'iterations' in job.progress) progress.iterations(cell, Number((job.progress as { iterations: number }).iterations));
          if (state === 'failed') throw new Error(`cell ${cell.name}: ${job.failedReason}`);
          if (state !== 'completed') continue;
          const snapshot = await loadSnapshot(client, id);
          if (!snapshot) throw new Error(`cell ${cell.name}: completed, but Redis holds no snapshot of it`);
          await writeCellDir(cell, snapshot);
          if (!(await cellComplete(cell, cellDir(outDir, cell)))) throw new Error(`cell ${cell.name}: the snapshot of its completed job is not a complete run`);
          await job.remove().catch(() => undefined);
          await client.del(SNAPSHOT_PREFIX + id);
          pending.delete(id);
          complete++;
          progress.iterations(cell, cell.config.iterations);
          progress.cellDone(cell);
        }
      }
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

/** `dmaml worker` with its flags read (src/node/experiment/usage.ts parseWorkerArgs). */
export async function workerCommand({ url, jobs, lockSeconds }: WorkerOptions): Promise<number> {
  // Cells side by side on this machine share its cores (like the local pool's).
  const workers = workersPerCell(jobs);
  const client = await connectRedis(url);
  const stop = new AbortController();
  const root = await mkdtemp(join(tmpdir(), 'dmaml-worker-'));

  const processor = async (job: Job<JobData>): Promise<{ iterations: number }> => {
    const { cell } = job.data;
    const id = job.id as string;
    const dir = join(root, cell.name);
    await rm(dir, { recursive: true, force: true });
    const snapshot = await loadSnapshot(client, id);
    if (snapshot) {
      await restoreSnapshot(dir, snapshot);
      const at = (await readCellState(dir).catch(() => null))?.iteration ?? 0;
      console.error(`dmaml worker: cell ${cell.name} resumes at iteration ${at} from its checkpoint in Redis`);
    }
    const ship = async () => {
      const s = await snapshotDir(dir);
      if (s) await storeSnapshot(client, id, s);
    };
    let outcome;
    try {
      outcome = await runCellByCli(cell, dir, {
        signal: stop.signal, workers,
        onIterations: (n) => { void job.updateProgress({ iterations: n }).catch(() => undefined); },
        onCheckpoint: ship,
      });
    } catch (err) {
      // A cell that cannot run (a bad checkpoint, a refused config) fails for good.
      throw new UnrecoverableError((err as Error).message);
    }
    await ship();
    await rm(dir, { recursive: true, force: true });
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
  worker.on('error', () => undefined); // the watchdog reports a lost server once
  console.error(`dmaml worker: ${jobs} cell(s) at a time with ${workers} worker thread(s) each, from ${publicUrl(url)}; Ctrl-C to stop`);
  worker.on('active', (job) => console.error(`dmaml worker: cell ${job.data.cell.name}`));
  worker.on('completed', (job) => console.error(`dmaml worker: cell ${job.data.cell.name} done`));

  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      if (stop.signal.aborted) process.exit(130);
      process.stderr.write('\ndmaml worker: stopping after the current iterations (Ctrl-C again to quit now)\n');
      stop.abort('group-signal');
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', () => { stop.abort('forward'); resolve(); });
  });
  let serverLost = false;
  try {
    await Promise.race([stopped, watchdog(client, url, 20, stop.signal).catch((err) => { serverLost = true; throw err; })]);
  } finally {
    stop.abort();
    // Cells in progress stop after their iteration and ship their last checkpoint first (unless
    // the server is gone: then their checkpoints are already in Redis up to the loss).
    await within(worker.close(serverLost).catch(() => undefined), serverLost ? 3000 : 120_000);
    client.disconnect();
    await rm(root, { recursive: true, force: true });
  }
  return 130;
}
