// Fault injection for the queued runner, with real parts: Debian's redis-server on a free loopback
// port (no persistence), `dmaml experiment --queue` and `dmaml worker` as processes, real signals.
// Each case ends with the results of the local run (timing aside), or one line and a state from
// which the same command finishes the grid. Each test uses a database of its own (redis://…/N).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { BIN, dmaml, assertOneLineError, waitFor, type Run } from '../helpers';
import { experimentContent } from './content';
import { freePort, startRedisServer } from './redis';

const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 3 },
  heldout: { every: 2, tasks: 2, seed: 5, steps: 2, episodes: 2 },
};
/** Another grid whose one cell has the name of one of GRID's, with other settings. */
const OTHER = { ...GRID, seeds: [1], config: { ...GRID.config, iterations: 2 } };

let root: string, gridPath: string, otherPath: string, clean: string, otherClean: string, port: number;
let redis: ChildProcess | null = null;
const started: ChildProcess[] = [];

const url = (db: number) => `redis://127.0.0.1:${port}/${db}`;
const client = (db: number) => {
  const c = new Redis({ port, host: '127.0.0.1', db, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  c.on('error', () => undefined);
  return c;
};

async function startRedis(): Promise<void> {
  redis = await startRedisServer(port, root);
}

async function stopRedis(): Promise<void> {
  const r = redis!;
  redis = null;
  const gone = new Promise((resolve) => r.once('exit', resolve));
  r.kill('SIGKILL');
  await gone;
}

/** A process of its own group (so that a kill reaches its children), stderr kept. */
function start(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; log: () => string; done: Promise<Run> } {
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  started.push(child);
  let stdout = '', stderr = '';
  child.stdout!.on('data', (b) => { stdout += b; });
  child.stderr!.on('data', (b) => { stderr += b; });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })));
  return { child, log: () => stderr, done };
}
const worker = (db: number, jobs: number, tmp: string) => start(process.execPath, [BIN, 'worker', '--queue', url(db), '--jobs', String(jobs), '--lock-seconds', '4'], { ...process.env, TMPDIR: tmp });
const coordinator = (db: number, grid: string, out: string) => start(process.execPath, [BIN, 'experiment', '--grid', grid, '--out', out, '--queue', url(db)]);

/** Resolves with the run, or fails naming `what` after `seconds`. */
async function within(p: Promise<Run>, seconds: number, what: string): Promise<Run> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not done within ${seconds} s`)), seconds * 1000); });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ids of the jobs on the queue whose cell is `cell`. */
async function jobIds(c: Redis, cell: string): Promise<string[]> {
  return (await c.keys(`bull:dmaml-cells:*${cell}.*`)).filter((k) => !/:(logs|lock)$/.test(k)).map((k) => k.slice('bull:dmaml-cells:'.length));
}

/** The one error line of a coordinator's stderr (besides its progress): the last line, and the only one starting "dmaml: ". */
function refusal(r: Run): string {
  const lines = r.stderr.trimEnd().split('\n');
  const errors = lines.filter((l) => l.startsWith('dmaml: '));
  assert.equal(errors.length, 1, `one error line, got:\n${r.stderr}`);
  assert.equal(lines[lines.length - 1], errors[0], `the error line last, got:\n${r.stderr}`);
  return errors[0];
}

/** The same command again, with a healthy worker on database `db`: it finishes, with the clean run's results. */
async function rerunMatchesClean(db: number, out: string): Promise<void> {
  const w = worker(db, 2, await tempDir(`w${db}`));
  const again = await within(coordinator(db, gridPath, out).done, 240, 'the coordinator again');
  assert.equal(again.code, 0, `${again.stderr}\nworker:\n${w.log()}`);
  assert.deepEqual(await experimentContent(out), await experimentContent(clean));
  process.kill(-w.child.pid!, 'SIGINT');
  await within(w.done, 60, 'the worker after SIGINT');
}

async function tempDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-faults-'));
  gridPath = join(root, 'grid.json');
  otherPath = join(root, 'other.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  await writeFile(otherPath, JSON.stringify(OTHER));
  port = await freePort();
  await startRedis();
  clean = join(root, 'clean');
  otherClean = join(root, 'other-clean');
  const [a, b] = await Promise.all([
    dmaml(['experiment', '--grid', gridPath, '--out', clean, '--jobs', '1']),
    dmaml(['experiment', '--grid', otherPath, '--out', otherClean, '--jobs', '1']),
  ]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
});

after(async () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) { try { process.kill(-p.pid!, 'SIGKILL'); } catch { /* gone */ } }
  if (redis) await stopRedis();
  await rm(root, { recursive: true, force: true });
});

test('under load (two CPU hogs): one worker running two cells at once gives the local results; SIGTERM stops it, exit 143', async () => {
  const hogs = [0, 1].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  try {
    const w = worker(1, 2, await tempDir('w1'));
    const out = join(root, 'loaded');
    const r = await within(coordinator(1, gridPath, out).done, 240, 'the queued grid under load');
    assert.equal(r.code, 0, `${r.stderr}\nworker:\n${w.log()}`);
    assert.deepEqual(await experimentContent(out), await experimentContent(clean));
    process.kill(w.child.pid!, 'SIGTERM');
    const stop = await within(w.done, 30, 'the worker after SIGTERM');
    assert.equal(stop.code, 143, stop.stderr);
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
  }
});

test('a coordinator stops at the first SIGINT (130) or SIGTERM (143), its jobs left queued', async () => {
  const c = client(2);
  // No worker yet: the coordinator waits for its jobs.
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    const co = coordinator(2, gridPath, join(root, 'stopped'));
    // Its signal handlers are in place from the line that counts the cells on.
    await waitFor(async () => /cells \(/.test(co.log()) && (await jobIds(c, 'CartPole-v1.fomaml.seed1')).length > 0, 'the coordinator to add its jobs');
    process.kill(co.child.pid!, sig);
    const r = await within(co.done, 30, `the coordinator after ${sig}`);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, /interrupted; continue with: dmaml experiment/);
  }
  assert.equal((await jobIds(c, 'CartPole-v1.fomaml.seed1')).length, 1, 'its job is left queued');
  c.disconnect();
});

test('a worker refuses a hostile job (a name that is a path, a config a grid refuses) before touching the disk', async () => {
  const c = client(2);
  if ((await jobIds(c, 'CartPole-v1.fomaml.seed1')).length === 0) {
    const co = coordinator(2, gridPath, join(root, 'stopped'));
    await waitFor(async () => (await jobIds(c, 'CartPole-v1.fomaml.seed1')).length > 0, 'the coordinator to add its jobs');
    process.kill(-co.child.pid!, 'SIGKILL');
    await co.done;
  }
  // Hostile copies of a real job: a name that is a path, a config the grid refuses.
  const [id] = await jobIds(c, 'CartPole-v1.fomaml.seed1');
  const data = JSON.parse((await c.hget(`bull:dmaml-cells:${id}`, 'data'))!);
  await c.flushdb();
  const tmp = await tempDir('w2/tmp');
  const victim = await tempDir('w2/victim'); // what the worker's root/../../victim is
  await writeFile(join(victim, 'keep'), 'mine');
  const queue = new Queue('dmaml-cells', { connection: { host: '127.0.0.1', port, db: 2 } });
  await queue.add('x', { cell: { ...data.cell, name: '../../victim' } }, { jobId: 'hostile-name' });
  await queue.add('x', { cell: { ...data.cell, config: { ...data.cell.config, metaBatch: -1 } } }, { jobId: 'hostile-config' });
  const w = worker(2, 1, tmp);
  await waitFor(async () => (await queue.getFailedCount()) === 2, 'the worker to fail both hostile jobs', 60);
  const failed = await queue.getFailed();
  const reason = (jobId: string) => failed.find((j) => j.id === jobId)?.failedReason ?? '';
  assert.match(reason('hostile-name'), /job hostile-name: cell\.name: got "\.\.\/\.\.\/victim"; allowed: the name its config gives \(CartPole-v1\.fomaml\.seed1\): a cell name is never a path/);
  assert.match(reason('hostile-config'), /job hostile-config: .*metaBatch/);
  assert.equal(await readFile(join(victim, 'keep'), 'utf8'), 'mine');
  assert.deepEqual(await readdir(victim), ['keep']);
  await queue.close();
  c.disconnect();
  process.kill(w.child.pid!, 'SIGINT');
  assert.equal((await within(w.done, 30, 'the worker after SIGINT')).code, 130);
});

test('two experiments on one Redis, cells of one name with other settings, one worker, a damaged snapshot: each equals its local run', async () => {
  const c = client(3);
  const a = coordinator(3, gridPath, join(root, 'two-a'));
  const b = coordinator(3, otherPath, join(root, 'two-b'));
  await waitFor(async () => (await jobIds(c, 'CartPole-v1.fomaml.seed1')).length === 2 && (await jobIds(c, 'CartPole-v1.fomaml.seed2')).length === 1, 'both coordinators to add their jobs');
  assert.equal(new Set((await jobIds(c, 'CartPole-v1.fomaml.seed1')).map((id) => id.split('.')[0])).size, 2, 'each experiment under a key of its own');
  // A damaged snapshot for one of the jobs: the worker starts that cell over.
  const [one] = await jobIds(c, 'CartPole-v1.fomaml.seed2');
  await c.hset(`dmaml:snapshot:${one}`, 'progress', '2000', 'files', '{"state.json": 5');
  const w = worker(3, 2, await tempDir('w3'));
  const [ra, rb] = await Promise.all([within(a.done, 240, 'experiment a'), within(b.done, 240, 'experiment b')]);
  assert.equal(ra.code, 0, `${ra.stderr}\nworker:\n${w.log()}`);
  assert.equal(rb.code, 0, `${rb.stderr}\nworker:\n${w.log()}`);
  assert.match(w.log(), /cell CartPole-v1\.fomaml\.seed2: its snapshot in Redis is damaged .*; the cell starts over/);
  assert.deepEqual(await experimentContent(join(root, 'two-a')), await experimentContent(clean));
  assert.deepEqual(await experimentContent(join(root, 'two-b')), await experimentContent(otherClean));
  c.disconnect();
  process.kill(-w.child.pid!, 'SIGINT');
  await within(w.done, 60, 'the worker after SIGINT');
});

test('Redis restarted empty mid-grid: the lost jobs are added again and the results equal the local run', async () => {
  const c = client(4);
  const w = worker(4, 1, await tempDir('w4'));
  const out = join(root, 'restarted');
  const co = coordinator(4, gridPath, out);
  await waitFor(async () => {
    for (const key of await c.keys('dmaml:snapshot:*')) if (Number(await c.hget(key, 'progress')) >= 1000) return true;
    return false;
  }, 'a first checkpoint in Redis', 120);
  c.disconnect();
  await stopRedis();
  await startRedis();
  const r = await within(co.done, 240, 'the coordinator after the restart');
  assert.equal(r.code, 0, `${r.stderr}\nworker:\n${w.log()}`);
  assert.match(r.stderr, /left the queue \(Redis restarted empty\?\); added again/);
  assert.deepEqual(await experimentContent(out), await experimentContent(clean));
  assert.equal(w.child.exitCode, null, `the worker survived the restart:\n${w.log()}`);
  process.kill(-w.child.pid!, 'SIGINT');
  await within(w.done, 60, 'the worker after SIGINT');
});

test('Redis gone: one line and exit 2 for the coordinator; with Redis back, the same command finishes the grid', async () => {
  const c = client(5);
  const out = join(root, 'gone');
  const co = coordinator(5, gridPath, out);
  await waitFor(async () => (await jobIds(c, 'CartPole-v1.fomaml.seed1')).length > 0, 'the coordinator to add its jobs');
  c.disconnect();
  await stopRedis();
  let r: Run;
  try {
    r = await within(co.done, 90, 'the coordinator with Redis gone');
  } finally {
    await startRedis();
  }
  const line = refusal(r);
  assert.equal(r.code, 2, r.stderr);
  assert.match(line, /^dmaml: --queue: got "redis:\/\/127\.0\.0\.1:\d+\/5"; allowed: a reachable Redis server \(.*\); run the same command again when it is back \(the experiment resumes\)$/);
  await rerunMatchesClean(5, out);
});

test("disk full on a worker: one line naming the worker's disk without a --resume of its temporary path; a re-run retries the failed cell", async () => {
  const out = join(root, 'full');
  // A worker whose temporary directory is a 24 KiB tmpfs (a mount namespace of its own).
  const script = 'mkdir -p "$1" && mount -t tmpfs -o size=24k tmpfs "$1" && TMPDIR="$1" exec "$2" "$3" worker --queue "$4" --jobs 1 --lock-seconds 4';
  const full = start('unshare', ['-rm', 'sh', '-c', script, 'sh', join(root, 'w6-full'), process.execPath, BIN, url(6)]);
  const r = await within(coordinator(6, gridPath, out).done, 120, 'the coordinator with a full worker');
  const line = refusal(r);
  assert.equal(r.code, 1, r.stderr);
  assert.match(line, /^dmaml: cannot train cell CartPole-v1\.fomaml\.seed\d on a worker: .*no space left on device \(ENOSPC\).*; run the same command again once the cause is fixed/);
  assert.doesNotMatch(line, /--resume/);
  process.kill(-full.child.pid!, 'SIGKILL');
  await full.done;
  await rerunMatchesClean(6, out);
});

test('keys of another type and a database the server lacks: one line for the coordinator and the worker', async () => {
  const c = client(7);
  for (const key of ['meta', 'wait', 'events']) await c.set(`bull:dmaml-cells:${key}`, 'not a queue');
  c.disconnect();
  const out = join(root, 'wrongtype');
  const w = await within(dmaml(['worker', '--queue', url(7), '--jobs', '1']), 60, 'the worker on wrong-type keys');
  assert.equal(w.code, 2, w.stderr);
  assert.match(refusal(w), /^dmaml: --queue: got "redis:\/\/127\.0\.0\.1:\d+\/7"; allowed: a Redis whose keys under "bull:dmaml-cells:" and "dmaml:snapshot:" are this program's \(WRONGTYPE Operation against a key holding the wrong kind of value\); remove those keys/);
  const co = await within(coordinator(7, gridPath, out).done, 60, 'the coordinator on wrong-type keys');
  assert.equal(co.code, 2, co.stderr);
  assert.match(refusal(co), /allowed: a Redis whose keys under "bull:dmaml-cells:" and "dmaml:snapshot:" are this program's \(WRONGTYPE/);
  for (const args of [['worker', '--queue', url(99)], ['experiment', '--grid', gridPath, '--out', join(root, 'db99'), '--queue', url(99)]]) {
    assertOneLineError(await within(dmaml(args), 60, `${args[0]} on /99`), /^dmaml: --queue: got "redis:\/\/127\.0\.0\.1:\d+\/99"; allowed: a database index this server has \(0 to 15\) \(ERR DB index is out of range\)$/, `${args[0]} /99`);
  }
  assert.ok(!existsSync(join(root, 'db99')));
});

test('a local experiment stops at SIGTERM with exit 143', async () => {
  const out = join(root, 'local-term');
  const co = start(process.execPath, [BIN, 'experiment', '--grid', gridPath, '--out', out, '--jobs', '1']);
  await waitFor(async () => existsSync(join(out, 'cells', 'CartPole-v1.fomaml.seed1', 'metrics.jsonl')), 'a first iteration', 120);
  process.kill(co.child.pid!, 'SIGTERM');
  const r = await within(co.done, 60, 'the experiment after SIGTERM');
  assert.equal(r.code, 143, r.stderr);
});
