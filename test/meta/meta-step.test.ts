// The meta-step: directed step, FOMAML's WASM shortcut against the tfjs path, Meta-SGD's rates,
// tensor hygiene.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const advantage = { gamma: 0.99, lambda: 1.0 };

function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); norm = Math.max(norm, Math.abs(b[i])); }
  return diff / norm;
}

function context(algo: dm.MetaAlgorithm, seed = 3): dm.MetaStepContext {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16, 16], seed });
  const theta = policy.getFlat();
  return {
    family, policy, algo, theta, innerLr: algo.learnInnerLr ? new Float32Array(theta.length).fill(algo.innerLr) : algo.innerLr,
    metaBatch: 3, episodes: 6, maxSteps: 200, seed, advantage,
    applyUpdate: (g) => { for (let i = 0; i < theta.length; i++) theta[i] -= 1e-3 * g[i]; },
  };
}

test('the directed step moves θ by −β·g, g the policy gradient on medium-task rollouts', () => {
  const ctx = context(dm.directed(dm.maml({ innerLr: 0.1 }), { lr: 0.05 }));
  const before = ctx.theta.slice();
  const medium = ctx.family.medium();
  assert.equal(medium[3], 0.5, 'medium halfLength is the centre of [0.25, 0.75]');
  const out = dm.directedStep(ctx, 7);
  assert.equal(out.directedStep, 1);
  // Independent re-derivation: the same rollout (seed of iteration 7, lane 2) and its gradient.
  const traj = dm.rollout(ctx.family, ctx.policy, medium, {
    episodes: 6, maxSteps: 200, weights: before, seed: dm.deriveSeed(3, dm.Purpose.ITERATION, 7, 2) });
  assert.equal(out.directedReturn, traj.meanReturn());
  const g = dm.policyGradient(ctx.policy, traj, { weights: before, ...advantage });
  const moved = ctx.theta.map((x, i) => (x - before[i]) / -0.05);
  assert.ok(relativeError(moved, g) < 1e-3, `θ moved along −g (rel. error ${relativeError(moved, g)})`);
  assert.deepEqual(ctx.policy.getFlat(), ctx.theta, 'the policy holds the new θ');
  // A small step along −g lowers the surrogate loss on that batch (first-order descent).
  const batch = dm.toBatch(traj, advantage);
  const loss = (flat: Float32Array) => {
    ctx.policy.setFlat(flat);
    return dm.tf.tidy(() => dm.reinforceLoss(ctx.policy.params, batch).dataSync()[0]);
  };
  assert.ok(loss(ctx.theta) < loss(before), 'the directed step lowers the medium-task loss');
  dm.tf.dispose(Object.values(batch));
  ctx.policy.dispose();
});

test('the schedule decides which iterations take the directed step', () => {
  const ctx = context(dm.directed(dm.fomaml(), { schedule: 'first:2' }));
  assert.equal(dm.directedStep(ctx, 1).directedStep, 1);
  assert.equal(dm.directedStep(ctx, 2).directedStep, 0);
  const every3 = context(dm.directed(dm.fomaml(), { schedule: 'every:3' }));
  assert.deepEqual([0, 1, 2, 3].map((k) => dm.directedStep(every3, k).directedStep), [1, 0, 0, 1]);
  ctx.policy.dispose(); every3.policy.dispose();
});

test("FOMAML's WASM meta-gradient equals the tfjs path through dm.adapt with order 1, and differs from MAML's", () => {
  const ctx = context(dm.fomaml({ innerLr: 0.1 }));
  const tasks = ctx.family.sample(1, { seed: 9 });
  const pre = dm.rollout(ctx.family, ctx.policy, tasks, { episodes: 6, seed: 1 });
  const adapted = dm.innerAdaptFlat(ctx.policy, pre, ctx.theta, 0.1, 1, advantage);
  const post = dm.rollout(ctx.family, ctx.policy, tasks, { episodes: 6, seed: 2, weights: adapted });
  const [viaWasm] = dm.taskMetaGradient(ctx, pre, post, adapted);
  const [viaTfjs] = dm.taskMetaGradient(ctx, pre, post, adapted, true);
  assert.ok(relativeError(viaWasm, viaTfjs) < 1e-4, `rel. error ${relativeError(viaWasm, viaTfjs)}`);
  const [exact] = dm.taskMetaGradient({ ...ctx, algo: dm.maml({ innerLr: 0.1 }) }, pre, post, adapted);
  assert.ok(relativeError(exact, viaTfjs) > 1e-3, 'second order changes the meta-gradient');
  ctx.policy.dispose();
});

test('the adapted θ\' used for sampling equals dm.adapt on the tfjs side', () => {
  const ctx = context(dm.maml());
  const tasks = ctx.family.sample(1, { seed: 4 });
  const pre = dm.rollout(ctx.family, ctx.policy, tasks, { episodes: 6, seed: 5 });
  const viaWasm = dm.innerAdaptFlat(ctx.policy, pre, ctx.theta, 0.1, 2, advantage);
  const batch = dm.toBatch(pre, advantage);
  const adapted = dm.adapt(ctx.policy.params, (p) => dm.reinforceLoss(p, batch), { lr: 0.1, steps: 2, order: 1 });
  const flat = dm.flattenTensors(adapted);
  const step = viaWasm.map((x, i) => x - ctx.theta[i]);
  const stepTf = flat.map((x, i) => x - ctx.theta[i]);
  assert.ok(relativeError(step, stepTf) < 1e-4, `rel. error ${relativeError(step, stepTf)}`);
  dm.tf.dispose([...adapted, ...Object.values(batch)]);
  ctx.policy.dispose();
});

test('Meta-SGD learns its inner rates', async () => {
  const trainer = new dm.Trainer({ algo: 'meta-sgd', metaBatch: 3, episodes: 5, maxSteps: 100, hidden: [8], seed: 2 });
  const initial = trainer.innerLearningRate as Float32Array;
  assert.ok(initial.every((a) => a === Math.fround(0.1)));
  for await (const _ of trainer.run(3)) { /* train */ }
  const learned = trainer.innerLearningRate as Float32Array;
  let changed = 0;
  for (let i = 0; i < learned.length; i++) if (learned[i] !== initial[i]) changed++;
  assert.ok(changed > learned.length / 2, `most rates moved (${changed} of ${learned.length})`);
  trainer.dispose();
});

test('Meta-SGD: a rate the update pushes below MIN_INNER_LR is held at it (α stays a step size)', async () => {
  // Rates start just above the floor and Adam's first step (≈ outerLr in size) is far larger, so
  // every rate whose meta-gradient is positive would go negative without the clamp.
  const trainer = new dm.Trainer({ algo: 'meta-sgd', metaBatch: 3, episodes: 5, maxSteps: 100, hidden: [8], seed: 2, innerLr: 2e-6, outerLr: 0.01 });
  for await (const _ of trainer.run(1)) { /* train */ }
  const learned = trainer.innerLearningRate as Float32Array;
  const floor = Math.fround(dm.MIN_INNER_LR); // α is float32
  const atFloor = learned.filter((a) => a === floor).length;
  const above = learned.filter((a) => a > 1e-3).length;
  assert.ok(learned.every((a) => a >= floor), `smallest rate ${Math.min(...learned)}`);
  // Most rates grow (in and out gradients agree), some are pushed down onto the floor (10 of 58 here).
  assert.ok(atFloor >= 5, `rates held at the floor: ${atFloor} of ${learned.length}`);
  assert.ok(above > learned.length / 2, `rates that grew: ${above} of ${learned.length}`);
  trainer.dispose();
});

for (const algo of ['maml', 'directed-meta-sgd', 'directed-fomaml'] as const) {
  test(`${algo}: tf.memory().numTensors is the same after iteration 3 and iteration 30`, async () => {
    const trainer = new dm.Trainer({ algo, metaBatch: 2, episodes: 3, maxSteps: 30, hidden: [8], seed: 4 });
    const counts: number[] = [];
    for await (const m of trainer.run(30)) counts[m.iteration] = dm.tf.memory().numTensors;
    assert.equal(counts[30], counts[3]);
    trainer.dispose();
  });
}
