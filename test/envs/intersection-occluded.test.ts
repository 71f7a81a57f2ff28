// IntersectionOccluded-v0 (src/envs/intersection.ts, assembly/envs/intersection_occluded.ts): the
// occlusion changes only the observation — states, rewards and ends are Intersection-v0's for the same
// task, seed and actions (the reset's p_o from the same uniform draw, around the task's start
// position) — and the observation, re-derived here in float64 from the state, hides everything of
// the other car while it is more than the sight distance before the zone entry.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { assertConfigError } from '../config-error';
import { testRandom as rng } from '../nn/mlp-reference';

before(async () => { await dm.init(); });

const ID = 'IntersectionOccluded-v0';
// The definition (header of assembly/envs/intersection_occluded.ts), written out independently.
const SIGHT = 12, START_HALF_WIDTH = 2.5, POSITION_SCALE = 50, SPEED_SCALE = 15;
// Intersection-v0's reset draw of p_o: U(−45, −30).
const BASE_LOW = -45, BASE_HIGH = -30;

/** The observation row of one state [p_e, v_e, p_o, v_o], in float64. */
function referenceObs([pe, ve, po, vo]: number[]): number[] {
  const visible = po >= -SIGHT;
  return [pe / POSITION_SCALE, ve / SPEED_SCALE, visible ? po / POSITION_SCALE : 0, visible ? vo / SPEED_SCALE : 0, visible ? 1 : 0];
}

function assertObs(obs: Float32Array, state: Float32Array, n: number, where: string): { hidden: number; visible: number } {
  const counts = { hidden: 0, visible: 0 };
  for (let i = 0; i < n; i++) {
    const ref = referenceObs([...state.subarray(i * 4, i * 4 + 4)]);
    counts[ref[4] === 1 ? 'visible' : 'hidden']++;
    for (let k = 0; k < 5; k++) {
      assert.ok(Math.abs(obs[i * 5 + k] - ref[k]) <= 1e-6 * (1 + Math.abs(ref[k])), `${where} env ${i} obs ${k}: ${obs[i * 5 + k]} vs ${ref[k]} (p_o ${state[i * 4 + 2]})`);
    }
  }
  return counts;
}

test('spec: three task parameters, five observations, Intersection-v0\'s state and actions, the medium task at the range centres', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual([...family.paramNames], ['aggressiveness', 'otherInitialSpeed', 'otherStartPosition']);
  assert.deepEqual(family.ranges, { aggressiveness: [0, 1], otherInitialSpeed: [4, 13], otherStartPosition: [-40, -20] });
  assert.deepEqual([...family.medium()], [0.5, 8.5, -30]);
  // Unvaried parameters take the module's defaults, the same medium task.
  assert.deepEqual([...dm.taskFamily(ID, {}).medium()], [0.5, 8.5, -30]);
  const base = dm.taskFamily('Intersection-v0');
  assert.equal(family.obsDim, 5);
  assert.equal(family.stateDim, base.stateDim);
  assert.deepEqual(family.actionSpace, base.actionSpace);
  assert.equal(family.maxEpisodeSteps, base.maxEpisodeSteps);
});

test('states, rewards and ends are Intersection-v0\'s for the same task, seed and actions; the reset uses the same draws', () => {
  const n = 11; // two SIMD groups and a tail
  // Aggressive drivers starting close: collisions as well as crossings.
  const occluded = dm.taskFamily(ID, { aggressiveness: [0.7, 1], otherInitialSpeed: [4, 13], otherStartPosition: [-30, -15] });
  const tasks = occluded.sample(n, { seed: 4 });
  const baseTasks = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) baseTasks.set(tasks.subarray(i * 3, i * 3 + 2), i * 2);
  const a = occluded.makeVecEnv({ numEnvs: n, seed: 21 }), b = dm.taskFamily('Intersection-v0').makeVecEnv({ numEnvs: n, seed: 21 });
  a.setTasks(tasks); b.setTasks(baseTasks);
  a.reset(); b.reset();
  // The reset: p_e, v_e, v_o identical; p_o is the same uniform u ∈ [0, 1) mapped to U(c_p ± 2.5).
  const sa = a.getState(), sb = b.getState();
  for (let i = 0; i < n; i++) {
    for (const k of [0, 1, 3]) assert.equal(sa[i * 4 + k], sb[i * 4 + k], `env ${i} reset component ${k}`);
    const u = (sb[i * 4 + 2] - BASE_LOW) / (BASE_HIGH - BASE_LOW);
    const expected = tasks[i * 3 + 2] - START_HALF_WIDTH + 2 * START_HALF_WIDTH * u;
    assert.ok(Math.abs(sa[i * 4 + 2] - expected) < 1e-4, `env ${i} reset p_o ${sa[i * 4 + 2]} vs ${expected}`);
  }
  // From the same state, the same actions: bit-identical steps until each env's episode ends.
  b.setState(sa);
  const random = rng(8);
  const alive = new Array(n).fill(true);
  let collisions = 0, successes = 0, hiddenSteps = 0;
  for (let t = 0; t < 100 && alive.some(Boolean); t++) {
    // Every third env at full throttle (it meets the other car), the rest at random.
    const actions = Int32Array.from({ length: n }, (_, i) => i % 3 === 0 ? 4 : Math.floor(5 * random()));
    const oa = a.step(actions), ob = b.step(actions);
    const stA = a.getState(), stB = b.getState();
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      assert.deepEqual([...stA.subarray(i * 4, i * 4 + 4)], [...stB.subarray(i * 4, i * 4 + 4)], `env ${i} step ${t} state`);
      assert.equal(oa.reward[i], ob.reward[i], `env ${i} step ${t} reward`);
      assert.equal(oa.terminated[i], ob.terminated[i], `env ${i} step ${t} terminated`);
      assert.equal(oa.truncated[i], ob.truncated[i], `env ${i} step ${t} truncated`);
      if (stA[i * 4 + 2] < -SIGHT) hiddenSteps++;
      if (oa.terminated[i] || oa.truncated[i]) {
        alive[i] = false;
        if (oa.reward[i] < -50) collisions++; else if (oa.terminated[i]) successes++;
      }
    }
  }
  assert.ok(collisions > 0 && successes > 0 && hiddenSteps > 0, `collisions ${collisions}, successes ${successes}, hidden steps ${hiddenSteps}`);
  a.dispose(); b.dispose();
});

test('the observation against the float64 re-derivation: hidden ⇔ p_o < −12 m, then nothing of the other car', () => {
  // Rollout frames of 25 envs (groups of 4 and a tail) and states set on both sides of the line.
  const family = dm.taskFamily(ID);
  const n = 25;
  const env = family.makeVecEnv({ numEnvs: n, seed: 3 });
  env.setTasks(family.sample(n, { seed: 6 }));
  let obs = env.reset();
  const counts = { hidden: 0, visible: 0 };
  const add = (c: { hidden: number; visible: number }) => { counts.hidden += c.hidden; counts.visible += c.visible; };
  add(assertObs(obs, env.getState(), n, 'reset'));
  for (let t = 0; t < 60; t++) {
    obs = env.step(Int32Array.from({ length: n }, (_, i) => (i + t) % 5)).obs;
    add(assertObs(obs, env.getState(), n, `step ${t}`));
  }
  assert.ok(counts.hidden > 100 && counts.visible > 100, `hidden ${counts.hidden}, visible ${counts.visible}`);

  // Around the threshold: other cars set (stopped, cautious β = 0, the ego far: they move 4 cm, tracking at 2 m/s²) to land within
  // ±2 cm of −12 m after one step; the observation of the state they reach, on both sides.
  env.setTasks([0, 4, -30]);
  const states = Array.from({ length: n }, (_, i) => [-40, 10, -SIGHT - 0.06 + 0.04 * i / (n - 1), 0]);
  env.setState(states.flat());
  const near = env.step(new Int32Array(n).fill(2)).obs;
  const after = env.getState();
  const sides = assertObs(near, after, n, 'threshold');
  assert.ok(sides.hidden >= 5 && sides.visible >= 5, `around −12 m: hidden ${sides.hidden}, visible ${sides.visible}`);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(after[i * 4 + 2] + SIGHT) < 0.05, `env ${i} lands near −12 m: ${after[i * 4 + 2]}`);
  env.dispose();
});

test('while hidden, two envs whose other cars differ observe the same; once visible they do not', () => {
  const family = dm.taskFamily(ID);
  const env = family.makeVecEnv({ numEnvs: 6, seed: 1 });
  // The same ego in every env; the other cars differ in position, speed and task. After one step
  // the first four are still hidden (p_o < −12), the last two visible.
  env.setTasks([0, 4, -30, 1, 13, -15, 0.5, 8, -20, 0.2, 5, -25, 0.9, 12, -16, 0.7, 6, -28]);
  env.setState([[-35, 10, -40, 4], [-35, 10, -25, 14], [-35, 10, -20, 0], [-35, 10, -14, 5], [-35, 10, -11, 9], [-35, 10, 3, 2]].flat());
  const o = env.step(new Int32Array(6).fill(3)).obs;
  const s = env.getState();
  for (let i = 0; i < 6; i++) assert.equal(s[i * 4 + 2] < -SIGHT, i < 4, `env ${i}: p_o ${s[i * 4 + 2]}`);
  for (let i = 1; i < 4; i++) assert.deepEqual([...o.subarray(i * 5, i * 5 + 5)], [...o.subarray(0, 5)], `hidden env ${i} vs env 0`);
  assert.notDeepEqual([...o.subarray(20, 25)], [...o.subarray(0, 5)], 'a visible car shows');
  assert.notDeepEqual([...o.subarray(25, 30)], [...o.subarray(20, 25)], 'two visible cars differ');
  env.dispose();
});


test('bad task parameters are ConfigErrors naming the field and the allowed range', () => {
  assertConfigError(() => dm.taskFamily(ID, { otherStartPosition: [-40, -10] }), 'ranges.otherStartPosition', /allowed: values in \[-60, -15\]/);
  assertConfigError(() => dm.taskFamily(ID, { otherStartPosition: -70 }), 'ranges.otherStartPosition', /\[-60, -15\]/);
  assertConfigError(() => dm.taskFamily(ID, { otherInitialSpeed: [1, 13] }), 'ranges.otherInitialSpeed', /\[2, 13\]/);
  assertConfigError(() => dm.taskFamily(ID, { aggressiveness: [0, 1.5] }), 'ranges.aggressiveness', /\[0, 1\]/);
  const env = dm.taskFamily(ID).makeVecEnv({ numEnvs: 2 });
  assertConfigError(() => env.setTasks([0.5, 8, -20, 0.5, 8, -12]), 'tasks[1].otherStartPosition', /allowed: \[-60, -15\]/);
  assertConfigError(() => env.setTasks([0.5, 8, 0.5, 8]), 'tasks.length', /3 per task|aggressiveness, otherInitialSpeed, otherStartPosition/);
  env.dispose();
});
