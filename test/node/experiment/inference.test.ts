// The claims' inference against independent answers: Student-t quantiles from published tables and
// closed forms (df = 1, 2), the sign-flip test on a case enumerated by hand, Holm's adjustment on a
// worked example, the coverage of t and percentile-bootstrap intervals simulated at n = 5, and the
// verdict rules on constructed cases (a tie at a ceiling, a CI touching 0, equivalence inside and
// outside the margin, symmetry).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { stats, inference } from 'directed-maml/node';

const { studentTCdf, studentTQuantile, tInterval, signFlipPValue, tostPValue, holmAdjust, testClaim, decideClaims } = inference;

before(async () => { await dm.init(); });

const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Student t: quantiles match published tables, the CDF matches the closed forms for df = 1 and 2', () => {
  // Two-sided 95% / 99% critical values (any statistics table).
  close(studentTQuantile(0.975, 4), 2.7764451052, 1e-8, 't(0.975, 4)');
  close(studentTQuantile(0.975, 9), 2.2621571628, 1e-8, 't(0.975, 9)');
  close(studentTQuantile(0.975, 19), 2.0930240544, 1e-8, 't(0.975, 19)');
  close(studentTQuantile(0.95, 1), 6.3137515147, 1e-7, 't(0.95, 1)');
  close(studentTQuantile(0.995, 30), 2.7499956536, 1e-8, 't(0.995, 30)');
  close(studentTQuantile(0.025, 4), -2.7764451052, 1e-8, 't(0.025, 4)');
  for (const t of [-7.5, -1, -0.2, 0, 0.3, 1, 4, 40]) {
    close(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-12, `Cauchy CDF at ${t}`);
    close(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-12, `t2 CDF at ${t}`);
  }
});

/** A seeded normal stream for the simulations (mulberry32 + Box–Muller): independent of the library's RNG. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

test('coverage at n = 5 on normal data: the t interval holds ~95%, the percentile bootstrap falls short', () => {
  const draw = normals(20261203);
  const reps = 1500;
  let tCovers = 0, bootCovers = 0;
  for (let r = 0; r < reps; r++) {
    const xs = Array.from({ length: 5 }, () => 3 + 2 * draw());
    const t = tInterval(xs);
    if (t.lo <= 3 && 3 <= t.hi) tCovers++;
    const b = stats.bootstrapMean(xs, { seed: r, stream: 7, resamples: 400 });
    if (b.lo <= 3 && 3 <= b.hi) bootCovers++;
  }
  // Binomial sd at 1500 reps ≈ 0.0056: the t interval within ±3 sd of 0.95; the bootstrap well below.
  close(tCovers / reps, 0.95, 0.017, 't coverage');
  assert.ok(bootCovers / reps < 0.9, `bootstrap coverage ${bootCovers / reps}`);
});

test('sign-flip test: a case enumerated by hand, the floor 2^-n, and symmetry', () => {
  // |d| = 1, 2, 3 and sum 0: of the 8 sign patterns, sums 6, 4, 2, 0, 0 are ≥ 0 → 5/8 either way.
  assert.equal(signFlipPValue([-1, -2, 3], 'lower'), 5 / 8);
  assert.equal(signFlipPValue([-1, -2, 3], 'higher'), 5 / 8);
  // All five below 0: only the observed pattern is as extreme.
  assert.equal(signFlipPValue([-1, -2, -3, -4, -5], 'lower'), 1 / 32);
  assert.equal(signFlipPValue([-1, -2, -3, -4, -5], 'higher'), 1);
  // |d| = 1, 2, 4 with d = (1, 2, -4): sum −1; 'lower' counts sums ≤ −1 of ±1 ±2 ±4: −1, −3, −5, −7 → 4/8.
  assert.equal(signFlipPValue([1, 2, -4], 'lower'), 4 / 8);
});

test('Holm: the worked example, and never below the raw p-value', () => {
  const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  [0.03, 0.06, 0.06, 0.02].forEach((want, i) => close(adj[i], want, 1e-15, `adjusted ${i}`));
  const raw = [0.2, 0.5, 0.001, 0.9];
  holmAdjust(raw).forEach((p, i) => assert.ok(p >= raw[i] && p <= 1));
});

test('TOST: equivalent inside the margin, not outside it', () => {
  const draw = normals(5);
  const diffs = Array.from({ length: 20 }, () => 0.3 * draw());
  assert.ok(tostPValue(diffs, 1) < 1e-4, 'inside a wide margin');
  assert.ok(tostPValue(diffs, 0.01) > 0.4, 'outside a narrow margin');
  assert.equal(tostPValue(diffs, 0), 1, 'no margin, no equivalence');
});

test('verdicts on constructed cases: ceiling tie, a CI touching 0, equivalence in and out of the margin, symmetry', () => {
  const seeds = 20;
  const draw = normals(11);
  const base = Array.from({ length: seeds }, () => 30 + 3 * draw());
  const faster = base.map((b) => b - 5 - Math.abs(draw()));
  const same = base.map((b) => b + 0.2 * draw());
  const touching = [0, 0, 0, 0.4, 0.6]; // differences ≥ 0 with three exact ties: CI touches 0 from above
  const tests = [
    testClaim(faster, base, { better: 'lower', margin: 1 }), // clearly better
    testClaim(base, faster, { better: 'lower', margin: 1 }), // clearly worse (mirror)
    testClaim(same, base, { better: 'lower', margin: 1 }), // equivalent within ±1
    testClaim(same, base, { better: 'lower', margin: 0.001 }), // not within ±0.001
    testClaim(touching.map((d) => 10 + d), touching.map(() => 10), { better: 'lower' }),
    testClaim(new Array(seeds).fill(500), new Array(seeds).fill(500), { better: 'higher', margin: 5, ceiling: 500 }),
  ];
  const verdicts = decideClaims(tests).map((d) => d.verdict);
  assert.deepEqual(verdicts, ['holds', 'does not hold', 'does not hold', 'inconclusive', 'inconclusive', 'tie at ceiling']);
  // The CI that touches 0 is what the old rule called "does not hold".
  assert.equal(tests[4].diff.lo <= 0 && tests[4].diff.hi > 0, true);
  assert.equal(stats.verdict(stats.bootstrapMean(touching, { seed: 1 }), 'lower'), 'does not hold');
  // Holm: the same clear effect among many unrelated null claims still holds at 20 seeds,
  // but 5 seeds cannot carry a claim once ten claims share the error budget (2^-5 · 30 > 0.05).
  const nulls = Array.from({ length: 9 }, () => testClaim(same, base, { better: 'lower' }));
  assert.equal(decideClaims([tests[0], ...nulls])[0].verdict, 'holds');
  const five = testClaim(faster.slice(0, 5), base.slice(0, 5), { better: 'lower' });
  assert.equal(decideClaims([five])[0].verdict, 'inconclusive', 'one claim: 2^-5 · 3 > 0.05');
  // Censoring that could overturn a firm verdict makes it inconclusive.
  assert.equal(decideClaims([tests[0]], [{ towardClaim: false, awayFromClaim: true }])[0].verdict, 'inconclusive');
});
