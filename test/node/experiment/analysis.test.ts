// The experiment's analysis (src/node/experiment/analysis.ts) on constructed data, against answers
// worked out by hand: a cell's result from a curve whose threshold crossing, area and final
// return are known; the outer-lr pick; the arms, the paired comparisons and the claims' verdicts of a
// grid whose directed arm reaches the threshold before its base and its random-task control (which
// never do: censored runs), with the paired differences re-derived seed by seed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { resolveGrid, tuneCells, mainCells, armName, cellResult, tuningOf, analyse, edgeWarnings, inference, type CellResult, type Grid } from 'directed-maml/node';

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

  // Every paired difference favours the directed arm on every seed, but 3 seeds cannot show it:
  // the smallest sign-flip p-value is 1/8, so every claim is inconclusive (Holm or not).
  assert.deepEqual(report.claims.map((c) => [c.metric, c.arm, c.against, c.primary, c.verdict]), [
    ['envStepsToThreshold', directed, base, true, 'inconclusive'],
    ['iterationsToThreshold', directed, base, false, 'inconclusive'],
    ['iterationsToThreshold', directed, random, false, 'inconclusive'],
    ['auc', directed, random, false, 'inconclusive'],
  ]);
  close(report.claims[0].diff.mean, mean([4, 3, 7].map((r) => 100 * (r - ITERATIONS))), 'env-steps, directed − base (100 an iteration; censored: all its env-steps)');
});

// ---- A grid with every control, on 10 seeds, judged on constructed curves.

const SEEDS10 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const MAX_STEPS = 200;

function controlGrid(extra: Record<string, unknown> = {}, seeds = SEEDS10): Grid {
  return resolveGrid({
    envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds,
    config: { iterations: ITERATIONS, metaBatch: 4, maxSteps: MAX_STEPS },
    perEnv: { 'CartPole-v1': { threshold: THRESHOLD } },
    heldout: { every: 5, tasks: 2, seed: 5, steps: 2, episodes: 2 },
    controls: { randomMedium: true, extraTask: true, nonMeta: true },
    ...extra,
  });
}

/** A curve at 0 until iteration `reach` and at `value` from there (the trailing mean crosses 50 at `reach`). */
function stepAt(reach: number, envStepsPer: number, value = 400): dm.IterationMetrics[] {
  return Array.from({ length: ITERATIONS }, (_, i) => ({
    iteration: i + 1, preReturn: 0, postReturn: i + 1 >= reach ? value : 0, sampleSeconds: 0, gradSeconds: 0, seconds: SECONDS, envSteps: envStepsPer,
  }));
}

type Kind = 'base' | 'directed' | 'random' | 'extra' | 'nonMeta';
const kindOf = (c: { algo: string; overrides: { medium?: unknown; metaBatch?: number; innerLr?: number } }): Kind =>
  c.overrides.innerLr === 0 ? 'nonMeta' : c.overrides.metaBatch !== undefined ? 'extra' : c.overrides.medium === 'random' ? 'random' : c.algo === 'fomaml' ? 'base' : 'directed';

/** Results of every main cell of `g` from a per-kind, per-seed recipe. */
function resultsOf(g: Grid, recipe: (kind: Kind, seed: number) => { reach: number; envStepsPer: number; value?: number; heldout: number[] }): CellResult[] {
  return mainCells(g).map((c) => {
    const r = recipe(kindOf(c), c.seed);
    return cellResult(c, stepAt(r.reach, r.envStepsPer, r.value), [{ iteration: ITERATIONS, mean: r.heldout }], THRESHOLD);
  });
}

/**
 * Directed reaches at 4 or 5 with 106 env-steps an iteration; its base at 8 with 100; the base
 * with one more task when the directed arm does, with 110; the random-task control when the
 * directed arm does. The base's held-out 2-shot return beats the non-meta baseline's on every seed.
 */
const standard = (kind: Kind, seed: number) => {
  const rd = 4 + (seed % 2);
  const reach = { base: 8, directed: rd, random: rd, extra: rd, nonMeta: 8 }[kind];
  const envStepsPer = { base: 100, directed: 106, random: 106, extra: 110, nonMeta: 100 }[kind];
  const heldout = kind === 'nonMeta' ? [10, 10, 10] : kind === 'base' ? [10, 20, 30 + seed] : [10, 20, 30];
  return { reach, envStepsPer, heldout };
};

test('analyse with every control (10 seeds): directed vs base at matched env-steps (primary), vs the base given one more task, medium vs random, base vs the non-meta baseline', () => {
  const g = controlGrid();
  const report = analyse(g, resultsOf(g, standard));
  const arm = (o: Record<string, unknown>, algo = 'fomaml') => armName('CartPole-v1', algo, o);
  const directed = arm({}, 'directed-fomaml'), base = arm({}), extra = arm({ metaBatch: 5 }), random = arm({ medium: 'random' }, 'directed-fomaml'), nonMeta = arm({ innerLr: 0 });
  assert.deepEqual(report.comparisons.map((c) => [c.kind, c.arm, c.against]), [
    ['directed-vs-base', directed, base], ['directed-vs-extra-task', directed, extra],
    ['directed-vs-base', random, base], ['medium-vs-random', directed, random], ['meta-vs-non-meta', base, nonMeta],
  ]);
  assert.deepEqual(report.arms.filter((a) => a.control).map((a) => a.arm).sort(), [extra, random, nonMeta].sort());
  // Env-steps to threshold: reach × env-steps an iteration, paired seed by seed.
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const vsExtra = report.comparisons.find((c) => c.kind === 'directed-vs-extra-task')!;
  assert.ok(Math.abs(vsExtra.metrics.envStepsToThreshold.diff.mean - mean(SEEDS10.map((s) => (4 + (s % 2)) * (106 - 110)))) < 1e-9);
  assert.deepEqual(report.claims.map((c) => [c.metric, c.arm, c.against, c.primary, c.verdict]), [
    ['envStepsToThreshold', directed, base, true, 'holds'],
    ['iterationsToThreshold', directed, base, false, 'holds'],
    // Same iterations as the base with one more task (equivalent within 1 iteration), fewer env-steps.
    ['envStepsToThreshold', directed, extra, false, 'holds'],
    ['iterationsToThreshold', directed, extra, false, 'does not hold'],
    // The random task does exactly as well: equivalent within the margins (1 iteration; AUC 5% of 50).
    ['iterationsToThreshold', directed, random, false, 'does not hold'],
    ['auc', directed, random, false, 'does not hold'],
    ['heldoutReturn', base, nonMeta, false, 'holds'],
  ]);
  const margins = report.claims.map((c) => c.margin);
  assert.deepEqual(margins, [null, 1, null, 1, 1, 0.05 * THRESHOLD, 0.05 * THRESHOLD]);
});

test('analyse: the claims of a report are Holm-corrected together (5 seeds: raw p 1/32 < 0.05, but not after correction)', () => {
  const g = controlGrid({}, [1, 2, 3, 4, 5]);
  const report = analyse(g, resultsOf(g, standard));
  const primary = report.claims[0];
  const raw = report.comparisons.find((c) => c.arm === primary.arm && c.against === primary.against)!.metrics[primary.metric];
  assert.equal(raw.pToward, 1 / 32);
  assert.equal(primary.verdict, 'inconclusive');
  // Every claim's adjusted p-values are Holm's over all 3 × 7 raw p-values of the report.
  const rawAll = report.claims.flatMap((c) => {
    const m = report.comparisons.find((x) => x.arm === c.arm && x.against === c.against)!.metrics[c.metric];
    return [m.pToward, m.pAway, m.pEquivalent];
  });
  const adjusted = inference.holmAdjust(rawAll);
  assert.deepEqual(report.claims.flatMap((c) => [c.pToward, c.pAway, c.pEquivalent]), adjusted);
  assert.ok(primary.pToward > 0.05, `adjusted ${primary.pToward}`);
});

test('analyse: ties at a ceiling are labelled (threshold reached on the first iteration; every return at CartPole\'s maximum, maxSteps)', () => {
  const g = controlGrid();
  const report = analyse(g, resultsOf(g, () => ({ reach: 1, envStepsPer: 100, value: MAX_STEPS, heldout: [MAX_STEPS, MAX_STEPS, MAX_STEPS] })));
  assert.deepEqual(report.claims.map((c) => [c.metric, c.verdict]), [
    ['envStepsToThreshold', 'tie at ceiling'], ['iterationsToThreshold', 'tie at ceiling'],
    ['envStepsToThreshold', 'tie at ceiling'], ['iterationsToThreshold', 'tie at ceiling'],
    ['iterationsToThreshold', 'tie at ceiling'], ['auc', 'tie at ceiling'], ['heldoutReturn', 'tie at ceiling'],
  ]);
  // The same returns one below the maximum: equal, not at the ceiling, so equivalence decides (does not hold).
  const below = analyse(g, resultsOf(g, () => ({ reach: 2, envStepsPer: 100, value: MAX_STEPS - 1, heldout: [MAX_STEPS - 1, MAX_STEPS - 1, MAX_STEPS - 1] })));
  assert.deepEqual(below.claims.map((c) => c.verdict).filter((v) => v === 'tie at ceiling'), []);
});

test('analyse: the equivalence margin comes from the grid (perEnv margins over grid.margins over the default)', () => {
  // The directed arm reaches one iteration before or after the base with one more task, alternating: mean 0, spread 1.
  const wobble = (kind: Kind, seed: number) => {
    const r = standard(kind, seed);
    return kind === 'extra' ? { ...r, reach: 4 + ((seed + 1) % 2) } : r;
  };
  const verdictOf = (g: Grid) => analyse(g, resultsOf(g, wobble)).claims.find((c) => c.metric === 'iterationsToThreshold' && c.against.includes('meta-batch'))!;
  const byDefault = verdictOf(controlGrid());
  assert.deepEqual([byDefault.margin, byDefault.verdict], [1, 'inconclusive']);
  const wide = verdictOf(controlGrid({ margins: { iterationsToThreshold: 3 } }));
  assert.deepEqual([wide.margin, wide.verdict], [3, 'does not hold']);
  const own = verdictOf(controlGrid({ margins: { iterationsToThreshold: 0.5 }, perEnv: { 'CartPole-v1': { threshold: THRESHOLD, margins: { iterationsToThreshold: 3 } } } }));
  assert.deepEqual([own.margin, own.verdict], [3, 'does not hold']);
});

test('outerLrSweep.perArm: every arm (directed variants and controls) tuned on its own; a pick on an edge of the rates is flagged', () => {
  const g = resolveGrid({
    envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2], config: { iterations: ITERATIONS },
    controls: { randomMedium: true, nonMeta: true, outerLrSweep: { rates: [0.001, 0.01, 0.1], seeds: [101, 102], perArm: true } },
  });
  const tune = tuneCells(g);
  const keys = ['CartPole-v1.fomaml', 'CartPole-v1.directed-fomaml', 'CartPole-v1.directed-fomaml.medium=random', 'CartPole-v1.fomaml.inner-lr=0'];
  assert.equal(tune.length, keys.length * 3 * 2);
  // Each arm's best rate: the base 0.01 (inside), the directed arm 0.1 (the highest: an edge), the others 0.001 (the lowest).
  const best: Record<string, number> = { fomaml: 0.01, 'directed-fomaml': 0.1 };
  const auc = (c: (typeof tune)[number]) => (c.overrides.outerLr === (c.overrides.medium || c.overrides.innerLr === 0 ? 0.001 : best[c.algo]) ? 50 : 10);
  const { picks, tuning } = tuningOf(g, tune, auc);
  assert.deepEqual(picks, { 'CartPole-v1': Object.fromEntries(keys.map((k, i) => [k, [0.01, 0.1, 0.001, 0.001][i]])) });
  assert.deepEqual(tuning.map((t) => [t.arm, t.edge]), [[keys[0], null], [keys[1], 'highest'], [keys[2], 'lowest'], [keys[3], 'lowest']]);
  assert.equal(edgeWarnings(tuning).length, 3);
  assert.match(edgeWarnings(tuning)[0], /^outer-lr sweep: CartPole-v1\.directed-fomaml picked 0\.1, the highest rate of the sweep/);
  const main = mainCells(g, picks);
  assert.deepEqual([...new Set(main.map((c) => c.arm))], [
    'CartPole-v1.fomaml.outer-lr=0.01', 'CartPole-v1.directed-fomaml.outer-lr=0.1', 'CartPole-v1.directed-fomaml.medium=random.outer-lr=0.001', 'CartPole-v1.fomaml.inner-lr=0.outer-lr=0.001',
  ]);
  // Each arm at its own rate is still compared with its base and its random-task control (and the
  // base with the non-meta baseline): the arms are found whatever their rates.
  const results = main.map((c) => cellResult(c, stepAt(c.algo === 'fomaml' ? 8 : 4, 100), [{ iteration: ITERATIONS, mean: [10, 20, 30] }], THRESHOLD));
  const report = analyse(g, results);
  assert.deepEqual(report.comparisons.map((c) => [c.kind, c.arm, c.against]), [
    ['directed-vs-base', 'CartPole-v1.directed-fomaml.outer-lr=0.1', 'CartPole-v1.fomaml.outer-lr=0.01'],
    ['directed-vs-base', 'CartPole-v1.directed-fomaml.medium=random.outer-lr=0.001', 'CartPole-v1.fomaml.outer-lr=0.01'],
    ['medium-vs-random', 'CartPole-v1.directed-fomaml.outer-lr=0.1', 'CartPole-v1.directed-fomaml.medium=random.outer-lr=0.001'],
    ['meta-vs-non-meta', 'CartPole-v1.fomaml.outer-lr=0.01', 'CartPole-v1.fomaml.inner-lr=0.outer-lr=0.001'],
  ]);
  assert.equal(report.claims.filter((c) => c.primary).length, 1);
});
