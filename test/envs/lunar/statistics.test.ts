// Fidelity 4b and 4c: whole episodes of our float32 lanes against the float64 planck.js reference
// with Box2D's continuous collision on (as Gymnasium runs it), compared statistically: trajectories
// part after contacts (chaotic; see trajectory.test.ts), so what must agree is the distribution of
// outcomes. Episode i of both uses the same draws (lane i's stream) and the same policy, and the
// comparison is the unpaired one the issue asks for: 95% intervals of the difference (Welch for
// means, Wald for a proportion) must contain 0, and a chi-square test of the termination causes
// must not reject at 5%. Fixed seeds, so the outcome is reproducible; the figures are printed.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { heuristic } from './planck-lander';
import { meanCI, welchDiff, twoProportion, chiSquareCounts } from './stats';
import { oursEpisodes, planckEpisodes, countCauses, CAUSES, type Episode } from './episodes';
import { testRandom } from '../../nn/mlp-reference';

before(async () => { await dm.init(); });

const fmt = (x: number) => x.toFixed(1);
function describe(name: string, eps: Episode[]): string {
  const r = meanCI(eps.map((e) => e.ret)), l = meanCI(eps.map((e) => e.length));
  return `${name}: return ${fmt(r.mean)} ± ${fmt(r.halfWidth)}, length ${fmt(l.mean)} ± ${fmt(l.halfWidth)}, causes ${CAUSES.map((c, k) => `${c} ${countCauses(eps)[k]}`).join(', ')}`;
}

// 4b: Gymnasium's heuristic at gravity −10, 100 episodes (≥ 80 asked; the half-width of the mean's
// interval is then about 8).
test('4b: the heuristic averages >= 220 on our lanes, and its mean and rest share agree with planck', () => {
  const N = 100, seed = 11;
  const policy = (_: number, __: number, obs: ArrayLike<number>) => heuristic(obs);
  const ours = oursEpisodes(N, seed, { gravity: -10 }, policy);
  const theirs = planckEpisodes(N, seed, { gravity: -10 }, policy);
  console.log(`# ${describe('ours  ', ours)}`);
  console.log(`# ${describe('planck', theirs)}`);
  const oursMean = meanCI(ours.map((e) => e.ret));
  assert.ok(oursMean.mean >= 220, `mean return ${oursMean.mean} < 220 (envpool's bar)`);
  const d = welchDiff(ours.map((e) => e.ret), theirs.map((e) => e.ret));
  console.log(`# return difference ${fmt(d.diff)}, 95% CI [${fmt(d.lo)}, ${fmt(d.hi)}]`);
  assert.ok(d.lo <= 0 && 0 <= d.hi, `return difference CI [${d.lo}, ${d.hi}] excludes 0`);
  const rest = (eps: Episode[]) => eps.filter((e) => e.cause === 'rest').length;
  const p = twoProportion(rest(ours), N, rest(theirs), N);
  console.log(`# rest share ${p.pa.toFixed(2)} vs ${p.pb.toFixed(2)}, difference 95% CI [${p.lo.toFixed(3)}, ${p.hi.toFixed(3)}]`);
  assert.ok(p.lo <= 0 && 0 <= p.hi, `rest share difference CI [${p.lo}, ${p.hi}] excludes 0`);
});

// 4c: uniform random actions (the same sequence in both, from a per-episode generator), 400
// episodes at the default gravity.
test('4c: random-policy episodes: mean return, mean length and termination causes agree with planck', () => {
  const N = 400, seed = 12;
  const actions = (episode: number): number[] => {
    const r = testRandom(1000 + episode);
    return Array.from({ length: 1000 }, () => Math.floor(r() * 4));
  };
  const plans = Array.from({ length: N }, (_, i) => actions(i));
  const policy = (episode: number, t: number) => plans[episode][t];
  const ours = oursEpisodes(N, seed, { gravity: -10 }, policy);
  const theirs = planckEpisodes(N, seed, { gravity: -10 }, policy);
  console.log(`# ${describe('ours  ', ours)}`);
  console.log(`# ${describe('planck', theirs)}`);
  for (const [what, get] of [['return', (e: Episode) => e.ret], ['length', (e: Episode) => e.length]] as const) {
    const d = welchDiff(ours.map(get), theirs.map(get));
    console.log(`# ${what} difference ${fmt(d.diff)}, 95% CI [${fmt(d.lo)}, ${fmt(d.hi)}]`);
    assert.ok(d.lo <= 0 && 0 <= d.hi, `${what} difference CI [${d.lo}, ${d.hi}] excludes 0`);
  }
  const chi = chiSquareCounts(countCauses(ours), countCauses(theirs));
  console.log(`# causes chi-square ${chi.statistic.toFixed(2)}, df ${chi.df}, p ${chi.p.toFixed(3)}`);
  assert.ok(chi.p > 0.05, `termination causes differ (chi-square p = ${chi.p})`);
});
