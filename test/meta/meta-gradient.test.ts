// dm.metaGradient: the WASM engine (assembly/metagrad.ts, Hessian-vector products by
// forward-over-reverse differentiation) against the tfjs engine (tf.grads through dm.adapt, itself
// checked against float64 in adapt.test.ts), and both against float64 references written in
// test/nn/mlp-reference.ts: central finite differences of θ ↦ L_out(θ_k(θ)) for the naive
// surrogate; for 'lvc', whose inner gradient has the naive values but not the naive Jacobian, the
// recursion v_j = v_{j+1} − H_lvc(θ_j)(α ⊙ v_{j+1}) with float64 finite-difference Hessian-vector
// products of the naive gradient minus ProMP's term Σ c·(∇log π·u)·∇log π.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import {
  adapt64, finiteDifferenceGrad, loss64, lossGrad64, randomBatch, relativeError, splitFlat, testRandom,
  type Act, type Batch64, type Params64,
} from '../nn/mlp-reference';

const tf = dm.tf;

before(async () => { await dm.init({ backend: 'wasm' }); });

/** max |a − b| / max |b| over all elements. */
function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) { diff = Math.max(diff, Math.abs(a[i] - b[i])); norm = Math.max(norm, Math.abs(b[i])); }
  return diff / norm;
}

function rows(b: Batch64): dm.RowBatch {
  return {
    obs: Float32Array.from(b.obs), actions: b.actions, advantages: Float32Array.from(b.advantages),
    ...(b.weights ? { weights: Float32Array.from(b.weights) } : {}),
  };
}

/** A policy with seeded random kernels and biases (createPolicy zeroes biases). */
function makePolicy(obsDim: number, numActions: number, hidden: number[], activation: Act, seed: number): dm.Policy {
  const policy = dm.createPolicy({ obsDim, numActions, hidden, activation, seed });
  const r = testRandom(seed + 500);
  policy.setFlat(Float32Array.from({ length: policy.numParams }, () => Math.fround(r() - 0.5)));
  return policy;
}

// ---- wasm engine = tfjs engine ----

// Widths 9, 16 and 6 (padded to 12, 16, 8) exercise the 8-unit register tiles, their 4-unit tail and
// the padding; 150 inner rows (a multiple of no tile, weights with zeros: skipped rows) cross two
// summation blocks of 64 rows.
const AGREE_OBS = 4, AGREE_ACTIONS = 3, AGREE_HIDDEN = [9, 16, 6];
const AGREE_INNER = randomBatch(31, 150, AGREE_OBS, AGREE_ACTIONS, true);
const AGREE_OUTER = randomBatch(32, 70, AGREE_OBS, AGREE_ACTIONS);
const AGREEMENT = 1e-4;

for (const activation of ['tanh', 'relu'] as const) {
  for (const estimator of ['naive', 'lvc'] as const) {
    test(`wasm engine = tfjs engine: ${activation}, ${estimator}, k = 1, 2, 3, MAML and Meta-SGD (θ and α), orders 1 and 2`, () => {
      const policy = makePolicy(AGREE_OBS, AGREE_ACTIONS, AGREE_HIDDEN, activation, 3);
      const r = testRandom(8);
      const alpha = Float32Array.from({ length: policy.numParams }, () => Math.fround(0.1 + 0.4 * r()));
      const data = { inner: rows(AGREE_INNER), outer: rows(AGREE_OUTER) };
      const report: string[] = [];
      try {
        for (const innerSteps of [1, 2, 3]) {
          for (const innerLr of [0.3, alpha]) {
            const name = `k=${innerSteps} ${typeof innerLr === 'number' ? 'MAML' : 'Meta-SGD'}`;
            for (const order of [2, 1] as const) {
              const options = { innerLr, innerSteps, order, estimator };
              const wasm = dm.metaGradient(policy, data, { ...options, engine: 'wasm' });
              const tfjs = dm.metaGradient(policy, data, { ...options, engine: 'tfjs' });
              const errTheta = maxRelative(wasm.theta, tfjs.theta);
              assert.ok(errTheta <= AGREEMENT, `${name} order ${order}: θ rel. error ${errTheta.toExponential(2)}`);
              if (typeof innerLr === 'number') {
                assert.equal(wasm.innerLr, null);
                assert.equal(tfjs.innerLr, null);
              } else {
                const errAlpha = maxRelative(wasm.innerLr!, tfjs.innerLr!);
                assert.ok(errAlpha <= AGREEMENT, `${name} order ${order}: α rel. error ${errAlpha.toExponential(2)}`);
                if (order === 2) report.push(`${name} α ${errAlpha.toExponential(1)}`);
              }
              if (order === 2) report.push(`${name} θ ${errTheta.toExponential(1)}`);
            }
            // The second-order terms matter here, so the comparison can see them.
            const second = dm.metaGradient(policy, data, { innerLr, innerSteps, estimator });
            const first = dm.metaGradient(policy, data, { innerLr, innerSteps, estimator, order: 1 });
            assert.ok(maxRelative(first.theta, second.theta) > 100 * AGREEMENT, `${name}: order 1 and 2 differ clearly`);
          }
        }
        console.log(`${activation} ${estimator}: ${report.join(', ')}`);
      } finally {
        policy.dispose();
      }
    });
  }
}

test("the 'lvc' and 'naive' meta-gradients differ (the extra term is seen), and are equal at first order", () => {
  const policy = makePolicy(AGREE_OBS, AGREE_ACTIONS, AGREE_HIDDEN, 'tanh', 4);
  const data = { inner: rows(AGREE_INNER), outer: rows(AGREE_OUTER) };
  try {
    const g = (estimator: dm.Estimator, order: 1 | 2) => dm.metaGradient(policy, data, { innerLr: 0.3, estimator, order }).theta;
    assert.ok(maxRelative(g('lvc', 2), g('naive', 2)) > 100 * AGREEMENT, 'lvc and naive differ at order 2');
    assert.deepEqual(g('lvc', 1), g('naive', 1));
  } finally {
    policy.dispose();
  }
});

// ---- both engines = float64 references ----

const FD_OBS = 3, FD_ACTIONS = 3, FD_HIDDEN = [5, 5];
const FD_INNER = randomBatch(11, 24, FD_OBS, FD_ACTIONS, true);
const FD_OUTER = randomBatch(12, 24, FD_OBS, FD_ACTIONS);
const FD_STEP = 1e-5; // float64 central differences: truncation ~1e-10, round-off ~1e-11
const FD_TOLERANCE = 1e-4; // relative L2 error

/** ∇ log π(a_n|s_n) in float64: the naive loss of row n alone with A = −1, w = 1. */
function scoreGrad64(theta: Params64, batch: Batch64, n: number, act: Act): Params64 {
  const D = batch.obs.length / batch.n;
  return lossGrad64(theta, { n: 1, obs: batch.obs.slice(n * D, (n + 1) * D), actions: batch.actions.slice(n, n + 1), advantages: Float64Array.of(-1) }, act);
}

/** H_in(θ)·u in float64: central differences of the naive gradient, minus the LVC term for 'lvc'. */
function hvp64(theta: Params64, u: Params64, act: Act, estimator: dm.Estimator): Params64 {
  const shifted = (sign: number) => lossGrad64(theta.map((p, i) => p.map((x, k) => x + sign * FD_STEP * u[i][k])), FD_INNER, act);
  const plus = shifted(1), minus = shifted(-1);
  const hu = plus.map((p, i) => p.map((x, k) => (x - minus[i][k]) / (2 * FD_STEP)));
  if (estimator === 'lvc') {
    const w = FD_INNER.weights!;
    const total = w.reduce((s, x) => s + x, 0);
    for (let n = 0; n < FD_INNER.n; n++) {
      const g = scoreGrad64(theta, FD_INNER, n, act);
      let gu = 0;
      g.forEach((gi, i) => gi.forEach((x, k) => { gu += x * u[i][k]; }));
      const c = (w[n] * FD_INNER.advantages[n] * gu) / total;
      g.forEach((gi, i) => gi.forEach((x, k) => { hu[i][k] -= c * x; }));
    }
  }
  return hu;
}

/** The recursion of the meta-gradient in float64 with hvp64 (θ and α gradients). */
function recursion64(theta: Params64, alpha: Params64, act: Act, steps: number, estimator: dm.Estimator): { theta: Params64; alpha: Params64 } {
  const thetas = [theta], grads: Params64[] = [];
  for (let j = 0; j < steps; j++) {
    grads.push(lossGrad64(thetas[j], FD_INNER, act));
    thetas.push(thetas[j].map((p, i) => p.map((x, k) => x - alpha[i][k] * grads[j][i][k])));
  }
  let v = lossGrad64(thetas[steps], FD_OUTER, act);
  const gAlpha = theta.map((p) => new Float64Array(p.length));
  for (let j = steps - 1; j >= 0; j--) {
    grads[j].forEach((g, i) => g.forEach((x, k) => { gAlpha[i][k] -= x * v[i][k]; }));
    const hu = hvp64(thetas[j], v.map((p, i) => p.map((x, k) => alpha[i][k] * x)), act, estimator);
    v = v.map((p, i) => p.map((x, k) => x - hu[i][k]));
  }
  return { theta: v, alpha: gAlpha };
}

const flat64 = (params: Params64) => params.flatMap((p) => [...p]);

for (const activation of ['tanh', 'relu'] as const) {
  for (const steps of [1, 2]) {
    test(`both engines = float64 central differences of θ ↦ L_out(θ_k(θ)) (${activation}, k = ${steps}, naive)`, () => {
      const policy = makePolicy(FD_OBS, FD_ACTIONS, FD_HIDDEN, activation, 7 + steps);
      const theta64 = splitFlat(policy.getFlat(), policy.layerSizes);
      try {
        const reference = finiteDifferenceGrad((t) => loss64(adapt64(t, FD_INNER, activation, 0.5, steps), FD_OUTER, activation), theta64, FD_STEP);
        for (const engine of dm.GRAD_ENGINES) {
          const g = dm.metaGradient(policy, { inner: rows(FD_INNER), outer: rows(FD_OUTER) }, { innerLr: 0.5, innerSteps: steps, engine });
          const err = relativeError([g.theta], [flat64(reference)]);
          console.log(`${engine} ${activation} k=${steps}: relative error ${err.toExponential(2)}`);
          assert.ok(err <= FD_TOLERANCE, `${engine}: ${err.toExponential(2)}`);
        }
      } finally {
        policy.dispose();
      }
    });

    test(`both engines = float64 references for Meta-SGD θ and α, naive and lvc (${activation}, k = ${steps})`, () => {
      const policy = makePolicy(FD_OBS, FD_ACTIONS, FD_HIDDEN, activation, 17 + steps);
      const theta64 = splitFlat(policy.getFlat(), policy.layerSizes);
      const r = testRandom(5);
      const alpha64 = theta64.map((p) => p.map(() => Math.fround(0.1 + 0.5 * r())));
      const alpha = Float32Array.from(flat64(alpha64));
      try {
        // naive: finite differences of the composite in θ and in α
        const refTheta = finiteDifferenceGrad((t) => loss64(adapt64(t, FD_INNER, activation, alpha64, steps), FD_OUTER, activation), theta64, FD_STEP);
        const refAlpha = finiteDifferenceGrad((a) => loss64(adapt64(theta64, FD_INNER, activation, a, steps), FD_OUTER, activation), alpha64, FD_STEP);
        // lvc: the recursion with finite-difference Hessian-vector products and ProMP's term
        const lvc = recursion64(theta64, alpha64, activation, steps, 'lvc');
        // (the recursion reproduces the naive composite, which checks recursion64 itself)
        const naiveRecursion = recursion64(theta64, alpha64, activation, steps, 'naive');
        assert.ok(relativeError(naiveRecursion.theta, refTheta) <= FD_TOLERANCE && relativeError(naiveRecursion.alpha, refAlpha) <= FD_TOLERANCE, 'recursion64 = the composite');
        assert.ok(relativeError(lvc.theta, refTheta) > 1e-2, 'the LVC reference differs from the naive one');
        for (const engine of dm.GRAD_ENGINES) {
          for (const [estimator, ref] of [['naive', { theta: refTheta, alpha: refAlpha }], ['lvc', lvc]] as const) {
            const g = dm.metaGradient(policy, { inner: rows(FD_INNER), outer: rows(FD_OUTER) }, { innerLr: alpha, innerSteps: steps, estimator, engine });
            const errTheta = relativeError([g.theta], [flat64(ref.theta)]), errAlpha = relativeError([g.innerLr!], [flat64(ref.alpha)]);
            console.log(`${engine} ${activation} k=${steps} Meta-SGD ${estimator}: θ ${errTheta.toExponential(2)}, α ${errAlpha.toExponential(2)}`);
            assert.ok(errTheta <= FD_TOLERANCE, `${engine} ${estimator} θ: ${errTheta.toExponential(2)}`);
            assert.ok(errAlpha <= FD_TOLERANCE, `${engine} ${estimator} α: ${errAlpha.toExponential(2)}`);
          }
        }
      } finally {
        policy.dispose();
      }
    });
  }
}

test("'adapted' (θ_k from the caller) gives the same meta-gradient, and is what the kernel uses", () => {
  const policy = makePolicy(FD_OBS, FD_ACTIONS, FD_HIDDEN, 'tanh', 30);
  const theta64 = splitFlat(policy.getFlat(), policy.layerSizes);
  const r = testRandom(9);
  const alpha64 = theta64.map((p) => p.map(() => Math.fround(0.1 + 0.5 * r())));
  const data = { inner: rows(FD_INNER), outer: rows(FD_OUTER) };
  try {
    for (const steps of [1, 2]) {
      for (const lr of [0.5, alpha64]) {
        const innerLr = typeof lr === 'number' ? lr : Float32Array.from(flat64(lr));
        const adapted = Float32Array.from(flat64(adapt64(theta64, FD_INNER, 'tanh', lr, steps)));
        for (const order of [1, 2] as const) {
          const plain = dm.metaGradient(policy, data, { innerLr, innerSteps: steps, order });
          // Other rows in between, so that nothing of `plain` is left in the workspaces.
          dm.metaGradient(policy, { inner: data.outer, outer: data.inner }, { innerLr, innerSteps: steps, order });
          const given = dm.metaGradient(policy, data, { innerLr, innerSteps: steps, order, adapted });
          const name = `k=${steps} ${typeof lr === 'number' ? 'MAML' : 'Meta-SGD'} order ${order}`;
          assert.ok(maxRelative(given.theta, plain.theta) <= 1e-5, `${name} θ: ${maxRelative(given.theta, plain.theta)}`);
          if (plain.innerLr) assert.ok(maxRelative(given.innerLr!, plain.innerLr) <= 1e-5, `${name} α: ${maxRelative(given.innerLr!, plain.innerLr)}`);
          // A wrong θ_k (θ itself) shows that it is the one used.
          const wrong = dm.metaGradient(policy, data, { innerLr, innerSteps: steps, order, adapted: policy.getFlat() });
          assert.ok(maxRelative(wrong.theta, plain.theta) > 1e-2, `${name}: the given θ_k is used`);
        }
      }
    }
    assert.throws(() => dm.metaGradient(policy, data, { adapted: new Float32Array(3) }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'adapted');
    assert.throws(() => dm.metaGradient(policy, data, { adapted: new Float32Array(policy.numParams).fill(NaN) }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'adapted[0]');
  } finally {
    policy.dispose();
  }
});

// ---- in the meta-step ----

test("the meta-step's gradient: engine 'wasm' = engine 'tfjs' on CartPole rollouts (MAML, Meta-SGD; naive and lvc)", () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [32, 32], activation: 'relu', seed: 5 });
  const theta = policy.getFlat();
  const advantage = { gamma: 0.99, lambda: 1 };
  try {
    const tasks = family.sample(1, { seed: 2 });
    const pre = dm.rollout(family, policy, tasks, { episodes: 8, seed: 3 });
    const adapted = dm.innerAdaptFlat(policy, pre, theta, 0.1, 2, advantage);
    const post = dm.rollout(family, policy, tasks, { episodes: 8, seed: 4, weights: adapted });
    const alpha = new Float32Array(theta.length).fill(0.1);
    for (const [algo, innerLr] of [[dm.maml({ innerSteps: 2 }), 0.1], [dm.metaSgd({ innerSteps: 2, estimator: 'lvc' }), alpha]] as const) {
      const ctx = { policy, algo, innerLr, advantage };
      const [wTheta, wAlpha] = dm.taskMetaGradient({ ...ctx, gradEngine: 'wasm' }, pre, post, adapted);
      const [tTheta, tAlpha] = dm.taskMetaGradient(ctx, pre, post, adapted, true);
      assert.ok(maxRelative(wTheta, tTheta) <= AGREEMENT, `${algo.name} θ: ${maxRelative(wTheta, tTheta)}`);
      if (typeof innerLr !== 'number') assert.ok(maxRelative(wAlpha!, tAlpha!) <= AGREEMENT, `${algo.name} α: ${maxRelative(wAlpha!, tAlpha!)}`);
      else assert.equal(wAlpha, null);
      // Advantages handed in give the same result as advantages estimated inside.
      const given = dm.taskMetaGradient(ctx, pre, post, adapted, false, { pre: dm.estimateAdvantages(pre, advantage), post: dm.estimateAdvantages(post, advantage) });
      assert.deepEqual(given[0], wTheta);
    }
  } finally {
    policy.dispose();
  }
});

test("training with gradEngine 'wasm' follows training with 'tfjs' (directed-meta-sgd, 3 iterations)", async () => {
  const run = async (gradEngine: dm.GradEngine) => {
    const trainer = new dm.Trainer({ algo: 'directed-meta-sgd', gradEngine, metaBatch: 3, episodes: 4, maxSteps: 60, hidden: [16], seed: 6 });
    const metrics: number[] = [];
    for await (const m of trainer.run(3)) metrics.push(m.preReturn, m.postReturn, m.envSteps);
    const state = trainer.getState();
    trainer.dispose();
    return { metrics, theta: state.theta, innerLr: state.innerLr! };
  };
  assert.equal(dm.defaultConfig().gradEngine, 'wasm');
  assert.deepEqual(dm.parseCliFlags(['--grad-engine', 'tfjs']), { gradEngine: 'tfjs' });
  assert.throws(() => dm.resolveConfig({ gradEngine: 'gpu' }), (e: unknown) => e instanceof dm.ConfigError && e.field === 'gradEngine');
  const wasm = await run('wasm'), tfjs = await run('tfjs');
  assert.deepEqual(wasm.metrics, tfjs.metrics, 'the same rollouts');
  assert.ok(maxRelative(wasm.theta, tfjs.theta) <= 1e-5, `θ: ${maxRelative(wasm.theta, tfjs.theta)}`);
  assert.ok(maxRelative(wasm.innerLr, tfjs.innerLr) <= 1e-5, `α: ${maxRelative(wasm.innerLr, tfjs.innerLr)}`);
  assert.ok(wasm.innerLr.some((a) => a !== Math.fround(0.1)), 'α was trained');
});

// ---- resources and inputs ----

test('WASM memory and tensor count stay flat over many calls of varying sizes and steps', () => {
  const policy = makePolicy(AGREE_OBS, AGREE_ACTIONS, [64, 64], 'tanh', 6);
  const alpha = new Float32Array(policy.numParams).fill(0.2);
  const sized = (n: number) => ({ inner: rows(randomBatch(n, n, AGREE_OBS, AGREE_ACTIONS, true)), outer: rows(randomBatch(n + 1, n + 3, AGREE_OBS, AGREE_ACTIONS)) });
  try {
    // Warm-up at the largest sizes and step count (the workspaces grow to them once).
    dm.metaGradient(policy, sized(400), { innerLr: alpha, innerSteps: 3 });
    dm.metaGradient(policy, sized(20), { innerSteps: 2, engine: 'tfjs' });
    const bytes = dm.wasmExports().memory.buffer.byteLength, tensors = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      const data = sized(5 + ((i * 37) % 390));
      dm.metaGradient(policy, data, { innerLr: i % 2 ? alpha : 0.1, innerSteps: 1 + (i % 3), estimator: i % 4 < 2 ? 'naive' : 'lvc', adapted: i % 5 ? undefined : policy.getFlat() });
    }
    for (let i = 0; i < 10; i++) dm.metaGradient(policy, sized(10 + i), { innerLr: i % 2 ? alpha : 0.1, innerSteps: 2, engine: 'tfjs' });
    assert.equal(dm.wasmExports().memory.buffer.byteLength, bytes, 'WASM memory grew');
    assert.equal(tf.memory().numTensors, tensors, 'tensors leaked');
  } finally {
    policy.dispose();
  }
});

test('bad inputs throw ConfigError naming the field', () => {
  const policy = makePolicy(3, 2, [4], 'tanh', 1);
  const good = () => ({ inner: rows(randomBatch(1, 6, 3, 2, true)), outer: rows(randomBatch(2, 5, 3, 2)) });
  const expectField = (field: string, data: ReturnType<typeof good>, options: dm.MetaGradientOptions = {}) =>
    assert.throws(() => dm.metaGradient(policy, data, options), (e: unknown) => e instanceof dm.ConfigError && e.field === field, `expected ConfigError on ${field}`);
  const edit = (f: (d: ReturnType<typeof good>) => void) => { const d = good(); f(d); return d; };
  try {
    expectField('inner.obs', edit((d) => { d.inner.obs = d.inner.obs.subarray(1); }));
    expectField('outer.actions', edit((d) => { d.outer.actions = new Int32Array(0); }));
    expectField('outer.actions[2]', edit((d) => { d.outer.actions[2] = 2; }));
    expectField('inner.actions[0]', edit((d) => { d.inner.actions[0] = -1; }));
    expectField('inner.advantages', edit((d) => { d.inner.advantages = d.inner.advantages.subarray(1); }));
    expectField('outer.advantages[3]', edit((d) => { d.outer.advantages[3] = NaN; }));
    expectField('inner.obs[4]', edit((d) => { d.inner.obs[4] = Infinity; }));
    expectField('inner.obs[5]', edit((d) => { d.inner.obs[5] = -Infinity; }));
    expectField('outer.advantages[0]', edit((d) => { d.outer.advantages[0] = -Infinity; }));
    expectField('inner.weights[1]', edit((d) => { d.inner.weights![1] = -1; }));
    expectField('inner.weights', edit((d) => { d.inner.weights!.fill(0); }));
    expectField('innerLr', good(), { innerLr: -0.1 });
    expectField('innerLr.length', good(), { innerLr: new Float32Array(3) });
    expectField('innerLr[2]', good(), { innerLr: new Float32Array(policy.numParams).fill(0.1).fill(NaN, 2, 3) });
    expectField('innerSteps', good(), { innerSteps: 0 });
    expectField('order', good(), { order: 3 as 2 });
    expectField('estimator', good(), { estimator: 'dice' as 'lvc' });
    expectField('engine', good(), { engine: 'gpu' as 'wasm' });
    assert.throws(() => dm.metaGradient({} as dm.Policy, good()), (e: unknown) => e instanceof dm.ConfigError && e.field === 'policy');
    // A policy with its own forward (here the same MLP, as an own `logits`) can only go through tfjs.
    const custom = Object.assign(Object.create(Object.getPrototypeOf(policy)), policy, { logits: policy.logits.bind(policy) }) as dm.Policy;
    const data = good();
    assert.throws(() => dm.metaGradient(custom, data), (e: unknown) => e instanceof dm.ConfigError && e.field === 'engine');
    const viaTfjs = dm.metaGradient(custom, data, { engine: 'tfjs' }).theta;
    assert.ok(maxRelative(viaTfjs, dm.metaGradient(policy, data).theta) <= AGREEMENT, 'custom forward through tfjs = built-in through wasm');
  } finally {
    policy.dispose();
  }
});

test('α has one rule everywhere: a finite number >= 0 (config, dm.metaGradient, dm.adapt, dm.maml, dm.directed, dm.adaptPolicy)', async () => {
  const policy = makePolicy(3, 2, [4], 'tanh', 1);
  const data = { inner: rows(randomBatch(1, 6, 3, 2)), outer: rows(randomBatch(2, 5, 3, 2)) };
  const isField = (field: string) => (e: unknown) => e instanceof dm.ConfigError && e.field === field && /allowed: a number >= 0/.test(e.message);
  try {
    // α = 0 is allowed everywhere (the no-adaptation control); the config said > 0, the API >= 0.
    assert.equal(dm.resolveConfig({ innerLr: 0 }).innerLr, 0);
    assert.equal(dm.maml({ innerLr: 0 }).innerLr, 0);
    dm.metaGradient(policy, data, { innerLr: 0 });
    for (const bad of [-0.1, -1e-300, NaN, Infinity]) {
      assert.throws(() => dm.resolveConfig({ innerLr: bad }), isField('innerLr'), `config innerLr ${bad}`);
      assert.throws(() => dm.metaGradient(policy, data, { innerLr: bad }), isField('innerLr'), `metaGradient innerLr ${bad}`);
      assert.throws(() => dm.adapt(policy.params, ((p: dm.Policy['params']) => tf.sum(p[0])) as dm.LossFn, { lr: bad }), isField('lr'), `adapt lr ${bad}`);
      assert.throws(() => dm.maml({ innerLr: bad }), isField('innerLr'));
      assert.throws(() => dm.directed(dm.fomaml(), { lr: bad }), isField('directed.lr'));
    }
    assert.throws(() => dm.metaGradient(policy, data, { innerLr: new Float32Array(policy.numParams).fill(0.1).fill(-1, 3, 4) }), isField('innerLr[3]'));
    const family = dm.taskFamily('CartPole-v1');
    const cartPolicy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [4], seed: 1 });
    await assert.rejects(dm.adaptPolicy(cartPolicy, family, family.medium(), { innerLr: -0.1, episodes: 2 }), isField('innerLr'));
    cartPolicy.dispose();
  } finally {
    policy.dispose();
  }
});

test('API limits: innerSteps too large for memory is one ConfigError before WASM is touched, and the next call is unharmed', () => {
  const policy = makePolicy(4, 2, [8], 'tanh', 1);
  const data = { inner: rows(randomBatch(1, 10, 4, 2)), outer: rows(randomBatch(2, 10, 4, 2)) };
  try {
    const expected = dm.metaGradient(policy, data, { innerSteps: 2 }).theta;
    const bytes = dm.wasmExports().memory.buffer.byteLength;
    // 1e9 was `wasm abort: Allocation too large`, 1e8 "memory access out of bounds" after 2 GB;
    // 4e6 fits with unpadded parameters but not in the module's padded layout.
    for (const innerSteps of [1e9, 1e8, 4e6]) {
      assert.throws(() => dm.metaGradient(policy, data, { innerSteps }),
        (e: unknown) => e instanceof dm.ConfigError && e.field === 'innerSteps' && /an integer in \[1, \d+\]/.test(e.message), `innerSteps ${innerSteps}`);
    }
    assert.equal(dm.wasmExports().memory.buffer.byteLength, bytes, 'nothing was allocated');
    assert.deepEqual(dm.metaGradient(policy, data, { innerSteps: 2 }).theta, expected);
  } finally {
    policy.dispose();
  }
});

test('a WASM failure while the meta-gradient workspace grows leaves the process usable (no freed workspace reused)', () => {
  const policy = makePolicy(4, 2, [8], 'tanh', 2);
  const data = { inner: rows(randomBatch(3, 10, 4, 2)), outer: rows(randomBatch(4, 10, 4, 2)) };
  const w = dm.wasmExports();
  const create = w.metaGradCreate;
  try {
    const one = dm.metaGradient(policy, data, { innerSteps: 1 }).theta; // makes this MLP's workspace (1 step)
    const three = dm.metaGradient(makePolicyLike(policy), data, { innerSteps: 3 }).theta;
    // The next growth fails inside the module, as an abort would.
    w.metaGradCreate = () => { throw new Error('directed-maml wasm abort: injected'); };
    assert.throws(() => dm.metaGradient(policy, data, { innerSteps: 5 }), /injected/);
    w.metaGradCreate = create;
    assert.deepEqual(dm.metaGradient(policy, data, { innerSteps: 1 }).theta, one, 'the same gradient after the failure');
    assert.deepEqual(dm.metaGradient(policy, data, { innerSteps: 3 }).theta, three);
  } finally {
    w.metaGradCreate = create;
    policy.dispose();
  }
});

/** A second policy of the same architecture and weights (its own tfjs variables). */
function makePolicyLike(policy: dm.Policy): dm.Policy {
  const copy = dm.createPolicy({ obsDim: policy.obsDim, numActions: policy.numActions, hidden: policy.hidden, activation: policy.activation, seed: policy.seed });
  copy.setFlat(policy.getFlat());
  return copy;
}

test('dm.rollout refuses a call whose buffers cannot fit, before WASM allocates', () => {
  const family = dm.taskFamily('CartPole-v1');
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [4], seed: 1 });
  try {
    assert.throws(() => dm.rollout(family, policy, family.medium(), { episodes: 1 << 24, maxSteps: 1 << 24 }),
      (e: unknown) => e instanceof dm.ConfigError && e.field === 'episodes × maxSteps' && /maxSteps <= \d+|fewer episodes/.test(e.message));
    assert.equal(dm.rollout(family, policy, family.medium(), { episodes: 2, maxSteps: 10, seed: 1 }).numEpisodes, 2);
  } finally {
    policy.dispose();
  }
});
