// LunarLanderContinuous-v2 (Gymnasium's LunarLander with continuous=True) on our lanes against the
// float64 planck reference with the same mapping (planck-lander.ts, `continuous: true`): the main
// engine off for a0 ≤ 0, else throttle (clip(a0, 0, 1) + 1)/2; the side engines only for
// |a1| > 0.5, throttle clip(|a1|, 0.5, 1) towards sign(a1); fuel 0.30·m_power + 0.03·s_power.
//   - step by step (TOI off, as trajectory.test.ts explains): scripted action sequences whose
//     values cover every branch of the mapping — below zero, the dead zone, both throttle ranges,
//     beyond the clip — bodies, observations and rewards within tolerances tight enough that
//     dropping the throttle rescale, the side dead zone or a fuel cost fails them;
//   - statistically (TOI on, as Gymnasium runs): random actions and Gymnasium's continuous
//     heuristic, mean return, length and termination causes (as statistics.test.ts does for v2).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { PlanckLander, heuristicContinuous, DRAWS_PER_RESET, DRAWS_PER_STEP, type BodyState } from './planck-lander';
import { meanCI, welchDiff, twoProportion, chiSquareCounts } from './stats';
import { oursEpisodes, planckEpisodes, countCauses, CAUSES, type Episode } from './episodes';
import { testRandom } from '../../nn/mlp-reference';

before(async () => { await dm.init(); });

const ID = 'LunarLanderContinuous-v2';
const FIELDS = ['x', 'y', 'angle', 'vx', 'vy', 'omega'] as const;
// Bodies, observations: as trajectory.test.ts (float32 against float64, drift measured ~1e-3 over
// 120 steps). Rewards: the smallest fuel term a wrong mapping changes is 0.03·0.5 = 0.015 (a side
// engine at half throttle), so rewards must agree within less; float32 rounding of the shaping
// leaves a few 1e-3 (measured below).
const TOLERANCE = 1e-2;
const REWARD_TOLERANCE = 1e-2;

type Action = [number, number];
// Values that hit each branch: a0 < 0 (off), 0 (off: not > 0), (0, 1] (50–100%), > 1 (clipped);
// a1 in the dead zone (±0.3, ±0.5 exactly), in (0.5, 1] either way, beyond ±1.
const A0 = [-0.6, 0, 0.15, 0.55, 1.0, 1.4];
const A1 = [-1.3, -0.8, -0.5, -0.3, 0.3, 0.5, 0.62, 0.95, 1.2];

interface Scenario { name: string; seed: number; steps: number; task?: Partial<Record<'windPower' | 'turbulencePower', number>>; plan: (t: number, obs: ArrayLike<number>) => Action }
const scenarios: Scenario[] = [
  { name: 'continuous heuristic touchdown', seed: 33, steps: 120, plan: (_t, obs) => heuristicContinuous(obs) },
  {
    // The heuristic keeps it flying; every other step a sweep value replaces its main throttle,
    // and the lateral command walks through the dead zone and both throttle ranges.
    name: 'throttle sweep in flight', seed: 21, steps: 120,
    plan: (t, obs) => { const h = heuristicContinuous(obs); return [t % 2 ? A0[(t >> 1) % A0.length] : h[0], A1[t % A1.length]]; },
  },
  {
    name: 'random unclipped actions in wind', seed: 5, steps: 120, task: { windPower: 10, turbulencePower: 1 },
    plan: (() => { const r = testRandom(3); return () => [3 * r() - 1.5, 3 * r() - 1.5] as Action; })(),
  },
];

for (const sc of scenarios) {
  test(`continuous, step by step: ${sc.name}: bodies, observations and rewards agree with planck (TOI off)`, () => {
    const family = dm.taskFamily(ID);
    const env = family.makeVecEnv({ numEnvs: 1, seed: sc.seed });
    const task = { gravity: -10, ...sc.task };
    env.setTasks(family.task(task));
    const draws = dm.uniforms(sc.seed, dm.Purpose.RESET, 0, 0, DRAWS_PER_RESET + DRAWS_PER_STEP * (sc.steps + 1));
    // The action sequence is fixed beforehand on a first planck run, in float32 (what our env reads).
    const actions: Action[] = [];
    {
      let k = 0;
      const plan = new PlanckLander(task, () => draws[k++], { continuousPhysics: false, continuous: true });
      let s = plan.reset();
      for (let t = 0; t < sc.steps && !s.terminated; t++) {
        const a = sc.plan(t, s.obs);
        actions.push([Math.fround(a[0]), Math.fround(a[1])]);
        s = plan.step(actions[t]);
      }
    }
    let k = 0;
    const ref = new PlanckLander(task, () => draws[k++], { continuousPhysics: false, continuous: true });
    ref.reset();
    env.reset();
    let maxDeviation = 0, maxRewardDeviation = 0, mainSteps = 0, sideSteps = 0, deadZoneSteps = 0, fuel = 0;
    for (let t = 0; t < actions.length; t++) {
      const [a0, a1] = actions[t];
      if (a0 > 0) mainSteps++;
      if (Math.abs(a1) > 0.5) sideSteps++; else if (a1 !== 0) deadZoneSteps++;
      const theirs = ref.step(actions[t]);
      const out = env.step(Float32Array.of(a0, a1));
      const ours = dm.decodeLunarState(env.getState()), bodies = ref.bodies();
      const pairs: [string, dm.LunarBody, BodyState][] = [['lander', ours.lander, bodies.lander], ['legs[0]', ours.legs[0], bodies.legs[0]], ['legs[1]', ours.legs[1], bodies.legs[1]]];
      for (const [name, a, b] of pairs) {
        for (const f of FIELDS) {
          const d = Math.abs(a[f] - b[f]);
          maxDeviation = Math.max(maxDeviation, d);
          assert.ok(d <= TOLERANCE, `step ${t + 1} (action ${a0}, ${a1}): ${name}.${f} = ${a[f]} (ours) vs ${b[f]} (planck), |Δ| = ${d.toExponential(2)}`);
        }
      }
      for (let j = 0; j < 8; j++) assert.ok(Math.abs(out.obs[j] - theirs.obs[j]) <= TOLERANCE, `step ${t + 1}: obs[${j}] ${out.obs[j]} vs ${theirs.obs[j]}`);
      const dr = Math.abs(out.reward[0] - theirs.reward);
      maxRewardDeviation = Math.max(maxRewardDeviation, dr);
      assert.ok(dr <= REWARD_TOLERANCE, `step ${t + 1} (action ${a0}, ${a1}): reward ${out.reward[0]} vs ${theirs.reward}`);
      assert.equal(out.terminated[0] === 1, theirs.terminated, `step ${t + 1}: terminated`);
      assert.deepEqual(ours.legContact, bodies.legContact, `step ${t + 1}: leg contacts`);
      if (theirs.terminated) break;
      fuel++;
    }
    assert.ok(mainSteps > 10 && sideSteps > 10, `the main (${mainSteps}) and side (${sideSteps}) engines fired`);
    if (sc.name !== 'continuous heuristic touchdown') assert.ok(deadZoneSteps > 10, `lateral commands in the dead zone: ${deadZoneSteps}`);
    console.log(`# ${sc.name}: ${fuel} steps (main ${mainSteps}, side ${sideSteps}, dead zone ${deadZoneSteps}), max |Δ| bodies ${maxDeviation.toExponential(2)}, reward ${maxRewardDeviation.toExponential(2)}`);
    env.dispose();
  });
}

const fmt = (x: number) => x.toFixed(1);
function describe(name: string, eps: Episode[]): string {
  const r = meanCI(eps.map((e) => e.ret)), l = meanCI(eps.map((e) => e.length));
  return `${name}: return ${fmt(r.mean)} ± ${fmt(r.halfWidth)}, length ${fmt(l.mean)} ± ${fmt(l.halfWidth)}, causes ${CAUSES.map((c, k) => `${c} ${countCauses(eps)[k]}`).join(', ')}`;
}

test('continuous, statistically: uniform random actions in [−1, 1]² — mean return, length and termination causes agree with planck', () => {
  const N = 400, seed = 12;
  const plans = Array.from({ length: N }, (_, e) => {
    const r = testRandom(3000 + e);
    return Float32Array.from({ length: 2000 }, () => 2 * r() - 1); // action_space.sample(), in float32 for both
  });
  const policy = (episode: number, t: number): Action => [plans[episode][2 * t], plans[episode][2 * t + 1]];
  const ours = oursEpisodes(N, seed, { gravity: -10 }, policy, true);
  const theirs = planckEpisodes(N, seed, { gravity: -10 }, policy, true, true);
  console.log(`# random, ${describe('ours  ', ours)}`);
  console.log(`# random, ${describe('planck', theirs)}`);
  for (const [what, get] of [['return', (e: Episode) => e.ret], ['length', (e: Episode) => e.length]] as const) {
    const d = welchDiff(ours.map(get), theirs.map(get));
    console.log(`# random, ${what} difference ${fmt(d.diff)}, 95% CI [${fmt(d.lo)}, ${fmt(d.hi)}]`);
    assert.ok(d.lo <= 0 && 0 <= d.hi, `${what} difference CI [${d.lo}, ${d.hi}] excludes 0`);
  }
  const chi = chiSquareCounts(countCauses(ours), countCauses(theirs));
  console.log(`# random, causes chi-square ${chi.statistic.toFixed(2)}, df ${chi.df}, p ${chi.p.toFixed(3)}`);
  assert.ok(chi.p > 0.05, `termination causes differ (chi-square p = ${chi.p})`);
});

test('continuous, statistically: Gymnasium\'s continuous heuristic lands (mean >= 200) and its mean and rest share agree with planck', () => {
  const N = 100, seed = 11;
  const policy = (_: number, __: number, obs: ArrayLike<number>) => heuristicContinuous(obs);
  const ours = oursEpisodes(N, seed, { gravity: -10 }, policy, true);
  const theirs = planckEpisodes(N, seed, { gravity: -10 }, policy, true, true);
  console.log(`# heuristic, ${describe('ours  ', ours)}`);
  console.log(`# heuristic, ${describe('planck', theirs)}`);
  const mean = meanCI(ours.map((e) => e.ret)).mean;
  assert.ok(mean >= 200, `mean return ${mean} < 200 (Gymnasium's reward_threshold)`);
  const d = welchDiff(ours.map((e) => e.ret), theirs.map((e) => e.ret));
  console.log(`# heuristic, return difference ${fmt(d.diff)}, 95% CI [${fmt(d.lo)}, ${fmt(d.hi)}]`);
  assert.ok(d.lo <= 0 && 0 <= d.hi, `return difference CI [${d.lo}, ${d.hi}] excludes 0`);
  const rest = (eps: Episode[]) => eps.filter((e) => e.cause === 'rest').length;
  const p = twoProportion(rest(ours), N, rest(theirs), N);
  console.log(`# heuristic, rest share ${p.pa.toFixed(2)} vs ${p.pb.toFixed(2)}, difference 95% CI [${p.lo.toFixed(3)}, ${p.hi.toFixed(3)}]`);
  assert.ok(p.lo <= 0 && 0 <= p.hi, `rest share difference CI [${p.lo}, ${p.hi}] excludes 0`);
});

test('LunarLanderContinuous-v2: the family — a box of 2 in [−1, 1], LunarLander-v2\'s task parameters, unclipped actions accepted, non-finite refused', () => {
  const family = dm.taskFamily(ID), discrete = dm.taskFamily('LunarLander-v2');
  assert.deepEqual([family.obsDim, family.numActions, family.actionSize, family.maxEpisodeSteps], [8, 0, 2, 1000]);
  assert.deepEqual(family.actionSpace, { kind: 'box', size: 2, low: [-1, -1], high: [1, 1] });
  assert.deepEqual(family.paramNames, discrete.paramNames);
  assert.deepEqual(Array.from(family.medium()), Array.from(discrete.medium()));
  const env = family.makeVecEnv({ numEnvs: 2, seed: 1 });
  env.reset();
  assert.doesNotThrow(() => env.step(Float32Array.of(5, -7, -3, 0.2)));
  assert.throws(() => env.step(Float32Array.of(NaN, 0, 0, 0)), (e: Error) => e instanceof dm.ConfigError);
  assert.throws(() => env.step(Int32Array.of(2, 0)), (e: Error) => e instanceof dm.ConfigError);
  env.dispose();
});

test('dm.rollout on LunarLanderContinuous-v2 with a Gaussian policy: episodes of 2-float actions end as the env ends them, reproducibly', () => {
  const family = dm.taskFamily(ID, { gravity: [-11.5, -4.5], windPower: [0, 20] });
  const policy = dm.createPolicy({ obsDim: family.obsDim, actionSize: family.actionSize, hidden: [16], seed: 4 });
  try {
    const tasks = family.sample(3, { seed: 2 });
    const options = { episodes: 4, maxSteps: 300, seed: 17 };
    const traj = dm.rollout(family, policy, tasks, options);
    const n = traj.numSteps;
    assert.equal(traj.actionSize, 2);
    assert.ok(traj.actions instanceof Float32Array && traj.actions.length === 2 * n, 'n x 2 actions');
    assert.equal(traj.episodeLengths.reduce((a, b) => a + b, 0), n);
    assert.ok(n > 100, `${n} steps`);
    // Unclipped Gaussian samples (std 1 at init) reach beyond the env's [−1, 1] box, which clips them.
    assert.ok((traj.actions as Float32Array).some((a) => Math.abs(a) > 1), 'some actions beyond the box');
    let start = 0;
    for (let e = 0; e < traj.episodeLengths.length; e++) {
      const len = traj.episodeLengths[e], last = traj.rewards[start + len - 1];
      let sum = 0;
      for (let t = start; t < start + len; t++) sum += traj.rewards[t];
      assert.ok(Math.abs(sum - traj.episodeReturns[e]) < 1e-3 * Math.max(1, Math.abs(sum)), `episode ${e}: return is the sum of its rewards`);
      // A terminal step is Gymnasium's −100 (crash or out) or +100 (at rest); otherwise the step cap.
      if (traj.episodeTerminal[e]) assert.ok(last === -100 || last === 100, `episode ${e}: terminal reward ${last}`);
      else assert.equal(len, options.maxSteps, `episode ${e} neither ended nor reached the cap`);
      start += len;
    }
    const again = dm.rollout(family, policy, tasks, options);
    assert.deepEqual(again.actions, traj.actions);
    assert.deepEqual(again.rewards, traj.rewards);
  } finally {
    policy.dispose();
  }
});
