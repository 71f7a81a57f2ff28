// Known answers for test/envs/lunar/stats.ts. The expected values are table values (t, z, χ²) and
// hand-checkable sums where possible; the rest were computed with scipy.stats 1.17 (t.ppf,
// ttest_ind(equal_var=False), chi2_contingency(correction=False)) and are quoted to the digits
// given. Values through a t quantile or CDF are held to 1e-7: jStat's are good to ~4e-8 relative
// (its t quantile for 30 degrees of freedom is 2.0422724212 against 2.0422724563).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareCounts, meanCI, twoProportion, welchDiff } from './stats';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

test('meanCI: 1..10 has mean 5.5, sd √(55/6), half-width t_0.975,9 · sd/√10', () => {
  const ci = meanCI([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  close(ci.mean, 5.5, 1e-15, 'mean');
  close(ci.sd, Math.sqrt(55 / 6), 1e-14, 'sd');
  close(ci.se, 0.9574271077563381, 1e-14, 'se');
  close(ci.halfWidth, 2.165850589668169, 1e-7, 'half-width');
  close(ci.lo, 5.5 - 2.165850589668169, 1e-7, 'lo');
  // Two values: se = 1, so the half-width is t_0.975,1 itself; 31 values: t_0.975,30 times se.
  close(meanCI([0, 2]).halfWidth, 12.706204736174694, 1e-7, 't_0.975,1');
  const wide = meanCI(Array.from({ length: 31 }, (_, i) => (i * 7) % 11));
  close(wide.halfWidth / wide.se, 2.0422724563012378, 1e-7, 't_0.975,30');
  // A wider level gives a wider interval.
  assert.ok(meanCI([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99).halfWidth > ci.halfWidth);
  assert.throws(() => meanCI([1]), /n = 1; allowed: at least 2/);
});

test('welchDiff: [1..5] vs [2,4,…,12] (scipy ttest_ind, equal_var=False)', () => {
  const r = welchDiff([1, 2, 3, 4, 5], [2, 4, 6, 8, 10, 12]);
  close(r.diff, -4, 1e-15, 'diff');
  close(r.se, Math.sqrt(2.5 / 5 + 14 / 6), 1e-14, 'se'); // variances 2.5 and 14
  close(r.df, 6.972255729794934, 1e-12, 'Welch–Satterthwaite df');
  close(r.t, -2.3763541031440183, 1e-12, 't');
  close(r.p, 0.04928433820673053, 1e-7, 'p');
  close(r.lo, -7.98346869562883, 1e-7, 'lo');
  close(r.hi, -0.016531304371169675, 1e-7, 'hi');
});

test('twoProportion: 45/100 vs 30/90, pooled z and Wald interval', () => {
  const r = twoProportion(45, 100, 30, 90);
  close(r.diff, 0.45 - 1 / 3, 1e-15, 'diff');
  close(r.z, 1.6427266128719296, 1e-12, 'z');
  close(r.p, 0.10043950997963545, 1e-11, 'p');
  close(r.lo, -0.021147316981962705, 1e-11, 'lo');
  close(r.hi, 0.2544806503152961, 1e-11, 'hi');
  // At 99%, the interval is z_0.995 Wald standard errors wide on each side.
  const r99 = twoProportion(45, 100, 30, 90, 0.99);
  close((r99.hi - r99.diff) / Math.sqrt(0.45 * 0.55 / 100 + (1 / 3) * (2 / 3) / 90), 2.5758293035489004, 1e-12, 'z_0.995');
  assert.equal(twoProportion(0, 10, 0, 12).p, 1); // nothing happened in either sample
  assert.throws(() => twoProportion(11, 10, 1, 10), /sample a = 11 of 10/);
});

test('chiSquareCounts: 2 × k homogeneity (scipy chi2_contingency, no continuity correction)', () => {
  // Causes (crash, out, rest) of two runs.
  const r = chiSquareCounts([367, 33, 0], [350, 45, 5]);
  close(r.statistic, 7.24922218646068, 1e-12, 'statistic');
  assert.equal(r.df, 2);
  close(r.p, 0.02665946336629388, 1e-11, 'p');
  close(r.minExpected, 2.5, 1e-14, 'min expected');
  // 2 × 2: [[20, 30], [30, 20]] gives χ² = 4 exactly, p = sf(4, 1).
  const s = chiSquareCounts([20, 30], [30, 20]);
  close(s.statistic, 4, 1e-14, '2x2 statistic');
  close(s.p, 0.04550026389635857, 1e-12, '2x2 p');
  // A category empty in both is dropped (same answer, same df).
  const t = chiSquareCounts([20, 0, 30], [30, 0, 20]);
  assert.equal(t.df, 1);
  close(t.statistic, 4, 1e-14, 'with an empty category');
  // Identical proportions give statistic 0, p 1.
  close(chiSquareCounts([10, 20, 30], [20, 40, 60]).p, 1, 1e-14, 'identical proportions');
  assert.throws(() => chiSquareCounts([1, 2], [1]), /lengths 2 and 1/);
});
