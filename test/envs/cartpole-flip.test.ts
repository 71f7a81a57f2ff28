// CartPoleFlip-v0 (src/envs/cartpole.ts, assembly/envs/cartpole.ts cartpoleFlipStepLanes) against a
// float64 re-derivation of Gymnasium's cartpole.py with the push flipped when forceDirection < 0,
// written here; its identity with CartPole-v1 on unflipped tasks; the hidden parameter's effect on
// the right action (the same fixed policy balances on one half of the range and not the other).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { assertFollowsReference, type Physics } from './cartpole-reference';

before(async () => { await dm.init(); });

const ID = 'CartPoleFlip-v0';
test('CartPoleFlip-v0 is registered with CartPole-v1\'s parameters then forceDirection, varied over [−1, 1] by default', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual([...family.paramNames], ['gravity', 'massCart', 'massPole', 'halfLength', 'forceMag', 'forceDirection']);
  assert.deepEqual(family.ranges.forceDirection, [-1, 1]);
  // The other parameters are Gymnasium's defaults, read from the module (not CartPole-v1's halfLength range).
  const base = dm.taskFamily('CartPole-v1', {});
  for (const name of base.paramNames) assert.deepEqual(family.ranges[name], base.ranges[name], name);
  assert.equal(family.obsDim, 4);
  assert.deepEqual(family.actionSpace, { kind: 'discrete', n: 2 });
  assert.equal(family.maxEpisodeSteps, dm.taskFamily('CartPole-v1').maxEpisodeSteps);
});

test('golden trajectories: every lane (flipped or not, two SIMD groups and a tail) follows the float64 reference', () => {
  const family = dm.taskFamily(ID, { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15], forceDirection: [-1, 1] });
  const numEnvs = 10;
  const tasks = family.sample(numEnvs, { seed: 11 });
  const P = family.numParams;
  const physics: Physics[] = [];
  for (let i = 0; i < numEnvs; i++) {
    const t = tasks.subarray(i * P, (i + 1) * P);
    physics.push({ gravity: t[0], massCart: t[1], massPole: t[2], halfLength: t[3], forceMag: t[4], forceDirection: t[5] });
  }
  const flipped = physics.filter((p) => p.forceDirection! < 0).length;
  assert.ok(flipped >= 2 && flipped <= numEnvs - 2, `${flipped} of ${numEnvs} tasks flipped`);
  const env = family.makeVecEnv({ numEnvs, seed: 5 });
  env.setTasks(tasks);
  env.reset();
  assertFollowsReference(env, physics, (i) => `env ${i} (direction ${physics[i].forceDirection})`);
  env.dispose();
});

test('on tasks with forceDirection >= 0 CartPoleFlip-v0 is CartPole-v1 bit for bit; observations do not show the direction', () => {
  const flip = dm.taskFamily(ID, { halfLength: [0.25, 0.75], forceDirection: [0, 1] });
  const base = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75] });
  const n = 6;
  const flipTasks = flip.sample(n, { seed: 2 });
  const baseTasks = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) baseTasks.set(flipTasks.subarray(i * 6, i * 6 + 5), i * 5);
  const a = flip.makeVecEnv({ numEnvs: n, seed: 9 }), b = base.makeVecEnv({ numEnvs: n, seed: 9 });
  a.setTasks(flipTasks); b.setTasks(baseTasks);
  assert.deepEqual(a.reset(), b.reset());
  for (let t = 0; t < 40; t++) {
    const actions = Int32Array.from({ length: n }, (_, i) => ((t * 7 + i) >> 2) & 1);
    const oa = a.step(actions), ob = b.step(actions);
    assert.deepEqual(oa.obs, ob.obs, `step ${t}`);
    assert.deepEqual(oa.terminated, ob.terminated, `step ${t}`);
  }
  a.dispose(); b.dispose();
  // The same reset seed gives the same first observation whatever the direction.
  const up = dm.taskFamily(ID, { forceDirection: 1 }).makeVecEnv({ numEnvs: 4, seed: 3 });
  const down = dm.taskFamily(ID, { forceDirection: -1 }).makeVecEnv({ numEnvs: 4, seed: 3 });
  assert.deepEqual(up.reset(), down.reset());
  up.dispose(); down.dispose();
});

/** Mean episode length (= return) of a fixed state-feedback policy over `tasks`, one episode each. */
function meanReturn(family: dm.TaskFamily, tasks: Float32Array, policy: (o: Float32Array) => number): number {
  const n = tasks.length / family.numParams;
  const env = family.makeVecEnv({ numEnvs: n, seed: 4 });
  env.setTasks(tasks);
  let obs = env.reset();
  const returns = new Float64Array(n), done = new Array(n).fill(false);
  for (let t = 0; t < family.maxEpisodeSteps && done.includes(false); t++) {
    const actions = Int32Array.from({ length: n }, (_, i) => policy(obs.subarray(i * 4, i * 4 + 4)));
    const out = env.step(actions);
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      returns[i] += out.reward[i];
      if (out.terminated[i] || out.truncated[i]) done[i] = true;
    }
    obs = out.obs.slice();
  }
  env.dispose();
  return returns.reduce((s, r) => s + r, 0) / n;
}

test('the hidden direction changes the right action: one fixed policy balances on one half of the range and falls on the other', () => {
  const lean = (o: Float32Array) => Number(o[2] + 0.5 * o[3] > 0); // push towards the lean
  const against = (o: Float32Array) => 1 - lean(o);
  const right = dm.taskFamily(ID, { forceDirection: [0, 1] }), left = dm.taskFamily(ID, { forceDirection: [-1, -1e-6] });
  const tr = right.sample(16, { seed: 1 }), tl = left.sample(16, { seed: 1 });
  const scores = { leanRight: meanReturn(right, tr, lean), leanLeft: meanReturn(left, tl, lean), againstRight: meanReturn(right, tr, against), againstLeft: meanReturn(left, tl, against) };
  console.log(scores);
  assert.ok(scores.leanRight > 400 && scores.againstLeft > 400, JSON.stringify(scores));
  assert.ok(scores.leanLeft < 50 && scores.againstRight < 50, JSON.stringify(scores));
});
