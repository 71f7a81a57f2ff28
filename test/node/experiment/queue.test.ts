// Distributed cells on a real Redis (Debian's redis-server on a free loopback port, no
// persistence) through BullMQ: a 4-cell grid run by 2 worker processes, one of them killed in
// the middle of a cell (its whole process group, like a machine going away), gives the results of
// the serial local run (timing aside); the cell it held resumes on the other worker from its last
// checkpoint in Redis. An unreachable Redis is one line within seconds, for workers and coordinators.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { experimentContent } from './content';
import { freePort, startRedisServer } from './redis';
import { BIN, dmaml as dmamlProcess } from '../helpers';

const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml', 'directed-fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 6 },
  heldout: { every: 2, tasks: 2, seed: 5, steps: 2, episodes: 2 },
};

let root: string, gridPath: string, redis: ChildProcess, url: string, port: number;
const workers: ChildProcess[] = [];

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-queue-'));
  gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  redis = await startRedisServer(port, root);
});

after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) process.kill(-w.pid!, 'SIGKILL');
  redis?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

test('a 4-cell grid on 2 workers, one killed mid-cell, equals the serial local run', async () => {
  const serial = join(root, 'serial'), queued = join(root, 'queued');
  const local = await dmaml(['experiment', '--grid', gridPath, '--out', serial, '--jobs', '1']);
  assert.equal(local.code, 0, local.stderr);

  // Workers keep their cells in their own temporary directories (no shared file system).
  const logs: string[] = ['', ''];
  for (let k = 0; k < 2; k++) {
    const tmp = join(root, `worker${k}`);
    await mkdir(tmp);
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--jobs', '1', '--lock-seconds', '4'], {
      detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
    w.stderr!.on('data', (b) => { logs[k] += b; });
    workers.push(w);
  }
  const coordinator = dmaml(['experiment', '--grid', gridPath, '--out', queued, '--queue', url]);

  // Kill worker 0 once the cell it runs has a checkpoint in Redis and is not finished.
  const client = new Redis({ port, host: '127.0.0.1' });
  let victim: string | null = null, progressAtKill = 0;
  const deadline = Date.now() + 180_000;
  while (!victim && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const started = [...logs[0].matchAll(/dmaml worker: cell (\S+)$/gm)].map((m) => m[1]);
    const current = started[started.length - 1];
    if (!current || logs[0].includes(`cell ${current} done`)) continue;
    const keys = await client.keys(`dmaml:snapshot:*.${current}.*`);
    if (keys.length === 0) continue;
    const progress = Number(await client.hget(keys[0], 'progress'));
    if (progress >= 1000 && progress < 6000) {
      process.kill(-workers[0].pid!, 'SIGKILL');
      victim = current;
      progressAtKill = progress;
    }
  }
  client.disconnect();
  assert.ok(victim, `worker 0 was killed mid-cell; its log:\n${logs[0]}`);

  const r = await coordinator;
  assert.equal(r.code, 0, r.stderr);
  // The other worker picked the victim's cell up and resumed it from the checkpoint it found.
  const resumed = new RegExp(`cell ${victim!.replace(/[.]/g, '\\.')} resumes at iteration (\\d+) from its checkpoint in Redis`).exec(logs[1]);
  assert.ok(resumed, `worker 1 resumed ${victim}; its log:\n${logs[1]}`);
  assert.ok(Number(resumed![1]) >= Math.floor(progressAtKill / 1000), `resumed at ${resumed![1]}, checkpoint at kill ${progressAtKill}`);
  assert.match(logs[1], new RegExp(`cell ${victim!.replace(/[.]/g, '\\.')} done`));

  assert.deepEqual(await experimentContent(queued), await experimentContent(serial));
  // The coordinator cleared what it collected from Redis.
  const check = new Redis({ port, host: '127.0.0.1' });
  assert.deepEqual(await check.keys('dmaml:snapshot:*'), []);
  check.disconnect();
  process.kill(-workers[1].pid!, 'SIGINT');
});

test('every control (extra task, non-meta, random task on the control seeds) and a widened sweep tuning β_d run on a queue as locally', async () => {
  // Two rates: each pick is an edge, so the queue runs a widening round too.
  const grid = {
    ...GRID, seeds: [1, 2], config: { ...GRID.config, iterations: 2 }, perEnv: { 'CartPole-v1': { threshold: 16 } },
    controls: { seeds: [2], randomMedium: true, extraTask: true, nonMeta: true, outerLrSweep: { rates: [0.001, 0.03], seeds: [9], widen: 1, directedLrs: [0.05, 0.2] } },
  };
  const path = join(root, 'controls.json');
  await writeFile(path, JSON.stringify(grid));
  const serial = join(root, 'controls-serial'), queued = join(root, 'controls-queued');
  const local = await dmaml(['experiment', '--grid', path, '--out', serial, '--jobs', '2']);
  assert.equal(local.code, 0, local.stderr);
  const tmp = join(root, 'controls-worker');
  await mkdir(tmp);
  const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--jobs', '2'], { detached: true, stdio: 'ignore', env: { ...process.env, TMPDIR: tmp } });
  workers.push(w);
  const r = await dmaml(['experiment', '--grid', path, '--out', queued, '--queue', url]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /widening the outer-lr sweep \(round 1\)/);
  assert.ok((await readdir(join(queued, 'cells'))).some((n) => n.startsWith('CartPole-v1.fomaml.meta-batch=3.') && n.endsWith('.seed2')));
  assert.deepEqual(await experimentContent(queued), await experimentContent(serial));
  process.kill(-w.pid!, 'SIGINT');
});

test('an unreachable Redis is one line within seconds, and nothing is created', async () => {
  const closed = `redis://127.0.0.1:${await freePort()}`;
  const out = join(root, 'never');
  for (const args of [['worker', '--queue', closed], ['experiment', '--queue', closed, '--out', out, '--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1']]) {
    const t0 = performance.now();
    const r = await dmaml(args);
    const seconds = (performance.now() - t0) / 1000;
    assert.equal(r.code, 2, `${args[0]}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${args[0]}: one line, got\n${r.stderr}`);
    assert.match(lines[0], /^dmaml: --queue: got "redis:\/\/127\.0\.0\.1:\d+"; allowed: a reachable Redis server \(connect ECONNREFUSED/);
    assert.ok(seconds < 30, `${args[0]}: ${seconds.toFixed(1)} s`);
  }
  assert.ok(!existsSync(out));
  const bad = await dmaml(['worker', '--queue', 'http://127.0.0.1:1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^dmaml: --queue: got "http:\/\/127\.0\.0\.1:1"; allowed: redis:\/\/HOST:PORT/);
});
