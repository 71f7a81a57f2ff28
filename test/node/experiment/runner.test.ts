// `dmaml experiment` end to end, as a user runs it (child processes, real files): the controls'
// plumbing (the outer-lr sweep's pick, the random-task and β_d arms, held-out records), the
// generated report, and resumability — a runner killed mid-grid (its whole process group, like a
// crash) and run again ends with the same results as one that ran straight through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { experimentContent, jsonLines } from './content';
import { BIN, dmaml as dmamlProcess } from '../helpers';


const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml', 'directed-fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 3 },
  perEnv: { 'CartPole-v1': { threshold: 16 } },
  heldout: { every: 2, tasks: 2, seed: 99, steps: 2, episodes: 2 },
  controls: { outerLrSweep: { rates: [0.001, 0.03], seeds: [9], widen: 0 }, randomMedium: true, directedLrSweep: { rates: [0.05] } },
};

let root: string, gridPath: string, straight: string;
/** The --workers of every training process the straight run started (read from its cells' locks). */
let straightWorkers: Set<number>;
const CORES = availableParallelism();

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });

/**
 * dmaml experiment …, watching the locks of its cells while it runs: each training process holds
 * its cell's run.lock, which records its command line; gives the --workers values seen.
 */
async function experimentWatchingCells(args: string[], out: string): Promise<{ code: number; stderr: string; workers: Set<number> }> {
  const cellLocks = async () => {
    const cells = existsSync(join(out, 'cells')) ? await readdir(join(out, 'cells')) : [];
    const locks = await Promise.all(cells.map((cell) => readFile(join(out, 'cells', cell, 'run.lock'), 'utf8').catch(() => '')));
    return locks.filter((l) => l !== '').map((l) => JSON.parse(l) as { nonce: string; command: string });
  };
  // Locks a killed run left behind are not this run's.
  const old = new Set((await cellLocks()).map((l) => l.nonce));
  const child = spawn(process.execPath, [BIN, 'experiment', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<number>((r) => child.on('close', (code) => r(code ?? -1)));
  const workers = new Set<number>();
  let running = true;
  void exited.then(() => { running = false; });
  while (running) {
    for (const lock of (await cellLocks().catch(() => [])).filter((l) => !old.has(l.nonce))) {
      const w = /^dmaml train --workers (\d+) /.exec(lock.command);
      if (w) workers.add(Number(w[1]));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { code: await exited, stderr, workers };
}

before(async () => {
  await dm.init();
  root = await mkdtemp(join(tmpdir(), 'dmaml-experiment-'));
  gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  straight = join(root, 'straight');
  const r = await experimentWatchingCells(['--grid', gridPath, '--out', straight, '--jobs', '2'], straight);
  assert.equal(r.code, 0, r.stderr);
  straightWorkers = r.workers;
});

test('cores: with --jobs J, every cell trains with max(1, floor(cores / J)) worker threads; the lock is gone at the end', async () => {
  assert.deepEqual([...straightWorkers], [Math.max(1, Math.floor(CORES / 2))]);
  assert.ok(!existsSync(join(straight, 'run.lock')), 'the experiment lock was released');
  for (const cell of await readdir(join(straight, 'cells'))) assert.ok(!existsSync(join(straight, 'cells', cell, 'run.lock')), cell);
});
after(async () => { await rm(root, { recursive: true, force: true }); });

const cellDir = (dir: string, name: string) => join(dir, 'cells', name);

async function postAuc(dir: string): Promise<number> {
  const lines = await jsonLines(join(dir, 'metrics.jsonl'));
  return lines.reduce((s, m) => s + m.postReturn, 0) / lines.length;
}

test('controls: the sweep picks the rate of largest AUC on its own seeds; every arm runs with what it should', async () => {
  const names = (await readdir(join(straight, 'cells'))).sort();
  const aucLow = await postAuc(cellDir(straight, 'CartPole-v1.fomaml.outer-lr=0.001.seed9'));
  const aucHigh = await postAuc(cellDir(straight, 'CartPole-v1.fomaml.outer-lr=0.03.seed9'));
  assert.notEqual(aucLow, aucHigh);
  const picked = aucHigh > aucLow ? 0.03 : 0.001;
  assert.deepEqual(names, [
    `CartPole-v1.directed-fomaml.directed-lr=0.05.outer-lr=${picked}.seed1`, `CartPole-v1.directed-fomaml.directed-lr=0.05.outer-lr=${picked}.seed2`,
    `CartPole-v1.directed-fomaml.medium=random.outer-lr=${picked}.seed1`, `CartPole-v1.directed-fomaml.medium=random.outer-lr=${picked}.seed2`,
    `CartPole-v1.directed-fomaml.outer-lr=${picked}.seed1`, `CartPole-v1.directed-fomaml.outer-lr=${picked}.seed2`,
    `CartPole-v1.fomaml.outer-lr=${picked}.seed1`, `CartPole-v1.fomaml.outer-lr=${picked}.seed2`,
    'CartPole-v1.fomaml.outer-lr=0.001.seed9', 'CartPole-v1.fomaml.outer-lr=0.03.seed9',
  ].sort());
  const state = async (name: string) => dm.deserializeState(await readFile(join(cellDir(straight, name), 'state.json'), 'utf8')) as { config: dm.TrainConfig; iteration: number };
  for (const name of names) {
    const { config, iteration } = await state(name);
    assert.equal(iteration, 3, name);
    const seed = Number(/seed(\d+)$/.exec(name)![1]);
    assert.equal(config.seed, seed, name);
    assert.equal(config.metaBatch, 2, name);
    assert.equal(config.outerLr, seed === 9 ? Number(/outer-lr=([^.]+(?:\.\d+)?)/.exec(name)![1]) : picked, name);
    assert.equal(config.medium, name.includes('medium=random') ? 'random' : undefined, name);
    // β_d: the sweep's rate, else the default (innerLr); a non-directed config has no directed-only field at all.
    assert.equal(config.directedLr, name.includes('directed-lr=0.05') ? 0.05 : config.algo.startsWith('directed-') ? config.innerLr : undefined, name);
    if (!config.algo.startsWith('directed-')) for (const key of ['directedLr', 'directedVariant', 'directedSchedule', 'medium']) assert.ok(!(key in config), `${name}: ${key}`);
    assert.equal(config.algo, name.includes('directed') ? 'directed-fomaml' : 'fomaml', name);
    // the directed arms took their directed step at every iteration
    const metrics = await jsonLines(join(cellDir(straight, name), 'metrics.jsonl'));
    assert.deepEqual(metrics.map((m) => m.directedStep), config.algo === 'directed-fomaml' ? [1, 1, 1] : [0, 0, 0], name);
    // held-out evaluation at iterations 2 and 3 of reported cells (not of tuning ones)
    const heldout = existsSync(join(cellDir(straight, name), 'heldout.jsonl')) ? await jsonLines(join(cellDir(straight, name), 'heldout.jsonl')) : [];
    if (seed === 9) assert.equal(heldout.length, 0, name);
    else {
      assert.deepEqual(heldout.map((h) => h.iteration), [2, 3], name);
      for (const h of heldout) {
        assert.equal(h.taskSeed, 99);
        assert.equal(h.returns.length, 2, 'two test tasks');
        assert.ok(h.returns.every((r: number[]) => r.length === 3), 'returns after 0, 1, 2 steps');
        assert.equal(h.mean[1], (h.returns[0][1] + h.returns[1][1]) / 2);
      }
    }
  }
  // The same held-out tasks for every cell (drawn from the held-out seed, not the run's).
  const tasks = new Set<string>();
  for (const name of names.filter((n) => !n.endsWith('seed9'))) tasks.add(JSON.stringify((await jsonLines(join(cellDir(straight, name), 'heldout.jsonl')))[0].tasks));
  assert.equal(tasks.size, 1);
});

test('report: results.jsonl, RESULTS.md and figures, with verdicts for the claims and the controls', async () => {
  const results = await jsonLines(join(straight, 'results.jsonl'));
  const types = results.map((r) => r.type);
  assert.equal(types.filter((t) => t === 'cell').length, 10);
  assert.equal(types.filter((t) => t === 'tuning').length, 1);
  assert.equal(types.filter((t) => t === 'arm').length, 4);
  assert.equal(types.filter((t) => t === 'comparison').length, 3); // directed, random control, each vs fomaml; directed vs random
  const claims = results.filter((r) => r.type === 'claim');
  assert.deepEqual(claims.map((c) => [c.metric, c.primary]), [['envStepsToThreshold', true], ['iterationsToThreshold', false], ['iterationsToThreshold', false], ['auc', false]]);
  for (const c of claims) assert.ok(['holds', 'does not hold', 'inconclusive', 'tie at ceiling'].includes(c.verdict));
  // A cell line agrees with its metrics file.
  const cell = results.find((r) => r.type === 'cell' && r.cell.startsWith('CartPole-v1.fomaml.') && r.seed === 1);
  const metrics = await jsonLines(join(cellDir(straight, cell.cell), 'metrics.jsonl'));
  assert.equal(cell.auc, metrics.reduce((s, m) => s + m.postReturn, 0) / 3);
  assert.equal(cell.finalReturn, metrics[2].postReturn);
  const md = await readFile(join(straight, 'RESULTS.md'), 'utf8');
  assert.match(md, /^# Directed-MAML/);
  assert.match(md, new RegExp(`dmaml experiment --grid ${gridPath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  assert.match(md, /threshold \*\*16\*\*/);
  assert.match(md, /random task/);
  assert.match(md, /β_d 0\.05/);
  // β_d of the settings line comes from a directed cell (a fomaml config has none); with a sweep,
  // the outer rate is each arm's (no single rate is claimed for the env).
  assert.match(md, /outer Adam lr picked per base algorithm \(each arm's is in its name\), β_d = 0\.1; task ranges/);
  assert.doesNotMatch(md, /undefined/);
  // Run locally with --jobs 2: the report says so, and how its seconds were measured (not "queue workers").
  assert.match(md, /cells ran locally with 2 at a time\. .*measured with 2 cells running at a time on the same cores/);
  for (const f of ['CartPole-v1-curves.svg', 'CartPole-v1-kshot.svg', 'CartPole-v1-differences.svg']) {
    const svg = await readFile(join(straight, 'figures', f), 'utf8');
    assert.match(svg, /^<svg /);
    assert.match(md, new RegExp(`figures/${f}`));
  }
});

test('resumable: a runner killed mid-grid and run again gives the results of an uninterrupted run', async () => {
  const resumed = join(root, 'resumed');
  const args = [BIN, 'experiment', '--grid', gridPath, '--out', resumed, '--jobs', '2'];
  // Its own process group, so the kill takes the runner and every cell process at once (a crash).
  // (TMPDIR: a killed cell leaves its temporary --config file behind; keep it in the test's directory.)
  const child = spawn(process.execPath, args, { detached: true, stdio: 'ignore', env: { ...process.env, TMPDIR: root } });
  const exited = new Promise((r) => child.on('exit', r));
  // Kill once a reported cell has a checkpoint and the grid is not done.
  const deadline = Date.now() + 240_000;
  let killed = false;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const cells = existsSync(join(resumed, 'cells')) ? await readdir(join(resumed, 'cells')) : [];
    const iterations = await Promise.all(cells.filter((c) => !c.endsWith('seed9')).map((c) =>
      readFile(join(resumed, 'cells', c, 'state.json'), 'utf8').then((t) => (dm.deserializeState(t) as { iteration: number }).iteration, () => 0)));
    if (iterations.some((i) => i > 0 && i < 3)) {
      process.kill(-child.pid!, 'SIGKILL');
      killed = true;
      break;
    }
  }
  await exited;
  assert.ok(killed, 'the runner was killed mid-grid');
  assert.ok(!existsSync(join(resumed, 'results.jsonl')), 'the grid was not finished when killed');
  // What a kill leaves besides (simulated, as a kill can land anywhere): a complete metrics line past
  // the checkpoint and a torn one after it (killed between the append and state.json, then in the
  // middle of the next append), and a dead writer's temporary file. `dmaml train --resume` (not the
  // runner) cuts the metrics to the checkpoint, and the lock removes the temporary file.
  const mid = [];
  for (const c of (await readdir(join(resumed, 'cells'))).filter((n) => !n.endsWith('seed9'))) {
    const at = await readFile(join(resumed, 'cells', c, 'state.json'), 'utf8').then((t) => (dm.deserializeState(t) as { iteration: number }).iteration, () => 0);
    if (at > 0 && at < 3) mid.push({ cell: c, at });
  }
  assert.ok(mid.length >= 1);
  const torn = join(resumed, 'cells', mid[0].cell);
  const lines = (await readFile(join(torn, 'metrics.jsonl'), 'utf8')).split('\n').filter((l) => l !== '').slice(0, mid[0].at);
  const extra = JSON.stringify({ ...JSON.parse(lines[lines.length - 1]), iteration: mid[0].at + 1, postReturn: 12345 });
  await writeFile(join(torn, 'metrics.jsonl'), `${lines.join('\n')}\n${extra}\n{"iteration":${mid[0].at + 2},"preRet`);
  const deadPid = await new Promise<number>((r) => { const c = spawn(process.execPath, ['-e', '']); c.on('exit', () => r(c.pid!)); });
  const litter = join(torn, `state.json.tmp-${deadPid}-abc123`);
  await writeFile(litter, 'half a state');

  // Resumed with another --jobs: other worker counts (not part of a run), the same results.
  args[args.indexOf('--jobs') + 1] = '1';
  const r = await experimentWatchingCells(args.slice(2), resumed);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...r.workers], [Math.max(1, CORES)]);
  assert.ok(!existsSync(litter), 'the dead writer\'s temporary file was removed');
  // The tuning cells were complete (skipped); at least one reported cell resumed from its checkpoint.
  assert.match(r.stderr, /dmaml experiment: tuning 2 cells: 2 complete, 0 to resume, 0 to start/);
  const resuming = Number(/dmaml experiment: 8 cells: \d+ complete, (\d+) to resume, \d+ to start/.exec(r.stderr)?.[1]);
  assert.ok(resuming >= 1, r.stderr);
  assert.deepEqual(await experimentContent(resumed), await experimentContent(straight));

  // Run once more: every cell is complete, nothing runs again.
  const stateFile = join(resumed, 'cells', 'CartPole-v1.fomaml.outer-lr=0.001.seed9', 'state.json');
  const mtime = (await stat(stateFile)).mtimeMs;
  const again = await dmaml(args.slice(1));
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await stat(stateFile)).mtimeMs, mtime);
  // Another grid into the same directory is refused.
  const other = await dmaml(['experiment', '--grid', gridPath, '--out', resumed, '--iterations', '4']);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /^dmaml: --out: .*records another grid/);
});
