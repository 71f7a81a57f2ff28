// The experiment's statistics against independent answers: the percentile bootstrap against the
// exact bootstrap distribution (every one of the n^n resamples enumerated), verdicts on
// constructed paired data in each of the three cases (and with censored runs), curve summaries.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { stats } from 'directed-maml/node';

const { bootstrapMean, quantile, verdict, pairedDifferences, reachThreshold, postAuc, finalReturn, streamOf, REACH_WINDOW } = stats;
type IterationMetrics = dm.IterationMetrics;

// The bootstrap draws from the library's RNG, in the WASM module.
before(async () => { await dm.init(); });

/** The exact bootstrap distribution of the mean of `values`: every ordered resample, equally likely. */
function exactBootstrapQuantiles(values: number[], ps: number[]): number[] {
  const n = values.length;
  const means: number[] = [];
  const idx = new Array(n).fill(0);
  for (;;) {
    means.push(idx.reduce((s, i) => s + values[i], 0) / n);
    let k = 0;
    while (k < n && ++idx[k] === n) idx[k++] = 0;
    if (k === n) break;
  }
  means.sort((a, b) => a - b);
  return ps.map((p) => quantile(means, p));
}

test('percentile bootstrap: matches the exact bootstrap distribution (n = 5, 3125 resamples enumerated)', () => {
  const data = [3.1, 7.7, 8.05, 12.3, 24.85];
  const [lo, hi] = exactBootstrapQuantiles(data, [0.025, 0.975]);
  const e = bootstrapMean(data, { seed: 11, stream: streamOf('known-answer'), resamples: 40_000 });
  assert.equal(e.n, 5);
  assert.ok(Math.abs(e.mean - 11.2) < 1e-12);
  // Monte Carlo quantiles of 40 000 resamples: within a fraction of the spread (≈ 0.3 here).
  assert.ok(Math.abs(e.lo - lo) < 0.3, `lo ${e.lo} vs exact ${lo}`);
  assert.ok(Math.abs(e.hi - hi) < 0.4, `hi ${e.hi} vs exact ${hi}`);
  // The exact interval is not symmetric about the mean (skewed data): neither must ours be.
  assert.ok(hi - 11.2 > 11.2 - lo + 1, `exact ${lo}..${hi}`);
  assert.ok(e.hi - 11.2 > 11.2 - e.lo + 1, `bootstrap ${e.lo}..${e.hi}`);
  // Fixed seed: the same interval every time; another stream: another (close) interval.
  assert.deepEqual(bootstrapMean(data, { seed: 11, stream: streamOf('known-answer'), resamples: 40_000 }), e);
  assert.notDeepEqual(bootstrapMean(data, { seed: 11, stream: streamOf('other'), resamples: 40_000 }), e);
});

test('bootstrap: constant data has a zero-width interval; one value has none', () => {
  const e = bootstrapMean([4, 4, 4, 4, 4], { seed: 1 });
  assert.deepEqual([e.mean, e.lo, e.hi], [4, 4, 4]);
  const one = bootstrapMean([4]);
  assert.equal(one.mean, 4);
  assert.ok(Number.isNaN(one.lo) && Number.isNaN(one.hi));
});

test('verdicts: holds, does not hold and inconclusive on constructed paired data', () => {
  const seeds = [1, 2, 3, 4, 5];
  const base = new Map(seeds.map((s, i) => [s, [30, 28, 35, 31, 29][i]]));
  const ci = (a: Map<number, number>, b: Map<number, number>) => bootstrapMean(pairedDifferences(a, b).diffs, { seed: 3, stream: 9 });
  // directed needs 8–12 fewer iterations on every seed: holds (lower is better).
  const faster = new Map(seeds.map((s, i) => [s, base.get(s)! - [10, 8, 12, 9, 11][i]]));
  assert.equal(verdict(ci(faster, base), 'lower'), 'holds');
  // directed needs 3–6 more on every seed: does not hold.
  const slower = new Map(seeds.map((s, i) => [s, base.get(s)! + [3, 6, 4, 5, 3][i]]));
  assert.equal(verdict(ci(slower, base), 'lower'), 'does not hold');
  // identical on every seed: the data rule out a gain → does not hold.
  assert.equal(verdict(ci(new Map(base), base), 'lower'), 'does not hold');
  // differences of both signs: inconclusive.
  const mixed = new Map(seeds.map((s, i) => [s, base.get(s)! + [-6, 5, -4, 6, -2][i]]));
  assert.equal(verdict(ci(mixed, base), 'lower'), 'inconclusive');
  // 'higher' mirrors 'lower'.
  assert.equal(verdict(ci(base, faster), 'higher'), 'holds');
  assert.equal(verdict(ci(faster, base), 'higher'), 'does not hold');
  // Too few seeds: inconclusive whatever the difference.
  assert.equal(verdict(bootstrapMean([-10]), 'lower'), 'inconclusive');
});

test('verdicts: censored runs (never reached the threshold) may not overturn a verdict', () => {
  const clear = bootstrapMean([-10, -8, -12, -9, -11], { seed: 3 });
  assert.equal(verdict(clear, 'lower'), 'holds');
  // The claimed-better arm has a censored run: its true value may be larger → no longer sure.
  assert.equal(verdict(clear, 'lower', { awayFromClaim: true, towardClaim: false }), 'inconclusive');
  // Only the other arm is censored: the true difference is even more in favour → still holds.
  assert.equal(verdict(clear, 'lower', { awayFromClaim: false, towardClaim: true }), 'holds');
  const against = bootstrapMean([4, 6, 5, 3, 5], { seed: 3 });
  assert.equal(verdict(against, 'lower', { awayFromClaim: true, towardClaim: false }), 'does not hold');
  assert.equal(verdict(against, 'lower', { awayFromClaim: false, towardClaim: true }), 'inconclusive');
});

test('paired differences use only the seeds both arms have, in seed order', () => {
  const a = new Map([[3, 10], [1, 5], [2, 7]]);
  const b = new Map([[2, 1], [3, 4], [9, 0]]);
  assert.deepEqual(pairedDifferences(a, b), { seeds: [2, 3], diffs: [6, 6] });
});

const curve = (posts: number[], seconds = 0.5): IterationMetrics[] =>
  posts.map((postReturn, i) => ({ iteration: i + 1, preReturn: 0, postReturn, sampleSeconds: 0, gradSeconds: 0, seconds, envSteps: 0 }));

test('threshold crossing on the trailing mean, its seconds, AUC and final return', () => {
  assert.equal(REACH_WINDOW, 5);
  // trailing means: 10, 15, 20, 35, 50, 70 (window 5: (20+30+80+100+120)/5 = 70) …
  const m = curve([10, 20, 30, 80, 110, 110, 120, 130, 140, 150]);
  // 4th: (10+20+30+80)/4 = 35; 5th: 50; 6th: (20+30+80+110+110)/5 = 70; 7th: (30+80+110+110+120)/5 = 90; 8th: 106
  assert.deepEqual(reachThreshold(m, 100), { iteration: 8, seconds: 4 });
  // A single spike does not count as reaching it.
  assert.deepEqual(reachThreshold(curve([10, 10, 200, 10, 10]), 100), { iteration: null, seconds: null });
  assert.deepEqual(reachThreshold(curve([10, 10, 200, 10, 10]), 100, 1), { iteration: 3, seconds: 1.5 });
  assert.equal(postAuc(m), 90);
  // final return: mean of the last tenth (here 1 iteration of 10).
  assert.equal(finalReturn(m), 150);
  assert.equal(finalReturn(curve(Array.from({ length: 30 }, (_, i) => i))), (27 + 28 + 29) / 3);
});
