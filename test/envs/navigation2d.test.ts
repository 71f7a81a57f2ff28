// Navigation2D-v0 against a float64 re-derivation, written here, of pytorch-maml-rl's
// Navigation2DEnv (SPEC §2c): clip the action to [−0.1, 0.1]², add it to the position, reward
// −‖position − goal‖, terminated when |x − gx| < 0.01 and |y − gy| < 0.01; truncated at 100 steps.
// Also the box-action plumbing: VecEnv.step takes numEnvs x actionSize floats, row-major per env.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { testRandom as rng } from '../nn/mlp-reference';

before(async () => { await dm.init(); });

const ID = 'Navigation2D-v0';
const LIMIT = 0.1, TOL = 0.01, MAX_STEPS = 100;

interface RefStep { x: number; y: number; reward: number; terminated: boolean; nearEdge: boolean }

/** One step in float64 from position (x, y) towards goal (gx, gy) with the raw action (ax, ay). */
function referenceStep(x: number, y: number, gx: number, gy: number, ax: number, ay: number): RefStep {
  const clip = (a: number) => Math.min(Math.max(a, -LIMIT), LIMIT);
  const nx = x + clip(ax), ny = y + clip(ay);
  const dx = nx - gx, dy = ny - gy;
  const terminated = Math.abs(dx) < TOL && Math.abs(dy) < TOL;
  // float32 may decide a comparison within its rounding of the tolerance either way
  const nearEdge = Math.abs(Math.abs(dx) - TOL) < 1e-6 || Math.abs(Math.abs(dy) - TOL) < 1e-6;
  return { x: nx, y: ny, reward: -Math.hypot(dx, dy), terminated, nearEdge };
}

test('spec: dimensions, box action space read from the module, parameters, medium task', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual(family.paramNames, ['goalX', 'goalY']);
  assert.equal(family.stateDim, 2);
  assert.equal(family.obsDim, 2);
  assert.equal(family.numActions, 0);
  assert.equal(family.actionSize, 2);
  assert.deepEqual(family.actionSpace, { kind: 'box', size: 2, low: [Math.fround(-0.1), Math.fround(-0.1)], high: [Math.fround(0.1), Math.fround(0.1)] });
  assert.equal(family.maxEpisodeSteps, MAX_STEPS);
  assert.deepEqual([...family.low], [-0.5, -0.5]);
  assert.deepEqual([...family.high], [0.5, 0.5]);
  assert.deepEqual([...family.medium()], [0, 0]);
  // The discrete envs keep their discrete action space.
  assert.deepEqual(dm.taskFamily('CartPole-v1').actionSpace, { kind: 'discrete', n: 2 });
  assert.equal(dm.taskFamily('CartPole-v1').actionSize, 0);
});

test('episodes of random actions follow the float64 reference per lane (7 envs: SIMD groups and a tail)', () => {
  const random = rng(5);
  const family = dm.taskFamily(ID);
  const n = 7;
  const tasks = family.sample(n, { seed: 3 });
  // Goals near the start so some lanes terminate: lane 0 at a goal it reaches in exactly 3 steps.
  tasks[0] = Math.fround(0.3); tasks[1] = Math.fround(-0.2);
  const env = family.makeVecEnv({ numEnvs: n, seed: 1 });
  env.setTasks(tasks);
  let obs = env.reset();
  assert.deepEqual([...obs], new Array(2 * n).fill(0), 'every episode starts at (0, 0)');
  let terminations = 0, clipped = 0, checked = 0;
  const needsReset = new Array(n).fill(false);
  for (let t = 0; t < 2 * MAX_STEPS + 5; t++) {
    const before = Float32Array.from(obs);
    const actions = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 2; j++) actions[2 * i + j] = (random() - 0.5) * 0.5; // half of them outside the box
    }
    if (t < 3) { actions[0] = 0.25; actions[1] = -0.2 / 3; } // lane 0: x clipped to 0.1 thrice, y unclipped
    const out = env.step(actions);
    obs = Float32Array.from(out.obs);
    const state = env.getState();
    for (let i = 0; i < n; i++) {
      if (needsReset[i]) {
        // Gymnasium's next-step autoreset: the action is ignored, the episode restarts at (0, 0).
        assert.deepEqual([obs[2 * i], obs[2 * i + 1], out.reward[i], out.terminated[i], out.truncated[i]], [0, 0, 0, 0, 0], `env ${i} step ${t}: reset`);
        needsReset[i] = false;
        continue;
      }
      const r = referenceStep(before[2 * i], before[2 * i + 1], tasks[2 * i], tasks[2 * i + 1], actions[2 * i], actions[2 * i + 1]);
      assert.ok(Math.abs(obs[2 * i] - r.x) <= 1e-6 && Math.abs(obs[2 * i + 1] - r.y) <= 1e-6, `env ${i} step ${t}: (${obs[2 * i]}, ${obs[2 * i + 1]}) vs (${r.x}, ${r.y})`);
      assert.deepEqual([state[2 * i], state[2 * i + 1]], [obs[2 * i], obs[2 * i + 1]], 'the observation is the state');
      assert.ok(Math.abs(out.reward[i] - r.reward) <= 1e-6 * (1 + Math.abs(r.reward)), `env ${i} step ${t}: reward ${out.reward[i]} vs ${r.reward}`);
      if (!r.nearEdge) assert.equal(out.terminated[i], r.terminated ? 1 : 0, `env ${i} step ${t}: terminated`);
      if (Math.abs(actions[2 * i]) > LIMIT || Math.abs(actions[2 * i + 1]) > LIMIT) clipped++;
      if (out.terminated[i]) terminations++;
      checked++;
      needsReset[i] = out.terminated[i] === 1 || out.truncated[i] === 1;
    }
    if (t === 2) {
      assert.equal(out.terminated[0], 1, 'lane 0 reaches its goal (0.3, −0.2) in 3 clipped steps');
    }
  }
  assert.ok(terminations >= 1 && clipped > 100 && checked > 1000, `terminations ${terminations}, clipped ${clipped}, checked ${checked}`);
  env.dispose();
});

test('a whole episode in float64 from (0, 0): positions within 1e-5, truncated at step 100 exactly', () => {
  const family = dm.taskFamily(ID);
  const env = family.makeVecEnv({ numEnvs: 4, seed: 0 });
  const goals = [0.5, 0.5, -0.5, 0.25, 3, -3, 0.05, 0.45]; // far goals never terminate within 100 steps
  env.setTasks(goals);
  env.reset();
  const random = rng(11);
  const ref = Array.from({ length: 4 }, () => [0, 0]);
  const returns = [0, 0, 0, 0], refReturns = [0, 0, 0, 0];
  const done = [false, false, false, false];
  for (let t = 0; t < MAX_STEPS; t++) {
    const actions = Float32Array.from({ length: 8 }, () => (random() - 0.3) * 0.3);
    const out = env.step(actions);
    for (let i = 0; i < 4; i++) {
      if (done[i]) continue;
      const r = referenceStep(ref[i][0], ref[i][1], Math.fround(goals[2 * i]), Math.fround(goals[2 * i + 1]), actions[2 * i], actions[2 * i + 1]);
      ref[i] = [r.x, r.y];
      assert.ok(Math.abs(out.obs[2 * i] - r.x) <= 1e-5 && Math.abs(out.obs[2 * i + 1] - r.y) <= 1e-5, `env ${i} step ${t}`);
      returns[i] += out.reward[i];
      refReturns[i] += r.reward;
      if (out.terminated[i]) done[i] = true;
      else assert.equal(out.truncated[i], t === MAX_STEPS - 1 ? 1 : 0, `env ${i} step ${t}: truncated`);
    }
  }
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(returns[i] - refReturns[i]) <= 1e-4 * (1 + Math.abs(refReturns[i])), `env ${i}: return ${returns[i]} vs ${refReturns[i]}`);
  env.dispose();
});

test('box actions: row-major per env, length and finiteness checked, nothing changes on a bad call', () => {
  const env = dm.taskFamily(ID).makeVecEnv({ numEnvs: 3 });
  env.setTasks([1, 1, 1, 1, 1, 1]);
  env.reset();
  env.step(Float32Array.from([0.01, 0.02, 0.03, 0.04, 0.05, 0.06]));
  assert.deepEqual([...env.getState()], [0.01, 0.02, 0.03, 0.04, 0.05, 0.06].map(Math.fround));
  assert.throws(() => env.step(new Float32Array(3)), /actions\.length.*3 x 2/);
  assert.throws(() => env.step([0, 0, NaN, 0, 0, 0]), /actions\[1\]\[0\]/);
  env.step([0, 0, 0, 0, 0, 0]); // plain arrays are accepted
  assert.deepEqual([...env.getState()], [0.01, 0.02, 0.03, 0.04, 0.05, 0.06].map(Math.fround));
  env.dispose();
});
