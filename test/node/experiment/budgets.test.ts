// Matched budgets and fair baselines (src/node/experiment/grid.ts, analysis.ts, tuning.ts): control
// arms on a subset of the seeds (controls.seeds), an outer-lr pick at an edge widened on the sweep's
// log spacing (outerLrSweep.widen), β_d tuned with the outer rate (outerLrSweep.directedLrs) — on
// constructed numbers against answers worked out by hand, then one real experiment whose picks are
// on an edge by construction (two rates), run and run again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import {
  resolveGrid, tuneCells, mainCells, controlSeedsOf, armName, cellResult, tuningOf, widenSweep, analyse, edgeWarnings, resultsMarkdown,
  type Cell, type Grid, type TuningResult,
} from 'directed-maml/node';
import { jsonLines } from './content';
import { BIN, dmaml as dmamlProcess } from '../helpers';

const ITERATIONS = 10;
const THRESHOLD = 50;
before(async () => { await dm.init(); });

const base = { envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2, 3, 4], config: { iterations: ITERATIONS } };

function refused(raw: unknown, field: string, allowed: RegExp): void {
  assert.throws(() => resolveGrid(raw), (e: Error) => {
    assert.ok(e instanceof dm.ConfigError, `a ConfigError, got ${e}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.allowed, allowed, e.message);
    return true;
  });
}

test('grid: controls.seeds, outerLrSweep.widen and directedLrs are checked, each error naming its entry', () => {
  refused({ ...base, controls: { seeds: [1, 7] } }, 'grid.controls.seeds[1]', /a seed of grid\.seeds \(1, 2, 3, 4\)/);
  refused({ ...base, controls: { seeds: [2, 2] } }, 'grid.controls.seeds[1]', /at most once/);
  refused({ ...base, controls: { seeds: [] } }, 'grid.controls.seeds', /non-empty list/);
  const sweep = { rates: [0.001, 0.01], seeds: [9] };
  refused({ ...base, controls: { outerLrSweep: { ...sweep, widen: 6 } } }, 'grid.controls.outerLrSweep.widen', /an integer in \[0, 5\]/);
  refused({ ...base, controls: { outerLrSweep: { ...sweep, widen: 1.5 } } }, 'grid.controls.outerLrSweep.widen', /an integer in \[0, 5\]/);
  refused({ ...base, controls: { outerLrSweep: { ...sweep, directedLrs: [0.1, -1] } } }, 'grid.controls.outerLrSweep.directedLrs[1]', /a number > 0/);
  refused({ ...base, controls: { outerLrSweep: { ...sweep, directedLrs: [] } } }, 'grid.controls.outerLrSweep.directedLrs', /non-empty list/);
  refused({ ...base, algos: ['fomaml'], controls: { outerLrSweep: { ...sweep, directedLrs: [0.1] } } }, 'grid.controls.outerLrSweep.directedLrs', /directed-\* algorithm/);
  refused({ ...base, controls: { outerLrSweep: { ...sweep, directedLrs: [0.1] }, directedLrSweep: { rates: [0.3] } } }, 'grid.controls.outerLrSweep.directedLrs', /directedLrSweep/);
  refused({ ...base, config: { iterations: 3, directedLr: 0.2 }, controls: { outerLrSweep: { ...sweep, directedLrs: [0.1] } } }, 'grid.config.directedLr', /the sweep picks it/);
  // The cell count counts control arms on the control seeds, and the sweep at its widest.
  // 2 × 5000 + 1 cells: refused; 2 × 4000 + 3 × 1: fine (5 × 4000 if the controls ran on every seed).
  refused({ ...base, seeds: Array.from({ length: 5000 }, (_, i) => i), controls: { randomMedium: true, seeds: [1] } }, 'grid', /at most 10000 cells/);
  assert.doesNotThrow(() => resolveGrid({ ...base, seeds: Array.from({ length: 4000 }, (_, i) => i), controls: { randomMedium: true, extraTask: true, nonMeta: true, seeds: [1] } }));
  refused({ ...base, seeds: Array.from({ length: 4000 }, (_, i) => i), controls: { randomMedium: true, extraTask: true, nonMeta: true } }, 'grid', /at most 10000 cells/);
});

test('controls.seeds: the control arms run on those seeds, the algorithms on all; by default every cell is as before', () => {
  const controls = { randomMedium: true, extraTask: true, nonMeta: true };
  const all = resolveGrid({ ...base, controls });
  const some = resolveGrid({ ...base, controls: { ...controls, seeds: [3, 1] } });
  assert.deepEqual(controlSeedsOf(all), [1, 2, 3, 4]);
  assert.deepEqual(controlSeedsOf(some), [3, 1]);
  const byArm = (cells: Cell[]) => {
    const out: Record<string, number[]> = {};
    for (const c of cells) (out[c.arm] ??= []).push(c.seed);
    return out;
  };
  assert.deepEqual(byArm(mainCells(all)), {
    'CartPole-v1.fomaml': [1, 2, 3, 4], 'CartPole-v1.fomaml.meta-batch=21': [1, 2, 3, 4], 'CartPole-v1.directed-fomaml': [1, 2, 3, 4],
    'CartPole-v1.directed-fomaml.medium=random': [1, 2, 3, 4], 'CartPole-v1.fomaml.inner-lr=0': [1, 2, 3, 4],
  });
  assert.deepEqual(byArm(mainCells(some)), {
    'CartPole-v1.fomaml': [1, 2, 3, 4], 'CartPole-v1.fomaml.meta-batch=21': [3, 1], 'CartPole-v1.directed-fomaml': [1, 2, 3, 4],
    'CartPole-v1.directed-fomaml.medium=random': [3, 1], 'CartPole-v1.fomaml.inner-lr=0': [3, 1],
  });
  // The same names as a grid without the key: a control seed's cell is the same run.
  const names = new Set(mainCells(all).map((c) => c.name));
  assert.ok(mainCells(some).every((c) => names.has(c.name)));
});

/** A tuning result of `rates` (ascending or not) whose pick is `picked`. */
const tuned = (arm: string, rates: number[], picked: number): TuningResult => ({
  type: 'tuning', env: 'CartPole-v1', base: arm, arm, picked, edge: null,
  rates: rates.map((outerLr) => ({ outerLr, auc: { mean: 0, lo: 0, hi: 0, n: 1 } as never })),
});

test('widenSweep: an edge pick adds the next rate on the log spacing, at most `widen` per side; an inside pick adds none', () => {
  const g = (widen?: number, rates = [0.001, 0.01]) => resolveGrid({ ...base, controls: { outerLrSweep: { rates, seeds: [9], ...(widen === undefined ? {} : { widen }) } } });
  // Highest picked: × (0.01 / 0.001); lowest: ÷ the ratio of the two lowest; inside: nothing.
  assert.deepEqual(widenSweep(g(), [tuned('fomaml', [0.001, 0.01], 0.01)]), { 'CartPole-v1': { fomaml: [0.1] } });
  assert.deepEqual(widenSweep(g(), [tuned('fomaml', [0.001, 0.01], 0.001)]), { 'CartPole-v1': { fomaml: [0.0001] } });
  assert.equal(widenSweep(g(undefined, [0.001, 0.01, 0.1]), [tuned('fomaml', [0.001, 0.01, 0.1], 0.01)]), null);
  // Uneven spacing: the two highest rates' ratio (0.003 / 0.001 = 3), written as 0.009 (not 0.008999999999999998).
  assert.deepEqual(widenSweep(g(undefined, [0.0001, 0.001, 0.003]), [tuned('fomaml', [0.0001, 0.001, 0.003], 0.003)]), { 'CartPole-v1': { fomaml: [0.009] } });
  // A lone rate: × √10.
  assert.deepEqual(widenSweep(g(undefined, [0.01]), [tuned('fomaml', [0.01], 0.01)]), { 'CartPole-v1': { fomaml: [Number((0.01 * Math.sqrt(10)).toPrecision(12))] } });
  // The default widen (2): a second round adds a second rate; a third round none (the pick stays an edge).
  assert.deepEqual(widenSweep(g(), [tuned('fomaml', [0.001, 0.01, 0.1], 0.1)]), { 'CartPole-v1': { fomaml: [0.1, 1] } });
  assert.equal(widenSweep(g(), [tuned('fomaml', [0.001, 0.01, 0.1, 1], 1)]), null);
  // Once widened, a pick back inside adds nothing, and the rates already added stay.
  assert.equal(widenSweep(g(), [tuned('fomaml', [0.001, 0.01, 0.1], 0.01)]), null);
  assert.deepEqual(widenSweep(g(), [tuned('fomaml', [0.001, 0.01, 0.1], 0.01), tuned('directed-fomaml', [0.001, 0.01], 0.001)]),
    { 'CartPole-v1': { fomaml: [0.1], 'directed-fomaml': [0.0001] } });
  // widen 0: never; widen 1: one rate per side.
  assert.equal(widenSweep(g(0), [tuned('fomaml', [0.001, 0.01], 0.01)]), null);
  assert.equal(widenSweep(g(1), [tuned('fomaml', [0.001, 0.01, 0.1], 0.1)]), null);
  assert.deepEqual(widenSweep(g(1), [tuned('fomaml', [0.001, 0.01, 0.1], 0.001)]), { 'CartPole-v1': { fomaml: [0.0001, 0.1] } });
});

test('widened tuning cells: the added rates on the same seeds; tuningOf picks among all and flags an edge of the final rates', () => {
  const g = resolveGrid({ ...base, controls: { outerLrSweep: { rates: [0.001, 0.01], seeds: [8, 9] } } });
  const cells = tuneCells(g, { 'CartPole-v1': { fomaml: [0.1] } });
  assert.deepEqual(cells.map((c) => c.name), [0.001, 0.01, 0.1].flatMap((r) => [8, 9].map((s) => `CartPole-v1.fomaml.outer-lr=${r}.seed${s}`)));
  // AUC rises with the rate: the widened 0.1 is picked, an edge still.
  const { picks, tuning } = tuningOf(g, cells, (c) => 1000 * c.overrides.outerLr!);
  assert.deepEqual(picks, { 'CartPole-v1': { fomaml: 0.1 } });
  assert.deepEqual([tuning[0].widened, tuning[0].edge, tuning[0].rates.map((r) => r.outerLr)], [[0.1], 'highest', [0.001, 0.01, 0.1]]);
  assert.equal(edgeWarnings(tuning).length, 1);
  // Peaked at 0.01: inside the widened rates, no warning.
  const inside = tuningOf(g, cells, (c) => -Math.abs(Math.log10(c.overrides.outerLr!) + 2)).tuning;
  assert.deepEqual([inside[0].picked, inside[0].edge, edgeWarnings(inside)], [0.01, null, []]);
});

/** A curve at 0 until iteration `reach`, then 400 (its trailing mean crosses 50 there). */
function stepAt(reach: number): dm.IterationMetrics[] {
  return Array.from({ length: ITERATIONS }, (_, i) => ({
    iteration: i + 1, preReturn: 0, postReturn: i + 1 >= reach ? 400 : 0, sampleSeconds: 0, gradSeconds: 0, seconds: 1, envSteps: 100,
  }));
}

test('directedLrs: the directed sweep spans rate × β_d; the pair is picked; the tuned arm is no control and keeps its claims', () => {
  const seeds = [1, 2, 3, 4, 5, 6];
  const g = resolveGrid({
    envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds, config: { iterations: ITERATIONS, metaBatch: 4, maxSteps: 200 },
    perEnv: { 'CartPole-v1': { threshold: THRESHOLD } }, heldout: { every: 5, tasks: 2, seed: 5, steps: 1, episodes: 2 },
    controls: { randomMedium: true, extraTask: true, seeds: [2, 4, 6], outerLrSweep: { rates: [0.001, 0.01], seeds: [9], directedLrs: [0.05, 0.2] } },
  });
  const tune = tuneCells(g);
  assert.deepEqual(tune.map((c) => c.name), [
    'CartPole-v1.fomaml.outer-lr=0.001.seed9', 'CartPole-v1.fomaml.outer-lr=0.01.seed9',
    'CartPole-v1.directed-fomaml.directed-lr=0.05.outer-lr=0.001.seed9', 'CartPole-v1.directed-fomaml.directed-lr=0.2.outer-lr=0.001.seed9',
    'CartPole-v1.directed-fomaml.directed-lr=0.05.outer-lr=0.01.seed9', 'CartPole-v1.directed-fomaml.directed-lr=0.2.outer-lr=0.01.seed9',
  ]);
  assert.ok(tune.every((c) => c.config.directedLr === c.overrides.directedLr));
  // The best pair: (0.001, 0.2) for the directed algorithm; 0.01 for the base.
  const auc = (c: Cell) => (c.algo === 'fomaml' ? (c.overrides.outerLr === 0.01 ? 5 : 1) : c.overrides.outerLr === 0.001 && c.overrides.directedLr === 0.2 ? 9 : 3);
  const { picks, directedPicks, tuning } = tuningOf(g, tune, auc);
  assert.deepEqual(picks, { 'CartPole-v1': { fomaml: 0.01, 'directed-fomaml': 0.001 } });
  assert.deepEqual(directedPicks, { 'CartPole-v1': { 'directed-fomaml': 0.2 } });
  assert.deepEqual(tuning.map((t) => [t.arm, t.picked, t.pickedDirectedLr, t.rates.length]), [['fomaml', 0.01, undefined, 2], ['directed-fomaml', 0.001, 0.2, 4]]);

  const cells = mainCells(g, picks, directedPicks);
  const directed = armName('CartPole-v1', 'directed-fomaml', { outerLr: 0.001, directedLr: 0.2 });
  const random = armName('CartPole-v1', 'directed-fomaml', { outerLr: 0.001, directedLr: 0.2, medium: 'random' });
  const baseArm = armName('CartPole-v1', 'fomaml', { outerLr: 0.01 });
  const extra = armName('CartPole-v1', 'fomaml', { outerLr: 0.01, metaBatch: 5 });
  const seedsOf = (arm: string) => cells.filter((c) => c.arm === arm).map((c) => c.seed);
  assert.deepEqual([seedsOf(directed), seedsOf(random), seedsOf(baseArm), seedsOf(extra)], [seeds, [2, 4, 6], seeds, [2, 4, 6]]);
  assert.ok(cells.filter((c) => c.algo === 'directed-fomaml').every((c) => c.config.directedLr === 0.2 && c.config.outerLr === 0.001));

  // The directed arm reaches at 2, the random-task control at 4, the extra-task base at 5, the base at 6.
  const reachOf = (c: Cell) => (c.algo === 'fomaml' ? (c.overrides.metaBatch ? 5 : 6) : c.overrides.medium ? 4 : 2);
  const results = cells.map((c) => cellResult(c, stepAt(reachOf(c)), [{ iteration: ITERATIONS, mean: [10, 20] }], THRESHOLD));
  const report = analyse(g, results, tuning);
  assert.deepEqual(report.arms.map((a) => [a.arm, a.control]).sort(), [[baseArm, false], [directed, false], [extra, true], [random, true]].sort());
  const kinds = report.comparisons.map((c) => [c.kind, c.arm, c.against, c.seeds]);
  assert.deepEqual(kinds, [
    ['directed-vs-base', directed, baseArm, seeds],
    ['directed-vs-extra-task', directed, extra, [2, 4, 6]],
    ['directed-vs-base', random, baseArm, [2, 4, 6]],
    ['medium-vs-random', directed, random, [2, 4, 6]],
  ]);
  // Each claim's seed count is its pair's: all six against the base, the three control seeds against a control.
  assert.deepEqual(report.claims.map((c) => [c.against, c.metric, c.diff.n, c.diff.mean]), [
    [baseArm, 'envStepsToThreshold', 6, -400], [baseArm, 'iterationsToThreshold', 6, -4],
    [extra, 'envStepsToThreshold', 3, 200 - 500], [extra, 'iterationsToThreshold', 3, -3],
    [random, 'iterationsToThreshold', 3, -2], [random, 'auc', 3, 360 - 280], // AUC: 400 × 9 / 10 against 400 × 7 / 10
  ]);

  // RESULTS.md says which seeds the controls ran on, each claim's paired seeds, and the picked β_d.
  const md = resultsMarkdown(g, cells, report, {}, { command: 'dmaml experiment --grid g.json --out x', jobs: 1, where: 'local', machine: 'test' });
  assert.match(md, /6 seeds \(1, 2, 3, 4, 5, 6\) for every arm of the grid's algorithms/);
  assert.match(md, /The control arms ran on 3 seeds of these \(2, 4, 6; grid\.controls\.seeds\)/);
  assert.match(md, /, 6 paired seeds \|/);
  assert.match(md, /, 3 paired seeds \|/);
  assert.match(md, /β_d tuned: each directed algorithm's tuning cells span the outer rates × β_d = 0\.05, 0\.2/);
  assert.match(md, /\| CartPole-v1 \| directed-fomaml \| .* \| \*\*0\.001\*\*, β_d \*\*0\.2\*\* \(the lowest rate: an edge\) \|/);
  assert.match(md, /β_d picked with the outer lr per directed algorithm/);
  assert.doesNotMatch(md, /undefined/);
});

// ---- One real experiment: two rates, so each pick is on an edge and is widened (widen 1).

const GRID = {
  envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 2 },
  perEnv: { 'CartPole-v1': { threshold: 16 } },
  heldout: { every: 2, tasks: 2, seed: 99, steps: 1, episodes: 2 },
  controls: { seeds: [2], randomMedium: true, outerLrSweep: { rates: [0.001, 0.03], seeds: [9], widen: 1, directedLrs: [0.05, 0.2] } },
};
let root: string;
after(async () => { if (root) await rm(root, { recursive: true, force: true }); });

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });

test('end to end: edge picks widened by one rate on the same seeds, re-picked from the cells\' own AUCs; β_d picked; controls on their seed; a rerun reuses everything', async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-budgets-'));
  const gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  const out = join(root, 'x');
  const r = await dmaml(['experiment', '--grid', gridPath, '--out', out, '--jobs', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /widening the outer-lr sweep \(round 1\): 3 more tuning cells/);

  // The picks, recomputed from the tuning cells' metrics files.
  const names = await readdir(join(out, 'cells'));
  const aucOf = async (name: string) => {
    const lines = await jsonLines(join(out, 'cells', name, 'metrics.jsonl'));
    return lines.reduce((s, m) => s + m.postReturn, 0) / lines.length;
  };
  const tuneNames = names.filter((n) => n.endsWith('.seed9'));
  const rateOf = (n: string) => Number(/outer-lr=(\d+(?:\.\d+)?(?:e-\d+)?)/.exec(n)![1]);
  const betaOf = (n: string) => { const m = /directed-lr=(\d+(?:\.\d+)?)/.exec(n); return m ? Number(m[1]) : undefined; };
  const best = async (algo: string) => {
    let top: { name: string; auc: number } | null = null;
    // The sweep's order, then the added rate: the first of equal AUCs wins.
    const mine = tuneNames.filter((n) => n.startsWith(`CartPole-v1.${algo}.`));
    const order = (n: string) => [0.001, 0.03].indexOf(rateOf(n)) === -1 ? 2 : [0.001, 0.03].indexOf(rateOf(n));
    mine.sort((a, b) => order(a) - order(b) || (betaOf(a) ?? 0) - (betaOf(b) ?? 0));
    for (const name of mine) { const auc = await aucOf(name); if (!top || auc > top.auc) top = { name, auc }; }
    return { names: mine, rate: rateOf(top!.name), beta: betaOf(top!.name) };
  };
  const fomaml = await best('fomaml'), directed = await best('directed-fomaml');
  // Two rates, so the first pick was an edge: one rate was added on that side (× or ÷ 30), on seed 9 (× each β_d for the directed sweep).
  assert.equal(fomaml.names.length, 3);
  assert.equal(directed.names.length, 6);
  for (const { names: ns } of [fomaml, directed]) {
    const added = [...new Set(ns.map(rateOf))].filter((x) => x !== 0.001 && x !== 0.03);
    assert.equal(added.length, 1);
    assert.ok([0.9, Number((0.001 / 30).toPrecision(12))].includes(added[0]), `added ${added[0]}`);
  }
  const expected = [
    `CartPole-v1.fomaml.outer-lr=${fomaml.rate}.seed1`, `CartPole-v1.fomaml.outer-lr=${fomaml.rate}.seed2`,
    `CartPole-v1.directed-fomaml.directed-lr=${directed.beta}.outer-lr=${directed.rate}.seed1`, `CartPole-v1.directed-fomaml.directed-lr=${directed.beta}.outer-lr=${directed.rate}.seed2`,
    `CartPole-v1.directed-fomaml.directed-lr=${directed.beta}.medium=random.outer-lr=${directed.rate}.seed2`,
  ];
  assert.deepEqual(names.filter((n) => !n.endsWith('.seed9')).sort(), expected.sort());

  const results = await jsonLines(join(out, 'results.jsonl'));
  const tuningLines = results.filter((x) => x.type === 'tuning');
  assert.deepEqual(tuningLines.map((t) => [t.arm, t.picked, t.pickedDirectedLr, t.rates.length, t.widened.length]),
    [['fomaml', fomaml.rate, undefined, 3, 1], ['directed-fomaml', directed.rate, directed.beta, 6, 1]]);
  // The tuned directed arm is no control: its claim against the base is made on both seeds.
  const claims = results.filter((x) => x.type === 'claim');
  assert.ok(claims.some((c) => c.primary && c.against.includes('fomaml.outer-lr') && c.diff.n === 2));
  assert.ok(claims.some((c) => c.against.includes('medium=random') && c.diff.n === 1));
  const md = await readFile(join(out, 'RESULTS.md'), 'utf8');
  assert.match(md, /The control arms ran on 1 seed of these \(2; grid\.controls\.seeds\)/);
  assert.match(md, /at most 1 rate per side \(outerLrSweep\.widen\)/);
  assert.match(md, /\(widened by /);

  // Run again: the same rounds recomputed from the finished cells, nothing trained again.
  const stateFile = join(out, 'cells', tuneNames.find((n) => ![0.001, 0.03].includes(rateOf(n)))!, 'state.json');
  const mtime = (await stat(stateFile)).mtimeMs;
  const again = await dmaml(['experiment', '--grid', gridPath, '--out', out, '--jobs', '2']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /tuning 6 cells: 6 complete, 0 to resume, 0 to start/);
  assert.match(again.stderr, /tuning 9 cells: 9 complete, 0 to resume, 0 to start/);
  assert.match(again.stderr, /dmaml experiment: 5 cells: 5 complete/);
  assert.equal((await stat(stateFile)).mtimeMs, mtime);
  assert.deepEqual(await jsonLines(join(out, 'results.jsonl')).then((l) => l.filter((x) => x.type === 'tuning')), tuningLines);
});
