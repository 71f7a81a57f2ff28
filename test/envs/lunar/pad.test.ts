// LunarLanderPad-v0 (src/envs/lunar-lander.ts, assembly/envs/lunar/lander.ts P_PAD_OFFSET): the
// hidden pad. Identity with LunarLander-v2 at padOffset 0 (states, observations, rewards, across
// terminations and resets); the terrain read from the state flat over the moved pad [c − 2, c + 2]
// for on- and off-grid offsets, where the flags are drawn; the reward against a float64
// re-derivation of Gymnasium's shaping with x measured from the moved pad, from the decoded state,
// while the observation's x stays relative to the screen's centre; bad offsets are ConfigErrors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { assertConfigError } from '../../config-error';

before(async () => { await dm.init(); });

const ID = 'LunarLanderPad-v0';
// lunar_lander.py's constants (SPEC §2), re-stated here: the reference must not read the module.
const SCALE = 30, FPS = 50, W = 600 / SCALE, H = 400 / SCALE, LEG_DOWN = 18;
const HALF_W = W / 2, HALF_H = H / 2, HELIPAD_Y = H / 4;
const P = 6; // LunarLander-v2's five parameters, then padOffset


/** Tasks of the family with the given pad offsets (the other parameters at their defaults). */
function tasksWith(family: dm.TaskFamily, offsets: number[]): Float32Array {
  const tasks = new Float32Array(offsets.length * P);
  offsets.forEach((c, i) => { tasks.set(family.medium(), i * P); tasks[i * P + 5] = c; });
  return tasks;
}

test('LunarLanderPad-v0 is registered with LunarLander-v2\'s parameters then padOffset ∈ [−5, 5] m by default', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual([...family.paramNames], ['gravity', 'windPower', 'turbulencePower', 'mainEnginePower', 'sideEnginePower', 'padOffset']);
  assert.deepEqual(family.ranges.padOffset, [-5, 5]);
  assert.deepEqual(family.ranges.gravity, [-10, -10]);
  assert.equal(family.medium()[5], 0);
  assert.equal(family.obsDim, 8);
  assert.deepEqual(family.actionSpace, { kind: 'discrete', n: 4 });
});

test('with padOffset 0 LunarLanderPad-v0 steps as LunarLander-v2, bit for bit (states, observations, rewards; several seeds, through resets)', () => {
  const base = dm.taskFamily('LunarLander-v2');
  const pad = dm.taskFamily(ID, { gravity: [-11.5, -4.5], padOffset: 0 });
  const n = 5;
  for (const seed of [2, 7, 11]) {
    const tasks = pad.sample(n, { seed });
    const baseTasks = new Float32Array(n * 5);
    for (let i = 0; i < n; i++) baseTasks.set(tasks.subarray(i * P, i * P + 5), i * 5);
    const a = pad.makeVecEnv({ numEnvs: n, seed, maxSteps: 250 }), b = base.makeVecEnv({ numEnvs: n, seed, maxSteps: 250 });
    a.setTasks(tasks); b.setTasks(baseTasks);
    assert.deepEqual(a.reset(), b.reset());
    let ends = 0;
    for (let t = 0; t < 400; t++) {
      const actions = Int32Array.from({ length: n }, (_, i) => ((t >> 2) + i + seed) % 4);
      const oa = a.step(actions), ob = b.step(actions);
      assert.deepEqual(oa.obs, ob.obs, `seed ${seed} step ${t}`);
      assert.deepEqual(oa.reward, ob.reward, `seed ${seed} step ${t}`);
      assert.deepEqual(oa.terminated, ob.terminated, `seed ${seed} step ${t}`);
      assert.deepEqual(a.getState(), b.getState(), `seed ${seed} step ${t}`);
      ends += oa.terminated.reduce((s: number, v: number) => s + v, 0) + oa.truncated.reduce((s: number, v: number) => s + v, 0);
    }
    assert.ok(ends > 0, 'some episodes ended and were reset');
    a.dispose(); b.dispose();
  }
});

test('the terrain read from the state is flat over the moved pad [c − 2, c + 2], where the flags are drawn', () => {
  const family = dm.taskFamily(ID, { padOffset: [-6, 6] });
  const offsets = [-6, -5, -4.3, -3, -1.7, -0.01, 0, 0.5, 1, 2.9, 3.33, 5, 5.99, 6];
  const n = offsets.length;
  const tasks = tasksWith(family, offsets);
  const env = family.makeVecEnv({ numEnvs: n, seed: 3 });
  env.setTasks(tasks);
  // Gymnasium's flat height: smooth_y = 0.33·(h + h + h) of three raw heights at helipad_y, rounded to float32.
  const flat = Math.fround(0.33 * (HELIPAD_Y + HELIPAD_Y + HELIPAD_Y));
  const w = dm.wasmExports();
  const chunkX = Array.from({ length: dm.wasmConst('LUNAR_CHUNKS') }, (_, i) => w.lunarChunkX(i));
  for (let round = 0; round < 3; round++) { // three terrains per lane
    env.reset();
    const states = env.getState();
    for (let i = 0; i < n; i++) {
      const c = HALF_W + tasks[i * P + 5];
      const { terrainY } = dm.decodeLunarState(states, i);
      // Every terrain point at or between the chunk points bracketing [c − 2, c + 2] is at the pad's height.
      const first = Math.floor((c - 2) / 2), last = Math.ceil((c + 2) / 2);
      for (let k = first; k <= last; k++) {
        assert.equal(chunkX[k], 2 * k);
        assert.equal(terrainY[k], flat, `offset ${offsets[i]} (pad [${c - 2}, ${c + 2}]): terrain point ${k} at x ${chunkX[k]}`);
      }
      // And no more: point k is the mean of raw heights at 2k − 2, 2k, 2k + 2, all flattened iff
      // |2k − c| < 4 (raw within 6 m of c); elsewhere a random raw height enters (for c = 0 these
      // are exactly Gymnasium's flat points 4, 5, 6).
      for (let k = 0; k < chunkX.length; k++) {
        if (Math.abs(2 * k - c) < 4) assert.equal(terrainY[k], flat, `offset ${offsets[i]}: point ${k} inside`);
        else assert.notEqual(terrainY[k], flat, `offset ${offsets[i]}: point ${k} at x ${2 * k} is flat, outside the pad's ground`);
      }
      // The pad's flags, as the module reports them and as the scene draws them.
      assert.equal(w.lunarPadEdgeX(tasks[i * P + 5], 0), Math.fround(c - 2));
      assert.equal(w.lunarPadEdgeX(tasks[i * P + 5], 1), Math.fround(c + 2));
      const scene = dm.episodeScene(family, tasks.slice(i * P, (i + 1) * P),
        { states: states.slice(i * family.stateDim, (i + 1) * family.stateDim), actions: new Int32Array(0), length: 0, terminated: false }) as dm.LunarLanderScene;
      assert.equal(scene.env, ID);
      assert.deepEqual([scene.helipadX1M, scene.helipadX2M], [Math.fround(c - 2), Math.fround(c + 2)]);
      assert.deepEqual([...scene.terrainY], terrainY);
    }
  }
  env.dispose();
});

/** Gymnasium's shaping in float64 from the decoded state, x measured from the pad at padX. */
function shaping(s: dm.LunarLanderState, padX: number): number {
  const x = (s.lander.x - padX) / HALF_W;
  const y = (s.lander.y - (HELIPAD_Y + LEG_DOWN / SCALE)) / HALF_H;
  const vx = s.lander.vx * HALF_W / FPS, vy = s.lander.vy * HALF_H / FPS;
  return -100 * Math.hypot(x, y) - 100 * Math.hypot(vx, vy) - 100 * Math.abs(s.lander.angle)
    + 10 * Number(s.legContact[0]) + 10 * Number(s.legContact[1]);
}

test('the reward is Gymnasium\'s shaping towards the moved pad (float64 re-derivation), the observation\'s x stays relative to the screen', () => {
  const family = dm.taskFamily(ID, { padOffset: [-6, 6] });
  const offsets = [-5.5, -3.2, -1, 0.7, 2.5, 4.1, 6, -6];
  const n = offsets.length;
  const tasks = tasksWith(family, offsets);
  const env = family.makeVecEnv({ numEnvs: n, seed: 12 });
  env.setTasks(tasks);
  let obs = env.reset();
  let prev = Array.from({ length: n }, (_, i) => dm.decodeLunarState(env.getState(), i));
  const live = new Array(n).fill(true);
  for (let i = 0; i < n; i++) {
    const expected = shaping(prev[i], HALF_W + offsets[i]);
    assert.ok(Math.abs(prev[i].prevShaping - expected) < 2e-3, `lane ${i}: reset's shaping ${prev[i].prevShaping} vs ${expected}`);
  }
  let checked = 0;
  for (let t = 0; t < 200; t++) {
    // A policy that fires the engines often (every action's fuel is charged) and lands some lanes.
    const actions = Int32Array.from({ length: n }, (_, i) => (obs[i * 8 + 3] < -0.2 ? 2 : (t + i) % 4));
    const out = env.step(actions);
    obs = out.obs.slice();
    const states = env.getState();
    for (let i = 0; i < n; i++) {
      if (!live[i]) continue;
      const s = dm.decodeLunarState(states, i);
      // The observation: x relative to the screen's centre, not to the pad.
      assert.ok(Math.abs(obs[i * 8] - (s.lander.x - HALF_W) / HALF_W) < 1e-5, `lane ${i} step ${t}: s0 ${obs[i * 8]}`);
      if (out.terminated[i] || out.truncated[i]) { live[i] = false; continue; } // ±100 replaces the shaping
      const padX = HALF_W + offsets[i];
      const fuel = actions[i] === 2 ? 0.3 : actions[i] === 0 ? 0 : 0.03;
      const expected = shaping(s, padX) - shaping(prev[i], padX) - fuel;
      assert.ok(Math.abs(out.reward[i] - expected) < 2e-3, `lane ${i} (pad ${offsets[i]}) step ${t}: reward ${out.reward[i]} vs ${expected}`);
      assert.ok(Math.abs(s.prevShaping - shaping(s, padX)) < 2e-3, `lane ${i} step ${t}: shaping ${s.prevShaping} vs ${shaping(s, padX)}`);
      prev[i] = s;
      checked++;
    }
  }
  assert.ok(checked >= n * 40, `${checked} lane-steps checked`);
  env.dispose();
});

test('a padOffset outside [−6, 6] m is a ConfigError naming the field and the range', () => {
  assertConfigError(() => dm.taskFamily(ID, { padOffset: [-7, 0] }), 'ranges.padOffset', '[-6, 6]');
  assertConfigError(() => dm.taskFamily(ID, { padOffset: [0, 6.5] }), 'ranges.padOffset', '[-6, 6]');
  assertConfigError(() => dm.taskFamily(ID, { padOffset: -8 }), 'ranges.padOffset', '[-6, 6]');
  assertConfigError(() => dm.taskFamily(ID, { padOffset: Number.NaN }), 'ranges.padOffset', '[-6, 6]');
  assert.deepEqual(dm.taskFamily(ID, { padOffset: [-6, 6] }).ranges.padOffset, [-6, 6]);
});

test('the out-of-bounds rule stays on the screen: −100 without a crash only once the observed |x| ≥ 1, wherever the pad is', () => {
  const family = dm.taskFamily(ID, { padOffset: [-6, 6] });
  const offsets = [-6, 6, -6, 6, -6, 6, -6, 6];
  const n = offsets.length;
  const env = family.makeVecEnv({ numEnvs: n, seed: 4 });
  env.setTasks(tasksWith(family, offsets));
  let obs = env.reset();
  let outOfBounds = 0;
  for (let t = 0; t < 300; t++) {
    // Hover with the main engine, and push sideways with one side engine (lanes 0, 1, 4, 5 one way, the others the other).
    const actions = Int32Array.from({ length: n }, (_, i) => (obs[i * 8 + 3] < -0.1 ? 2 : i % 4 < 2 ? 1 : 3));
    const out = env.step(actions);
    obs = out.obs.slice();
    const states = env.getState();
    for (let i = 0; i < n; i++) {
      if (!out.terminated[i] || dm.decodeLunarState(states, i).gameOver) continue;
      assert.equal(out.reward[i], -100, `lane ${i} step ${t}: not at rest, not crashed`);
      // Sideways off a ±6 m pad, the pad-relative x would reach ±1 up to 6 m (0.6 in s0) before the screen's edge.
      assert.ok(Math.abs(obs[i * 8]) >= 1, `lane ${i} (pad ${offsets[i]}) step ${t}: out of bounds at observed x ${obs[i * 8]}`);
      outOfBounds++;
    }
  }
  assert.ok(outOfBounds >= 8, `${outOfBounds} episodes left the screen, both ways`);
  env.dispose();
});
