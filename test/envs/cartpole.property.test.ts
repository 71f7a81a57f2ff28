// Property-based tests of the CartPole VecEnv (fast-check): over random tasks in broad valid
// ranges, random env counts (padding lanes included), seeds and action sequences, the invariants
// of Gymnasium's CartPole-v1 with next-step autoreset hold on every step.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const THETA_THRESHOLD = Math.fround((12 * 2 * Math.PI) / 360);
const X_THRESHOLD = Math.fround(2.4);

/** A task well inside the physical domain but far from Gymnasium's defaults. */
const taskArb = fc.tuple(
  fc.double({ min: 0.1, max: 50, noNaN: true }),   // gravity
  fc.double({ min: 0.05, max: 10, noNaN: true }),  // massCart
  fc.double({ min: 0.01, max: 5, noNaN: true }),   // massPole
  fc.double({ min: 0.05, max: 5, noNaN: true }),   // halfLength
  fc.double({ min: 0.1, max: 100, noNaN: true }),  // forceMag
);

const scenarioArb = (maxStepsArb: fc.Arbitrary<number>) => fc.record({
  numEnvs: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 0, max: 0xffffffff }),
  maxSteps: maxStepsArb,
  steps: fc.integer({ min: 1, max: 400 }),
}).chain((s) => fc.record({
  numEnvs: fc.constant(s.numEnvs),
  seed: fc.constant(s.seed),
  maxSteps: fc.constant(s.maxSteps),
  tasks: fc.array(taskArb, { minLength: s.numEnvs, maxLength: s.numEnvs }),
  actions: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: s.steps * s.numEnvs, maxLength: s.steps * s.numEnvs }),
}));

type Scenario = { numEnvs: number; seed: number; maxSteps: number; tasks: number[][]; actions: number[] };

/** Steps the scenario and checks every invariant on every step; returns how many episodes ended. */
function checkInvariants(s: Scenario): number {
  const family = dm.taskFamily('CartPole-v1');
  const { numEnvs, maxSteps } = s;
  const env = family.makeVecEnv({ numEnvs, seed: s.seed, maxSteps });
  env.setTasks(s.tasks.flat());
  const obs0 = env.reset();
  for (const v of obs0) assert.ok(Math.abs(v) <= Math.fround(0.05)); // float32 U(−0.05, 0.05)
  const ended = new Uint8Array(numEnvs);     // the previous step ended this lane
  const length = new Int32Array(numEnvs);    // steps in the lane's current episode
  let endings = 0;
  const steps = s.actions.length / numEnvs;
  for (let t = 0; t < steps; t++) {
    const { obs, reward, terminated, truncated } = env.step(s.actions.slice(t * numEnvs, (t + 1) * numEnvs));
    const state = env.getState();
    for (let i = 0; i < numEnvs; i++) {
      const row = obs.subarray(i * 4, i * 4 + 4);
      for (let k = 0; k < 4; k++) {
        assert.ok(Number.isFinite(row[k]), `env ${i} step ${t}: obs ${row}`);
        assert.equal(row[k], state[i * 4 + k], 'the observation is the state');
      }
      assert.ok(Number.isFinite(reward[i]));
      if (ended[i]) {
        // Next-step autoreset: a fresh state, reward 0, flags clear.
        // Reset states are U(−0.05, 0.05) in float32: the low end is fround(−0.05), a hair beyond 0.05.
        for (const v of row) assert.ok(Math.abs(v) <= Math.fround(0.05), `env ${i} step ${t}: reset state ${row}`);
        assert.equal(reward[i], 0);
        assert.equal(terminated[i], 0);
        assert.equal(truncated[i], 0);
        length[i] = 0;
        ended[i] = 0;
        continue;
      }
      length[i]++;
      assert.equal(reward[i], 1);
      assert.ok(length[i] <= maxSteps, `env ${i}: episode of ${length[i]} steps`);
      assert.equal(truncated[i], length[i] === maxSteps ? 1 : 0, `env ${i} step ${t}: truncation at ${maxSteps}`);
      const outside = Math.abs(row[0]) > X_THRESHOLD || Math.abs(row[2]) > THETA_THRESHOLD;
      assert.equal(terminated[i], outside ? 1 : 0, `env ${i} step ${t}: terminated iff outside the thresholds (${row})`);
      if (terminated[i] || truncated[i]) { ended[i] = 1; endings++; }
    }
  }
  env.dispose();
  return endings;
}

test('random tasks and actions, default limit of 500: finite obs and rewards, ended lanes reset, episodes ≤ 500 steps', () => {
  let endings = 0;
  fc.assert(fc.property(scenarioArb(fc.constant(500)), (s) => { endings += checkInvariants(s); }), { numRuns: 200 });
  assert.ok(endings > 100, `the scenarios ended ${endings} episodes`);
});

test('random tasks and actions with a short limit: truncation exactly at maxSteps, then autoreset', () => {
  let endings = 0;
  fc.assert(fc.property(scenarioArb(fc.integer({ min: 1, max: 12 })), (s) => { endings += checkInvariants(s); }), { numRuns: 200 });
  assert.ok(endings > 100, `the scenarios ended ${endings} episodes`);
});
