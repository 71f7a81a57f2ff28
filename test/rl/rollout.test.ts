// dm.rollout (assembly/rollout.ts, the fused sampler), against references written here:
// - every recorded step follows a float64 CartPole step under its own task's parameters, starts
//   from the reset draw of stream (seed, RESET, task id, episode), and its action is the inverse-CDF
//   sample of the policy's probabilities (dm.wasmForward) at draw t of stream (seed, ACTION, task id, episode);
// - sampled action frequencies match softmax(bias) for a policy whose only non-zero weights are the
//   output bias (chi-square at a fixed seed), and logProbs equal log softmax(bias);
// - determinism: episode e of task id k is identical whatever the number of tasks and episodes
//   per call; another seed gives other trajectories; per-task weight sets equal separate calls;
// - WASM memory does not grow, nothing stays allocated in it, and no tfjs tensor leaks over 1000 rollouts;
// - bad inputs throw a ConfigError naming the field; Intersection-v0 smoke test.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { assertConfigError } from '../config-error';

const tf = dm.tf;

before(async () => { await dm.init(); });

const CARTPOLE_RANGES = { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15] } as const;
const cartpole = () => dm.taskFamily('CartPole-v1', CARTPOLE_RANGES);

/** Gymnasium CartPole.step (explicit Euler) in float64; task = [gravity, massCart, massPole, halfLength, forceMag]. */
function cartpoleStep64(s: ArrayLike<number>, action: number, task: ArrayLike<number>): { next: number[]; terminated: boolean } {
  const [g, massCart, massPole, halfLength, forceMag] = Array.from(task);
  const [x, xDot, theta, thetaDot] = Array.from(s);
  const totalMass = massCart + massPole, poleMassLength = massPole * halfLength;
  const force = action === 1 ? forceMag : -forceMag;
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
  const thetaAcc = (g * sin - cos * temp) / (halfLength * (4 / 3 - (massPole * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  const next = [x + 0.02 * xDot, xDot + 0.02 * xAcc, theta + 0.02 * thetaDot, thetaDot + 0.02 * thetaAcc];
  const limit = (12 * 2 * Math.PI) / 360;
  return { next, terminated: Math.abs(next[0]) > 2.4 || Math.abs(next[2]) > limit };
}

/** Row ranges [start, end) of every episode in the compact (episode-major) rows. */
function episodeRows(traj: dm.Trajectories): [number, number][] {
  const rows: [number, number][] = [];
  let start = 0;
  for (const len of traj.episodeLengths) {
    rows.push([start, start + len]);
    start += len;
  }
  return rows;
}

/** One episode's recorded data, for equality checks. */
function episode(traj: dm.Trajectories, e: number) {
  const [a, b] = episodeRows(traj)[e];
  const D = traj.obsDim;
  return {
    length: traj.episodeLengths[e],
    ret: traj.episodeReturns[e],
    terminal: traj.episodeTerminal[e],
    obs: Array.from(traj.obs.subarray(a * D, b * D)),
    actions: Array.from(traj.actions.subarray(a, b)),
    rewards: Array.from(traj.rewards.subarray(a, b)),
    logProbs: Array.from(traj.logProbs.subarray(a, b)),
  };
}

/** A policy whose only non-zero parameters are the output bias: π(·|s) = softmax(bias) for every s. */
function constantPolicy(obsDim: number, numActions: number, bias: number[]): dm.Policy {
  const policy = dm.createPolicy({ obsDim, numActions, hidden: [6], activation: 'tanh', seed: 0 });
  const flat = new Float32Array(policy.numParams);
  flat.set(bias, flat.length - numActions);
  policy.setFlat(flat);
  return policy;
}

function softmax64(x: number[]): number[] {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Pearson's chi-square statistic of counts against probabilities. */
function chiSquare(counts: number[], probs: number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((s, c, a) => s + (c - n * probs[a]) ** 2 / (n * probs[a]), 0);
}

// Upper 0.1 % points of the chi-square distribution (standard tables).
const CHI2_CRITICAL_0_001: Record<number, number> = { 1: 10.828, 4: 18.467 };

// ---------------------------------------------------------------------------------------------

test('every recorded step follows the float64 physics of its own task, from its reset draw, with the inverse-CDF action of its draw', () => {
  const family = cartpole();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16, 16], activation: 'tanh', seed: 3 });
  const tasks = family.sample(3, { seed: 7 });
  const taskIds = [4, 9, 2];
  const seed = 11, maxSteps = 120;
  const traj = dm.rollout(family, policy, tasks, { episodes: 5, maxSteps, seed, taskIds });
  assert.equal(traj.numTasks, 3);
  assert.equal(traj.numEpisodes, 15);
  assert.equal(traj.numSteps, traj.episodeLengths.reduce((s, v) => s + v, 0));
  const { logProbs } = dm.wasmForward(policy, traj.obs);
  const P = family.numParams;
  let checkedActions = 0;
  episodeRows(traj).forEach(([start, end], e) => {
    const task = Math.floor(e / 5), ep = e % 5;
    const params = tasks.subarray(task * P, (task + 1) * P);
    const len = end - start;
    assert.ok(len >= 1 && len <= maxSteps, `episode ${e} length ${len}`);
    // Reset: draws 0..3 of stream (seed, RESET, task id, episode), scaled to U(−0.05, 0.05) in float32.
    const u = dm.uniforms(seed, dm.Purpose.RESET, taskIds[task], ep, 4);
    const low = Math.fround(-0.05), width = Math.fround(Math.fround(0.05) - low);
    assert.deepEqual(Array.from(traj.obs.subarray(start * 4, start * 4 + 4)), Array.from(u, (v) => Math.fround(low + Math.fround(width * v))),
      `episode ${e} starts from its reset draw`);
    const draws = dm.uniforms(seed, dm.Purpose.ACTION, taskIds[task], ep, len);
    let sum = 0;
    for (let t = 0; t < len; t++) {
      const r = start + t;
      // The action: the first a with u < Σ_{b≤a} π(b|s); skip draws within float32 rounding of a boundary.
      const p0 = Math.exp(logProbs[r * 2]);
      if (Math.abs(draws[t] - p0) > 1e-5) {
        assert.equal(traj.actions[r], draws[t] < p0 ? 0 : 1, `episode ${e} step ${t}: action of draw ${draws[t]} with π(0|s) = ${p0}`);
        checkedActions++;
      }
      assert.ok(Math.abs(traj.logProbs[r] - logProbs[r * 2 + traj.actions[r]]) <= 1e-6, `episode ${e} step ${t}: recorded log π(a|s)`);
      assert.equal(traj.rewards[r], 1);
      sum += traj.rewards[r];
      const { next, terminated } = cartpoleStep64(traj.obs.subarray(r * 4, r * 4 + 4), traj.actions[r], params);
      if (t + 1 < len) {
        assert.ok(!terminated, `episode ${e} continued after terminating at step ${t}`);
        for (let k = 0; k < 4; k++) {
          const got = traj.obs[(r + 1) * 4 + k];
          assert.ok(Math.abs(got - next[k]) <= 1e-5 * (1 + Math.abs(next[k])), `episode ${e} step ${t} component ${k}: ${got} vs ${next[k]}`);
        }
      } else {
        assert.equal(traj.episodeTerminal[e], terminated ? 1 : 0, `episode ${e} terminal flag`);
        assert.ok(terminated || len === maxSteps, `episode ${e} ended at ${len} without terminating`);
      }
    }
    assert.equal(traj.episodeReturns[e], sum, `episode ${e} return`);
  });
  assert.ok(checkedActions > 0.99 * traj.numSteps, `only ${checkedActions} of ${traj.numSteps} actions checked`);
  policy.dispose();
});

test('sampled action frequencies match softmax(bias) (chi-square, fixed seed) and logProbs equal log softmax(bias): CartPole', () => {
  const bias = [0.4, -0.3];
  const probs = softmax64(bias);
  const family = cartpole();
  const policy = constantPolicy(4, 2, bias);
  const traj = dm.rollout(family, policy, family.sample(20, { seed: 1 }), { episodes: 50, seed: 123 });
  const counts = [0, 0];
  for (const a of traj.actions) counts[a]++;
  assert.ok(traj.numSteps > 5000, `${traj.numSteps} samples`);
  const stat = chiSquare(counts, probs);
  assert.ok(stat < CHI2_CRITICAL_0_001[1], `chi-square ${stat.toFixed(2)} with counts ${counts} vs p = ${probs.map((p) => p.toFixed(4))}`);
  // The test has power: the same counts reject probabilities off by 0.03.
  assert.ok(chiSquare(counts, [probs[0] - 0.03, probs[1] + 0.03]) > CHI2_CRITICAL_0_001[1], 'chi-square rejects a slightly wrong π');
  for (let r = 0; r < traj.numSteps; r++) {
    const expected = Math.log(probs[traj.actions[r]]);
    assert.ok(Math.abs(traj.logProbs[r] - expected) <= 1e-6, `row ${r}: log π ${traj.logProbs[r]} vs ${expected}`);
  }
  policy.dispose();
});

test('sampled action frequencies match softmax(bias) over 5 actions: Intersection-v0', () => {
  const family = dm.taskFamily('Intersection-v0');
  const bias = [0.5, -0.2, 0.1, 0.8, -1.0];
  const probs = softmax64(bias);
  const policy = constantPolicy(family.obsDim, family.numActions, bias);
  const traj = dm.rollout(family, policy, family.sample(10, { seed: 2 }), { episodes: 20, seed: 9 });
  const counts = new Array(5).fill(0);
  for (const a of traj.actions) counts[a]++;
  const stat = chiSquare(counts, probs);
  assert.ok(stat < CHI2_CRITICAL_0_001[4], `chi-square ${stat.toFixed(2)} with counts ${counts}`);
  for (let r = 0; r < traj.numSteps; r++) {
    assert.ok(Math.abs(traj.logProbs[r] - Math.log(probs[traj.actions[r]])) <= 1e-6, `row ${r} log π`);
  }
  policy.dispose();
});

// ---------------------------------------------------------------------------------------------
// Determinism

test('episode e of task id k is identical whatever the tasks and episodes of the call; another seed differs', () => {
  const family = cartpole();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16], activation: 'relu', seed: 5 });
  const tasks = family.sample(3, { seed: 3 });
  const P = family.numParams;
  const taskB = tasks.slice(P, 2 * P);
  const all = dm.rollout(family, policy, tasks, { episodes: 20, seed: 42 });
  const aloneB = dm.rollout(family, policy, taskB, { episodes: 20, seed: 42, taskIds: [1] });
  const firstTenB = dm.rollout(family, policy, taskB, { episodes: 10, seed: 42, taskIds: [1] });
  const oneB = dm.rollout(family, policy, taskB, { episodes: 3, seed: 42, taskIds: [1] });
  // Task B with id 1 as the second of five tasks of another call (the others differ).
  const mixed = dm.rollout(family, policy, Float32Array.from([...family.sample(1, { seed: 9 }), ...taskB, ...family.sample(3, { seed: 8 })]),
    { episodes: 7, seed: 42, taskIds: [5, 1, 6, 7, 8] });
  for (let e = 0; e < 20; e++) {
    const ref = episode(all, 20 + e);
    assert.deepEqual(episode(aloneB, e), ref, `episode ${e}: 3 tasks x 20 vs 1 task x 20`);
    if (e < 10) assert.deepEqual(episode(firstTenB, e), ref, `episode ${e}: 20 vs 10 episodes`);
    if (e < 3) assert.deepEqual(episode(oneB, e), ref, `episode ${e}: 20 vs 3 episodes`);
    if (e < 7) assert.deepEqual(episode(mixed, 7 + e), ref, `episode ${e}: as task 2 of 5`);
  }
  // The task id, not the position, names the stream: task B under id 0 differs.
  const asId0 = dm.rollout(family, policy, taskB, { episodes: 20, seed: 42, taskIds: [0] });
  assert.notDeepEqual(episode(asId0, 0).obs, episode(all, 20).obs, 'task id selects the streams');
  // Same call twice: identical; another seed: different.
  assert.deepEqual(dm.rollout(family, policy, tasks, { episodes: 20, seed: 42 }), all, 'same seed, same trajectories');
  const other = dm.rollout(family, policy, tasks, { episodes: 20, seed: 43 });
  let differing = 0;
  for (let e = 0; e < 60; e++) if (JSON.stringify(episode(other, e)) !== JSON.stringify(episode(all, e))) differing++;
  assert.equal(differing, 60, `another seed changed only ${differing} of 60 episodes`);
  policy.dispose();
});

test('per-task weight sets: one call equals separate calls with each task\'s weights', () => {
  const family = cartpole();
  const policies = [1, 2, 3].map((seed) => dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [7], activation: 'tanh', seed }));
  const tasks = family.sample(3, { seed: 6 });
  const P = family.numParams;
  const joint = dm.rollout(family, policies[0], tasks, { episodes: 6, seed: 3, weights: policies.map((p) => p.getFlat()) });
  policies.forEach((p, k) => {
    const alone = dm.rollout(family, p, tasks.slice(k * P, (k + 1) * P), { episodes: 6, seed: 3, taskIds: [k] });
    for (let e = 0; e < 6; e++) assert.deepEqual(episode(joint, 6 * k + e), episode(alone, e), `task ${k} episode ${e}`);
  });
  policies.forEach((p) => p.dispose());
});

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * The address a small allocation gets right now. In the steady state nothing is allocated (buffers
 * are allocated once and reused), so the allocator's state, and this address, must not change; a
 * block leaked in between takes or splits the free block the probe came from. This sees leaks too
 * small to grow the memory.
 */
function probeAddress(): number {
  const w = dm.wasmExports();
  const ptr = w.alloc(16);
  w.free(ptr);
  return ptr;
}

test('WASM memory and tfjs tensors do not grow over 1000 rollouts (same shapes)', () => {
  const family = cartpole();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16], activation: 'tanh', seed: 1 });
  const tasks = family.sample(4, { seed: 1 });
  const options = (seed: number) => ({ episodes: 8, maxSteps: 100, seed });
  for (let i = 0; i < 5; i++) dm.rollout(family, policy, tasks, options(i)); // warm-up: workspace and scratch
  const memory = dm.wasmExports().memory;
  const bytes = memory.buffer.byteLength, tensors = tf.memory().numTensors;
  let steps = 0;
  const probe = probeAddress();
  for (let i = 0; i < 1000; i++) steps += dm.rollout(family, policy, tasks, options(i % 5)).numSteps;
  assert.equal(probeAddress(), probe, 'the allocator\'s state changed: something was allocated in WASM memory and not freed');
  assert.ok(steps > 0);
  assert.equal(memory.buffer.byteLength, bytes, 'WASM memory grew');
  assert.equal(tf.memory().numTensors, tensors, 'tfjs tensors leaked');
  policy.dispose();
});

// ---------------------------------------------------------------------------------------------
// Bad inputs


test('bad inputs to dm.rollout throw a ConfigError naming the field', () => {
  const family = cartpole();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [4], seed: 0 });
  const tasks = family.sample(2, { seed: 0 });
  assertConfigError(() => dm.rollout(family, policy, tasks.subarray(0, 7)), 'tasks.length');
  assertConfigError(() => dm.rollout(family, policy, new Float32Array(0)), 'tasks.length');
  assertConfigError(() => dm.rollout(family, policy, tasks, { episodes: 0 }), 'episodes');
  assertConfigError(() => dm.rollout(family, policy, tasks, { episodes: 1.5 }), 'episodes');
  assertConfigError(() => dm.rollout(family, policy, tasks, { maxSteps: 0 }), 'maxSteps');
  assertConfigError(() => dm.rollout(family, policy, tasks, { seed: -1 }), 'seed');
  assertConfigError(() => dm.rollout(family, policy, tasks, { taskIds: [0] }), 'taskIds.length');
  assertConfigError(() => dm.rollout(family, policy, tasks, { weights: [policy.getFlat(), policy.getFlat(), policy.getFlat()] }), 'weights');
  const badTasks = tasks.slice();
  badTasks[family.numParams + 3] = -1; // task 1's halfLength
  assertConfigError(() => dm.rollout(family, policy, badTasks), 'tasks[1].halfLength');
  const wrongObs = dm.createPolicy({ obsDim: 3, numActions: 2, hidden: [4], seed: 0 });
  const wrongActions = dm.createPolicy({ obsDim: 4, numActions: 3, hidden: [4], seed: 0 });
  assertConfigError(() => dm.rollout(family, wrongObs, tasks), 'policy');
  assertConfigError(() => dm.rollout(family, wrongActions, tasks), 'policy');
  [policy, wrongObs, wrongActions].forEach((p) => p.dispose());
});

// ---------------------------------------------------------------------------------------------

test('Intersection-v0: one rollout gives finite results', () => {
  const family = dm.taskFamily('Intersection-v0');
  const policy = dm.createPolicy({ obsDim: family.obsDim, numActions: family.numActions, hidden: [32, 32], seed: 2 });
  const traj = dm.rollout(family, policy, family.sample(4, { seed: 1 }), { episodes: 5, seed: 1 });
  assert.equal(traj.numEpisodes, 20);
  assert.ok(traj.numSteps >= 20 && traj.numSteps <= 20 * family.maxEpisodeSteps, `${traj.numSteps} steps`);
  for (const arr of [traj.obs, traj.rewards, traj.logProbs, traj.episodeReturns]) assert.ok(arr.every(Number.isFinite));
  assert.ok(traj.logProbs.every((v) => v <= 0));
  assert.ok(traj.actions.every((a) => a >= 0 && a < family.numActions));
  episodeRows(traj).forEach(([a, b], e) => {
    let sum = 0;
    for (let r = a; r < b; r++) sum += traj.rewards[r];
    assert.ok(Math.abs(sum - traj.episodeReturns[e]) <= 1e-4 * (1 + Math.abs(sum)), `episode ${e} return`);
  });
  const g = dm.policyGradient(policy, traj);
  assert.ok(g.every(Number.isFinite) && g.some((v) => v !== 0), 'finite, non-zero gradient');
  policy.dispose();
});
