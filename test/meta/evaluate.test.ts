// dm.adaptPolicy: a new policy adapted to one task. Its step is checked against an independent
// path (tfjs's gradient through dm.adapt on the same rollout, vs the WASM estimator the loop uses),
// its returns against dm.evaluateAdaptation (one loop for both), and its effect against fresh
// rollouts: on an untrained CartPole policy, ten steps must raise the return by a margin.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const tf = dm.tf;

test('adaptPolicy: returns equal evaluateAdaptation bit for bit; a new policy, the given one unchanged; no tensor left', async () => {
  const family = dm.taskFamily('CartPole-v1');
  const task = family.task({ halfLength: 0.7 });
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const theta0 = policy.getFlat();
  const options = { steps: 3, episodes: 6, innerLr: 0.2, seed: 4 };
  const tensors = tf.memory().numTensors;
  const { policy: adapted, returns } = await dm.adaptPolicy(policy, family, task, options);
  assert.deepEqual(returns, await dm.evaluateAdaptation(policy, family, task, options));
  assert.equal(returns.length, 4);
  assert.notEqual(adapted, policy);
  assert.deepEqual([...adapted.layerSizes], [...policy.layerSizes]);
  assert.equal(adapted.activation, policy.activation);
  assert.deepEqual(policy.getFlat(), theta0, 'the given policy is left as it was');
  assert.notDeepEqual(adapted.getFlat(), theta0, 'the adapted policy has moved');
  // returns[steps] is the adapted policy's own: step 3's rollout (seed (4, ITERATION, 0x7fffffff, 3)) from its parameters.
  const last = dm.rollout(family, adapted, task, { episodes: 6, seed: dm.deriveSeed(4, dm.Purpose.ITERATION, 0x7fffffff, 3) });
  assert.equal(last.meanReturn(), returns[3]);
  adapted.dispose();
  assert.equal(tf.memory().numTensors, tensors);
  // steps = 0: a copy.
  const { policy: copy, returns: r0 } = await dm.adaptPolicy(policy, family, task, { ...options, steps: 0 });
  assert.deepEqual(copy.getFlat(), theta0);
  assert.deepEqual(r0, [returns[0]]);
  copy.dispose();
  policy.dispose();
});

test("adaptPolicy's step is θ − α∇L on the step's rollout: equal to tfjs's dm.adapt (order 1) on it within 1e-5", async () => {
  const family = dm.taskFamily('CartPole-v1');
  const task = family.task({ halfLength: 0.4 });
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16, 16], seed: 2 });
  const innerLr = 0.5, seed = 9;
  const { policy: adapted } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 8, innerLr, seed });
  // The rollout of step 0 (evaluate.ts derives step j's seed as (seed, ITERATION, 0x7fffffff, j)).
  const traj = dm.rollout(family, policy, task, { episodes: 8, seed: dm.deriveSeed(seed, dm.Purpose.ITERATION, 0x7fffffff, 0) });
  const expected = tf.tidy(() => {
    const batch = dm.toBatch(traj, { gamma: 0.99, lambda: 1.0 });
    const logits = policy.logits.bind(policy);
    return dm.flattenTensors(dm.adapt(policy.params, (p) => dm.reinforceLoss(p, batch, { logits }), { lr: innerLr, steps: 1, order: 1 }));
  });
  const actual = adapted.getFlat(), before = policy.getFlat();
  let err = 0, moved = 0;
  for (let p = 0; p < actual.length; p++) {
    err = Math.max(err, Math.abs(actual[p] - expected[p]));
    moved = Math.max(moved, Math.abs(expected[p] - before[p]));
  }
  assert.ok(moved > 1e-2, `the step moves the parameters (max |Δθ| = ${moved})`);
  assert.ok(err <= 1e-5, `max |θ'_adaptPolicy − θ'_tfjs| = ${err}`);
  adapted.dispose();
  policy.dispose();
});

test('adaptation helps: 10 steps (α = 1, 40 episodes) raise an untrained policy\'s return on fresh rollouts by ≥ 15, seeds 1–3', async () => {
  const family = dm.taskFamily('CartPole-v1');
  const task = family.task({ halfLength: 0.7 });
  const gains: number[] = [];
  for (const seed of [1, 2, 3]) {
    const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [32], seed });
    const { policy: adapted, returns } = await dm.adaptPolicy(policy, family, task, { steps: 10, episodes: 40, innerLr: 1.0, seed });
    // Fresh rollouts, a seed the adaptation never used, 100 episodes each.
    const fresh = (p: dm.Policy) => dm.rollout(family, p, task, { episodes: 100, seed: 999 }).meanReturn();
    const gain = fresh(adapted) - fresh(policy);
    gains.push(gain);
    assert.ok(gain >= 15, `seed ${seed}: fresh return ${fresh(policy).toFixed(1)} → ${fresh(adapted).toFixed(1)} (curve ${returns.map((r) => r.toFixed(1)).join(' ')})`);
    adapted.dispose();
    policy.dispose();
  }
});

test('adaptPolicy takes Meta-SGD rates and refuses bad options by name', async () => {
  const family = dm.taskFamily('CartPole-v1');
  const task = family.medium();
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [4], seed: 1 });
  const rates = new Float32Array(policy.numParams).fill(0.1);
  const { policy: a } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 3, innerLr: rates, seed: 1 });
  const { policy: b } = await dm.adaptPolicy(policy, family, task, { steps: 1, episodes: 3, innerLr: Math.fround(0.1), seed: 1 });
  assert.deepEqual(a.getFlat(), b.getFlat(), 'uniform rates of fround(0.1) act like α = fround(0.1)');
  a.dispose();
  b.dispose();
  const refuses = async (options: dm.AdaptPolicyOptions, field: string, t: Float32Array = task) => {
    await assert.rejects(dm.adaptPolicy(policy, family, t, options), (e: unknown) => e instanceof dm.ConfigError && e.field === field);
  };
  await refuses({ innerLr: -0.1 }, 'innerLr');
  await refuses({ innerLr: new Float32Array(3) }, 'innerLr.length');
  await refuses({ innerLr: new Float32Array(policy.numParams).fill(-1) }, 'innerLr[0]');
  await refuses({ steps: 1.5 }, 'steps');
  await refuses({ episodes: 0 }, 'episodes');
  await refuses({}, 'task.length', new Float32Array(2));
  policy.dispose();
});
