// dm.episodeScene (src/envs/scene.ts): what a renderer draws, decoded by the library from the
// state with the module's limits and sizes. Checked against the physics itself, not against the
// scene code: CartPole's limits are where its episodes end, the intersection's zone is where
// collisions happen, the lander's outcome agrees with the reward and the bodies with
// dm.decodeLunarState; the lander's exhaust points away from the way the lander is pushed, and its
// wind is Gymnasium's formula (re-derived here in float64) exactly when the module applied wind.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { heuristic } from './lunar/planck-lander';

before(async () => { await dm.init(); });

/** One episode on a one-lane env with `choose(obs, t)` picking the actions; the fields episodeScene takes. */
function play(family: dm.TaskFamily, task: Float32Array, seed: number, choose: (obs: Float32Array, t: number) => number | number[], maxSteps = family.maxEpisodeSteps) {
  const env = family.makeVecEnv({ numEnvs: 1, maxSteps });
  env.setTasks(task);
  let obs = env.reset({ seed }).slice();
  const states = [env.getState()];
  const actions: number[] = [], rewards: number[] = [];
  const box = family.actionSize > 0;
  let terminated = false;
  for (let t = 0; t < maxSteps; t++) {
    const a = choose(obs, t);
    const out = env.step(typeof a === 'number' ? [a] : a);
    actions.push(...(typeof a === 'number' ? [a] : a));
    rewards.push(out.reward[0]);
    states.push(env.getState());
    obs = out.obs.slice();
    terminated = out.terminated[0] === 1;
    if (terminated || out.truncated[0] === 1) break;
  }
  env.dispose();
  const flat = new Float32Array(states.length * family.stateDim);
  states.forEach((s, f) => flat.set(s, f * family.stateDim));
  return { states: flat, actions: box ? Float32Array.from(actions) : Int32Array.from(actions), rewards, length: box ? actions.length / family.actionSize : actions.length, terminated };
}

/** A reproducible uniform in [0, 1) per (seed, t). */
const uniform = (seed: number, t: number) => dm.uniforms(seed, dm.Purpose.ACTION, 7, 0, 1, t)[0];

test('every registered env has a scene, with one value per frame and its step duration', () => {
  for (const id of dm.envIds()) {
    const family = dm.taskFamily(id);
    const task = family.medium();
    const ep = play(family, task, 3, (_o, t) => (family.actionSize > 0 ? [uniform(3, t) - 0.5, uniform(4, t) - 0.5] : Math.floor(uniform(3, t) * family.numActions)), 30);
    const scene = dm.episodeScene(family, task, ep);
    assert.equal(scene.env, id);
    assert.equal(scene.steps, ep.length, id);
    assert.ok(scene.stepSeconds > 0 && scene.stepSeconds < 1, `${id}: step ${scene.stepSeconds} s`);
    assert.deepEqual(Object.keys(scene.task), [...family.paramNames], id);
  }
  const family = dm.taskFamily('CartPole-v1');
  assert.throws(() => dm.episodeScene(family, family.medium(), { states: new Float32Array(7), actions: new Int32Array(1), length: 1, terminated: false }), /episode\.states/);
});

test('CartPole-v1: the scene\'s limits are where episodes end (the last frame beyond one, every earlier frame within both)', () => {
  const family = dm.taskFamily('CartPole-v1');
  const causes = { 'pole fell': 0, 'off the track': 0 };
  for (let seed = 0; seed < 60; seed++) {
    const task = family.sample(1, { seed });
    // Even seeds push one way most of the time (the pole falls); odd seeds balance the pole with a
    // bias that makes the cart drift (it leaves the track).
    const bias = 0.02 * ((seed % 5) - 2);
    const ep = play(family, task, seed, (o, t) => (seed % 2 === 0 ? (t % 40 < 30 + (seed % 10) ? 1 : 0) : Number(o[2] + 0.5 * o[3] + bias > 0)));
    const s = dm.episodeScene(family, task, ep) as dm.CartPoleScene;
    if (!ep.terminated) { assert.equal(s.outcome, null); continue; }
    const beyond = (f: number) => Math.abs(s.x[f]) > s.xThresholdM || Math.abs(s.theta[f]) > s.thetaThresholdRad;
    for (let f = 0; f < s.steps; f++) assert.ok(!beyond(f), `seed ${seed}: frame ${f} of ${s.steps} is beyond a limit`);
    assert.ok(beyond(s.steps), `seed ${seed}: the last frame x ${s.x[s.steps]}, θ ${s.theta[s.steps]} is within the limits`);
    causes[s.outcome!]++;
    assert.equal(s.outcome === 'off the track', Math.abs(s.x[s.steps]) > s.xThresholdM, `seed ${seed}`);
  }
  assert.ok(causes['pole fell'] > 0 && causes['off the track'] > 0, `both causes seen: ${JSON.stringify(causes)}`);
});

test('Intersection-v0: a collision is both cars in the scene\'s zone with the −100 reward; crossing ends with the +10', () => {
  const family = dm.taskFamily('Intersection-v0');
  const seen = { collision: 0, crossed: 0, truncated: 0 };
  for (let seed = 0; seed < 80; seed++) {
    const task = family.sample(1, { seed });
    const ep = play(family, task, seed, (_o, t) => (uniform(seed, t) < 0.5 ? 4 : Math.floor(uniform(seed + 1000, t) * 5)));
    const s = dm.episodeScene(family, task, ep) as dm.IntersectionScene;
    const last = ep.rewards[ep.length - 1];
    if (!ep.terminated) { seen.truncated++; assert.equal(s.outcome, null); continue; }
    seen[s.outcome!]++;
    const exit = s.zoneWidthM + s.vehicleLengthM;
    if (s.outcome === 'collision') {
      assert.ok(last <= -100, `seed ${seed}: collision with reward ${last}`);
      for (const p of [s.egoPosition[s.steps], s.otherPosition[s.steps]]) assert.ok(p >= 0 && p <= exit, `seed ${seed}: p ${p} outside [0, ${exit}]`);
    } else {
      assert.ok(last > 0, `seed ${seed}: crossed with reward ${last}`);
      assert.ok(s.egoPosition[s.steps] > exit, `seed ${seed}: the ego's bumper ${s.egoPosition[s.steps]} has not passed ${exit}`);
    }
  }
  assert.ok(seen.collision > 0 && seen.crossed > 0, `both outcomes seen: ${JSON.stringify(seen)}`);
});

test('IntersectionOccluded-v0: Intersection-v0\'s scene with the sight distance at which its observation shows the other car', () => {
  const family = dm.taskFamily('IntersectionOccluded-v0');
  const task = family.medium();
  const ep = play(family, task, 3, () => 2);
  const s = dm.episodeScene(family, task, ep) as dm.IntersectionScene;
  assert.equal(s.env, 'IntersectionOccluded-v0');
  const open = dm.taskFamily('Intersection-v0');
  assert.equal((dm.episodeScene(open, open.medium(), play(open, open.medium(), 3, () => 2)) as dm.IntersectionScene).sightDistanceM, null);
  // The scene's sight distance is where the env's observation flag turns on: replay the episode.
  const env = family.makeVecEnv({ numEnvs: 1 });
  env.setTasks(task);
  let visible = env.reset({ seed: 3 })[4], changes = 0;
  for (let f = 0; f <= s.steps; f++) {
    assert.equal(visible === 1, s.otherPosition[f] >= -s.sightDistanceM!, `frame ${f}: other at ${s.otherPosition[f]} m, flag ${visible}`);
    if (f < s.steps) {
      const next = env.step([2]).obs[4];
      if (next !== visible) changes++;
      visible = next;
    }
  }
  assert.ok(changes >= 1, 'the other car comes into sight during the episode');
  env.dispose();
});

test('LunarLander-v2: bodies as dm.decodeLunarState has them, the outcome as the reward says, terrain and pad from the module', () => {
  const family = dm.taskFamily('LunarLander-v2');
  const seen = { 'at rest': 0, crashed: 0, 'out of bounds': 0 };
  for (let seed = 0; seed < 24; seed++) {
    const task = family.task({ gravity: -10 });
    // The heuristic lands (at rest); with random actions mixed in it crashes or drifts out.
    const noise = seed % 3 === 0 ? 0 : seed % 3 === 1 ? 0.5 : 1;
    const ep = play(family, task, seed, (obs, t) => (uniform(seed, t) < noise ? Math.floor(uniform(seed + 99, t) * 4) : heuristic(obs)));
    const s = dm.episodeScene(family, task, ep) as dm.LunarLanderScene;
    for (const f of [0, Math.floor(s.steps / 2), s.steps]) {
      const d = dm.decodeLunarState(ep.states, f);
      [d.lander, ...d.legs].forEach((b, k) => {
        assert.deepEqual(Array.from(s.bodies.subarray((3 * f + k) * 3, (3 * f + k) * 3 + 3)), [b.x, b.y, b.angle].map(Math.fround), `seed ${seed} frame ${f} body ${k}`);
      });
      assert.deepEqual([s.legContact[2 * f], s.legContact[2 * f + 1]], d.legContact.map(Number));
    }
    assert.deepEqual(Array.from(s.terrainY), dm.decodeLunarState(ep.states, 0).terrainY.map(Math.fround));
    assert.deepEqual(Array.from(s.terrainX), Array.from({ length: 11 }, (_, i) => 2 * i), 'chunk_x = i·W/10');
    assert.deepEqual([s.widthM, s.helipadX1M, s.helipadX2M], [20, 8, 12]);
    assert.ok(Math.abs(s.heightM - 400 / 30) < 1e-6 && Math.abs(s.helipadYM - 400 / 30 / 4) < 1e-6);
    if (!ep.terminated) continue;
    seen[s.outcome!]++;
    const last = ep.rewards[ep.length - 1];
    assert.equal(last, s.outcome === 'at rest' ? 100 : -100, `seed ${seed}: ${s.outcome} with reward ${last}`);
    const x = s.bodies[(3 * s.steps) * 3];
    if (s.outcome === 'out of bounds') assert.ok(x <= 0 || x >= s.widthM, `seed ${seed}: out of bounds at x ${x}`);
    if (s.outcome === 'crashed') assert.ok(x > 0 && x < s.widthM, `seed ${seed}: crashed at x ${x}, outside the world`);
  }
  assert.ok(seen['at rest'] > 0 && seen.crashed > 0, `outcomes seen: ${JSON.stringify(seen)}`);
});

test('LunarLander-v2: the exhaust leaves opposite to the push the engine gives (velocity change in flight), none for noop', () => {
  const family = dm.taskFamily('LunarLander-v2');
  const task = family.task({ gravity: -10 });
  const codes = { left: 0, main: 0, right: 0 };
  for (let seed = 0; seed < 6; seed++) {
    const ep = play(family, task, seed, (_o, t) => Math.floor(uniform(seed, t) * 4), 60);
    const s = dm.episodeScene(family, task, ep) as dm.LunarLanderScene;
    for (let f = 1; f <= s.steps; f++) {
      const a = s.actions[f - 1];
      const flame = Array.from(s.flames.subarray(4 * f, 4 * f + 4));
      if (a === s.actionCodes.noop) { assert.ok(flame.every(Number.isNaN), `noop at ${f} has a flame`); continue; }
      assert.ok(flame.every(Number.isFinite), `action ${a} at ${f} has no flame`);
      const before = dm.decodeLunarState(ep.states, f - 1), after = dm.decodeLunarState(ep.states, f);
      if (after.touching.some(Boolean) || before.touching.some(Boolean)) continue; // contacts push too
      // Δv of the lander minus gravity's g·Δt (and the legs' joint pull, small): along −exhaust.
      const dvx = after.lander.vx - before.lander.vx, dvy = after.lander.vy - before.lander.vy - task[0] * s.stepSeconds;
      const along = (dvx * flame[2] + dvy * flame[3]) / Math.hypot(flame[2], flame[3]);
      assert.ok(along < 0, `step ${f - 1}, action ${a}: Δv·exhaust ${along} (Δv ${dvx}, ${dvy}; exhaust ${flame[2]}, ${flame[3]})`);
      const right = flame[2] * Math.cos(after.lander.angle) + flame[3] * Math.sin(after.lander.angle); // along the lander's +x axis
      const up = -flame[2] * Math.sin(after.lander.angle) + flame[3] * Math.cos(after.lander.angle);
      if (a === s.actionCodes.main) { codes.main++; assert.ok(up < 0 && Math.abs(right) < 1e-9 + Math.abs(up), `main exhaust ${right}, ${up} (body frame)`); }
      // lunar_lander.py: the left engine (direction −1) throws its exhaust towards the lander's +x side.
      if (a === s.actionCodes.left) { codes.left++; assert.ok(right > 0, `left engine exhaust ${right} along +x`); }
      if (a === s.actionCodes.right) { codes.right++; assert.ok(right < 0, `right engine exhaust ${right} along +x`); }
    }
  }
  assert.ok(codes.left > 5 && codes.main > 5 && codes.right > 5, JSON.stringify(codes));
});

test('LunarLander-v2: the wind is Gymnasium\'s tanh(sin(0.02k) + sin(0.01πk))·power exactly when it acted (no leg touching)', () => {
  const family = dm.taskFamily('LunarLander-v2', { windPower: [15, 15], turbulencePower: [1.5, 1.5] });
  const task = family.medium();
  let blown = 0, calm = 0;
  for (let seed = 0; seed < 8; seed++) {
    const ep = play(family, task, seed, (obs) => heuristic(obs));
    const s = dm.episodeScene(family, task, ep) as dm.LunarLanderScene;
    for (let f = 1; f <= s.steps; f++) {
      const before = dm.decodeLunarState(ep.states, f - 1);
      const acted = !before.legContact[0] && !before.legContact[1];
      const profile = (k: number) => Math.tanh(Math.sin(0.02 * k) + Math.sin(Math.PI * 0.01 * k));
      if (!acted) { calm++; assert.equal(s.wind[f], 0); assert.equal(s.turbulence[f], 0); continue; }
      blown++;
      assert.ok(Math.abs(s.wind[f] - 15 * profile(before.windIndex)) <= 1e-5, `frame ${f}: wind ${s.wind[f]} vs ${15 * profile(before.windIndex)}`);
      assert.ok(Math.abs(s.turbulence[f] - 1.5 * profile(before.torqueIndex)) <= 1e-6, `frame ${f}: turbulence ${s.turbulence[f]}`);
    }
  }
  assert.ok(blown > 100 && calm > 10, `frames with wind ${blown}, without ${calm}`);
  // No wind in the task: none in the scene.
  const still = dm.taskFamily('LunarLander-v2');
  const ep = play(still, still.medium(), 1, (obs) => heuristic(obs), 100);
  assert.ok((dm.episodeScene(still, still.medium(), ep) as dm.LunarLanderScene).wind.every((v) => v === 0));
});

test('Navigation2D-v0: the path is the states, the goal the task; the outcome is a terminated episode within the tolerance; the path before adaptation rides along', () => {
  const family = dm.taskFamily('Navigation2D-v0');
  const task = Float32Array.of(0.25, -0.15);
  // Straight to the goal: moves clipped to 0.1 get there in 3 steps.
  const toGoal = play(family, task, 0, (o) => [task[0] - o[0], task[1] - o[1]]);
  const wander = play(family, task, 0, (_o, t) => [uniform(5, t) - 0.5, uniform(6, t) - 0.5], 40);
  const s = dm.episodeScene(family, task, toGoal, { before: wander }) as dm.Navigation2DScene;
  assert.equal(s.env, 'Navigation2D-v0');
  assert.deepEqual([s.goalX, s.goalY], [task[0], task[1]]);
  assert.equal(s.goalTolerance, Math.fround(0.01));
  assert.deepEqual([s.stepLow, s.stepHigh], [[Math.fround(-0.1), Math.fround(-0.1)], [Math.fround(0.1), Math.fround(0.1)]]);
  for (let f = 0; f <= s.steps; f++) assert.deepEqual([s.x[f], s.y[f]], [toGoal.states[2 * f], toGoal.states[2 * f + 1]], `frame ${f}`);
  assert.ok(toGoal.terminated && s.outcome === 'reached the goal');
  const last = s.steps;
  assert.ok(Math.abs(s.x[last] - s.goalX) < s.goalTolerance && Math.abs(s.y[last] - s.goalY) < s.goalTolerance, 'the last frame is within the tolerance');
  for (let f = 0; f < last; f++) assert.ok(!(Math.abs(s.x[f] - s.goalX) < s.goalTolerance && Math.abs(s.y[f] - s.goalY) < s.goalTolerance), `frame ${f} is not`);
  assert.equal(s.actions.length, 2 * s.steps);
  assert.equal(s.before!.x.length, wander.length + 1);
  assert.deepEqual([s.before!.x[7], s.before!.y[7]], [wander.states[14], wander.states[15]]);
  const plain = dm.episodeScene(family, task, wander) as dm.Navigation2DScene;
  assert.equal(plain.before, null);
  assert.equal(plain.outcome, null);
  assert.throws(() => dm.episodeScene(family, task, toGoal, { before: { ...wander, length: 3 } }), /options\.before\.states/);
});

test('LunarLanderContinuous-v2: the main and the side engines\' exhaust per step, as the mapping fires them (none in the dead zones), opposite to the push', () => {
  const family = dm.taskFamily('LunarLanderContinuous-v2');
  const task = family.task({ gravity: -10 });
  const A = [[-0.5, 0.2], [0.3, 0], [0, 0.8], [1.3, -0.9], [0.7, -0.4], [-1, -0.6], [0.05, 0.5]];
  const ep = play(family, task, 2, (_o, t) => A[t % A.length], 40);
  const s = dm.episodeScene(family, task, ep) as dm.LunarLanderScene;
  assert.equal(s.env, 'LunarLanderContinuous-v2');
  assert.ok(s.sideFlames, 'a continuous scene has side flames');
  let mains = 0, sides = 0;
  for (let f = 1; f <= s.steps; f++) {
    const [a0, a1] = A[(f - 1) % A.length];
    const main: number[] = Array.from(s.flames.subarray(4 * f, 4 * f + 4));
    const side: number[] = Array.from(s.sideFlames!.subarray(4 * f, 4 * f + 4));
    assert.equal(main.every(Number.isFinite), a0 > 0, `step ${f - 1}: main flame for a0 = ${a0}`);
    assert.equal(side.every(Number.isFinite), Math.abs(a1) > 0.5, `step ${f - 1}: side flame for a1 = ${a1}`);
    const angle = dm.decodeLunarState(ep.states, f).lander.angle;
    if (a0 > 0) { // along the lander's −y axis, its length the throttle × 4/30 m
      mains++;
      const up = -main[2] * Math.sin(angle) + main[3] * Math.cos(angle);
      assert.ok(Math.abs(up + (Math.min(a0, 1) + 1) / 2 * 4 / 30) < 1e-5, `step ${f - 1}: main exhaust ${up}`);
    }
    if (Math.abs(a1) > 0.5) { // sideways, away from the push: a1 > 0 (right engine) exhausts towards −x
      sides++;
      const right = side[2] * Math.cos(angle) + side[3] * Math.sin(angle);
      assert.ok(Math.sign(right) === -Math.sign(a1) && Math.abs(Math.abs(right) - Math.min(Math.abs(a1), 1) * 12 / 30) < 1e-5, `step ${f - 1}: side exhaust ${right}`);
    }
  }
  assert.ok(mains > 5 && sides > 5, `main ${mains}, side ${sides}`);
});
