// dm.recordEpisode: the recorded states are the env's own (replaying the recorded actions in a fresh
// VecEnv gives them bit for bit), the episode stops where the env says, the same seed plays the same
// episode, and the actions are drawn from π(a|s) (chi-square against the policy's probabilities);
// known answers pin whole episodes of both heads bit for bit.
import { test, before } from 'node:test';
import { createHash } from 'node:crypto';
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

// SHA-256 of an episode's bytes: states, actions, rewards, then float64 [return, length, terminated].
function digest(ep: dm.Episode): string {
  const h = createHash('sha256');
  for (const a of [ep.states, ep.actions, ep.rewards, Float64Array.of(ep.return, ep.length, ep.terminated ? 1 : 0)]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

// Known answers, recorded with the code before the two heads shared one step loop (main at 5ef381a,
// which had a categorical loop and a Gaussian copy): policy hidden [16] seed 3, task sample(1, seed 2),
// episode seeds 1, 2, 3; logStd, when given, replaces the Gaussian's log-std through options.weights.
const KNOWN: { env: string; maxSteps: number | undefined; logStd: number[] | undefined; sha256: string[] }[] = [
  { env: 'CartPole-v1', maxSteps: undefined, logStd: undefined, sha256: [
    'aa9ec596ba0f77886c830b70ac7d24568980b433cb8964039460d5cba4600936',
    '3e5e11cb57e279f7fd9312b0d9c46f9cfeaa4320d0b95a5ede742dec67d4f866',
    '68989d3a2d6234b3651b2702ac688579e5ea577a4142f2d84e7723257063b53c',
  ] },
  { env: 'LunarLander-v2', maxSteps: 300, logStd: undefined, sha256: [
    '1439551952f70f9327ad597c5ab45b569605e9c19089bda0328a64c70bcc5706',
    '16e7d8c6fed1154e01d0e0a7634f00414e0fd5fd4202f93ae6f5080e48e6f8f5',
    '95cd63f90ad7e13cec18674f0e8840fdbc197a71b9af8d636af760c3fe9b336c',
  ] },
  { env: 'Navigation2D-v0', maxSteps: undefined, logStd: undefined, sha256: [
    'b1e3a5f63e35591fc48730f7584624e242b640159a8a169a96193c9350ecb313',
    'fffa34c3e35b58f6b7a92f121ecc77b12a67941ba805750023ed2589eff7fc66',
    '7f739922c69be233c6928e80202c739cbcd28e6da764a6a744ac299fa1bda947',
  ] },
  { env: 'Navigation2D-v0', maxSteps: undefined, logStd: [-1, 0.5], sha256: [
    '1c2fa253848b746663add768bfa2810b30df55848d3a1a37f9103c2a8aa9f324',
    '67c6cf21036d0e873e5b5f384f9312fad5345351216886715c91d81f0157c3cd',
    '0890ce74e71e2843710fe041e5f553abda9076170882a7167f13d0e405d6f0c6',
  ] },
  { env: 'LunarLanderContinuous-v2', maxSteps: 300, logStd: undefined, sha256: [
    '4d28db1abe327eb6095b6aa900629eabadf37414fd52c139915648ccee4d344c',
    'c34fb1e41d23372f273e9b6da4d79a48f5314efadf2b880c2a0a29c832b373b5',
    'b9f84c20e412b3316ae72df757a2f3a8623faa6338d5e1bcf3d71ebd39e4d7a2',
  ] },
];

for (const { env, maxSteps, logStd, sha256 } of KNOWN) {
  test(`${env}${logStd ? ` (log-std ${logStd})` : ''}: episodes of seeds 1, 2, 3 equal the known answers bit for bit`, () => {
    const family = dm.taskFamily(env);
    const policy = dm.createPolicy({ obsDim: family.obsDim, numActions: family.numActions, actionSize: family.actionSize, hidden: [16], seed: 3 });
    const task = family.sample(1, { seed: 2 });
    let weights: Float32Array | undefined;
    if (logStd) {
      weights = policy.getFlat();
      weights.set(logStd, weights.length - logStd.length);
    }
    const tensors = dm.tf.memory().numTensors;
    const got = [1, 2, 3].map((seed) => digest(dm.recordEpisode(family, policy, task, { seed, maxSteps, weights })));
    assert.equal(dm.tf.memory().numTensors, tensors, 'tensors leaked');
    assert.deepEqual(got, sha256);
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

test('episodes reuse their env: WASM memory and tfjs tensors stay flat over 450 episodes of three envs (both heads) and two step limits', () => {
  const families = [dm.taskFamily('CartPole-v1'), dm.taskFamily('Intersection-v0'), dm.taskFamily('Navigation2D-v0')];
  const policies = families.map((f) => dm.createPolicy({ obsDim: f.obsDim, numActions: f.numActions, actionSize: f.actionSize, hidden: [8], seed: 1 }));
  const play = (k: number) => families.forEach((f, i) => dm.recordEpisode(f, policies[i], f.medium(), { seed: k, maxSteps: k % 2 ? 50 : 100 }));
  for (let k = 0; k < 4; k++) play(k); // warm-up: every (env, limit) pair once
  const memory = dm.wasmExports().memory;
  const bytes = memory.buffer.byteLength, tensors = dm.tf.memory().numTensors;
  for (let k = 0; k < 150; k++) play(k);
  assert.equal(memory.buffer.byteLength, bytes, 'WASM memory grew');
  assert.equal(dm.tf.memory().numTensors, tensors, 'tensors leaked');
  policies.forEach((p) => p.dispose());
});

