// Intersection-v0 against a float64 re-derivation, written here, of the definition in SPEC.md §3
// as made precise in assembly/envs/intersection.ts (the other driver's rule included).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import { testRandom as rng } from '../nn/mlp-reference';

before(async () => { await dm.init(); });

const ID = 'Intersection-v0';
// SPEC.md §3 and the header of assembly/envs/intersection.ts, in float64.
const ZONE = 4, CAR = 5, EXIT = ZONE + CAR, DT = 0.2, VMAX = 15, BRAKE = 3, CAP = 20, SPEED_FLOOR = 1e-3;
const ACCELS = [-4, -2, 0, 2, 4];

type State = [number, number, number, number]; // egoPosition, egoSpeed, otherPosition, otherSpeed
const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const occupies = (p: number) => p >= 0 && p <= EXIT;
const arrival = (p: number, v: number) => Math.min(Math.max(-p, 0) / Math.max(v, SPEED_FLOOR), CAP);

interface OtherDecision {
  accel: number;
  yields: boolean;
}

/** The other driver: P-control towards 8 + 6β, yielding with gap 3(1 − β) by braking only when needed. */
function otherDriver([pe, ve, po, vo]: State, beta: number): OtherDecision {
  const desired = 8 + 6 * beta, gap = 3 * (1 - beta);
  const track = clip(0.8 * (desired - vo), -BRAKE, 2);
  const arrivalGap = arrival(po, vo) - (arrival(pe, ve) - gap);
  const yields = beta < 1 && po < 0 && pe <= EXIT && arrivalGap > 0;
  if (!yields) return { accel: track, yields };
  const v1 = clip(vo + track * DT, 0, VMAX);
  const p1 = po + 0.5 * (vo + v1) * DT;
  // Braking at 3 m/s² from v1 in steps of DT covers at most v1²/6 + 3·DT²/8.
  const stopEnd = p1 + (v1 * v1) / (2 * BRAKE) + (BRAKE * DT * DT) / 8;
  return { accel: stopEnd <= 0 ? track : -BRAKE, yields };
}

interface RefStep { next: State; reward: number; terminated: boolean; collision: boolean; success: boolean; other: OtherDecision }

function referenceStep(s: State, action: number, beta: number): RefStep {
  const [pe, ve, po, vo] = s;
  const egoA = ACCELS[action];
  const other = otherDriver(s, beta);
  const ve1 = clip(ve + egoA * DT, 0, VMAX), vo1 = clip(vo + other.accel * DT, 0, VMAX);
  const next: State = [pe + 0.5 * (ve + ve1) * DT, ve1, po + 0.5 * (vo + vo1) * DT, vo1];
  const success = next[0] > EXIT;
  const collision = occupies(next[0]) && occupies(next[2]);
  const reward = -0.1 - 0.01 * egoA * egoA + (success ? 10 : 0) - (collision ? 100 : 0);
  return { next, reward, terminated: success || collision, collision, success, other };
}

/**
 * True when moving the state by ±1e-4 in any combination of signs changes a discrete decision
 * (yield, brake, success, collision): there float32 rounding may legitimately decide otherwise.
 */
function nearThreshold(s: State, action: number, beta: number): boolean {
  const signature = (r: RefStep) => `${r.other.yields}${r.other.accel === -BRAKE}${r.success}${r.collision}`;
  const base = signature(referenceStep(s, action, beta));
  for (let signs = 0; signs < 16; signs++) {
    const moved = s.map((x, k) => x + ((signs >> k) & 1 ? 1e-4 : -1e-4)) as State;
    if (signature(referenceStep(moved, action, beta)) !== base) return true;
  }
  return false;
}

function stateOf(flat: Float32Array, i: number): State {
  return [flat[i * 4], flat[i * 4 + 1], flat[i * 4 + 2], flat[i * 4 + 3]];
}

/** An env whose envs start from the given states and tasks (β, otherInitialSpeed = 10). */
function envAt(states: State[], betas: number[], seed = 0): dm.VecEnv {
  const family = dm.taskFamily(ID);
  const env = family.makeVecEnv({ numEnvs: states.length, seed });
  env.setTasks(betas.flatMap((b) => [b, 10]));
  env.reset();
  env.setState(states.flat());
  return env;
}

const close = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

test('spec: ids, dimensions, parameters, medium task', () => {
  assert.ok(dm.envIds().includes(ID));
  const family = dm.taskFamily(ID);
  assert.deepEqual(family.paramNames, ['aggressiveness', 'otherInitialSpeed']);
  assert.equal(family.stateDim, 4);
  assert.equal(family.obsDim, 4);
  assert.equal(family.numActions, 5);
  assert.equal(family.maxEpisodeSteps, 100);
  assert.deepEqual([...family.medium()], [0.5, 10]);
  // Both ends of β are allowed.
  const env = family.makeVecEnv({ numEnvs: 2 });
  env.setTasks([0, 10, 1, 10]);
  assert.deepEqual([...env.getTasks()], [0, 10, 1, 10]);
  env.dispose();
});

test('trajectories follow the float64 reference of the kinematics and the other driver (several β)', () => {
  const betas = [0, 0.25, 0.5, 0.75, 1];
  // 5 starts × 5 β = 25 envs: the observation's SIMD groups of 4 and its one-env tail.
  const starts: State[] = [[-40, 10, -35, 11], [-32, 8.5, -44, 12], [-20, 3, -30, 10], [-10, 10, -20, 10], [-36, 12, -37, 9]];
  const patterns = [[2], [4, 4, 2, 2], [0, 1, 2, 2, 2], [3, 2, 1, 2], [4, 3, 0, 1, 2, 2]];
  const states: State[] = [], taskBetas: number[] = [], actionsOf: number[][] = [];
  for (const beta of betas) {
    starts.forEach((s, j) => { states.push(s); taskBetas.push(beta); actionsOf.push(patterns[j]); });
  }
  const n = states.length;
  const env = envAt(states, taskBetas);
  const start = env.getState();
  const ref: State[] = states.map((_, i) => stateOf(start, i));
  const alive = new Array(n).fill(true);
  let yieldingSteps = 0, brakingSteps = 0, successes = 0, collisions = 0;
  for (let t = 0; t < 100 && alive.some(Boolean); t++) {
    const actions = Int32Array.from({ length: n }, (_, i) => actionsOf[i][t % actionsOf[i].length]);
    const out = env.step(actions);
    const state = env.getState();
    for (let i = 0; i < n; i++) {
      if (!alive[i]) continue;
      const beta = Math.fround(taskBetas[i]);
      assert.ok(!nearThreshold(ref[i], actions[i], beta), `env ${i} step ${t}: a decision within 1e-4 of its threshold; choose other states`);
      const r = referenceStep(ref[i], actions[i], beta);
      ref[i] = r.next;
      for (let k = 0; k < 4; k++) {
        assert.ok(close(state[i * 4 + k], r.next[k], 1e-5), `env ${i} (β ${taskBetas[i]}) step ${t} component ${k}: ${state[i * 4 + k]} vs ${r.next[k]}`);
        const scale = k % 2 === 0 ? 50 : 15;
        assert.ok(close(out.obs[i * 4 + k], r.next[k] / scale, 1e-5), `env ${i} step ${t} obs ${k}`);
      }
      assert.ok(close(out.reward[i], r.reward, 1e-6), `env ${i} step ${t} reward ${out.reward[i]} vs ${r.reward}`);
      assert.equal(out.terminated[i], r.terminated ? 1 : 0, `env ${i} step ${t} terminated`);
      assert.equal(out.truncated[i], t === 99 ? 1 : 0, `env ${i} step ${t} truncated`);
      if (r.other.yields) yieldingSteps++;
      if (r.other.yields && r.other.accel === -BRAKE) brakingSteps++;
      if (r.success) successes++;
      if (r.collision) collisions++;
      if (r.terminated) alive[i] = false;
    }
  }
  // The scenarios exercise every branch of the rule and both outcomes.
  assert.ok(yieldingSteps > 0 && brakingSteps > 0 && successes > 0 && collisions > 0,
    `yielding ${yieldingSteps}, braking ${brakingSteps}, successes ${successes}, collisions ${collisions}`);
  env.dispose();
});

test('one step from 4000 random states matches the reference (all branches)', () => {
  const random = rng(17);
  const n = 4000;
  const states: State[] = [], betas: number[] = [], actions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // Positions around the zone; stopped and slow cars (arrival times up to and past the cap);
    // β = 1 for every tenth env.
    const speed = () => { const u = random(); return u < 0.1 ? 0 : u < 0.3 ? 3 * random() : 15 * random(); };
    if (i % 4 === 1) {
      // The other creeping up to the stop line (its decision to brake matters), the ego slow:
      // both arrival times around the 20 s cap.
      states.push([-40 * random(), 3 * random(), -0.3 * random() - 1e-3, 0.05 * random()]);
    } else {
      states.push([-50 + 65 * random(), speed(), -50 + 65 * random(), speed()]);
    }
    betas.push(i % 10 === 0 ? 1 : random());
    actions[i] = Math.floor(5 * random());
  }
  const env = envAt(states, betas);
  const start = env.getState();
  const out = env.step(actions);
  const state = env.getState();
  const counts = { yieldTrack: 0, yieldBrake: 0, free: 0, collision: 0, success: 0, skipped: 0 };
  for (let i = 0; i < n; i++) {
    const beta = Math.fround(betas[i]);
    if (nearThreshold(stateOf(start, i), actions[i], beta)) { counts.skipped++; continue; } // float32 may decide either way here
    const r = referenceStep(stateOf(start, i), actions[i], beta);
    for (let k = 0; k < 4; k++) assert.ok(close(state[i * 4 + k], r.next[k], 1e-6), `env ${i} component ${k}: ${state[i * 4 + k]} vs ${r.next[k]}`);
    assert.ok(close(out.reward[i], r.reward, 1e-6), `env ${i} reward`);
    assert.equal(out.terminated[i], r.terminated ? 1 : 0, `env ${i} terminated`);
    counts[r.other.yields ? (r.other.accel === -BRAKE ? 'yieldBrake' : 'yieldTrack') : 'free']++;
    if (r.collision) counts.collision++;
    if (r.success) counts.success++;
  }
  for (const [name, c] of Object.entries(counts)) {
    if (name !== 'skipped') assert.ok(c >= 20, `${name}: only ${c} of ${n} random states`);
  }
  assert.ok(counts.skipped <= 5, `${counts.skipped} states skipped as too close to a threshold`);
  env.dispose();
});

test('collision when both cars occupy the zone: −100, terminated', () => {
  // env 0: both inside; env 1: the ego stands exactly at the entry (p = 0 occupies) while the other
  // crosses; env 2: the ego waits 0.5 m short of it; env 3: the other has left the zone (p > 9);
  // env 4: the ego's front reaches the entry during the step while the other is inside.
  const env = envAt([[2, 5, 1, 5], [0, 0, 3, 5], [-0.5, 0, 2, 8], [3, 4, 9.5, 5], [-1, 5, 3, 5]], [1, 1, 1, 1, 1]);
  const out = env.step([2, 2, 2, 2, 2]);
  const s = env.getState();
  const expected = [1, 1, 0, 0, 1];
  for (let i = 0; i < 5; i++) {
    const [pe, , po] = stateOf(s, i);
    assert.equal(occupies(pe) && occupies(po), expected[i] === 1, `env ${i}: ego ${pe}, other ${po}`);
    assert.equal(out.terminated[i], expected[i], `env ${i}`);
    assert.ok(close(out.reward[i], -0.1 - 100 * expected[i], 1e-6), `env ${i}: reward ${out.reward[i]}`);
  }
  assert.equal(s[4], 0, 'a stopped ego stays exactly at the entry');
  env.dispose();
});

test('success when the ego clears the zone: +10, terminated, next step autoresets', () => {
  const env = envAt([[8, 10, -40, 0], [7, 2, -40, 0]], [0.5, 0.5], 9);
  const out = env.step([4, 4]);
  const s = env.getState();
  assert.ok(s[0] > EXIT && s[4] <= EXIT);
  assert.ok(close(out.reward[0], 10 - 0.1 - 0.01 * 16, 1e-6), `reward ${out.reward[0]}`);
  assert.deepEqual([out.terminated[0], out.terminated[1], out.truncated[0]], [1, 0, 0]);
  const next = env.step([0, 0]);
  // Next-step autoreset: env 0 ignores its action and starts a new episode with reward 0.
  assert.equal(next.reward[0], 0);
  assert.deepEqual([next.terminated[0], next.truncated[0]], [0, 0]);
  const r = env.getState();
  assert.ok(r[0] >= -45 && r[0] < -30 && r[1] >= 8 && r[1] < 12 && r[2] >= -45 && r[2] < -30 && r[3] >= 8 && r[3] < 12, `reset state ${[...r.subarray(0, 4)]}`);
  assert.ok(close(next.obs[0], r[0] / 50, 1e-6) && close(next.obs[3], r[3] / 15, 1e-6));
  env.dispose();
});

test('β < 1 yields and stops before the zone when the ego would arrive first; β = 1 never yields', () => {
  // The ego creeps at 2 m/s from 4 m out (arrives after 2 s, clears the zone after 6.5 s); the
  // other, 30 m out at 10 m/s, would arrive second, after 3 s.
  const betas = [0, 0.3, 0.6, 0.9, 0.999, 1];
  const env = envAt(betas.map((): State => [-4, 2, -30, 10]), betas);
  const n = betas.length;
  const minSpeed = new Array(n).fill(Infinity), maxOther = new Array(n).fill(-Infinity);
  const outcome: string[] = new Array(n).fill('');
  let prev = env.getState();
  for (let t = 0; t < 100 && outcome.some((o) => o === ''); t++) {
    const out = env.step(new Array(n).fill(2));
    const s = env.getState();
    for (let i = 0; i < n; i++) {
      if (outcome[i]) continue;
      const vo = prev[i * 4 + 3], vo1 = s[i * 4 + 3];
      if (betas[i] === 1) {
        // Level-0: always the tracking law towards 14 m/s, whatever the ego does.
        assert.ok(close(vo1, clip(vo + clip(0.8 * (14 - vo), -3, 2) * DT, 0, VMAX), 1e-6), `β = 1 step ${t}: ${vo} → ${vo1}`);
      }
      minSpeed[i] = Math.min(minSpeed[i], vo1);
      maxOther[i] = Math.max(maxOther[i], s[i * 4 + 2]);
      if (out.terminated[i]) outcome[i] = out.reward[i] > 0 ? 'success' : 'collision';
    }
    prev = s;
  }
  for (let i = 0; i < n - 1; i++) {
    assert.equal(outcome[i], 'success', `β ${betas[i]}`);
    assert.ok(maxOther[i] < 0, `β ${betas[i]}: the other crossed the stop line (${maxOther[i]})`);
    assert.equal(minSpeed[i], 0, `β ${betas[i]}: the other never stopped (min speed ${minSpeed[i]})`);
  }
  // β = 1 drove on into the zone the ego was crossing.
  assert.equal(outcome[n - 1], 'collision');
  assert.ok(maxOther[n - 1] >= 0 && minSpeed[n - 1] >= 10);
  env.dispose();

  // The ego arriving first at constant speed: β = 1 drives into it, β = 0 lets it pass.
  const clash = envAt([[-10, 10, -20, 10], [-10, 10, -20, 10]], [1, 0]);
  const ended = [0, 0], rewards = [0, 0];
  for (let t = 0; t < 30 && (!ended[0] || !ended[1]); t++) {
    const out = clash.step([2, 2]);
    for (let i = 0; i < 2; i++) if (!ended[i] && out.terminated[i]) { ended[i] = 1; rewards[i] = out.reward[i]; }
  }
  assert.ok(rewards[0] < -99, `β = 1: expected a collision, reward ${rewards[0]}`);
  assert.ok(rewards[1] > 9, `β = 0: expected the ego to cross, reward ${rewards[1]}`);
  clash.dispose();
});

test('a yielding driver that can stop never enters the zone while the ego stands in it', () => {
  // The ego stopped inside the zone makes every β < 1 driver yield for the whole episode.
  const random = rng(5);
  const n = 400;
  const states: State[] = [], betas: number[] = [];
  while (states.length < n) {
    const po = -45 + 44 * random(), vo = 15 * random();
    // Discrete stopping distance at 3 m/s² (float64 simulation), with a float32 safety margin.
    let v = vo, d = 0;
    while (v > 0) { const v1 = Math.max(v - BRAKE * DT, 0); d += 0.5 * (v + v1) * DT; v = v1; }
    if (d > -po - 1e-3) continue;
    states.push([EXIT * random(), 0, po, vo]);
    betas.push(0.999 * random());
  }
  const env = envAt(states, betas);
  for (let t = 0; t < 100; t++) {
    const out = env.step(new Array(n).fill(1)); // −2 m/s² keeps the ego at rest
    const s = env.getState();
    for (let i = 0; i < n; i++) {
      assert.equal(out.terminated[i], 0, `env ${i} step ${t}: collision from ${states[i]} (β ${betas[i]})`);
      assert.ok(s[i * 4 + 2] < 0, `env ${i} step ${t}: crossed the stop line at ${s[i * 4 + 2]}`);
    }
  }
  // After 20 s every driver waits at the line: within a car's creep of it, at (near) rest.
  const s = env.getState();
  for (let i = 0; i < n; i++) {
    assert.ok(s[i * 4 + 2] > -0.5 && s[i * 4 + 3] <= 0.6 + 1e-6, `env ${i}: at ${s[i * 4 + 2]} m, ${s[i * 4 + 3]} m/s`);
  }
  env.dispose();
});

test('truncation at 100 steps with next-step autoreset', () => {
  // The ego stays stopped 40 m out (the other passes unhindered): nothing terminates.
  const env = envAt([[-40, 0, -30, 10]], [0.5], 4);
  for (let t = 1; t <= 100; t++) {
    const out = env.step([1]);
    assert.equal(out.terminated[0], 0, `step ${t}`);
    assert.equal(out.truncated[0], t === 100 ? 1 : 0, `step ${t}`);
    assert.ok(close(out.reward[0], -0.1 - 0.04, 1e-6));
  }
  assert.ok(env.getState()[2] > EXIT, 'the other car crossed');
  const out = env.step([4]);
  assert.deepEqual([out.reward[0], out.terminated[0], out.truncated[0]], [0, 0, 0]);
  const s = env.getState();
  assert.ok(s[0] >= -45 && s[0] < -30 && s[1] >= 8 && s[1] < 12, `reset state ${[...s]}`);
  env.dispose();
});

test('reset draws: ranges, means, and otherInitialSpeed as the centre of the other speed draw', () => {
  const family = dm.taskFamily(ID, { aggressiveness: [0, 1], otherInitialSpeed: [2, 13] });
  const n = 2000;
  const env = family.makeVecEnv({ numEnvs: n, seed: 11 });
  const centres = Array.from({ length: n }, (_, i) => (i % 2 ? 3 : 12.5));
  env.setTasks(centres.flatMap((c) => [0.5, c]));
  env.reset();
  const s = env.getState();
  const mean = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const [pe, ve, po, vo] = stateOf(s, i);
    assert.ok(pe >= -45 && pe < -30 && po >= -45 && po < -30 && ve >= 8 && ve < 12, `env ${i}`);
    assert.ok(vo >= centres[i] - 2 && vo < centres[i] + 2, `env ${i}: other speed ${vo} for centre ${centres[i]}`);
    mean[0] += pe / n; mean[1] += ve / n; mean[2] += po / n; mean[3] += (vo - centres[i]) / n;
  }
  // Standard errors: 15/√(12n) ≈ 0.097 for positions, 4/√(12n) ≈ 0.026 for speeds; 5 of them.
  assert.ok(Math.abs(mean[0] + 37.5) < 0.5 && Math.abs(mean[2] + 37.5) < 0.5, `position means ${mean[0]}, ${mean[2]}`);
  assert.ok(Math.abs(mean[1] - 10) < 0.13 && Math.abs(mean[3]) < 0.13, `speed means ${mean[1]}, ${mean[3]}`);
  env.dispose();
});

test('determinism: the same seed gives the same observations, another seed does not', () => {
  const family = dm.taskFamily(ID);
  const tasks = family.sample(16, { seed: 2 });
  const run = (seed: number) => {
    const env = family.makeVecEnv({ numEnvs: 16, seed });
    env.setTasks(tasks);
    const trace: number[] = [...env.reset()];
    for (let t = 0; t < 150; t++) {
      const out = env.step(Int32Array.from({ length: 16 }, (_, i) => (t * 3 + i) % 5));
      trace.push(...out.obs, ...out.reward, ...out.terminated, ...out.truncated);
    }
    env.dispose();
    return trace;
  };
  const a = run(7);
  assert.deepEqual(run(7), a);
  assert.notDeepEqual(run(8), a);
});

test('bad inputs are rejected with a ConfigError naming the field, and nothing changes', () => {
  assert.throws(() => dm.taskFamily(ID, { aggressiveness: [0, 1.2] }),
    (e: unknown) => e instanceof dm.ConfigError && e.field === 'ranges.aggressiveness' && /\[0, 1\]/.test(e.message));
  assert.throws(() => dm.taskFamily(ID, { aggressiveness: -0.1 }),
    (e: unknown) => e instanceof dm.ConfigError && e.field === 'ranges.aggressiveness');
  assert.throws(() => dm.taskFamily(ID, { otherInitialSpeed: [8, 14] }),
    (e: unknown) => e instanceof dm.ConfigError && e.field === 'ranges.otherInitialSpeed');

  const env = envAt([[-30, 10, -35, 9], [-20, 5, -40, 11]], [0.2, 0.8]);
  const twin = envAt([[-30, 10, -35, 9], [-20, 5, -40, 11]], [0.2, 0.8]);
  const state = env.getState(), tasks = env.getTasks();
  for (const bad of [[0.2, 10, 1.5, 10], [-0.01, 10, 0.5, 10], [0.5, 10, NaN, 10]]) {
    const index = bad[0] < 0 ? 0 : 1;
    assert.throws(() => env.setTasks(bad),
      (e: unknown) => e instanceof dm.ConfigError && e.field === `tasks[${index}].aggressiveness`, `tasks ${bad}`);
  }
  assert.throws(() => env.setTasks([0.5, 10, 0.5, 1.5]),
    (e: unknown) => e instanceof dm.ConfigError && e.field === 'tasks[1].otherInitialSpeed');
  for (const bad of [[2, 5], [-1, 2], [2, 2.5], [NaN, 0]]) {
    const index = Number.isInteger(bad[0]) && bad[0] >= 0 && bad[0] <= 4 ? 1 : 0;
    assert.throws(() => env.step(bad),
      (e: unknown) => e instanceof dm.ConfigError && e.field === `actions[${index}]` && /\[0, 4\]/.test(e.message), `actions ${bad}`);
  }
  assert.deepEqual(env.getState(), state);
  assert.deepEqual(env.getTasks(), tasks);
  // After the rejected calls the env steps exactly like one that never saw them.
  for (let t = 0; t < 20; t++) {
    const a = env.step([t % 5, 4 - (t % 5)]), b = twin.step([t % 5, 4 - (t % 5)]);
    assert.deepEqual([...a.obs, ...a.reward], [...b.obs, ...b.reward]);
  }
  env.dispose();
  twin.dispose();
});
