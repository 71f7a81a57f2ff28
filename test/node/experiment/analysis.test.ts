// The experiment's analysis (src/node/experiment/analysis.ts) on constructed data, against answers
// worked out by hand: a cell's result from a curve whose threshold crossing, area and final
// return are known; the outer-lr pick; the arms, the paired comparisons and the claims' verdicts of a
// grid whose directed arm reaches the threshold before its base and its random-task control (which
// never do: censored runs), with the paired differences re-derived seed by seed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { resolveGrid, tuneCells, mainCells, armName, cellResult, tuningOf, analyse, type CellResult, type Grid } from 'directed-maml/node';

const ITERATIONS = 10;
const SECONDS = 2; // per iteration
const THRESHOLD = 50;
let grid: Grid;
// The bootstrap draws from the library's RNG, and the grid's task families are the WASM module's.
before(async () => {
  await dm.init();
  grid = resolveGrid({
    envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2, 3],
    config: { iterations: ITERATIONS },
    perEnv: { 'CartPole-v1': { threshold: THRESHOLD } },
    heldout: { every: 5, tasks: 2, seed: 5, steps: 2, episodes: 2 },
    controls: { randomMedium: true, outerLrSweep: { rates: [0.001, 0.01], seeds: [101, 102] } },
  });
});

/** A learning curve rising linearly: postReturn = slope · iteration, SECONDS per iteration. */
function ramp(slope: number): dm.IterationMetrics[] {
  return Array.from({ length: ITERATIONS }, (_, i) => ({
    iteration: i + 1, preReturn: 0, postReturn: slope * (i + 1), sampleSeconds: 0, gradSeconds: 0, seconds: SECONDS, envSteps: 100,
  }));
}

test('cellResult: threshold crossing of the 5-iteration trailing mean, area, final return, the latest held-out evaluation and its gains', () => {
  const cell = mainCells(grid, { 'CartPole-v1': { fomaml: 0.01 } }).find((c) => c.algo === 'directed-fomaml' && c.seed === 2 && c.overrides.medium === undefined)!;
  // Slope 10: trailing means 10, 15, 20, 25, 30 (i = 5, all five), 40 (i = 6: 20..60), 50 (i = 7) → reached at 7, after 14 s.
  // Held-out records arrive in any order; the latest (iteration 10) counts.
  const records = [{ iteration: 5, mean: [1, 2, 3] }, { iteration: 10, mean: [20, 26, 30] }, { iteration: 8, mean: [0, 0, 0] }];
  const r = cellResult(cell, ramp(10), records, THRESHOLD);
  assert.deepEqual(
    [r.type, r.cell, r.arm, r.algo, r.seed, r.phase, r.iterations, r.threshold],
    ['cell', 'CartPole-v1.directed-fomaml.outer-lr=0.01.seed2', 'CartPole-v1.directed-fomaml.outer-lr=0.01', 'directed-fomaml', 2, 'main', ITERATIONS, THRESHOLD]);
  assert.equal(r.reachIteration, 7);
  assert.equal(r.reachSeconds, 7 * SECONDS);
  assert.equal(r.auc, 10 * 5.5); // mean of 10, 20, …, 100
  assert.equal(r.finalReturn, 100); // the last tenth of 10 iterations: the last one
  assert.equal(r.trainSeconds, ITERATIONS * SECONDS);
  assert.equal(r.envSteps, ITERATIONS * 100);
  assert.deepEqual(r.heldout, { iteration: 10, mean: [20, 26, 30] });
  assert.deepEqual(r.heldoutGain, [6, 10]);
  // Slope 4 stays below 50 over 10 iterations (its last trailing mean is 32): not reached.
  const never = cellResult(cell, ramp(4), [], THRESHOLD);
  assert.deepEqual([never.reachIteration, never.reachSeconds, never.heldout, never.heldoutGain], [null, null, null, null]);
});

test('tuningOf: each rate\'s AUC over the sweep seeds, the larger mean picked, the first on a tie', () => {
  const tune = tuneCells(grid);
  assert.equal(tune.length, 4); // fomaml × 2 rates × 2 seeds
  const auc = (c: (typeof tune)[number]) => (c.overrides.outerLr === 0.01 ? 30 : 10) + (c.seed === 101 ? 1 : -1);
  const { picks, tuning } = tuningOf(grid, tune, auc);
  assert.deepEqual(picks, { 'CartPole-v1': { fomaml: 0.01 } });
  assert.equal(tuning.length, 1);
  assert.deepEqual(tuning[0].rates.map((r) => [r.outerLr, r.auc.mean, r.auc.n]), [[0.001, 10, 2], [0.01, 30, 2]]);
  assert.equal(tuning[0].picked, 0.01);
  assert.deepEqual(tuningOf(grid, tune, () => 7).picks, { 'CartPole-v1': { fomaml: 0.001 } });
});

test('analyse: arms over seeds, paired differences seed by seed (censored runs at budget + 1), and the four claims with their verdicts', () => {
  const picks = { 'CartPole-v1': { fomaml: 0.01 } };
  const cells = mainCells(grid, picks);
  // Per seed: the directed arm's slope (reaches at 4, 3, 7); the base (slope 4) and the random-task
  // control (slope 2) never reach 50.
  const directedSlope: Record<number, number> = { 1: 20, 2: 25, 3: 10 };
  const slopeOf = (c: (typeof cells)[number]) => (c.algo === 'fomaml' ? 4 : c.overrides.medium === 'random' ? 2 : directedSlope[c.seed]);
  const results: CellResult[] = cells.map((c) => cellResult(c, ramp(slopeOf(c)), [{ iteration: 10, mean: [10, 10 + slopeOf(c), 10 + 2 * slopeOf(c)] }], THRESHOLD));
  // Tuning cells are not reported: they must not make an arm.
  const tune = tuneCells(grid).map((c) => cellResult(c, ramp(100), [], THRESHOLD));
  const report = analyse(grid, [...tune, ...results]);

  const base = armName('CartPole-v1', 'fomaml', { outerLr: 0.01 });
  const directed = armName('CartPole-v1', 'directed-fomaml', { outerLr: 0.01 });
  const random = armName('CartPole-v1', 'directed-fomaml', { outerLr: 0.01, medium: 'random' });
  assert.deepEqual(report.arms.map((a) => a.arm).sort(), [base, directed, random].sort());
  const arm = (name: string) => report.arms.find((a) => a.arm === name)!;
  assert.deepEqual([arm(directed).reached, arm(base).reached, arm(random).reached], [3, 0, 0]);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
  close(arm(directed).iterationsToThreshold.mean, mean([4, 3, 7]), 'directed iterations to threshold');
  close(arm(base).iterationsToThreshold.mean, ITERATIONS + 1, 'censored: budget + 1');
  close(arm(base).secondsToThreshold.mean, ITERATIONS * SECONDS, 'censored: all its seconds');
  close(arm(directed).auc.mean, mean([20, 25, 10].map((s) => 5.5 * s)), 'directed AUC');
  close(arm(directed).heldoutGain[1].mean, mean([40, 50, 20]), 'held-out gain after 2 steps');

  const comparison = (a: string, b: string) => report.comparisons.find((c) => c.arm === a && c.against === b)!;
  const vsBase = comparison(directed, base);
  assert.equal(vsBase.kind, 'directed-vs-base');
  assert.deepEqual(vsBase.seeds, [1, 2, 3]);
  close(vsBase.metrics.iterationsToThreshold.diff.mean, mean([4 - 11, 3 - 11, 7 - 11]), 'iterations, directed − base');
  close(vsBase.metrics.secondsToThreshold.diff.mean, mean([8 - 20, 6 - 20, 14 - 20]), 'seconds, directed − base');
  close(vsBase.metrics.auc.diff.mean, mean([20, 25, 10].map((s) => 5.5 * (s - 4))), 'AUC, directed − base');
  const vsRandom = comparison(directed, random);
  assert.equal(vsRandom.kind, 'medium-vs-random');
  close(vsRandom.metrics.auc.diff.mean, mean([20, 25, 10].map((s) => 5.5 * (s - 2))), 'AUC, medium − random');

  // Every paired difference favours the directed arm on every seed: the claims hold (the censored
  // base and control are bounds that could only widen the gap).
  assert.deepEqual(report.claims.map((c) => [c.metric, c.arm, c.against, c.verdict]), [
    ['iterationsToThreshold', directed, base, 'holds'],
    ['secondsToThreshold', directed, base, 'holds'],
    ['iterationsToThreshold', directed, random, 'holds'],
    ['auc', directed, random, 'holds'],
  ]);
  // The same grid with the roles swapped (the base learns, the directed arm does not): it does not hold.
  const swapped = cells.map((c) => cellResult(c, ramp(c.algo === 'fomaml' ? directedSlope[c.seed] : 4), [], THRESHOLD));
  const claims = analyse(grid, swapped).claims.filter((c) => c.against === base);
  assert.deepEqual(claims.map((c) => c.verdict), ['does not hold', 'does not hold']);
});
