// Known answers for test/envs/lunar/stats.ts. The expected values are table values (t, z, χ²) and
// hand-checkable sums where possible; the rest were computed with scipy.stats / scipy.special 1.17
// (t.ppf, t.cdf, norm.cdf, chi2.sf, gammaln, betainc, ttest_ind(equal_var=False),
// chi2_contingency(correction=False)) and are quoted to the digits given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  betaI, chiSquareCounts, chiSquareSf, logGamma, meanCI, normalCdf, normalQuantile, studentTCdf, studentTQuantile,
  twoProportion, welchDiff,
} from './stats';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

test('special functions: log-gamma, incomplete beta, normal, t and chi-square against known values', () => {
  close(logGamma(1), 0, 1e-14, 'lnΓ(1)');
  close(logGamma(5), Math.log(24), 1e-14, 'lnΓ(5)');
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'lnΓ(½)');
  close(logGamma(0.3), 1.0957979948180756, 1e-13, 'lnΓ(0.3)');
  close(logGamma(10.5), 13.940625219403763, 1e-13, 'lnΓ(10.5)');
  close(logGamma(150), 600.0094705553274, 1e-13, 'lnΓ(150)');
  close(betaI(0.3, 2.5, 0.5), 0.018927124071945658, 1e-12, 'I_0.3(2.5, 0.5)');
  close(betaI(0.45, 30, 40), 0.6447480085585666, 1e-12, 'I_0.45(30, 40)');
  close(normalCdf(0), 0.5, 1e-15, 'Φ(0)');
  close(normalCdf(1.2), 0.8849303297782918, 1e-13, 'Φ(1.2)');
  close(normalCdf(-3.1), 0.0009676032132183563, 1e-12, 'Φ(−3.1)');
  close(normalQuantile(0.975), 1.959963984540054, 1e-12, 'z_0.975');
  close(normalQuantile(0.995), 2.5758293035489004, 1e-12, 'z_0.995');
  close(studentTCdf(2.5, 7), 0.9795038907071235, 1e-12, 'T_7(2.5)');
  close(studentTCdf(-1.3, 3.7), 0.13433336208631375, 1e-12, 'T_3.7(−1.3)');
  close(studentTQuantile(0.975, 1), 12.706204736174694, 1e-11, 't_0.975,1');
  close(studentTQuantile(0.975, 9), 2.262157162798205, 1e-12, 't_0.975,9');
  close(studentTQuantile(0.975, 30), 2.0422724563012378, 1e-12, 't_0.975,30');
  close(studentTQuantile(0.975, 6.5), 2.4020020079102764, 1e-12, 't_0.975,6.5');
  close(studentTQuantile(0.025, 9), -2.262157162798205, 1e-12, 't_0.025,9');
  close(chiSquareSf(7.8, 3), 0.050331097859853326, 1e-12, 'χ²_3 sf(7.8)');
  close(chiSquareSf(25, 10), 0.005345505487134069, 1e-12, 'χ²_10 sf(25)');
  close(chiSquareSf(0.5, 1), 0.47950012218695337, 1e-12, 'χ²_1 sf(0.5)');
  // χ²_2 has the closed form sf(x) = e^{−x/2}.
  close(chiSquareSf(3.7, 2), Math.exp(-3.7 / 2), 1e-13, 'χ²_2 sf(3.7)');
});

test('meanCI: 1..10 has mean 5.5, sd √(55/6), half-width t_0.975,9 · sd/√10', () => {
  const ci = meanCI([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  close(ci.mean, 5.5, 1e-15, 'mean');
  close(ci.sd, Math.sqrt(55 / 6), 1e-14, 'sd');
  close(ci.se, 0.9574271077563381, 1e-14, 'se');
  close(ci.halfWidth, 2.165850589668169, 1e-12, 'half-width');
  close(ci.lo, 5.5 - 2.165850589668169, 1e-12, 'lo');
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
  close(r.p, 0.04928433820673053, 1e-11, 'p');
  close(r.lo, -7.98346869562883, 1e-11, 'lo');
  close(r.hi, -0.016531304371169675, 1e-10, 'hi');
});

test('twoProportion: 45/100 vs 30/90, pooled z and Wald interval', () => {
  const r = twoProportion(45, 100, 30, 90);
  close(r.diff, 0.45 - 1 / 3, 1e-15, 'diff');
  close(r.z, 1.6427266128719296, 1e-12, 'z');
  close(r.p, 0.10043950997963545, 1e-11, 'p');
  close(r.lo, -0.021147316981962705, 1e-11, 'lo');
  close(r.hi, 0.2544806503152961, 1e-11, 'hi');
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
