// Sizes that disagree are refused with a ConfigError before any WASM memory is read, and the
// rollout workspaces of many shapes do not pile up.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const isConfigError = (field: string) => (e: unknown) => e instanceof dm.ConfigError && e.message.startsWith(field);

test('policyGradient, estimateAdvantages and wasmForward check sizes', () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const traj = dm.rollout(family, policy, family.medium(), { episodes: 3, seed: 1 });
  const otherPolicy = dm.createPolicy({ obsDim: 3, numActions: 2, hidden: [8], seed: 1 });
  assert.throws(() => dm.policyGradient(otherPolicy, traj), isConfigError('policy'));
  assert.throws(() => dm.policyGradient(policy, traj, { weights: new Float32Array(3) }), isConfigError('weights.length'));
  const est = dm.estimateAdvantages(traj);
  const short = { ...est, advantages: est.advantages.subarray(1) };
  assert.throws(() => dm.policyGradient(policy, traj, { advantages: short }), isConfigError('advantages.length'));
  const broken = new dm.Trajectories(traj.envId, 4, 2, 1, 3, traj.tasks, traj.episodeReturns, Int32Array.from([1, 1, 1]),
    traj.episodeTerminal, traj.obs, traj.actions, traj.rewards, traj.logProbs);
  assert.throws(() => dm.estimateAdvantages(broken), isConfigError('traj.episodeLengths'));
  const badAction = new dm.Trajectories(traj.envId, 4, 2, 1, 3, traj.tasks, traj.episodeReturns, traj.episodeLengths,
    traj.episodeTerminal, traj.obs, traj.actions.map((a, i) => (i === 2 ? 7 : a)), traj.rewards, traj.logProbs);
  assert.throws(() => dm.policyGradient(policy, badAction), isConfigError('traj.actions[2]'));
  assert.throws(() => dm.wasmForward(policy, new Float32Array(5)), isConfigError('obs.length'));
  assert.throws(() => dm.rollout(family, policy, family.medium(), { weights: [new Float32Array(2)] }), isConfigError('weights[0].length'));
  policy.dispose(); otherPolicy.dispose();
});

test('rollout workspaces of many shapes are recycled: memory stops growing', () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const memory = () => dm.wasmExports().memory.buffer.byteLength;
  const cycle = () => { for (let episodes = 1; episodes <= 12; episodes++) dm.rollout(family, policy, family.medium(), { episodes, maxSteps: 400, seed: 2 }); };
  cycle();
  const after = memory();
  for (let r = 0; r < 5; r++) cycle();
  assert.equal(memory(), after);
  policy.dispose();
});
