// dm.recordEpisode: the recorded states are the env's own (replaying the recorded actions in a fresh
// VecEnv gives them bit for bit), the episode stops where the env says, the same seed plays the same
// episode, and the actions are drawn from π(a|s) (chi-square against the policy's probabilities).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

function replay(family: dm.TaskFamily, task: Float32Array, seed: number, actions: dm.Actions, maxSteps: number) {
  const width = Math.max(1, family.actionSize);
  const env = family.makeVecEnv({ numEnvs: 1, seed, maxSteps });
  env.setTasks(task);
  env.reset();
  const states = [...env.getState()];
  const rewards: number[] = [];
  let ended = -1;
  for (let t = 0; t < actions.length / width; t++) {
    const r = env.step(Array.from(actions.subarray(t * width, (t + 1) * width)));
    rewards.push(r.reward[0]);
    states.push(...env.getState());
    if ((r.terminated[0] || r.truncated[0]) && ended < 0) ended = t + 1;
  }
  env.dispose();
  return { states: Float32Array.from(states), rewards: Float32Array.from(rewards), ended };
}

for (const envId of ['CartPole-v1', 'Intersection-v0', 'Navigation2D-v0']) {
  test(`${envId}: states and rewards equal a replay of the recorded actions; the episode ends where the env ends it`, () => {
    const family = dm.taskFamily(envId);
    const policy = dm.createPolicy({ obsDim: family.obsDim, numActions: family.numActions, actionSize: family.actionSize, hidden: [16], seed: 3 });
    const task = family.sample(1, { seed: 2 });
    for (const seed of [1, 2, 3]) {
      const maxSteps = 60;
      const ep = dm.recordEpisode(family, policy, task, { seed, maxSteps });
      assert.equal(ep.states.length, (ep.length + 1) * family.stateDim);
      assert.equal(ep.actions.length, ep.length * Math.max(1, family.actionSize));
      const again = replay(family, task, seed, ep.actions, maxSteps);
      assert.deepEqual(ep.states, again.states);
      assert.deepEqual(ep.rewards, again.rewards);
      assert.equal(again.ended, ep.length, 'the last recorded step is the first that ends the episode');
      assert.equal(ep.terminated, ep.length < maxSteps);
      assert.equal(ep.return, ep.rewards.reduce((s, r) => s + r, 0));
      if (envId === 'CartPole-v1') assert.equal(ep.return, ep.length, 'CartPole pays 1 per step');
      assert.deepEqual(dm.recordEpisode(family, policy, task, { seed, maxSteps }), ep, 'the same seed plays the same episode');
    }
    const a = dm.recordEpisode(family, policy, task, { seed: 1, maxSteps: 60 });
    const b = dm.recordEpisode(family, policy, task, { seed: 2, maxSteps: 60 });
    assert.notDeepEqual(a.states, b.states);
    policy.dispose();
  });
}

test('actions are drawn from π(a|s): chi-square of 5 actions against fixed probabilities (p > 0.001)', () => {
  const family = dm.taskFamily('Intersection-v0');
  // A linear policy with zero kernels: π = softmax(bias) whatever the state.
  const policy = dm.createPolicy({ obsDim: 4, numActions: 5, hidden: [], seed: 0 });
  const probs = [0.1, 0.2, 0.3, 0.25, 0.15];
  const flat = new Float32Array(policy.numParams);
  probs.forEach((p, k) => { flat[4 * 5 + k] = Math.log(p); });
  policy.setFlat(flat);
  const counts = [0, 0, 0, 0, 0];
  for (let seed = 0; seed < 40; seed++) {
    for (const a of dm.recordEpisode(family, policy, family.medium(), { seed }).actions) counts[a]++;
  }
  const n = counts.reduce((s, c) => s + c, 0);
  const chi2 = counts.reduce((s, c, k) => s + (c - n * probs[k]) ** 2 / (n * probs[k]), 0);
  assert.ok(n > 500, `${n} actions`);
  assert.ok(chi2 < 18.47, `chi-square ${chi2.toFixed(2)} (4 dof) over ${n} actions: counts ${counts}`);
  policy.dispose();
});

test('a policy for another env, a bad seed or step limit is refused by name', () => {
  const family = dm.taskFamily('CartPole-v1');
  const wrong = dm.createPolicy({ obsDim: 4, numActions: 5, hidden: [], seed: 0 });
  const right = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [], seed: 0 });
  assert.throws(() => dm.recordEpisode(family, wrong, family.medium()), (e: unknown) => e instanceof dm.ConfigError && e.field === 'policy');
  assert.throws(() => dm.recordEpisode(family, right, family.medium(), { seed: -1 }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'seed');
  assert.throws(() => dm.recordEpisode(family, right, family.medium(), { maxSteps: 0 }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'maxSteps');
  assert.throws(() => dm.recordEpisode(family, right, new Float32Array(5).fill(-1)), (e: unknown) => e instanceof dm.ConfigError && /^tasks/.test(e.field));
  wrong.dispose();
  right.dispose();
});

test('episodes reuse their env: WASM memory and tfjs tensors stay flat over 300 episodes of both envs and two step limits', () => {
  const families = [dm.taskFamily('CartPole-v1'), dm.taskFamily('Intersection-v0')];
  const policies = families.map((f) => dm.createPolicy({ obsDim: f.obsDim, numActions: f.numActions, hidden: [8], seed: 1 }));
  const play = (k: number) => families.forEach((f, i) => dm.recordEpisode(f, policies[i], f.medium(), { seed: k, maxSteps: k % 2 ? 50 : 100 }));
  for (let k = 0; k < 4; k++) play(k); // warm-up: every (env, limit) pair once
  const memory = dm.wasmExports().memory;
  const bytes = memory.buffer.byteLength, tensors = dm.tf.memory().numTensors;
  for (let k = 0; k < 150; k++) play(k);
  assert.equal(memory.buffer.byteLength, bytes, 'WASM memory grew');
  assert.equal(dm.tf.memory().numTensors, tensors, 'tensors leaked');
  policies.forEach((p) => p.dispose());
});

