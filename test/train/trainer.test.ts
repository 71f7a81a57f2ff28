// The trainer: resume equals an uninterrupted run; learning with fixed seeds; config errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { serializeState, deserializeState } from '../../src/train/checkpoint';

before(async () => { await dm.init(); });

const small = { metaBatch: 4, episodes: 5, maxSteps: 100, hidden: [16, 16], seed: 11 };

function withoutTiming(m: dm.IterationMetrics): Record<string, number> {
  const out: Record<string, number> = { ...m };
  for (const f of dm.TIMING_FIELDS) delete out[f];
  return out;
}

for (const algo of ['directed-maml', 'directed-meta-sgd'] as const) {
  test(`${algo}: 4 iterations in one run equal 2 plus a resumed 2 (through state.json text)`, async () => {
    const straight = new dm.Trainer({ algo, ...small });
    const all: Record<string, number>[] = [];
    for await (const m of straight.run(4)) all.push(withoutTiming(m));
    const first = new dm.Trainer({ algo, ...small });
    const resumedMetrics: Record<string, number>[] = [];
    for await (const m of first.run(2)) resumedMetrics.push(withoutTiming(m));
    const text = serializeState(first.getState());
    first.dispose();
    const resumed = dm.Trainer.fromState(deserializeState(text) as unknown as dm.TrainerState);
    assert.equal(resumed.iteration, 2);
    for await (const m of resumed.run(2)) resumedMetrics.push(withoutTiming(m));
    assert.deepEqual(resumedMetrics, all);
    assert.deepEqual(resumed.policy.getFlat(), straight.policy.getFlat());
    straight.dispose(); resumed.dispose();
  });
}

test('the same seed gives the same metrics; another seed does not', async () => {
  const run = async (seed: number) => {
    const t = new dm.Trainer({ algo: 'directed-fomaml', ...small, seed });
    const out: Record<string, number>[] = [];
    for await (const m of t.run(2)) out.push(withoutTiming(m));
    t.dispose();
    return out;
  };
  assert.deepEqual(await run(5), await run(5));
  assert.notDeepEqual(await run(5), await run(6));
});

/**
 * The first post-adaptation return of a 12-iteration directed-maml run (8 tasks × 8 episodes of at
 * most 200 steps, a [32, 32] policy) and the mean of its last three.
 */
async function rise(seed: number, overrides: Partial<dm.TrainConfig> = {}): Promise<{ first: number; last: number }> {
  const trainer = new dm.Trainer({ algo: 'directed-maml', metaBatch: 8, episodes: 8, maxSteps: 200, hidden: [32, 32], outerLr: 0.01, seed, ...overrides });
  const post: number[] = [];
  for await (const m of trainer.run(12)) post.push(m.postReturn);
  trainer.dispose();
  return { first: post[0], last: (post[9] + post[10] + post[11]) / 3 };
}
/**
 * Learning: the last three iterations average this many times the first post-adaptation return
 * (measured: seed 1 24.0 → 108.5, seed 2 19.1 → 183.9). With the meta-update off, θ stays put and the
 * return stays within noise of its start (measured: 22.2 → 20.6, 18.5 → 20.4).
 */
const RISE = 1.5;

test('directed-maml learns: post-adaptation return rises clearly above the first iteration', async () => {
  for (const seed of [1, 2]) {
    const { first, last } = await rise(seed);
    assert.ok(last > RISE * first, `seed ${seed}: first ${first.toFixed(1)}, last three ${last.toFixed(1)}`);
  }
});

test('the same runs with the meta-update switched off (outer lr 1e-12, no directed step) do not rise by that factor', async () => {
  for (const seed of [1, 2]) {
    const { first, last } = await rise(seed, { outerLr: 1e-12, directedSchedule: 'first:0' });
    assert.ok(last <= RISE * first, `without meta-updates, seed ${seed}: first ${first.toFixed(1)}, last three ${last.toFixed(1)}`);
  }
});

test('the API accepts a family and an algorithm record, and rejects bad values naming the field', () => {
  const family = dm.taskFamily('CartPole-v1', { massPole: [0.05, 0.5] });
  const trainer = new dm.Trainer({ family, algo: dm.directed(dm.metaSgd({ innerLr: 0.05 }), { lr: 0.02, schedule: 'every:2' }), metaBatch: 2, episodes: 2 });
  assert.equal(trainer.config.algo, 'directed-meta-sgd');
  assert.equal(trainer.config.directedLr, 0.02);
  assert.equal(trainer.config.directedSchedule, 'every:2');
  assert.deepEqual(trainer.config.ranges.massPole, [Math.fround(0.05), Math.fround(0.5)]);
  trainer.dispose();
  assert.throws(() => new dm.Trainer({ innerLr: -1 }), (e: Error) => e instanceof dm.ConfigError && /innerLr/.test(e.message));
  assert.throws(() => new dm.Trainer({ metaBatch: 0 }), (e: Error) => e instanceof dm.ConfigError && /metaBatch/.test(e.message));
  assert.throws(() => new dm.Trainer({ medium: { halfLength: -2 } , algo: 'directed-maml' }), (e: Error) => e instanceof dm.ConfigError && /halfLength/.test(e.message));
});

test('evaluateAdaptation: the mean return of θ_0..θ_k on one evaluation batch, each θ_j+1 adapted on its own data', async () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [8], seed: 1 });
  const task = family.task({ halfLength: 0.7 });
  const opts = { steps: 2, episodes: 5, innerLr: 0.1, seed: 3 };
  const a = await dm.evaluateAdaptation(policy, family, task, opts);
  assert.equal(a.length, 3);
  assert.deepEqual(await dm.evaluateAdaptation(policy, family, task, opts), a, 'reproducible');
  // Re-derivation: θ_0 = θ; returns[j] = mean return of π_θj on the evaluation stream (seed, ITERATION,
  // EVALUATION_STREAM, 0); D_j ~ π_θj on (seed, ITERATION, ADAPTATION_STREAM, j); θ_{j+1} = θ_j − α ∇L(θ_j; D_j).
  const advantage = { gamma: 0.99, lambda: 1.0 };
  const sample = (weights: Float32Array, stream: number, j: number) => dm.rollout(family, policy, task,
    { episodes: 5, weights, seed: dm.deriveSeed(3, dm.Purpose.ITERATION, stream, j) });
  let theta = policy.getFlat();
  const expected: number[] = [];
  const onAdaptationData: number[] = [];
  for (let j = 0; j <= 2; j++) {
    expected.push(sample(theta, dm.EVALUATION_STREAM, 0).meanReturn());
    const traj = sample(theta, dm.ADAPTATION_STREAM, j);
    onAdaptationData.push(traj.meanReturn());
    const g = dm.policyGradient(policy, traj, { weights: theta, ...advantage });
    theta = theta.map((x, p) => x - 0.1 * g[p]);
  }
  assert.deepEqual(a, expected);
  assert.notDeepEqual(theta, policy.getFlat(), 'the adaptation moves θ');
  // The check has power here: scoring each θ_j on its own adaptation batch (the old, confounded metric) gives other returns.
  assert.notDeepEqual(a, onAdaptationData.slice(0, 3), 'the evaluation batch is not the adaptation data');
  policy.dispose();
});

test('new Trainer({ family, env }) refuses an env the family contradicts (it was dropped silently), and an algo record contradicting a field', () => {
  const family = dm.taskFamily('CartPole-v1');
  const refusesField = (field: string) => (e: unknown) => e instanceof dm.ConfigError && e.field === field && /the family sets it|the algo record sets it/.test(e.message);
  assert.throws(() => new dm.Trainer({ family, env: 'LunarLander-v2', metaBatch: 2, episodes: 2 }), refusesField('env'));
  assert.throws(() => new dm.Trainer({ family, ranges: { halfLength: [0.3, 0.4] }, metaBatch: 2, episodes: 2 }), refusesField('ranges'));
  assert.throws(() => new dm.Trainer({ algo: dm.maml({ innerLr: 0.3 }), innerLr: 0.2, metaBatch: 2, episodes: 2 }), refusesField('innerLr'));
  // Saying the same thing twice is fine.
  const same = new dm.Trainer({ family, env: 'CartPole-v1', algo: dm.fomaml({ innerLr: 0.3 }), innerLr: 0.3, metaBatch: 2, episodes: 2 });
  assert.equal(same.config.env, 'CartPole-v1');
  assert.equal(same.config.innerLr, 0.3);
  same.dispose();
});

test('a config is resolved once: the Trainer takes a resolved record as is; checkTrainingConfig validates a run without building a trainer', () => {
  const config = dm.resolveConfig({ algo: 'fomaml', metaBatch: 2, episodes: 2, maxSteps: 20, workers: 1 });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.hidden) && Object.isFrozen(config.ranges));
  assert.equal(dm.resolveConfig(config), config, 'a resolved record comes back as is');
  assert.throws(() => { (config as { innerLr: number }).innerLr = 5; }, TypeError);
  const trainer = new dm.Trainer(config);
  assert.equal(trainer.config, config);
  trainer.dispose();
  const tensors = dm.tf.memory().numTensors;
  // The physics, the medium task and the memory: refused by the function, nothing allocated.
  assert.throws(() => dm.checkTrainingConfig(dm.resolveConfig({ ranges: { halfLength: [-1, 0.5] } })), (e: unknown) => e instanceof dm.ConfigError && /halfLength/.test(e.message));
  assert.throws(() => dm.checkTrainingConfig(dm.resolveConfig({ algo: 'directed-maml', medium: { halfLength: -2 } })), (e: unknown) => e instanceof dm.ConfigError && /halfLength/.test(e.message));
  assert.throws(() => dm.checkTrainingConfig(dm.resolveConfig({ episodes: 1 << 24 })), (e: unknown) => e instanceof dm.ConfigError && /episodes/.test(e.message));
  assert.equal(dm.checkTrainingConfig(config).id, 'CartPole-v1');
  assert.equal(dm.tf.memory().numTensors, tensors, 'no policy was built');
});

test("a config's algorithm record (taken as the schema checked it) is the one dm.maml & co. make of the same values, and the trainer reads it back", () => {
  const inner = { innerLr: 0.05, innerSteps: 2, estimator: 'lvc' as const };
  const factories = { maml: dm.maml, fomaml: dm.fomaml, 'meta-sgd': dm.metaSgd };
  for (const algo of dm.ALGOS) {
    const base = algo.replace(/^directed-/, '') as keyof typeof factories;
    const directedFields = algo.startsWith('directed-') ? { directedLr: 0.03, directedVariant: 'fomaml' as const, directedSchedule: 'every:2', medium: 'random' as const } : {};
    const config = dm.resolveConfig({ algo, ...inner, ...directedFields });
    const expected = algo.startsWith('directed-')
      ? dm.directed(factories[base](inner), { lr: 0.03, variant: 'fomaml', schedule: 'every:2', medium: 'random' })
      : factories[base](inner);
    const record = dm.algorithmFromConfig(config);
    assert.deepEqual(record, expected, algo);
    // MAML: second order; FOMAML: first order; Meta-SGD: second order with α learned.
    assert.deepEqual([record.order, record.learnInnerLr], { maml: [2, false], fomaml: [1, false], 'meta-sgd': [2, true] }[base], algo);
    // The inverse: a trainer given the record resolves the same config fields.
    const trainer = new dm.Trainer({ algo: expected, metaBatch: 2, episodes: 2 });
    for (const [key, value] of Object.entries({ algo, ...inner, ...directedFields })) assert.deepEqual(trainer.config[key as keyof dm.TrainConfig], value, `${algo} ${key}`);
    assert.deepEqual(trainer.innerLearningRate, base === 'meta-sgd' ? new Float32Array(trainer.policy.numParams).fill(0.05) : 0.05, `${algo}: α as the learner holds it`);
    trainer.dispose();
  }
});
