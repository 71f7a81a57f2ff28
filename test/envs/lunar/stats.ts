// Small float64 statistics for the lander's fidelity tests (WASM env vs the planck reference): a
// mean with its t interval, Welch's interval for a difference of means, a two-proportion test, and
// a chi-square test of homogeneity for two count vectors (termination causes). The distributions
// (Student's t, the normal, chi-square) are jStat's, a kept library (a dev dependency).
import jStat from 'jstat';

/** Standard normal CDF Φ(z). */
function normalCdf(z: number): number {
  return jStat.normal.cdf(z, 0, 1);
}

/** Student's t CDF with df degrees of freedom (df may be fractional, as in Welch's test). */
function studentTCdf(t: number, df: number): number {
  return jStat.studentt.cdf(t, df);
}

/**
 * Survival function of the chi-square distribution with k degrees of freedom: 1 − P(k/2, x/2). Below
 * about 1e-16 it reads 0 (the tests compare such p-values with thresholds of 1e-6 and more).
 */
function chiSquareSf(x: number, k: number): number {
  return 1 - jStat.lowRegGamma(k / 2, x / 2);
}

function normalQuantile(p: number): number {
  checkProbability('p', p);
  return jStat.normal.inv(p, 0, 1);
}

function studentTQuantile(p: number, df: number): number {
  checkProbability('p', p);
  if (!(df > 0)) throw new Error(`studentTQuantile: df = ${df}; allowed: a positive number`);
  return jStat.studentt.inv(p, df);
}

function checkProbability(name: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new Error(`${name} = ${p}; allowed: a probability strictly between 0 and 1`);
}

// ------------------------------------------------------------------------------------------------

export interface MeanCI { n: number; mean: number; sd: number; se: number; halfWidth: number; lo: number; hi: number }

/** Sample mean with its two-sided t interval at `level` (sd with n − 1). */
export function meanCI(xs: ArrayLike<number>, level = 0.95): MeanCI {
  const n = xs.length;
  if (n < 2) throw new Error(`meanCI: n = ${n}; allowed: at least 2 values`);
  checkProbability('level', level);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xs[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const se = sd / Math.sqrt(n);
  const halfWidth = studentTQuantile(0.5 + level / 2, n - 1) * se;
  return { n, mean, sd, se, halfWidth, lo: mean - halfWidth, hi: mean + halfWidth };
}

export interface DiffCI { diff: number; se: number; df: number; halfWidth: number; lo: number; hi: number; t: number; p: number }

/** Welch's interval and two-sided test for mean(a) − mean(b), unequal variances. */
export function welchDiff(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): DiffCI {
  const A = meanCI(a, level), B = meanCI(b, level);
  const va = (A.sd * A.sd) / A.n, vb = (B.sd * B.sd) / B.n;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / ((va * va) / (A.n - 1) + (vb * vb) / (B.n - 1)); // Welch–Satterthwaite
  const diff = A.mean - B.mean;
  const halfWidth = studentTQuantile(0.5 + level / 2, df) * se;
  const t = diff / se;
  const p = 2 * (1 - studentTCdf(Math.abs(t), df));
  return { diff, se, df, halfWidth, lo: diff - halfWidth, hi: diff + halfWidth, t, p };
}

export interface ProportionTest { pa: number; pb: number; diff: number; lo: number; hi: number; z: number; p: number }

/**
 * xa of na against xb of nb: the difference pa − pb with its Wald interval (unpooled variance) and
 * the two-sided pooled z test.
 */
export function twoProportion(xa: number, na: number, xb: number, nb: number, level = 0.95): ProportionTest {
  for (const [name, x, n] of [['a', xa, na], ['b', xb, nb]] as const) {
    if (!(Number.isInteger(x) && Number.isInteger(n) && n > 0 && x >= 0 && x <= n)) {
      throw new Error(`twoProportion: sample ${name} = ${x} of ${n}; allowed: integers 0 <= x <= n, n > 0`);
    }
  }
  checkProbability('level', level);
  const pa = xa / na, pb = xb / nb, diff = pa - pb;
  const zc = normalQuantile(0.5 + level / 2);
  const seWald = Math.sqrt((pa * (1 - pa)) / na + (pb * (1 - pb)) / nb);
  const pooled = (xa + xb) / (na + nb);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
  const z = sePooled > 0 ? diff / sePooled : 0;
  const p = sePooled > 0 ? 2 * (1 - normalCdf(Math.abs(z))) : 1;
  return { pa, pb, diff, lo: diff - zc * seWald, hi: diff + zc * seWald, z, p };
}

export interface ChiSquareTest { statistic: number; df: number; p: number; minExpected: number }

/**
 * Pearson's chi-square test that two count vectors over the same categories come from one
 * multinomial (2 × k homogeneity). Categories empty in both are dropped; df = (used k) − 1.
 * minExpected < 5 warns that the chi-square approximation is rough.
 */
export function chiSquareCounts(a: ArrayLike<number>, b: ArrayLike<number>): ChiSquareTest {
  if (a.length !== b.length) throw new Error(`chiSquareCounts: lengths ${a.length} and ${b.length}; allowed: equal lengths`);
  let na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] >= 0 && b[i] >= 0)) throw new Error(`chiSquareCounts: counts ${a[i]}, ${b[i]} at ${i}; allowed: non-negative`);
    na += a[i];
    nb += b[i];
  }
  if (na === 0 || nb === 0) throw new Error(`chiSquareCounts: totals ${na}, ${nb}; allowed: both positive`);
  const n = na + nb;
  let statistic = 0, used = 0, minExpected = Infinity;
  for (let i = 0; i < a.length; i++) {
    const col = a[i] + b[i];
    if (col === 0) continue;
    used++;
    const ea = (na * col) / n, eb = (nb * col) / n;
    statistic += (a[i] - ea) ** 2 / ea + (b[i] - eb) ** 2 / eb;
    minExpected = Math.min(minExpected, ea, eb);
  }
  const df = used - 1;
  return { statistic, df, p: df > 0 ? chiSquareSf(statistic, df) : 1, minExpected };
}
