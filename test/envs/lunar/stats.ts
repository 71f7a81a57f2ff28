// Small float64 statistics for the lander's fidelity tests (WASM env vs the planck reference): a
// mean with its t interval, Welch's interval for a difference of means, a two-proportion test, and
// a chi-square test of homogeneity for two count vectors (termination causes). The special
// functions are the textbook ones: Lanczos log-gamma, the regularized incomplete gamma (series /
// continued fraction) and beta (continued fraction, modified Lentz); quantiles by bisection on the
// CDF, which is slow but exact to rounding and never leaves its bracket.

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 500;

// Lanczos approximation, g = 7, n = 9 (relative error < 1e-15 for x > 0).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x); // reflection
  x -= 1;
  let a = LANCZOS[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    // Series: P = e^{−x} x^a / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
    let term = 1 / a, sum = term;
    for (let n = 1; n < MAX_ITER; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  return 1 - gammaQ(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) return 1 - gammaP(a, x);
  // Continued fraction for Γ(a, x) (modified Lentz).
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1, d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function betaI(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** Standard normal CDF, Φ(z) = ½(1 + erf(z/√2)) with erf(y) = P(½, y²). */
export function normalCdf(z: number): number {
  const half = 0.5 * gammaP(0.5, (z * z) / 2);
  return z >= 0 ? 0.5 + half : 0.5 - half;
}

/** Student's t CDF with df degrees of freedom (df may be fractional, as in Welch's test). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * betaI(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** Survival function of the chi-square distribution with k degrees of freedom. */
export function chiSquareSf(x: number, k: number): number {
  return gammaQ(k / 2, x / 2);
}

/** Inverse of an increasing CDF by bisection on [lo, hi] (the bracket is widened until it holds p). */
function invert(cdf: (x: number) => number, p: number, lo: number, hi: number): number {
  while (cdf(lo) > p) lo *= 2;
  while (cdf(hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export function normalQuantile(p: number): number {
  checkProbability('p', p);
  return invert(normalCdf, p, -10, 10);
}

export function studentTQuantile(p: number, df: number): number {
  checkProbability('p', p);
  if (!(df > 0)) throw new Error(`studentTQuantile: df = ${df}; allowed: a positive number`);
  return invert((t) => studentTCdf(t, df), p, -10, 10);
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
