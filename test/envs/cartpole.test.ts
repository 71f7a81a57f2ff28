// CartPole-v1 (src/envs/cartpole.ts, assembly/envs/cartpole.ts, assembly/vecenv.ts) against a float64
// re-derivation of Gymnasium's cartpole.py written here: trajectories, thresholds, truncation and
// next-step autoreset, the reset distribution, the effect of each task parameter, seeding, task
// sampling, and the ConfigErrors of bad input (after which nothing has changed).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { assertConfigError } from '../config-error';
import { assertFollowsReference, referenceStep, type Physics, type State } from './cartpole-reference';

before(async () => { await dm.init(); });

test('golden trajectories: several tasks follow the float64 reference', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15] });
  const numEnvs = 6;
  const tasks = family.sample(numEnvs, { seed: 3 });
  const env = family.makeVecEnv({ numEnvs, seed: 5 });
  env.setTasks(tasks);
  env.reset();
  const P = family.numParams;
  const physics: Physics[] = [];
  for (let i = 0; i < numEnvs; i++) {
    const t = tasks.subarray(i * P, (i + 1) * P);
    physics.push({ gravity: t[0], massCart: t[1], massPole: t[2], halfLength: t[3], forceMag: t[4] });
  }
  assertFollowsReference(env, physics);
  env.dispose();
});

// ---------------------------------------------------------------------------------------------
// Helpers for the tests below.

const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const DEFAULT_PHYSICS: Physics = { gravity: 9.8, massCart: 1.0, massPole: 0.1, halfLength: 0.5, forceMag: 10.0 };
const PARAM_ORDER = ['gravity', 'massCart', 'massPole', 'halfLength', 'forceMag'] as const;

function taskOf(p: Physics): number[] {
  return PARAM_ORDER.map((name) => p[name]);
}

/** A family with every parameter fixed at Gymnasium's default (tasks are set explicitly). */
function defaultFamily(): dm.TaskFamily {
  return dm.taskFamily('CartPole-v1', {});
}

/** The float32 value of the reset draw: uniform(key, n, −0.05, 0.05) of assembly/rng.ts. */
function resetValueFromDraw(u: number): number {
  const low = Math.fround(-0.05);
  const width = Math.fround(Math.fround(0.05) - low);
  return Math.fround(low + Math.fround(width * u));
}

/** The state lane `lane` gets from its reset number `resetIndex` (0 = the first reset after seeding). */
function expectedResetState(seed: number, lane: number, resetIndex: number): number[] {
  const u = dm.uniforms(seed, dm.Purpose.RESET, 0, lane, 4, 4 * resetIndex);
  return [...u].map(resetValueFromDraw);
}

/** A linear controller that keeps the default pole up for 500 steps (checked by the tests that use it). */
function balancingActions(obs: Float32Array, numEnvs: number): Int32Array {
  const a = new Int32Array(numEnvs);
  for (let i = 0; i < numEnvs; i++) {
    const [x, xDot, theta, thetaDot] = obs.subarray(i * 4, i * 4 + 4);
    a[i] = theta + 0.5 * thetaDot + 0.1 * x + 0.3 * xDot > 0 ? 1 : 0;
  }
  return a;
}

/** One step of one env per (task, state, action); returns the new states (numEnvs x 4, float32). */
function stepOnce(cases: { physics: Physics; state: State; action: number }[]): Float32Array {
  const env = defaultFamily().makeVecEnv({ numEnvs: cases.length, seed: 0 });
  env.setTasks(cases.flatMap((c) => taskOf(c.physics)));
  env.setState(cases.flatMap((c) => c.state));
  env.step(Int32Array.from(cases, (c) => c.action));
  const next = env.getState();
  env.dispose();
  return next;
}


function snapshot(env: dm.VecEnv): { state: Float32Array; tasks: Float32Array } {
  return { state: env.getState(), tasks: env.getTasks() };
}

// ---------------------------------------------------------------------------------------------
// Termination, truncation, autoreset

test('terminates strictly beyond each threshold: |x| > 2.4, |θ| > 12°', () => {
  const f32 = Math.fround;
  const xT = f32(2.4), thetaT = f32(THETA_THRESHOLD);
  const nextUp = (v: number) => { const b = new Float32Array([v]); new Uint32Array(b.buffer)[0]++; return b[0]; };
  // Zero velocities: the step leaves x and θ where they are, so the test is the threshold itself.
  // The thresholds are compared in float32 (the state's precision): exactly at the float32
  // threshold the episode continues, one float32 step beyond it ends.
  const cases: { x: number; theta: number; ends: boolean }[] = [
    { x: 2.4 - 1e-4, theta: 0, ends: false }, { x: 2.4 + 1e-4, theta: 0, ends: true },
    { x: -(2.4 - 1e-4), theta: 0, ends: false }, { x: -(2.4 + 1e-4), theta: 0, ends: true },
    { x: xT, theta: 0, ends: false }, { x: -xT, theta: 0, ends: false },
    { x: nextUp(xT), theta: 0, ends: true }, { x: -nextUp(xT), theta: 0, ends: true },
    { x: 0, theta: THETA_THRESHOLD - 1e-4, ends: false }, { x: 0, theta: THETA_THRESHOLD + 1e-4, ends: true },
    { x: 0, theta: -(THETA_THRESHOLD - 1e-4), ends: false }, { x: 0, theta: -(THETA_THRESHOLD + 1e-4), ends: true },
    { x: 0, theta: thetaT, ends: false }, { x: 0, theta: -thetaT, ends: false },
    { x: 0, theta: nextUp(thetaT), ends: true }, { x: 0, theta: -nextUp(thetaT), ends: true },
  ];
  const n = cases.length;
  const env = defaultFamily().makeVecEnv({ numEnvs: n, seed: 1 });
  env.reset();
  env.setState(cases.flatMap((c) => [c.x, 0, c.theta, 0]));
  const out = env.step(Int32Array.from(cases, (_, i) => i & 1));
  for (let i = 0; i < n; i++) {
    assert.equal(out.terminated[i], cases[i].ends ? 1 : 0, `case ${i}: x=${cases[i].x} θ=${cases[i].theta}`);
    assert.equal(out.truncated[i], 0);
    assert.equal(out.reward[i], 1, 'reward +1 on every step, the terminating one included');
  }
  // The next step resets exactly the lanes that ended (reward 0) and continues the others.
  const after = env.step(new Int32Array(n));
  for (let i = 0; i < n; i++) assert.equal(after.reward[i], cases[i].ends ? 0 : 1, `case ${i} after`);
  env.dispose();
});

test('truncates at 500 steps, then autoresets on the next step (Gymnasium next-step autoreset)', () => {
  const numEnvs = 3, seed = 21;
  const env = defaultFamily().makeVecEnv({ numEnvs, seed });
  const twin = defaultFamily().makeVecEnv({ numEnvs, seed });
  let obs = env.reset();
  twin.reset();
  for (let episode = 0; episode < 2; episode++) {
    for (let t = 1; t <= 500; t++) {
      const actions = balancingActions(obs, numEnvs);
      const out = env.step(actions);
      twin.step(actions);
      for (let i = 0; i < numEnvs; i++) {
        assert.equal(out.terminated[i], 0, `episode ${episode} env ${i} survives step ${t} (controller check)`);
        assert.equal(out.truncated[i], t === 500 ? 1 : 0, `episode ${episode} env ${i} step ${t}`);
        assert.equal(out.reward[i], 1);
      }
      obs = out.obs;
    }
    // The step after the ending one ignores the action (env and twin get opposite actions),
    // returns reward 0, clear flags and the lane's next reset draws.
    const out = env.step(Int32Array.from({ length: numEnvs }, (_, i) => i & 1));
    const twinOut = twin.step(Int32Array.from({ length: numEnvs }, (_, i) => 1 - (i & 1)));
    const state = env.getState();
    for (let i = 0; i < numEnvs; i++) {
      assert.equal(out.reward[i], 0);
      assert.equal(out.terminated[i], 0);
      assert.equal(out.truncated[i], 0);
      const fresh = [...state.subarray(i * 4, i * 4 + 4)];
      for (const v of fresh) assert.ok(v >= -0.05 && v < 0.05, `fresh state ${fresh}`);
      assert.deepEqual(fresh, expectedResetState(seed, i, episode + 1));
      assert.deepEqual([...out.obs.subarray(i * 4, i * 4 + 4)], fresh, 'the observation is the new state');
      assert.deepEqual([...twinOut.obs.subarray(i * 4, i * 4 + 4)], fresh, 'the action on the reset step is ignored');
    }
    obs = out.obs;
  }
  env.dispose();
  twin.dispose();
});

test('terminated and truncated can both be set on one step (maxSteps reached while falling)', () => {
  const env = defaultFamily().makeVecEnv({ numEnvs: 2, seed: 4, maxSteps: 3 });
  env.reset();
  env.step([0, 1]);
  env.step([1, 0]);
  env.setState([2.39, 1.0, 0, 0, 0, 0, 0.01, 0]); // env 0 crosses x = 2.4 on step 3; env 1 does not
  const out = env.step([1, 1]);
  assert.deepEqual([...out.terminated], [1, 0]);
  assert.deepEqual([...out.truncated], [1, 1]);
  const next = env.step([1, 1]);
  assert.deepEqual([...next.reward], [0, 0]);
  assert.deepEqual([...next.terminated, ...next.truncated], [0, 0, 0, 0]);
  env.dispose();
});

test('reset distribution: every component uniform on [−0.05, 0.05) (bounds, mean, variance, KS, independence)', () => {
  const numEnvs = 20000;
  const env = defaultFamily().makeVecEnv({ numEnvs, seed: 12345 });
  const obs = env.reset();
  const columns = [0, 1, 2, 3].map((k) => Float64Array.from({ length: numEnvs }, (_, i) => obs[i * 4 + k]));
  for (const [k, col] of columns.entries()) {
    let sum = 0, sumSq = 0;
    for (const v of col) {
      assert.ok(v >= -0.05 && v < 0.05, `component ${k}: ${v}`);
      sum += v; sumSq += v * v;
    }
    const mean = sum / numEnvs;
    const variance = sumSq / numEnvs - mean * mean;
    // U(−0.05, 0.05): mean 0 (sd of the sample mean 0.0289/√n = 2.0e-4, bound 5 sd);
    // variance 0.1²/12 = 8.33e-4 (sd of the estimate √((μ4 − σ⁴)/n) = 5.3e-6, bound 5 sd)
    assert.ok(Math.abs(mean) < 1.0e-3, `component ${k} mean ${mean}`);
    assert.ok(Math.abs(variance - 0.01 / 12) < 2.7e-5, `component ${k} variance ${variance}`);
    // Kolmogorov–Smirnov against the uniform CDF: the 0.001 critical value is 1.95/√n.
    const sorted = [...col].sort((a, b) => a - b);
    let d = 0;
    for (let i = 0; i < numEnvs; i++) {
      const cdf = (sorted[i] + 0.05) / 0.1;
      d = Math.max(d, (i + 1) / numEnvs - cdf, cdf - i / numEnvs);
    }
    assert.ok(d < 1.95 / Math.sqrt(numEnvs), `component ${k} KS D = ${d}`);
  }
  // Components of one lane come from different draws: correlation ~N(0, 1/n), bound 4.5 sd.
  for (let a = 0; a < 4; a++) {
    for (let b = a + 1; b < 4; b++) {
      let sab = 0;
      for (let i = 0; i < numEnvs; i++) sab += columns[a][i] * columns[b][i];
      const corr = sab / numEnvs / (0.01 / 12);
      assert.ok(Math.abs(corr) < 4.5 / Math.sqrt(numEnvs), `components ${a}, ${b}: correlation ${corr}`);
    }
  }
  env.dispose();
});

// ---------------------------------------------------------------------------------------------
// Task parameters

/** The float64 reference next state, and agreement of the env with it (float32 tolerance). */
function assertMatchesReference(next: Float32Array, i: number, c: { physics: Physics; state: State; action: number }): State {
  const ref = referenceStep(c.state, c.action, c.physics).next;
  for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(next[i * 4 + k] - ref[k]) <= 1e-6 * (1 + Math.abs(ref[k])), `case ${i} component ${k}: ${next[i * 4 + k]} vs ${ref[k]}`);
  }
  return ref;
}

test('larger gravity makes a tilted pole fall faster', () => {
  // forceMag tiny so that gravity dominates the angular acceleration.
  const gravities = [2, 5, 9.8, 20, 50];
  const cases = gravities.map((gravity) => ({
    physics: { ...DEFAULT_PHYSICS, gravity, forceMag: 1e-3 }, state: [0, 0, 0.1, 0] as State, action: 1,
  }));
  const next = stepOnce(cases);
  cases.forEach((c, i) => assertMatchesReference(next, i, c));
  for (let i = 1; i < cases.length; i++) assert.ok(next[i * 4 + 3] > next[(i - 1) * 4 + 3], `θ̇ grows with gravity (${gravities[i]})`);
  assert.ok(next[3] > 0, 'the pole falls towards its tilt');
});

test('larger forceMag gives a larger cart acceleration, proportional at θ = 0', () => {
  const forces = [1, 5, 10, 20];
  const cases = forces.map((forceMag) => ({ physics: { ...DEFAULT_PHYSICS, forceMag }, state: [0, 0, 0, 0] as State, action: 1 }));
  const next = stepOnce(cases);
  cases.forEach((c, i) => assertMatchesReference(next, i, c));
  for (let i = 1; i < cases.length; i++) {
    assert.ok(next[i * 4 + 1] > next[(i - 1) * 4 + 1], `ẋ grows with forceMag (${forces[i]})`);
    // At θ = θ̇ = 0, ẍ = F·(1 + m_p·l/(M·l·(4/3 − m_p/M)))/M: linear in F.
    assert.ok(Math.abs(next[i * 4 + 1] / next[1] - forces[i] / forces[0]) < 1e-5);
  }
  const left = stepOnce([{ physics: DEFAULT_PHYSICS, state: [0, 0, 0, 0], action: 0 }]);
  assert.ok(left[1] < 0, 'action 0 pushes left');
});

test('a heavier cart accelerates less', () => {
  const masses = [0.25, 0.5, 1, 2, 4];
  const cases = masses.map((massCart) => ({ physics: { ...DEFAULT_PHYSICS, massCart }, state: [0, 0, 0.05, 0.1] as State, action: 1 }));
  const next = stepOnce(cases);
  cases.forEach((c, i) => assertMatchesReference(next, i, c));
  for (let i = 1; i < cases.length; i++) assert.ok(next[i * 4 + 1] < next[(i - 1) * 4 + 1], `ẋ shrinks with massCart (${masses[i]})`);
});

test('a longer pole turns more slowly: θ̈ ∝ 1/halfLength when θ̇ = 0', () => {
  const lengths = [0.25, 0.5, 1, 2];
  const cases = lengths.map((halfLength) => ({ physics: { ...DEFAULT_PHYSICS, halfLength }, state: [0, 0, 0.1, 0] as State, action: 0 }));
  const next = stepOnce(cases);
  cases.forEach((c, i) => assertMatchesReference(next, i, c));
  for (let i = 1; i < cases.length; i++) {
    assert.ok(Math.abs(next[i * 4 + 3]) < Math.abs(next[(i - 1) * 4 + 3]), `|θ̇| shrinks with halfLength (${lengths[i]})`);
    // With θ̇ = 0 the numerator of θ̈ does not depend on l and the denominator is l·(4/3 − m_p·cos²θ/M).
    assert.ok(Math.abs(next[i * 4 + 3] * lengths[i] - next[3] * lengths[0]) < 1e-5 * Math.abs(next[3] * lengths[0]));
  }
});

test('changing massPole alone recomputes the derived totals (total mass, m_p·l): no stale totals (ray#14090)', () => {
  const state: State = [0, 0.2, 0.1, 1.0];
  const cases = [0.1, 0.5, 1.0].map((massPole) => ({ physics: { ...DEFAULT_PHYSICS, massPole }, state, action: 1 }));
  const next = stepOnce(cases);
  cases.forEach((c, i) => assertMatchesReference(next, i, c));
  // The stale version keeps total_mass = 1.1 and polemass_length = 0.05 from the default task.
  const stale = (massPole: number): State => {
    const [x, xDot, theta, thetaDot] = state;
    const totalMass = 1.1, poleMassLength = 0.05, l = 0.5;
    const cos = Math.cos(theta), sin = Math.sin(theta);
    const temp = (10 + poleMassLength * thetaDot ** 2 * sin) / totalMass;
    const thetaAcc = (9.8 * sin - cos * temp) / (l * (4 / 3 - (massPole * cos ** 2) / totalMass));
    const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
    return [x + 0.02 * xDot, xDot + 0.02 * xAcc, theta + 0.02 * thetaDot, thetaDot + 0.02 * thetaAcc];
  };
  for (let i = 1; i < cases.length; i++) {
    const wrong = stale(cases[i].physics.massPole);
    assert.ok(Math.abs(next[i * 4 + 1] - wrong[1]) > 1e-3, `massPole ${cases[i].physics.massPole}: ẋ differs from the stale-total value`);
    assert.notEqual(next[i * 4 + 1], next[1], 'massPole changes ẍ');
  }
});

// ---------------------------------------------------------------------------------------------
// Seeds and task sampling

test('the same seed gives the same observations; a different seed gives different ones', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5] });
  const numEnvs = 13;
  const tasks = family.sample(numEnvs, { seed: 2 });
  const make = (seed: number) => { const e = family.makeVecEnv({ numEnvs, seed }); e.setTasks(tasks); return e; };
  const a = make(7), b = make(7), c = make(8);
  const first = [a.reset().slice(), b.reset().slice(), c.reset().slice()];
  assert.deepEqual(first[0], first[1]);
  for (let j = 0; j < first[0].length; j++) assert.notEqual(first[0][j], first[2][j], `obs ${j} differs with the seed`);
  for (let t = 0; t < 300; t++) {
    const actions = Int32Array.from({ length: numEnvs }, (_, i) => ((t * 7 + i * 3) >> 2) & 1);
    const ra = a.step(actions), rb = b.step(actions);
    assert.deepEqual(ra.obs, rb.obs, `step ${t}`);
    assert.deepEqual(ra.reward, rb.reward);
    assert.deepEqual(ra.terminated, rb.terminated);
    assert.deepEqual(ra.truncated, rb.truncated);
    c.step(actions);
  }
  // Re-seeding at reset restarts the reset streams: c reset with seed 7 equals a fresh seed-7 env.
  assert.deepEqual(c.reset({ seed: 7 }), first[0]);
  a.dispose(); b.dispose(); c.dispose();
});

test('family.sample: the first tasks do not depend on n; values lie in their ranges; fixed ones stay fixed', () => {
  const ranges = { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15], gravity: 12 } as const;
  const family = dm.taskFamily('CartPole-v1', ranges);
  assert.deepEqual(family.paramNames, [...PARAM_ORDER]);
  const P = family.numParams;
  const few = family.sample(3, { seed: 11 });
  const many = family.sample(400, { seed: 11 });
  assert.deepEqual(few, many.subarray(0, 3 * P));
  const other = family.sample(3, { seed: 12 });
  assert.notDeepEqual(few, other);
  const f32 = Math.fround;
  const expectRange: Record<string, [number, number]> = {
    gravity: [12, 12], massCart: [1, 1], massPole: [0.05, 0.5], halfLength: [0.25, 0.75], forceMag: [5, 15],
  };
  for (const [k, name] of PARAM_ORDER.entries()) {
    const [lo, hi] = expectRange[name];
    let min = Infinity, max = -Infinity, sum = 0;
    for (let i = 0; i < 400; i++) {
      const v = many[i * P + k];
      assert.ok(v >= f32(lo) && v <= f32(hi), `${name} = ${v} outside [${lo}, ${hi}]`);
      min = Math.min(min, v); max = Math.max(max, v); sum += v;
    }
    if (lo === hi) {
      assert.equal(min, f32(lo));
      assert.equal(max, f32(lo));
    } else {
      // 400 uniform draws cover the range: the extremes lie within 3% of its ends, the mean near its centre.
      assert.ok(min < lo + 0.03 * (hi - lo) && max > hi - 0.03 * (hi - lo), `${name} spans [${min}, ${max}]`);
      assert.ok(Math.abs(sum / 400 - (lo + hi) / 2) < 0.1 * (hi - lo), `${name} mean ${sum / 400}`);
    }
  }
});

test('family.medium() is the centre of every range', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massCart: [0.5, 2.0], gravity: [9.8, 9.8] });
  const medium = family.medium();
  assert.deepEqual([...medium], [9.8, 1.25, 0.1, 0.5, 10].map(Math.fround));
  for (let k = 0; k < family.numParams; k++) {
    assert.equal(medium[k], Math.fround((family.low[k] + family.high[k]) / 2));
  }
  // A new VecEnv starts on the medium task.
  const env = family.makeVecEnv({ numEnvs: 2 });
  assert.deepEqual(env.getTasks(), Float32Array.from([...medium, ...medium]));
  env.dispose();
});

// ---------------------------------------------------------------------------------------------
// Bad input: a ConfigError naming the field, and nothing changes

test('bad family inputs: unknown env id, ranges outside the physical domain, unknown parameter', () => {
  assertConfigError(() => dm.taskFamily('CartPole-v0'), 'env');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { massPole: [0, 1] }), 'ranges.massPole');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { massCart: [-1, 1] }), 'ranges.massCart');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { halfLength: [0, 0.5] }), 'ranges.halfLength');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { halfLength: -0.5 }), 'ranges.halfLength');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { gravity: [Number.NaN, 10] }), 'ranges.gravity');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { gravity: Number.NaN }), 'ranges.gravity');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { forceMag: [5, Number.POSITIVE_INFINITY] }), 'ranges.forceMag');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { forceMag: [15, 5] }), 'ranges.forceMag');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { length: [0.25, 0.75] }), 'ranges.length');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { halfLength: [0.25] as unknown as [number, number] }), 'ranges.halfLength');
  assertConfigError(() => dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.5, 0.75] as unknown as [number, number] }), 'ranges.halfLength');
});

test('bad sampling and env options: counts and seeds must be integers in range', () => {
  const family = dm.taskFamily('CartPole-v1');
  assertConfigError(() => family.sample(1.5), 'n');
  assertConfigError(() => family.sample(-1), 'n');
  for (const seed of [1.5, -1, 2 ** 32, Number.NaN]) {
    assertConfigError(() => family.sample(2, { seed }), 'seed');
    assertConfigError(() => family.makeVecEnv({ numEnvs: 2, seed }), 'seed');
  }
  for (const numEnvs of [0, 2.5, -3, Number.NaN]) assertConfigError(() => family.makeVecEnv({ numEnvs }), 'numEnvs');
  assertConfigError(() => family.makeVecEnv({ numEnvs: 2, maxSteps: 0 }), 'maxSteps');
  const env = family.makeVecEnv({ numEnvs: 3, seed: 5 });
  const obs = env.reset().slice();
  assertConfigError(() => env.reset({ seed: 0.5 }), 'seed');
  assert.deepEqual(env.getState(), obs, 'a rejected reset changes nothing');
  env.dispose();
});

test('bad tasks (wrong length, value outside the domain) leave the env unchanged', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75] });
  const numEnvs = 3, P = family.numParams;
  const env = family.makeVecEnv({ numEnvs, seed: 9 });
  const twin = family.makeVecEnv({ numEnvs, seed: 9 });
  const tasks = family.sample(numEnvs, { seed: 1 });
  env.setTasks(tasks); twin.setTasks(tasks);
  env.reset(); twin.reset();
  env.step([1, 0, 1]); twin.step([1, 0, 1]);
  const before = snapshot(env);
  assertConfigError(() => env.setTasks(new Float32Array(numEnvs * P - 1)), 'tasks.length');
  assertConfigError(() => env.setTasks(new Float32Array(numEnvs * P + 1)), 'tasks.length');
  for (const [k, name] of PARAM_ORDER.entries()) {
    for (const bad of [0, -1, Number.NaN]) {
      const t = tasks.slice();
      t[2 * P + k] = bad; // env 2's value; envs 0 and 1 are valid and must not be written either
      t[0 * P + 3] = 0.3;
      assertConfigError(() => env.setTasks(t), `tasks[2].${name}`);
    }
  }
  assert.deepEqual(snapshot(env), before);
  // One task for every env is allowed (numParams values).
  env.setTasks(tasks.subarray(0, P)); twin.setTasks(tasks.subarray(0, P));
  for (let t = 0; t < 40; t++) {
    const actions = [t & 1, (t >> 1) & 1, 1];
    assert.deepEqual(env.step(actions).obs, twin.step(actions).obs);
  }
  env.dispose(); twin.dispose();
});

test('bad actions (wrong length, outside {0, 1}) and bad states leave the env unchanged', () => {
  const family = dm.taskFamily('CartPole-v1');
  const numEnvs = 4;
  const env = family.makeVecEnv({ numEnvs, seed: 3 });
  const twin = family.makeVecEnv({ numEnvs, seed: 3 });
  env.reset(); twin.reset();
  for (let t = 0; t < 5; t++) { env.step([1, 0, 1, 0]); twin.step([1, 0, 1, 0]); }
  const before = snapshot(env);
  const obsBefore = env.step([0, 0, 1, 1]).obs.slice();
  twin.step([0, 0, 1, 1]);
  assertConfigError(() => env.step([1, 0, 1]), 'actions.length');
  assertConfigError(() => env.step([1, 0, 1, 0, 1]), 'actions.length');
  assertConfigError(() => env.step([1, 0, 2, 0]), 'actions[2]');
  assertConfigError(() => env.step([-1, 0, 1, 0]), 'actions[0]');
  assertConfigError(() => env.step([1, 0.5, 1, 0]), 'actions[1]');
  assertConfigError(() => env.step([1, 0, 1, Number.NaN]), 'actions[3]');
  assertConfigError(() => env.setState(new Float32Array(numEnvs * 4 - 1)), 'states.length');
  assertConfigError(() => env.setState([0, 0, 0, 0, 0, 0, 0, Number.NaN, 0, 0, 0, 0, 0, 0, 0, 0]), 'states[1][3]');
  assert.notDeepEqual(env.getState(), before.state, 'sanity: the valid step moved the state');
  assert.deepEqual([...env.getState()], [...obsBefore], 'rejected calls changed nothing');
  // Step counts and reset streams are untouched too: the env keeps matching its twin through
  // terminations and autoresets.
  for (let t = 0; t < 120; t++) {
    const actions = [t & 1, 1, 0, (t >> 2) & 1];
    const a = env.step(actions), b = twin.step(actions);
    assert.deepEqual(a.obs, b.obs, `step ${t}`);
    assert.deepEqual(a.reward, b.reward);
    assert.deepEqual(a.terminated, b.terminated);
  }
  env.dispose(); twin.dispose();
});

test('family.task validates named values', () => {
  const family = dm.taskFamily('CartPole-v1');
  assert.deepEqual([...family.task({ halfLength: 0.7 })], [9.8, 1, 0.1, 0.7, 10].map(Math.fround));
  assertConfigError(() => family.task({ length: 0.7 }), 'task.length');
  assertConfigError(() => family.task({ massPole: 0 }), 'task.massPole');
  assertConfigError(() => family.task({ halfLength: -1 }, 'medium'), 'medium.halfLength');
});
