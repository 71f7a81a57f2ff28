// LunarLanderWind-v0 (src/envs/lunar-lander.ts, assembly/envs/lunar/lander.ts P_STEADY_WIND): the
// steady wind against a float64 re-derivation of what a constant force does to the lander-and-legs
// system in flight — the joints' impulses are internal, so the system's horizontal momentum differs
// from the calm world's (same task otherwise, same streams) by exactly (steps + 1)·w/FPS (reset's
// step(0) included), per lane, with masses from the SPEC's shapes and densities computed here;
// identity with LunarLander-v2 at w = 0; and the hidden wind's side deciding where a fixed policy drifts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const ID = 'LunarLanderWind-v0';
const FPS = 50, SCALE = 30;

/** Shoelace area of a polygon given as (x, y) pairs. */
function area(points: number[][]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const [x0, y0] = points[i], [x1, y1] = points[(i + 1) % points.length];
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
}
// SPEC §2: the lander polygon (pixels / SCALE) at density 5, legs 2·(2/30) × 2·(8/30) boxes at density 1.
const LANDER_MASS = 5.0 * area([[-14, 17], [-17, 0], [-17, -10], [17, -10], [17, 0], [14, 17]].map(([x, y]) => [x / SCALE, y / SCALE]));
const LEG_MASS = 1.0 * (4 / SCALE) * (16 / SCALE);

function momentumX(s: dm.LunarLanderState): number {
  return LANDER_MASS * s.lander.vx + LEG_MASS * (s.legs[0].vx + s.legs[1].vx);
}

test('LunarLanderWind-v0 is registered with LunarLander-v2\'s parameters then steadyWind ∈ [−6, 6] N by default', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual([...family.paramNames], ['gravity', 'windPower', 'turbulencePower', 'mainEnginePower', 'sideEnginePower', 'steadyWind']);
  assert.deepEqual(family.ranges.steadyWind, [-6, 6]);
  assert.deepEqual(family.ranges.gravity, [-10, -10]);
  assert.equal(family.obsDim, 8);
  assert.deepEqual(family.actionSpace, { kind: 'discrete', n: 4 });
});

test('per lane, in flight, the wind adds exactly (steps + 1)·w/FPS of horizontal momentum to the lander and its legs (float64 re-derivation)', () => {
  const n = 9; // two groups of four lanes and a tail
  const windy = dm.taskFamily(ID, { steadyWind: [-20, 20] });
  const tasks = windy.sample(n, { seed: 5 });
  const calmTasks = tasks.slice();
  for (let i = 0; i < n; i++) calmTasks[i * 6 + 5] = 0;
  const a = windy.makeVecEnv({ numEnvs: n, seed: 8 }), b = windy.makeVecEnv({ numEnvs: n, seed: 8 });
  a.setTasks(tasks); b.setTasks(calmTasks);
  a.reset(); b.reset();
  let checked = 0;
  for (let t = 0; t <= 25; t++) {
    if (t > 0) {
      // Engines off: their impulses depend on the pose, which the wind changes; gravity acts alike.
      const actions = new Int32Array(n);
      a.step(actions); b.step(actions);
    }
    const sa = a.getState(), sb = b.getState();
    for (let i = 0; i < n; i++) {
      const wa = dm.decodeLunarState(sa, i), wb = dm.decodeLunarState(sb, i);
      if (wa.touching.some(Boolean) || wb.touching.some(Boolean)) continue;
      const w = tasks[i * 6 + 5];
      const expected = (t + 1) * w / FPS;
      const got = momentumX(wa) - momentumX(wb);
      assert.ok(Math.abs(got - expected) <= 2e-3 + 2e-3 * Math.abs(expected), `lane ${i} (w ${w.toFixed(2)} N) step ${t}: Δp ${got} vs ${expected}`);
      checked++;
    }
  }
  assert.ok(checked >= n * 20, `${checked} lane-steps checked in flight`);
  a.dispose(); b.dispose();
});

test('with steadyWind 0 LunarLanderWind-v0 steps as LunarLander-v2, bit for bit', () => {
  const base = dm.taskFamily('LunarLander-v2');
  const wind = dm.taskFamily(ID, { gravity: [-11.5, -4.5], steadyWind: 0 });
  const n = 5;
  const tasks = wind.sample(n, { seed: 3 });
  const baseTasks = new Float32Array(n * 5);
  for (let i = 0; i < n; i++) baseTasks.set(tasks.subarray(i * 6, i * 6 + 5), i * 5);
  const a = wind.makeVecEnv({ numEnvs: n, seed: 2 }), b = base.makeVecEnv({ numEnvs: n, seed: 2 });
  a.setTasks(tasks); b.setTasks(baseTasks);
  assert.deepEqual(a.reset(), b.reset());
  for (let t = 0; t < 120; t++) {
    const actions = Int32Array.from({ length: n }, (_, i) => ((t >> 2) + i) % 4);
    const oa = a.step(actions), ob = b.step(actions);
    assert.deepEqual(oa.obs, ob.obs, `step ${t}`);
    assert.deepEqual(oa.reward, ob.reward, `step ${t}`);
  }
  a.dispose(); b.dispose();
});

test('the hidden wind\'s side decides where a fixed policy ends up: opposite drifts on the two halves of the range', () => {
  // A fixed hover-ish policy: main engine when falling faster than 0.3 (obs units), else noop. Same
  // tasks otherwise and same streams, so the difference is the wind's (measured: about ±0.2, i.e. ±2 m).
  const policy = (o: Float32Array) => (o[3] < -0.3 ? 2 : 0);
  const drift = (lo: number, hi: number) => {
    const family = dm.taskFamily(ID, { steadyWind: [lo, hi] });
    const n = 8;
    const env = family.makeVecEnv({ numEnvs: n, seed: 6 });
    env.setTasks(family.sample(n, { seed: 4 }));
    let obs = env.reset();
    const x = new Float64Array(n), done = new Array(n).fill(false);
    for (let t = 0; t < 150; t++) {
      const out = env.step(Int32Array.from({ length: n }, (_, i) => policy(obs.subarray(i * 8, i * 8 + 8))));
      obs = out.obs.slice();
      for (let i = 0; i < n; i++) {
        if (done[i]) continue; // the x where the episode ended (the next step would start a new one)
        x[i] = obs[i * 8];
        if (out.terminated[i] || out.truncated[i]) done[i] = true;
      }
    }
    env.dispose();
    return x.reduce((s, v) => s + v, 0) / n;
  };
  const right = drift(3, 6), left = drift(-6, -3), calm = drift(0, 0);
  console.log({ right, left, calm });
  assert.ok(right > calm + 0.1 && left < calm - 0.1, JSON.stringify({ right, left, calm }));
});
