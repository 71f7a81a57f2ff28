// The limits the WASM memory imposes, as schema limits: at the largest maxSteps the check allows,
// the buffers really allocate (and a run runs); one more step is a ConfigError naming the fields.
// The bound on the tfjs backend's memory (second-order gradients) stays above the measured peak.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

/** The largest maxSteps the trainer's memory check accepts for this config (bisection over the API). */
function largestAllowed(config: Partial<dm.TrainConfig>): number {
  const ok = (t: number) => {
    try {
      dm.checkTrainingMemory(dm.resolveConfig({ ...config, maxSteps: t }));
      return true;
    } catch (err) {
      assert.ok(err instanceof dm.ConfigError, String(err));
      return false;
    }
  };
  let lo = 1, hi = 1 << 24;
  assert.ok(ok(lo) && !ok(hi));
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

test('the one-buffer limit: at the largest allowed maxSteps the rollout workspace allocates; one more is refused', () => {
  // metaBatch 20 × episodes 20: the rollouts' copy buffer (28 bytes per step) reaches the
  // allocator's ~1 GiB block limit first.
  const config: Partial<dm.TrainConfig> = { algo: 'fomaml', hidden: [8] };
  const n = largestAllowed(config);
  const copyBytes = 400 * n * (4 + 3) * 4;
  assert.ok(copyBytes <= dm.wasmBlockLimitBytes() && 400 * (n + 1) * 28 > dm.wasmBlockLimitBytes(), `n = ${n}`);
  assert.throws(() => dm.checkTrainingMemory(dm.resolveConfig({ ...config, maxSteps: n + 1 })),
    { message: new RegExp(`^metaBatch × episodes × maxSteps: got "20 × 20 × ${n + 1} = ${400 * (n + 1)} steps"; allowed: maxSteps <= ${n} with the other values as given: a run on CartPole-v1 must fit no buffer of 1\\.00 GiB or more \\(the rollout copy-out`) });
  // The workspace of that shape is allocated whole (about 1 GiB) and a rollout runs in it.
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const traj = dm.rollout(family, policy, family.sample(20, { seed: 1 }), { episodes: 20, maxSteps: n, seed: 1 });
  assert.equal(traj.numEpisodes, 400);
  assert.ok(dm.wasmExports().memory.buffer.byteLength > 400 * n * 28, 'the workspace is in memory');
  policy.dispose();
});

test('the 3 GiB budget: at the largest allowed maxSteps a training iteration runs; one more is refused', async () => {
  // metaBatch 2 × episodes 2: no single buffer is near 1 GiB; the sum of workspaces, copies and
  // scratch reaches the budget first.
  const config: Partial<dm.TrainConfig> = { algo: 'directed-fomaml', metaBatch: 2, episodes: 2, hidden: [8] };
  const n = largestAllowed(config);
  const plan = dm.trainingMemory(dm.resolveConfig({ ...config, maxSteps: n }));
  assert.ok(plan.total <= dm.WASM_MEMORY_BUDGET_BYTES && plan.largest.largest < dm.wasmBlockLimitBytes());
  assert.ok(dm.trainingMemory(dm.resolveConfig({ ...config, maxSteps: n + 1 })).total > dm.WASM_MEMORY_BUDGET_BYTES);
  assert.throws(() => new dm.Trainer({ ...config, maxSteps: n + 1 }), { message: new RegExp(`^metaBatch × episodes × maxSteps: got "2 × 2 × ${n + 1} = ${4 * (n + 1)} steps"; allowed: maxSteps <= ${n} with the other values as given: a run on CartPole-v1 must fit 3\\.00 GiB of WASM memory`) });
  const trainer = new dm.Trainer({ ...config, maxSteps: n });
  for await (const m of trainer.run(1)) assert.equal(m.iteration, 1);
  trainer.dispose();
  // Past 2 GiB, addresses are read unsigned: the scratch buffers there work.
  assert.ok(dm.wasmExports().memory.buffer.byteLength > 2 ** 31, `memory ${dm.wasmExports().memory.buffer.byteLength}`);
});

test("the policy's weight sets: a network too big for metaBatch copies is refused naming hidden", () => {
  assert.throws(() => dm.checkTrainingMemory(dm.resolveConfig({ hidden: [4096, 4096, 4096] })),
    { message: /^hidden: got \[4096, 4096, 4096\]; allowed: a smaller policy: a run on CartPole-v1 must fit no buffer of 1\.00 GiB or more \(the policy \(33591298 parameters × 20 weight sets\) needs 2\.50 GiB\)$/ });
  dm.checkTrainingMemory(dm.resolveConfig({ hidden: [1024, 1024], metaBatch: 20, maxSteps: 200 }));
});

test('the tfjs bound of a second-order task gradient stays above the measured peak (and within 3x of it)', async () => {
  const tf = dm.tf;
  const cases = [
    { env: 'CartPole-v1', hidden: [64, 64], activation: 'tanh', k: 1, algo: 'maml' },
    { env: 'CartPole-v1', hidden: [32], activation: 'relu', k: 3, algo: 'meta-sgd' },
    { env: 'Intersection-v0', hidden: [], activation: 'tanh', k: 1, algo: 'maml' },
    { env: 'Intersection-v0', hidden: [16, 16], activation: 'tanh', k: 2, algo: 'meta-sgd' },
  ] as const;
  for (const c of cases) {
    const family = dm.taskFamily(c.env);
    const policy = dm.createPolicy({ obsDim: family.obsDim, numActions: family.numActions, hidden: [...c.hidden], activation: c.activation, seed: 1 });
    const tasks = family.sample(1, { seed: 2 });
    // Rows as long as maxSteps allows: the bound is per row.
    const pre = dm.rollout(family, policy, tasks, { episodes: 8, maxSteps: 100, seed: 3 });
    const post = dm.rollout(family, policy, tasks, { episodes: 8, maxSteps: 100, seed: 4 });
    const algo = c.algo === 'maml' ? dm.maml({ innerLr: 0.1, innerSteps: c.k }) : dm.metaSgd({ innerLr: 0.1, innerSteps: c.k });
    const ctx = { policy, algo, innerLr: c.algo === 'meta-sgd' ? new Float32Array(policy.numParams).fill(0.1) : null, advantage: { gamma: 0.99, lambda: 1 } };
    const info = await tf.profile(() => {
      const [g] = dm.taskMetaGradient(ctx, pre, post, policy.getFlat());
      return tf.scalar(g[0]);
    });
    const rows = Math.max(pre.numSteps, post.numSteps);
    const bound = dm.secondOrderBytes(rows, [family.obsDim, ...c.hidden, family.numActions], c.k);
    const what = JSON.stringify(c);
    assert.ok(info.peakBytes <= bound, `${what}: peak ${info.peakBytes} > bound ${bound}`);
    assert.ok(bound <= 3 * info.peakBytes, `${what}: bound ${bound} is over 3 times the peak ${info.peakBytes}`);
    policy.dispose();
  }
});
