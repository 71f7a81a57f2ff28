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

test('the one-buffer limit: a meta-gradient workspace of 1 GiB or more is refused naming the policy', () => {
  // Every rollout is one task's, so the budget binds before any rollout buffer reaches the
  // allocator's ~1 GiB block; the wasm engine's θ_0..θ_k block (k + 1 parameter sets) can.
  const config: Partial<dm.TrainConfig> = { algo: 'maml', hidden: [2048, 2048], metaBatch: 2, maxSteps: 50 };
  const ok = (k: number) => dm.trainingMemory(dm.resolveConfig({ ...config, innerSteps: k })).largest.largest <= dm.wasmBlockLimitBytes();
  let k = 1;
  while (ok(k + 1)) k++;
  const at = dm.trainingMemory(dm.resolveConfig({ ...config, innerSteps: k }));
  assert.ok(at.total <= dm.WASM_MEMORY_BUDGET_BYTES, `k = ${k}: the block limit binds, not the budget`);
  dm.checkTrainingMemory(dm.resolveConfig({ ...config, innerSteps: k }));
  assert.throws(() => dm.checkTrainingMemory(dm.resolveConfig({ ...config, innerSteps: k + 1 })),
    { message: /^hidden: got \[2048, 2048\]; allowed: a smaller policy \(or fewer innerSteps\): a run on CartPole-v1 must fit no buffer of 1\.00 GiB or more \(the meta-gradient workspace/ });
});

test('the 3 GiB budget: at the largest allowed maxSteps a training iteration runs (above 2 GiB); one more is refused', async () => {
  // Episodes 2: no single buffer is near 1 GiB; the sum of workspaces, copies and scratch reaches
  // the budget first. In this thread (workers 1), so that this module's memory is the one used.
  const config: Partial<dm.TrainConfig> = { algo: 'directed-fomaml', metaBatch: 2, episodes: 2, hidden: [8], workers: 1 };
  const n = largestAllowed(config);
  const plan = dm.trainingMemory(dm.resolveConfig({ ...config, maxSteps: n }));
  assert.ok(plan.total <= dm.WASM_MEMORY_BUDGET_BYTES && plan.largest.largest < dm.wasmBlockLimitBytes());
  assert.ok(dm.trainingMemory(dm.resolveConfig({ ...config, maxSteps: n + 1 })).total > dm.WASM_MEMORY_BUDGET_BYTES);
  assert.throws(() => new dm.Trainer({ ...config, maxSteps: n + 1 }), { message: new RegExp(`^episodes × maxSteps: got "2 × ${n + 1} = ${2 * (n + 1)} steps"; allowed: maxSteps <= ${n} with the other values as given: a run on CartPole-v1 must fit 3\\.00 GiB of WASM memory`) });
  // Ballast below 2 GiB, so that the run's buffers (allocated whole: the rollout workspace and its
  // copy) lie above it: addresses past 2 GiB must be read unsigned for them to work.
  const w = dm.wasmExports();
  const ballast = [w.alloc(dm.wasmBlockLimitBytes() - 64), w.alloc(dm.wasmBlockLimitBytes() - 64)];
  try {
    assert.ok(ballast[1] + dm.wasmBlockLimitBytes() > 2 ** 31, `ballast ends at ${ballast[1] + dm.wasmBlockLimitBytes()}`);
    const trainer = new dm.Trainer({ ...config, maxSteps: n });
    for await (const m of trainer.run(1)) assert.equal(m.iteration, 1);
    trainer.dispose();
    assert.ok(w.memory.buffer.byteLength > 2 ** 31, `memory ${w.memory.buffer.byteLength}`);
  } finally {
    for (const p of ballast) w.free(p);
  }
});

test('per-task meta-gradients: a network too big for metaBatch of them is refused naming metaBatch × hidden', () => {
  // 20 meta-gradients of 33 591 298 parameters (2.50 GiB) and the meta-gradient workspace.
  assert.throws(() => dm.checkTrainingMemory(dm.resolveConfig({ hidden: [4096, 4096, 4096] })),
    { message: /^metaBatch × hidden: got "20 × \[4096, 4096, 4096\]"; allowed: at most 9 tasks with this policy, or a smaller policy \(one iteration holds a meta-gradient per task\): a run on CartPole-v1 must fit 3\.00 GiB of WASM memory \(this needs 4\.\d+ GiB\)$/ });
  dm.checkTrainingMemory(dm.resolveConfig({ hidden: [4096, 4096, 4096], metaBatch: 9 }));
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
    const ctx = { policy, algo, innerLr: c.algo === 'meta-sgd' ? new Float32Array(policy.numParams).fill(0.1) : algo.innerLr, advantage: { gamma: 0.99, lambda: 1 }, gradEngine: 'tfjs' as const };
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

test('the memory planner names the count that is too large, and only names a command has', () => {
  const refuses = (fn: () => void, field: string, allowed: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof dm.ConfigError && e.field === field && allowed.test(e.allowed), `${field} ${allowed}`);
  // --episodes 16777216 said "hidden: got [64, 64]; allowed: a smaller policy".
  refuses(() => dm.checkTrainingMemory(dm.resolveConfig({ episodes: 16777216 })), 'episodes', /^at most \d+ with the other values as given/);
  refuses(() => dm.checkTrainingMemory(dm.resolveConfig({ episodes: 16777216, maxSteps: 16777216 })), 'episodes × maxSteps', /^smaller values of each/);
  refuses(() => dm.checkTrainingMemory(dm.resolveConfig({ maxSteps: 16777216 })), 'episodes × maxSteps', /^maxSteps <= \d+ with the other values as given/);
  // adapt and evaluate have --episodes and --max-steps, not --hidden: their policy comes from --checkpoint.
  refuses(() => dm.checkAdaptMemory(dm.resolveConfig({}), 16777216, 500), 'episodes', /^at most \d+/);
  refuses(() => dm.checkAdaptMemory(dm.resolveConfig({ hidden: [4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096, 4096] }), 1, 1), '--checkpoint', /a smaller policy/);
});
