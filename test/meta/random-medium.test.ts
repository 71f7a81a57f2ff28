// The random-task control (--medium random): the directed step on a task drawn from the task
// distribution at each iteration, from the run's own stream — re-derived independently here.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const advantage = { gamma: 0.99, lambda: 1.0 };

function context(algo: dm.MetaAlgorithm, seed: number): dm.MetaStepContext {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed });
  const theta = policy.getFlat();
  return {
    family, policy, algo, theta, innerLr: algo.innerLr, metaBatch: 2, episodes: 4, maxSteps: 100, seed, advantage,
    applyUpdate: (g) => { for (let i = 0; i < theta.length; i++) theta[i] -= 1e-3 * g[i]; },
  };
}

test("medium 'random': the directed step runs on p(T)'s draw for (seed, iteration), not on the medium task", () => {
  const seed = 5, beta = 0.05;
  const ctx = context(dm.directed(dm.fomaml(), { lr: beta, medium: 'random' }), seed);
  const tasks: Float32Array[] = [];
  for (const iteration of [0, 1, 6]) {
    const start = ctx.theta.slice();
    const out = dm.directedStep(ctx, iteration);
    // The task: one draw of the family with the run's iteration stream on its own lane.
    const task = ctx.family.sample(1, { seed: dm.deriveSeed(seed, dm.Purpose.ITERATION, iteration, dm.RANDOM_MEDIUM_LANE) });
    tasks.push(task);
    const traj = dm.rollout(ctx.family, ctx.policy, task, {
      episodes: 4, maxSteps: 100, weights: start, seed: dm.deriveSeed(seed, dm.Purpose.ITERATION, iteration, 2) });
    assert.equal(out.directedReturn, traj.meanReturn(), `iteration ${iteration}: the directed rollouts are on that task`);
    const g = dm.policyGradient(ctx.policy, traj, { weights: start, ...advantage });
    const expected = start.map((x, i) => x - beta * g[i]);
    assert.deepEqual(ctx.theta, expected, `iteration ${iteration}: θ ← θ − β_d·g on the drawn task`);
  }
  // A new task each iteration, inside the ranges, none of them the medium task.
  const k = ctx.family.paramNames.indexOf('halfLength');
  const values = tasks.map((t) => t[k]);
  assert.equal(new Set(values).size, 3);
  assert.ok(values.every((v) => v >= 0.25 && v <= 0.75 && v !== 0.5), `halfLength draws ${values}`);
  ctx.policy.dispose();
});

test("config and trainer: --medium random is a config value; a run with it is seeded and differs from the medium task's", async () => {
  assert.equal(dm.resolveConfig({ medium: 'random' }).medium, 'random');
  assert.equal(dm.parseCliFlags(['--medium', 'random']).medium, 'random');
  assert.throws(() => dm.resolveConfig({ medium: 'randomly' }), (e: Error) => e instanceof dm.ConfigError && /medium.*'random'/.test(e.message));
  const run = async (medium?: 'random') => {
    const trainer = new dm.Trainer({ algo: 'directed-fomaml', medium, metaBatch: 2, episodes: 3, maxSteps: 50, hidden: [8], seed: 2 });
    const out: number[] = [];
    for await (const m of trainer.run(3)) out.push(m.directedReturn, m.postReturn);
    trainer.dispose();
    return out;
  };
  const random = await run('random');
  assert.deepEqual(await run('random'), random, 'the same seed gives the same run');
  assert.notDeepEqual(await run(), random, 'the medium task gives another run');
});
