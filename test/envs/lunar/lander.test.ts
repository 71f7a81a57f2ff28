// LunarLander-v2 on our lanes: sleep (4d), determinism and state round trips (4e), the task family's
// domains, and the draw contract. (The f32x4 solver against the scalar one, lane by lane, is
// assembly/__tests__/lunar_step.spec.ts: the scalar path is not a module export.)
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { heuristic, PlanckLander, DRAWS_PER_RESET, DRAWS_PER_STEP } from './planck-lander';

before(async () => { await dm.init(); });

const ID = 'LunarLander-v2';
const hex = (a: ArrayLike<number>) => Buffer.from(Float32Array.from(a).buffer).toString('hex');

/** Runs the heuristic on every env of `env` for `steps` steps; returns the per-step outputs (copies). */
function runHeuristic(env: dm.VecEnv, steps: number, first: Float32Array) {
  const n = env.numEnvs;
  let obs = first;
  const log: { obs: Float32Array; reward: Float32Array; terminated: Uint8Array; truncated: Uint8Array }[] = [];
  for (let t = 0; t < steps; t++) {
    const actions = Int32Array.from({ length: n }, (_, i) => heuristic(obs.subarray(i * 8, i * 8 + 8)));
    const out = env.step(actions);
    obs = out.obs.slice();
    log.push({ obs, reward: out.reward.slice(), terminated: out.terminated.slice(), truncated: out.truncated.slice() });
  }
  return log;
}

test('4d: a lander resting on the pad sleeps after 0.5 s below the sleep tolerances, and the episode ends with +100', () => {
  const family = dm.taskFamily(ID);
  const env = family.makeVecEnv({ numEnvs: 1, seed: 14 });
  env.setTasks(family.task({ gravity: -10 }));
  let obs = env.reset().slice();
  // b2_timeToSleep / dt steps, counted in float32 as Box2D counts m_sleepTime.
  let needed = 0;
  for (let t = Math.fround(0); t < Math.fround(0.5); t = Math.fround(t + Math.fround(0.02))) needed++;
  let slowSteps = 0, ended = false;
  for (let t = 0; t < 1000 && !ended; t++) {
    const out = env.step(Int32Array.of(heuristic(obs)));
    obs = out.obs.slice();
    const s = dm.decodeLunarState(env.getState());
    if (out.terminated[0]) {
      ended = true;
      assert.equal(out.reward[0], 100, 'at rest: +100');
      assert.equal(s.awake, false);
      assert.deepEqual(s.touching, [false, true, true], 'on both legs (their flags may say otherwise: Gymnasium clears a flag when one of two contacts ends)');
      assert.ok(Math.abs(obs[0]) < 0.2, 'on the pad');
      assert.equal(slowSteps + 1, needed, `asleep after ${slowSteps + 1} slow steps, Box2D needs ${needed}`);
    } else {
      const minSleep = Math.min(...s.sleepTime);
      slowSteps = minSleep > 0 ? slowSteps + 1 : 0;
      assert.ok(minSleep < 0.5, 'awake below the time to sleep');
    }
  }
  assert.ok(ended, 'the episode ended');
  assert.equal(needed, 25);
  env.dispose();
});

test('4d: a resting lander that wind pushes does not sleep; wind applies only while no leg flags contact', () => {
  // Take a lander at rest on the pad (a few steps before it would sleep), then: (a) as is, with
  // strong wind: a leg flags contact, so Gymnasium applies no wind and it sleeps; (b) the same state
  // with the legs' contact flags cleared (as lunar_lander.py's listener leaves them when a leg ends
  // one of two contacts): wind applies, pushes the lander along the pad and it does not sleep.
  const family = dm.taskFamily(ID);
  const task = family.task({ gravity: -10, windPower: 20, turbulencePower: 0 });
  const env = family.makeVecEnv({ numEnvs: 1, seed: 14 });
  env.setTasks(family.task({ gravity: -10 }));
  let obs = env.reset().slice();
  let resting: Float32Array | null = null;
  for (let t = 0; t < 1000 && !resting; t++) {
    const out = env.step(Int32Array.of(heuristic(obs)));
    obs = out.obs.slice();
    const s = dm.decodeLunarState(env.getState());
    if (Math.min(...s.sleepTime) >= 0.3 && s.awake) resting = env.getState();
  }
  assert.ok(resting, 'the lander came to rest');
  const contact = dm.wasmConst('LUNAR_STATE_LEG_CONTACT'), windIndex = dm.wasmConst('LUNAR_STATE_WIND_INDEX');
  // A wind phase whose force stays above 10 N for 100 steps (the legs' friction holds about 7 N).
  const profile = (k: number) => Math.tanh(Math.sin(0.02 * k) + Math.sin(Math.PI * 0.01 * k));
  let strongest = 0, strength = -1;
  for (let k = -9999; k < 9898; k++) {
    let weakest = Infinity;
    for (let j = 0; j < 100 && weakest > strength; j++) weakest = Math.min(weakest, Math.abs(profile(k + j)));
    if (weakest > strength) { strength = weakest; strongest = k; }
  }
  assert.ok(strength * 20 > 10);
  resting[windIndex] = strongest;

  const windy = family.makeVecEnv({ numEnvs: 1, seed: 14 });
  windy.setTasks(task);
  windy.setState(resting);
  let slept = false;
  for (let t = 0; t < 30 && !slept; t++) slept = windy.step(Int32Array.of(0)).reward[0] === 100;
  assert.ok(slept, 'with its legs flagged, wind does not apply and it sleeps');
  assert.equal(dm.decodeLunarState(windy.getState()).windIndex, resting[windIndex], 'no wind step taken');

  const pushed = resting.slice();
  pushed[contact] = 0;
  pushed[contact + 1] = 0;
  windy.setState(pushed);
  // While neither flag is set, wind applies every step (its index advances) and the lander, pushed
  // along the pad, stays awake; when a sliding leg begins a contact with the next chunk edge, its
  // flag is set and the wind stops (Gymnasium's rule).
  let windSteps = 0, flagged = -1;
  for (let t = 0; t < 150; t++) {
    const before = dm.decodeLunarState(windy.getState());
    const out = windy.step(Int32Array.of(0));
    const after = dm.decodeLunarState(windy.getState());
    assert.notEqual(out.reward[0], 100, `step ${t}: it does not sleep`);
    if (out.terminated[0]) break;
    const blown = after.windIndex === before.windIndex + 1;
    assert.equal(blown, !(before.legContact[0] || before.legContact[1]), `step ${t}: wind applies iff no leg flag was set`);
    if (blown) windSteps++;
    if (flagged < 0 && (after.legContact[0] || after.legContact[1])) flagged = t;
  }
  assert.ok(windSteps >= 50, `wind pushed it for ${windSteps} steps`);
  assert.ok(flagged > 0, 'a leg flagged a new contact on the way');
  assert.ok(Math.abs(dm.decodeLunarState(windy.getState()).lander.x - dm.decodeLunarState(resting).lander.x) > 0.5, 'the wind moved it');
  env.dispose();
  windy.dispose();
});

test('4e: lanes are bit-identical whatever the number of lanes per call', () => {
  const family = dm.taskFamily(ID, { gravity: [-11.5, -4.5], windPower: [0, 20], turbulencePower: [0, 2] });
  const tasks = family.sample(9, { seed: 3 });
  const STEPS = 450;
  const runs = [1, 3, 5, 9].map((n) => {
    const env = family.makeVecEnv({ numEnvs: n, seed: 21 });
    env.setTasks(tasks.subarray(0, n * family.numParams));
    const log = runHeuristic(env, STEPS, env.reset().slice());
    env.dispose();
    return log;
  });
  let ended = 0;
  for (let t = 0; t < STEPS; t++) {
    for (let r = 1; r < runs.length; r++) {
      const n = [1, 3, 5, 9][r - 1];
      assert.equal(hex(runs[r][t].obs.subarray(0, n * 8)), hex(runs[r - 1][t].obs), `step ${t}, ${n} lanes`);
      assert.equal(hex(runs[r][t].reward.subarray(0, n)), hex(runs[r - 1][t].reward), `step ${t} rewards`);
    }
    ended += runs[3][t].terminated.reduce((a, b) => a + b, 0);
  }
  assert.ok(ended >= 9, `episodes ended and were reset on the way (${ended})`);
});

test('4e: getState/setState round-trips everything a step depends on', () => {
  const family = dm.taskFamily(ID, { gravity: [-11.5, -4.5], windPower: [0, 20], turbulencePower: [0, 2] });
  const n = 8;
  const tasks = family.sample(n, { seed: 4 });
  const a = family.makeVecEnv({ numEnvs: n, seed: 31 }), b = family.makeVecEnv({ numEnvs: n, seed: 31 });
  a.setTasks(tasks); b.setTasks(tasks);
  let obsA: Float32Array = a.reset().slice();
  b.reset();
  // Different pasts of the same length (no episode ends in 60 steps, so the random streams stay in
  // step): a flies the heuristic, b fires its main engine.
  const log = runHeuristic(a, 60, obsA);
  obsA = log[log.length - 1].obs;
  for (let t = 0; t < 60; t++) b.step(new Int32Array(n).fill(2));
  assert.ok(log.every((s) => s.terminated.every((x) => !x)), 'no episode ended');
  assert.notEqual(hex(a.getState()), hex(b.getState()));
  const state = a.getState();
  b.setState(state);
  assert.equal(hex(b.getState()), hex(state), 'getState returns what setState wrote');
  const la = runHeuristic(a, 250, obsA), lb = runHeuristic(b, 250, obsA);
  let contacts = 0;
  for (let t = 0; t < 250; t++) {
    assert.equal(hex(lb[t].obs), hex(la[t].obs), `step ${t}`);
    assert.equal(hex(lb[t].reward), hex(la[t].reward), `step ${t} rewards`);
    for (let i = 0; i < n; i++) contacts += la[t].obs[i * 8 + 6] + la[t].obs[i * 8 + 7];
  }
  assert.ok(contacts > 0, 'the continuation includes ground contacts');
  a.dispose(); b.dispose();
});

test('reset follows the draw contract: terrain, push and wind indices from the lane stream, then 2 draws per step', () => {
  const family = dm.taskFamily(ID);
  const env = family.makeVecEnv({ numEnvs: 3, seed: 9 });
  env.setTasks(family.task({ gravity: -10 }));
  env.reset();
  assert.equal(dm.wasmConst('LUNAR_RESET_DRAWS'), DRAWS_PER_RESET + DRAWS_PER_STEP);
  assert.equal(dm.wasmConst('LUNAR_STEP_DRAWS'), DRAWS_PER_STEP);
  for (let lane = 0; lane < 3; lane++) {
    const draws = dm.uniforms(9, dm.Purpose.RESET, 0, lane, DRAWS_PER_RESET + DRAWS_PER_STEP);
    let k = 0;
    const ref = new PlanckLander({ gravity: -10 }, () => draws[k++], { continuousPhysics: false });
    ref.reset();
    const ours = dm.decodeLunarState(env.getState(), lane);
    const terrain = ref.terrain();
    terrain.y.forEach((y, i) => assert.ok(Math.abs(ours.terrainY[i] - y) < 1e-6, `lane ${lane} terrain ${i}`));
    assert.deepEqual([ours.windIndex, ours.torqueIndex], [ref.windIndices().wind, ref.windIndices().torque]);
    // The push decides the first step's velocity: it agrees to float32 rounding.
    assert.ok(Math.abs(ours.lander.vx - ref.bodies().lander.vx) < 1e-4 && Math.abs(ours.lander.vy - ref.bodies().lander.vy) < 1e-4);
    assert.equal(k, DRAWS_PER_RESET + DRAWS_PER_STEP);
  }
  const counters = new BigUint64Array(dm.wasmExports().memory.buffer,
    (dm.wasmExports() as unknown as { vecEnvField(p: number, f: number): number }).vecEnvField((env as unknown as { ptr: number }).ptr, dm.wasmConst('FIELD_RNG_COUNTER')), 3);
  assert.deepEqual([...counters], [18n, 18n, 18n]);
  env.step(Int32Array.of(0, 1, 2));
  assert.deepEqual([...counters], [20n, 20n, 20n]);
  env.dispose();
});

test('the task family: parameters, domains, defaults and the medium task', () => {
  const family = dm.taskFamily(ID);
  assert.deepEqual(family.paramNames, ['gravity', 'windPower', 'turbulencePower', 'mainEnginePower', 'sideEnginePower']);
  assert.deepEqual([family.obsDim, family.numActions, family.maxEpisodeSteps], [8, 4, 1000]);
  assert.deepEqual(Array.from(family.medium()), [-8, 0, 0, 13, Math.fround(0.6)]);
  assert.deepEqual(family.ranges.gravity, [-11.5, -4.5]);
  for (const [name, value] of [['gravity', 0], ['gravity', -12], ['windPower', 21], ['windPower', -1], ['turbulencePower', 2.5],
    ['mainEnginePower', 0], ['sideEnginePower', -0.1]] as const) {
    assert.throws(() => family.task({ [name]: value }), (e: Error) => e instanceof dm.ConfigError && e.message.includes(name), `${name} = ${value}`);
  }
  assert.doesNotThrow(() => family.task({ gravity: -11.9, windPower: 20, turbulencePower: 2, mainEnginePower: 20, sideEnginePower: 1 }));
});

test('dm.rollout: episode e of task id k is identical whatever the tasks and episodes of the call', () => {
  const family = dm.taskFamily(ID, { gravity: [-11.5, -4.5], windPower: [0, 20], turbulencePower: [0, 2] });
  const policy = dm.createPolicy({ obsDim: 8, numActions: 4, hidden: [16], seed: 5 });
  const tasks = family.sample(3, { seed: 3 });
  const P = family.numParams;
  const taskB = tasks.slice(P, 2 * P);
  const rows = (traj: dm.Trajectories, episode: number) => {
    let start = 0;
    for (let e = 0; e < episode; e++) start += traj.episodeLengths[e];
    const end = start + traj.episodeLengths[episode];
    return { obs: hex(traj.obs.subarray(start * 8, end * 8)), actions: Array.from(traj.actions.subarray(start, end)), ret: traj.episodeReturns[episode] };
  };
  const options = { maxSteps: 400, seed: 42 };
  const all = dm.rollout(family, policy, tasks, { ...options, episodes: 6 });
  const alone = dm.rollout(family, policy, taskB, { ...options, episodes: 6, taskIds: [1] });
  const fewer = dm.rollout(family, policy, taskB, { ...options, episodes: 2, taskIds: [1] });
  let steps = 0;
  for (let e = 0; e < 6; e++) {
    const ref = rows(all, 6 + e);
    assert.deepEqual(rows(alone, e), ref, `episode ${e}: 3 tasks x 6 vs 1 task x 6`);
    if (e < 2) assert.deepEqual(rows(fewer, e), ref, `episode ${e}: 6 vs 2 episodes`);
    steps += all.episodeLengths[6 + e];
  }
  assert.ok(steps > 200, `the episodes ran (${steps} steps)`);
  policy.dispose();
});

test('WASM memory stays flat over repeated lander envs and rollouts', () => {
  const family = dm.taskFamily(ID);
  const policy = dm.createPolicy({ obsDim: 8, numActions: 4, hidden: [16], seed: 2 });
  const tasks = family.sample(4, { seed: 1 });
  const run = (seed: number) => {
    const env = family.makeVecEnv({ numEnvs: 37, seed });
    env.reset();
    for (let t = 0; t < 20; t++) env.step(new Int32Array(37).fill(t % 4));
    env.dispose();
    dm.rollout(family, policy, tasks, { episodes: 5, maxSteps: 150, seed });
  };
  run(0);
  const bytes = dm.wasmExports().memory.buffer.byteLength;
  for (let k = 1; k <= 30; k++) run(k);
  assert.equal(dm.wasmExports().memory.buffer.byteLength, bytes);
  policy.dispose();
});
