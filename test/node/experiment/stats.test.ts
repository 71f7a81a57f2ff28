// The experiment's statistics against independent answers: the percentile bootstrap against the
// exact bootstrap distribution (every one of the n^n resamples enumerated), paired differences,
// curve summaries. (The verdicts are inference.ts's, tested in inference.test.ts.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { stats } from 'directed-maml/node';

const { bootstrapMean, quantile, pairedDifferences, reachThreshold, postAuc, finalReturn, streamOf, REACH_WINDOW } = stats;
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
