// The oracle control (grid.controls.oracle): its grid errors; its cells (one per held-out task and
// control seed, ranges fixed at that task, the main arm's budget and outer rate, evaluated on that
// task alone); the headroom analysis on constructed results, against numbers worked out by hand
// (headroom: the medium-task claims are tested; no headroom: they leave the Holm family and the
// report lists them as not tested); and a tiny real experiment, run locally and on a queue.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { resolveGrid, mainCells, cellResult, analyse, resultsMarkdown, headroomOf, controlSeedsOf, heldoutEvaluation, type CellResult, type Grid, type Cell } from 'directed-maml/node';
import { experimentContent, jsonLines } from './content';
import { freePort, startRedisServer } from './redis';
import { BIN, dmaml as dmamlProcess } from '../helpers';

before(async () => { await dm.init(); });

const base = { envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2, 3], heldout: { every: 5, tasks: 3, seed: 5, steps: 2, episodes: 2 } };

function refused(grid: unknown, field: string, allowed: RegExp): void {
  assert.throws(() => resolveGrid(grid), (e: Error) => {
    assert.ok(e instanceof dm.ConfigError, `a ConfigError, got ${e}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.allowed, allowed, e.message);
    return true;
  });
}

test('grid.controls.oracle: its errors name the entry and the allowed range; true takes the defaults', () => {
  refused({ ...base, controls: { oracle: { tasks: 0 } } }, 'grid.controls.oracle.tasks', /^an integer in \[1, 3\]$/);
  refused({ ...base, controls: { oracle: { tasks: 4 } } }, 'grid.controls.oracle.tasks', /^an integer in \[1, 3\]$/);
  refused({ ...base, controls: { oracle: { tasks: 1.5 } } }, 'grid.controls.oracle.tasks', /\[1, 3\]/);
  refused({ ...base, controls: { oracle: { algo: 'directed-fomaml' } } }, 'grid.controls.oracle.algo', /non-directed algorithms of grid\.algos: fomaml$/);
  refused({ ...base, controls: { oracle: { algo: 'maml' } } }, 'grid.controls.oracle.algo', /fomaml/);
  refused({ ...base, controls: { oracle: { size: 2 } } }, 'grid.controls.oracle.size', /tasks, algo/);
  refused({ ...base, controls: { oracle: 'yes' } }, 'grid.controls.oracle', /true \| false \| an object/);
  refused({ ...base, algos: ['directed-fomaml'], controls: { oracle: true } }, 'grid.controls.oracle', /non-directed/);
  refused({ ...base, algos: ['meta-sgd'], controls: { oracle: true } }, 'grid.controls.oracle.algo', /maml or fomaml, is not in grid\.algos/);
  refused({ ...base, heldout: { ...base.heldout, steps: 0 }, controls: { oracle: true } }, 'grid.heldout.steps', /at least 1 with controls\.oracle/);
  assert.deepEqual(resolveGrid({ ...base, controls: { oracle: true } }).controls.oracle, { tasks: 3, algo: 'fomaml' });
  assert.deepEqual(resolveGrid({ ...base, heldout: { tasks: 10 }, controls: { oracle: true } }).controls.oracle, { tasks: 5, algo: 'fomaml' });
  assert.deepEqual(resolveGrid({ ...base, algos: ['meta-sgd', 'fomaml', 'maml'], controls: { oracle: true } }).controls.oracle, { tasks: 3, algo: 'maml' });
  assert.deepEqual(resolveGrid({ ...base, algos: ['meta-sgd', 'fomaml'], controls: { oracle: { tasks: 2, algo: 'meta-sgd' } } }).controls.oracle, { tasks: 2, algo: 'meta-sgd' });
  assert.equal(resolveGrid({ ...base, controls: { oracle: false } }).controls.oracle, undefined);
});

test('oracle cells: per held-out task and control seed, ranges fixed at the task, the main arm\'s budget and picked outer rate', () => {
  const grid = resolveGrid({ ...base, config: { iterations: 4, metaBatch: 3 }, controls: { oracle: { tasks: 2 }, outerLrSweep: { rates: [0.001, 0.01], seeds: [9] } } });
  assert.deepEqual(controlSeedsOf(grid), [1, 2, 3]);
  const cells = mainCells(grid, { 'CartPole-v1': { fomaml: 0.01, 'directed-fomaml': 0.001 } });
  const oracles = cells.filter((c) => c.overrides.oracle !== undefined);
  assert.deepEqual(oracles.map((c) => c.name), [0, 1].flatMap((i) => [1, 2, 3].map((s) => `CartPole-v1.fomaml.oracle=${i}.outer-lr=0.01.seed${s}`)));
  const main = cells.find((c) => c.name === 'CartPole-v1.fomaml.outer-lr=0.01.seed2')!;
  // The held-out tasks as the evaluation draws them, from the main cells' ranges.
  const family = dm.taskFamily('CartPole-v1', main.config.ranges);
  const tasks = family.sample(3, { seed: 5 });
  const P = family.numParams;
  assert.ok(P >= 1);
  for (const c of oracles) {
    const i = c.overrides.oracle!;
    const fixed = Object.fromEntries(family.paramNames.map((n, k) => [n, tasks[i * P + k]]));
    assert.deepEqual(c.config.ranges, fixed, c.name);
    assert.deepEqual(c.heldout, { ...grid.heldout, task: i }, c.name);
    assert.equal(c.phase, 'main');
    const twin = cells.find((x) => x.name === `CartPole-v1.fomaml.outer-lr=0.01.seed${c.seed}`)!;
    assert.deepEqual({ ...c.config, ranges: null }, { ...twin.config, ranges: null }, `${c.name}: the main arm's config but the ranges`);
    assert.notDeepEqual(c.config.ranges, twin.config.ranges);
  }
  // Two oracles of different tasks train on different tasks.
  assert.notDeepEqual(oracles[0].config.ranges, oracles[3].config.ranges);
});

// ---- The analysis on constructed results.

const ITERATIONS = 10;
function ramp(slope: number): dm.IterationMetrics[] {
  return Array.from({ length: ITERATIONS }, (_, i) => ({
    iteration: i + 1, preReturn: 0, postReturn: slope * (i + 1), sampleSeconds: 0, gradSeconds: 0, seconds: 1, envSteps: 100,
  }) as dm.IterationMetrics);
}

/**
 * Results of every main cell: the fomaml arm's held-out returns per task (k = 0, 1, 2) are
 * [5, 7, 10 + s] on task 0, [5, 7, 20] on task 1 and [5, 7, 1000] on task 2 (no oracle: must not
 * count); oracle i of seed s ends (k = 2) at the meta k-shot on task i plus gap(s, i). The directed
 * arm climbs faster than its random-task control, so the medium-task claims have data.
 */
function results(grid: Grid, gap: (seed: number, task: number) => number): CellResult[] {
  return mainCells(grid).map((cell: Cell) => {
    const s = cell.seed;
    const metaK = [10 + s, 20, 1000];
    let returns: number[][];
    if (cell.overrides.oracle !== undefined) {
      const i = cell.overrides.oracle;
      returns = [[3, 4, metaK[i] + gap(s, i)]];
    } else returns = metaK.map((r) => [5, 7, r]);
    const mean = returns[0].map((_, k) => returns.reduce((t, r) => t + r[k], 0) / returns.length);
    const slope = cell.algo === 'fomaml' ? 2 : cell.overrides.medium === 'random' ? 3 + s / 10 : 8 + s / 10;
    return cellResult(cell, ramp(slope), [{ iteration: ITERATIONS, mean, returns }], 50);
  });
}

const gridOf = (oracle: boolean): Grid => resolveGrid({
  ...base, config: { iterations: ITERATIONS }, perEnv: { 'CartPole-v1': { threshold: 50 } },
  controls: { randomMedium: true, ...(oracle ? { oracle: { tasks: 2 } } : {}) },
});
const MEDIUM = /^the medium task matters/;
const context = { command: 'dmaml experiment', jobs: 1, where: 'local', machine: 'test' };

test('headroom: the gap per seed, paired, with its t interval; above 0, the medium-task claims are tested', () => {
  const grid = gridOf(true);
  // gap_s = mean over tasks 0, 1 of (30 + s): 31, 32, 33 → 32 ± t(0.975, 2)·1/√3.
  const report = analyse(grid, results(grid, (s) => 30 + s));
  assert.equal(report.headroom.length, 1);
  const h = report.headroom[0];
  const half = 4.302652729911275 / Math.sqrt(3);
  assert.deepEqual({ ...h, gap: null, zeroShot: null, kShot: null, oracle: null },
    { type: 'headroom', env: 'CartPole-v1', algo: 'fomaml', arm: 'CartPole-v1.fomaml', tasks: 2, steps: 2, seeds: [1, 2, 3], gap: null, zeroShot: null, kShot: null, oracle: null, label: 'headroom' });
  assert.equal(h.gap.n, 3);
  assert.ok(Math.abs(h.gap.mean - 32) < 1e-9 && Math.abs(h.gap.lo - (32 - half)) < 1e-6 && Math.abs(h.gap.hi - (32 + half)) < 1e-6, JSON.stringify(h.gap));
  assert.equal(h.zeroShot.mean, 5);
  assert.ok(Math.abs(h.kShot.mean - 16) < 1e-9, `k-shot over tasks 0, 1 only: mean of 15 + s/2 = 16, got ${h.kShot.mean}`);
  assert.ok(Math.abs(h.oracle.mean - 48) < 1e-9);
  assert.equal(report.claims.filter((c) => MEDIUM.test(c.claim)).length, 2);
  assert.deepEqual(report.untested, []);
  // Oracle cells are not arms.
  assert.ok(report.arms.every((a) => a.overrides.oracle === undefined));
  const md = resultsMarkdown(grid, mainCells(grid), report, {}, context);
  assert.ok(md.indexOf('## Adaptation headroom') > 0 && md.indexOf('## Adaptation headroom') < md.indexOf('## Method'));
  assert.match(md, /\| CartPole-v1 \| 1, 2, 3 \| 5\.00 \[5\.00, 5\.00\] \| 16\.0 \[.*\] \| 48\.0 \[.*\] \| \+32\.0 \[29\.5, 34\.5\] \| \*\*headroom\*\* \|/);
  assert.doesNotMatch(md, /not tested: no headroom/);
});

test('no headroom: an interval containing 0 (or below it) drops the medium-task claims from the Holm family; the report says so', () => {
  const grid = gridOf(true);
  const with0 = analyse(grid, results(grid, (s) => 30 + s));
  for (const gaps of [[1, -1, 0.5], [-5, -6, -7]]) {
    const report = analyse(grid, results(grid, (s) => gaps[s - 1]));
    const h = report.headroom[0];
    assert.equal(h.label, 'no headroom');
    assert.ok(Math.abs(h.gap.mean - (gaps[0] + gaps[1] + gaps[2]) / 3) < 1e-9);
    assert.deepEqual(report.claims.filter((c) => MEDIUM.test(c.claim)), []);
    assert.equal(report.claims.length, with0.claims.length - 2, 'the other claims stay');
    assert.deepEqual(report.untested.map((u) => [u.claim.match(MEDIUM) !== null, u.reason, u.gap]), [[true, 'no headroom', h.gap], [true, 'no headroom', h.gap]]);
    // The comparison itself is still computed and shown.
    assert.ok(report.comparisons.some((c) => c.kind === 'medium-vs-random'));
    const md = resultsMarkdown(grid, mainCells(grid), report, {}, context);
    assert.equal(md.match(/\| not tested: no headroom \(gap [-+][\d.]+ \[[-\d.]+, [-\d.]+\]\) \|/g)?.length, 2, md);
    assert.match(md, /no headroom — (the gap lies below 0|its interval contains 0 \(within noise\)).*; 2 medium-task claims not tested\./);
  }
  // A missing oracle leaves its seed out of the pairing.
  const partial = results(grid, (s) => 30 + s).filter((r) => r.cell !== 'CartPole-v1.fomaml.oracle=1.seed3');
  assert.deepEqual(headroomOf(grid, partial)[0].seeds, [1, 2]);
});

test('without the oracle control: no headroom record, the medium-task claims as before', () => {
  const grid = gridOf(false);
  const report = analyse(grid, results(grid, () => 0));
  assert.deepEqual(report.headroom, []);
  assert.deepEqual(report.untested, []);
  assert.equal(report.claims.filter((c) => MEDIUM.test(c.claim)).length, 2);
  assert.doesNotMatch(resultsMarkdown(grid, mainCells(grid), report, {}, context), /Adaptation headroom/);
});

// ---- A tiny real experiment: locally, then on a queue.

const GRID = {
  envs: ['Navigation2D-v0'],
  algos: ['fomaml', 'directed-fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 2 },
  perEnv: { 'Navigation2D-v0': { threshold: -5 } },
  heldout: { every: 2, tasks: 2, seed: 99, steps: 1, episodes: 2 },
  controls: { randomMedium: true, oracle: { tasks: 2 } },
};
let root: string;
let redis: ChildProcess | undefined;
const workers: ChildProcess[] = [];
after(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) process.kill(-w.pid!, 'SIGKILL');
  redis?.kill('SIGKILL');
  if (root) await rm(root, { recursive: true, force: true });
});

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });

test('a real experiment: oracle cells train on their task alone, are scored on its common batch, and the headroom record exists; a queue run equals it', async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-oracle-'));
  const gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  const local = join(root, 'local');
  const r = await dmaml(['experiment', '--grid', gridPath, '--out', local, '--jobs', '2']);
  assert.equal(r.code, 0, r.stderr);
  const cell = (name: string) => join(local, 'cells', name);
  const mainHeldout = await jsonLines(join(cell('Navigation2D-v0.fomaml.seed1'), 'heldout.jsonl'));
  const last = mainHeldout[mainHeldout.length - 1];
  assert.equal(last.tasks.length, 2);
  const family = dm.taskFamily('Navigation2D-v0');
  for (const seed of [1, 2]) {
    for (const i of [0, 1]) {
      const name = `Navigation2D-v0.fomaml.oracle=${i}.seed${seed}`;
      const run = JSON.parse(await readFile(join(cell(name), 'run.json'), 'utf8'));
      const ranges = (run.config ?? run.identity?.config ?? run).ranges;
      // Every range fixed at held-out task i's values (as the main cells' held-out record lists them).
      assert.deepEqual(ranges, Object.fromEntries(family.paramNames.map((n, k) => [n, last.tasks[i][k]])), `${name}: ${JSON.stringify(ranges)}`);
      const records = await jsonLines(join(cell(name), 'heldout.jsonl'));
      const rec = records[records.length - 1];
      assert.equal(rec.task, i);
      assert.deepEqual(rec.tasks, [last.tasks[i]]);
      assert.equal(rec.returns.length, 1);
    }
  }
  // Task i alone is scored exactly as in the full evaluation (its own rollout seeds: the common
  // batch of task i): the main cell's policy evaluated on task 1 alone gives its row of the record.
  const alone = await heldoutEvaluation(cell('Navigation2D-v0.fomaml.seed1'), { tasks: 2, taskSeed: 99, steps: 1, episodes: 2, task: 1 });
  assert.deepEqual(alone.returns, [last.returns[1]]);
  assert.deepEqual(alone.mean, last.returns[1]);
  const lines = await jsonLines(join(local, 'results.jsonl'));
  const headroom = lines.filter((l) => l.type === 'headroom');
  assert.equal(headroom.length, 1);
  assert.equal(headroom[0].env, 'Navigation2D-v0');
  assert.deepEqual(headroom[0].seeds, [1, 2]);
  assert.ok(['headroom', 'no headroom'].includes(headroom[0].label));
  // The pairing by hand from the cells' records: gap_s = mean_i (oracle_i k-shot − meta k-shot on task i).
  const gaps: number[] = [];
  for (const seed of [1, 2]) {
    const meta = (await jsonLines(join(cell(`Navigation2D-v0.fomaml.seed${seed}`), 'heldout.jsonl'))).at(-1);
    let sum = 0;
    for (const i of [0, 1]) sum += (await jsonLines(join(cell(`Navigation2D-v0.fomaml.oracle=${i}.seed${seed}`), 'heldout.jsonl'))).at(-1).mean[1] - meta.returns[i][1];
    gaps.push(sum / 2);
  }
  assert.ok(Math.abs(headroom[0].gap.mean - (gaps[0] + gaps[1]) / 2) < 1e-9);
  const md = await readFile(join(local, 'RESULTS.md'), 'utf8');
  assert.match(md, /## Adaptation headroom/);
  if (headroom[0].label === 'no headroom') assert.match(md, /not tested: no headroom/);
  assert.ok(!lines.some((l) => l.type === 'arm' && /oracle/.test(l.arm)), 'oracle cells are not arms');

  // The same grid on a queue (one worker): the oracle cells go through jobCell and come back the same.
  const port = await freePort();
  redis = await startRedisServer(port, root);
  const url = `redis://127.0.0.1:${port}`;
  const tmp = join(root, 'worker');
  await mkdir(tmp);
  let log = '';
  const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--jobs', '1'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  w.stderr!.on('data', (b) => { log += b; });
  workers.push(w);
  const queued = join(root, 'queued');
  const q = await dmaml(['experiment', '--grid', gridPath, '--out', queued, '--queue', url]);
  assert.equal(q.code, 0, `${q.stderr}\nworker:\n${log}`);
  assert.match(log, /cell Navigation2D-v0\.fomaml\.oracle=1\.seed2 done/);
  assert.deepEqual(await experimentContent(queued), await experimentContent(local));
  process.kill(-w.pid!, 'SIGINT');
});
