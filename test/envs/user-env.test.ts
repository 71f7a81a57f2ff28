// dm.defineEnv (src/envs/user-env.ts, src/rl/user-rollout.ts), against references written here:
// - CartPole-v1 re-defined in JS (float32 arithmetic, Math.sin/cos) gives the built-in's
//   trajectories within float32 tolerance under the same actions (a policy whose probabilities do
//   not depend on the observation, so both sample the same actions from the same streams);
// - every lane of a rollout equals a direct loop over its own instance: reset from draws 0.. of
//   stream (seed, RESET, task id, episode), then the recorded actions: observations and rewards bit
//   for bit, lengths and terminal flags, each action the inverse-CDF sample at draw t of stream
//   (seed, ACTION, task id, episode), logProbs from dm.wasmForward;
// - determinism: a task's episodes do not depend on the other tasks or episodes of the call;
// - bad definitions and bad steps are one ConfigError naming the env, the field and the lane;
// - WASM memory and tfjs tensors stay flat over many rollouts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

/** The README's example env (examples/hidden-goal.mjs). */
const HIDDEN_GOAL_URL = new URL('../../examples/hidden-goal.mjs', import.meta.url).href;
const hiddenGoal = (await import(HIDDEN_GOAL_URL)).default as dm.EnvDefinition;

before(async () => { await dm.init(); });

const f = Math.fround;
const TAU = f(0.02), X_LIMIT = f(2.4), THETA_LIMIT = f((12 * 2 * Math.PI) / 360), BOUND = f(0.05);

/** CartPole-v1 as a user definition, in float32 steps like assembly/envs/cartpole.ts. */
function cartPoleDefinition(id: string): dm.EnvDefinition {
  return {
    id, observationSize: 4, maxSteps: 500, action: { kind: 'discrete', n: 2 },
    params: { gravity: [9.8, 9.8], massCart: [1, 1], massPole: [0.1, 0.1], halfLength: [0.25, 0.75], forceMag: [10, 10] },
    create({ gravity, massCart, massPole, halfLength, forceMag }) {
      const s = new Float32Array(4);
      return {
        reset(rng) {
          for (let k = 0; k < 4; k++) s[k] = f(-BOUND + f(f(BOUND + BOUND) * rng()));
          return s.slice();
        },
        step(action) {
          const [x, xDot, theta, thetaDot] = s;
          const totalMass = f(massCart + massPole), pml = f(massPole * halfLength);
          const force = action === 1 ? forceMag : -forceMag;
          const sin = f(Math.sin(theta)), cos = f(Math.cos(theta));
          const temp = f(f(force + f(f(pml * f(thetaDot * thetaDot)) * sin)) / totalMass);
          const thetaAcc = f(f(f(gravity * sin) - f(cos * temp)) / f(halfLength * f(f(4 / 3) - f(f(massPole * f(cos * cos)) / totalMass))));
          const xAcc = f(temp - f(f(f(pml * thetaAcc) * cos) / totalMass));
          s[0] = f(x + f(TAU * xDot)); s[1] = f(xDot + f(TAU * xAcc));
          s[2] = f(theta + f(TAU * thetaDot)); s[3] = f(thetaDot + f(TAU * thetaAcc));
          return { obs: s.slice(), reward: 1, terminated: Math.abs(s[0]) > X_LIMIT || Math.abs(s[2]) > THETA_LIMIT };
        },
      };
    },
  };
}

/** A policy whose only non-zero weights are the output bias: π(·|s) = softmax(bias) for every s. */
function biasOnlyPolicy(obsDim: number, numActions: number, bias: number[]): dm.Policy {
  const policy = dm.createPolicy({ obsDim, numActions, hidden: [8], seed: 1 });
  const flat = new Float32Array(policy.numParams);
  flat.set(bias, flat.length - numActions);
  policy.setFlat(flat);
  return policy;
}

function episodeRows(traj: dm.Trajectories): [number, number][] {
  const rows: [number, number][] = [];
  let start = 0;
  for (const length of traj.episodeLengths) rows.push([start, (start += length)]);
  return rows;
}

test('CartPole-v1 defined in JS follows the built-in within float32 tolerance under the same actions', () => {
  const js = dm.taskFamily(dm.defineEnv(cartPoleDefinition('JsCartPole-v1')), { halfLength: [0.25, 0.75] });
  const builtIn = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75] });
  assert.deepEqual(js.paramNames, builtIn.paramNames);
  const tasks = builtIn.sample(3, { seed: 5 });
  const policy = biasOnlyPolicy(4, 2, [0.3, -0.2]);
  const a = dm.rollout(js, policy, tasks, { episodes: 4, seed: 9, maxSteps: 200 });
  const b = dm.rollout(builtIn, policy, tasks, { episodes: 4, seed: 9, maxSteps: 200 });
  assert.deepEqual(a.episodeLengths, b.episodeLengths);
  assert.deepEqual(a.episodeTerminal, b.episodeTerminal);
  assert.ok(a.episodeTerminal.some((t) => t === 1), 'some episodes terminate');
  assert.deepEqual(a.actions, b.actions);
  assert.deepEqual(a.rewards, b.rewards);
  assert.deepEqual(a.logProbs, b.logProbs);
  assert.equal(a.obs.length, b.obs.length);
  for (let r = 0; r < a.numEpisodes; r++) {
    const [start] = episodeRows(a)[r];
    for (let k = 0; k < 4; k++) assert.equal(a.obs[start * 4 + k], b.obs[start * 4 + k], 'the reset draws are the same bits');
  }
  let worst = 0;
  for (let j = 0; j < a.obs.length; j++) worst = Math.max(worst, Math.abs(a.obs[j] - b.obs[j]) / (1e-3 + Math.abs(b.obs[j])));
  assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
});

/** The lane's episode by hand: its own instance, reset from stream (seed, RESET, taskId, e), the recorded actions. */
function directEpisode(def: dm.EnvDefinition, family: dm.TaskFamily, task: Float32Array, seed: number, taskId: number, episode: number, actions: Int32Array, maxSteps: number) {
  const values = Object.fromEntries(family.paramNames.map((n, k) => [n, task[k]]));
  const inst = def.create(values);
  let counter = 0;
  const rng = () => dm.uniforms(seed, dm.Purpose.RESET, taskId, episode, 1, counter++)[0];
  const obs: number[] = Array.from(inst.reset(rng));
  const rewards: number[] = [];
  let terminal = 0;
  for (let t = 0; t < actions.length && t < maxSteps; t++) {
    const r = inst.step(actions[t]);
    rewards.push(r.reward);
    if (r.terminated) { terminal = 1; break; }
    if (t + 1 < actions.length) obs.push(...Array.from(r.obs));
  }
  return { obs: Float32Array.from(obs), rewards: Float32Array.from(rewards), terminal };
}

test('every lane equals a direct loop over its own instance: observations, rewards, ends, action draws and log-probs', () => {
  const env = dm.defineEnv(hiddenGoal);
  const family = dm.taskFamily(env);
  const tasks = family.sample(3, { seed: 2 });
  const taskIds = [7, 0, 12];
  const policy = dm.createPolicy({ obsDim: 2, numActions: 4, hidden: [16, 16], seed: 4 });
  const seed = 31, episodes = 5;
  const traj = dm.rollout(family, policy, tasks, { episodes, seed, taskIds });
  assert.ok(traj.episodeTerminal.some((t) => t === 1) && traj.episodeTerminal.some((t) => t === 0), 'both ends occur');
  const rows = episodeRows(traj);
  const fwd = dm.wasmForward(policy, traj.obs);
  for (let i = 0; i < traj.numEpisodes; i++) {
    const task = Math.floor(i / episodes), e = i % episodes;
    const [start, end] = rows[i];
    const actions = (traj.actions as Int32Array).subarray(start, end);
    const direct = directEpisode(hiddenGoal, family, tasks.subarray(task * 2, task * 2 + 2), seed, taskIds[task], e, actions, hiddenGoal.maxSteps);
    assert.deepEqual(traj.obs.subarray(start * 2, end * 2), direct.obs, `episode ${i}: observations`);
    assert.deepEqual(traj.rewards.subarray(start, end), direct.rewards, `episode ${i}: rewards`);
    assert.equal(traj.episodeTerminal[i], direct.terminal, `episode ${i}: terminal`);
    assert.equal(end - start, direct.terminal ? direct.rewards.length : hiddenGoal.maxSteps, `episode ${i}: length`);
    let ret = 0;
    for (const r of direct.rewards) ret = Math.fround(ret + r);
    assert.equal(traj.episodeReturns[i], ret, `episode ${i}: return`);
    const u = dm.uniforms(seed, dm.Purpose.ACTION, taskIds[task], e, end - start);
    for (let t = 0; t < end - start; t++) {
      const row = start + t;
      const logp = Array.from(fwd.logProbs.subarray(row * 4, row * 4 + 4));
      let a = 0, cum = 0;
      for (; a < 3; a++) { cum = Math.fround(cum + Math.fround(Math.exp(logp[a]))); if (u[t] < cum) break; }
      assert.equal(traj.actions[row], a, `episode ${i} step ${t}: the inverse-CDF action`);
      assert.ok(Math.abs(traj.logProbs[row] - logp[traj.actions[row]]) < 1e-6, `episode ${i} step ${t}: log-prob`);
    }
  }
});

test("a task's episodes do not depend on the other tasks and episodes of the call", () => {
  const family = dm.taskFamily(dm.defineEnv(hiddenGoal));
  const policy = dm.createPolicy({ obsDim: 2, numActions: 4, hidden: [16], seed: 8 });
  const tasks = family.sample(4, { seed: 3 });
  const all = dm.rollout(family, policy, tasks, { episodes: 6, seed: 4 });
  const one = dm.rollout(family, policy, tasks.slice(4, 6), { episodes: 2, seed: 4, taskIds: [2] });
  const part = all.task(2);
  const rows = episodeRows(part);
  const n = rows[1][1];
  assert.deepEqual(one.obs, part.obs.slice(0, n * 2));
  assert.deepEqual(one.actions, part.actions.slice(0, n));
  assert.deepEqual(one.rewards, part.rewards.slice(0, n));
  assert.deepEqual(one.episodeReturns, part.episodeReturns.slice(0, 2));
  const other = dm.rollout(family, policy, tasks, { episodes: 6, seed: 5 });
  assert.notDeepEqual(other.actions, all.actions, 'another seed, other trajectories');
});

/** A definition whose step misbehaves on lane `badLane` at step `badStep` in the given way. */
function faulty(id: string, fault: (t: number) => Partial<dm.EnvStep> | unknown, badLane = 3, badStep = 2): dm.EnvDefinition {
  return {
    id, observationSize: 3, maxSteps: 10, action: { kind: 'discrete', n: 2 }, params: { lane: [0, 100] },
    create({ lane }) {
      let t = 0;
      return {
        reset: () => [0, 0, 0],
        step: () => {
          t++;
          if (Math.round(lane) === badLane && t === badStep) return fault(t) as dm.EnvStep;
          return { obs: [1, 2, 3], reward: 1, terminated: false };
        },
      };
    },
  };
}

test('a step that returns a wrong size, a non-finite number or no boolean is one ConfigError naming the env, the field and the lane', () => {
  const cases: [string, (t: number) => unknown, RegExp][] = [
    ['BadSize-v0', () => ({ obs: [1, 2], reward: 0, terminated: false }), /^BadSize-v0\.step\(action\)\.obs \(lane 3\): got "length 2"; allowed: an array-like of 3 finite numbers/],
    ['BadObs-v0', () => ({ obs: [1, NaN, 3], reward: 0, terminated: false }), /^BadObs-v0\.step\(action\)\.obs\[1\] \(lane 3\): got NaN; allowed: a finite number/],
    ['HugeObs-v0', () => ({ obs: [1, 2, 1e39], reward: 0, terminated: false }), /^HugeObs-v0\.step\(action\)\.obs\[2\] \(lane 3\): got 1e\+39/],
    ['BadReward-v0', () => ({ obs: [1, 2, 3], reward: Infinity, terminated: false }), /^BadReward-v0\.step\(action\)\.reward \(lane 3\): got Infinity/],
    ['StrReward-v0', () => ({ obs: [1, 2, 3], reward: '1', terminated: false }), /^StrReward-v0\.step\(action\)\.reward \(lane 3\): got "1"/],
    ['BadDone-v0', () => ({ obs: [1, 2, 3], reward: 0, done: true }), /^BadDone-v0\.step\(action\)\.terminated \(lane 3\): got undefined; allowed: true or false/],
    ['NoResult-v0', () => undefined, /^NoResult-v0\.step\(action\) \(lane 3\): got undefined; allowed: an object \{ obs, reward, terminated \}/],
  ];
  const policy = dm.createPolicy({ obsDim: 3, numActions: 2, hidden: [4], seed: 1 });
  for (const [id, fault, message] of cases) {
    const family = dm.taskFamily(dm.defineEnv(faulty(id, fault)));
    // One episode per task: lane i runs task i, whose parameter `lane` is i.
    assert.throws(() => dm.rollout(family, policy, Float32Array.from([0, 1, 2, 3, 4]), { episodes: 1 }),
      (err: Error) => err instanceof dm.ConfigError && message.test(err.message), id);
  }
  // reset and create are checked too; a throw names the env, the call and the lane.
  const resetBad = dm.defineEnv({ ...faulty('ResetBad-v0', () => null), create: () => ({ reset: () => [0, 0], step: () => ({ obs: [0, 0, 0], reward: 0, terminated: true }) }) });
  assert.throws(() => dm.rollout(dm.taskFamily(resetBad), policy, Float32Array.from([1]), { episodes: 2 }),
    /^ConfigError: ResetBad-v0\.reset\(rng\) \(lane 0\): got "length 2"/);
  const createBad = dm.defineEnv({ ...faulty('CreateBad-v0', () => null), create: () => 42 as unknown as dm.EnvInstance });
  assert.throws(() => dm.rollout(dm.taskFamily(createBad), policy, Float32Array.from([1]), { episodes: 2 }),
    /^ConfigError: CreateBad-v0\.create\(task\) \(lane 0\): got 42; allowed: an object with reset\(rng\) and step\(action\)/);
  const throws = dm.defineEnv(faulty('Throws-v0', () => { throw new Error('boom'); }));
  assert.throws(() => dm.rollout(dm.taskFamily(throws), policy, Float32Array.from([0, 1, 2, 3]), { episodes: 1 }),
    /^Error: Throws-v0: step\(action\) threw on lane 3: boom/);
});

test('a bad definition is one ConfigError naming the env and the field', () => {
  const good = cartPoleDefinition('Good-v0');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ id: '' }, /^defineEnv\(definition\)\.id: got ""/],
    [{ observationSize: 0 }, /^Good-v0\.observationSize: got 0; allowed: an integer in \[1, 4096\]/],
    [{ observationSize: 2.5 }, /^Good-v0\.observationSize: got 2\.5/],
    [{ maxSteps: -1 }, /^Good-v0\.maxSteps: got -1/],
    [{ action: { kind: 'discrete', n: 1 } }, /^Good-v0\.action\.n: got 1; allowed: an integer in \[2, 4096\]/],
    [{ action: { kind: 'multi', n: 2 } }, /^Good-v0\.action\.kind: got "multi"; allowed: 'discrete' or 'box'/],
    [{ action: { kind: 'discrete', n: 2, size: 3 } }, /^Good-v0\.action\.size: got 3; allowed: nothing/],
    [{ params: { g: [1] } }, /^Good-v0\.params\.g: got \[1\]; allowed: \[low, high\]/],
    [{ params: { g: [2, 1] } }, /^Good-v0\.params\.g: got \[2, 1\]/],
    [{ params: { 'a=b': [0, 1] } }, /^Good-v0\.params\.a=b: got "a=b"/],
    [{ params: {} }, /^Good-v0\.params: got \{\}; allowed: at least one task parameter/],
    [{ create: 3 }, /^Good-v0\.create: got 3; allowed: a function/],
    [{ observation_size: 3 }, /^Good-v0\.observation_size: got 3; allowed: nothing: a definition has exactly id, observationSize, maxSteps, action, params, create/],
  ];
  for (const [patch, message] of bad) {
    assert.throws(() => dm.defineEnv({ ...good, ...patch } as dm.EnvDefinition), (err: Error) => err instanceof dm.ConfigError && message.test(err.message), JSON.stringify(patch));
  }
  assert.throws(() => dm.defineEnv({ ...good, id: 'CartPole-v1' }), /^ConfigError: defineEnv\(definition\)\.id: got "CartPole-v1"; allowed: an id that no built-in env has/);
  dm.defineEnv(good);
  assert.throws(() => dm.defineEnv({ ...good }), /Good-v0 is another definition's/);
  assert.equal(dm.defineEnv(good).id, 'Good-v0', 'the same definition again is fine');
  assert.throws(() => dm.defineEnv(good, { module: './relative.mjs' }), /^ConfigError: Good-v0: options\.module: got "\.\/relative\.mjs"; allowed: an absolute URL/);
  assert.throws(() => dm.taskFamily('Good-v0').makeVecEnv({ numEnvs: 2 }), /^ConfigError: env: got "Good-v0"; allowed: a built-in env for a VecEnv/);
  // A task family of a defined env: its ranges are the definition's, any finite value is a task.
  const family = dm.taskFamily('Good-v0', { halfLength: [0.3, 0.4], gravity: 5 });
  assert.deepEqual(family.ranges.gravity, [5, 5]);
  assert.throws(() => dm.taskFamily('Good-v0', { mass: 1 }), /ranges\.mass: got "mass"; allowed: a parameter of Good-v0/);
  assert.throws(() => family.task({ gravity: NaN }), /task\.gravity: got NaN; allowed: a finite number/);
});

test('no WASM memory growth and no tensor leak over many rollouts of a defined env', () => {
  const family = dm.taskFamily(dm.defineEnv(hiddenGoal));
  const policy = dm.createPolicy({ obsDim: 2, numActions: 4, hidden: [16], seed: 3 });
  const tasks = family.sample(4, { seed: 1 });
  for (let i = 0; i < 20; i++) dm.rollout(family, policy, tasks, { episodes: 8, seed: i });
  const bytes = dm.wasmExports().memory.buffer.byteLength, tensors = dm.tf.memory().numTensors;
  for (let i = 0; i < 300; i++) dm.rollout(family, policy, tasks, { episodes: 8, seed: 100 + i });
  assert.equal(dm.wasmExports().memory.buffer.byteLength, bytes);
  assert.equal(dm.tf.memory().numTensors, tensors);
});

// ---- Training: the Trainer, the worker pool (workers import the env's module), configs.
const small = { metaBatch: 4, episodes: 4, maxSteps: 20, hidden: [16], seed: 7, algo: 'directed-maml' as const };
const withoutTiming = (m: dm.IterationMetrics): Record<string, number> => {
  const out: Record<string, number> = { ...m };
  for (const key of dm.TIMING_FIELDS) delete out[key];
  return out;
};
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

async function trainBits(options: dm.TrainerOptions, iterations: number) {
  const trainer = new dm.Trainer(options);
  const metrics: Record<string, number>[] = [];
  try {
    for await (const m of trainer.run(iterations)) metrics.push(withoutTiming(m));
    return { metrics, theta: bits(trainer.policy.getFlat()), workers: trainer.workers, env: trainer.config.env };
  } finally {
    trainer.dispose();
  }
}

test('training on a defined env: bit-identical with 1 and 2 workers (the workers import its module)', async () => {
  const { nodeWorkerFactory } = await import('directed-maml/node');
  const env = dm.defineEnv(hiddenGoal, { module: HIDDEN_GOAL_URL });
  assert.equal(env.module, HIDDEN_GOAL_URL);
  const one = await trainBits({ ...small, env, workers: 1, workerFactory: nodeWorkerFactory() }, 3);
  const two = await trainBits({ ...small, env: 'HiddenGoal-v0', workers: 2, workerFactory: nodeWorkerFactory() }, 3);
  assert.equal(one.env, 'HiddenGoal-v0', 'the config names the env by its id');
  assert.equal(two.workers, 2);
  assert.ok(one.metrics.every((m) => m.envSteps > 0));
  assert.deepEqual(two, { ...one, workers: 2 });
});

test('a defined env without a module trains in this thread; asking for workers is a ConfigError', async () => {
  const def = { ...hiddenGoal, id: 'NoModule-v0' };
  const env = dm.defineEnv(def);
  const { nodeWorkerFactory } = await import('directed-maml/node');
  const auto = new dm.Trainer({ ...small, env, workers: 0, workerFactory: nodeWorkerFactory() });
  assert.equal(auto.workers, 1);
  auto.dispose();
  assert.throws(() => new dm.Trainer({ ...small, env, workers: 2, workerFactory: nodeWorkerFactory() }),
    /^ConfigError: workers: got 2; allowed: 1 for NoModule-v0: it was defined without a module workers can import/);
  assert.throws(() => new dm.Trainer({ ...small, env: { id: 'HiddenGoal-v0' } as unknown as dm.DefinedEnv }), /^ConfigError: env: got \{"id":"HiddenGoal-v0"\}; allowed: an env id or an env made by dm.defineEnv/);
  // The config resolves with the id, and its default ranges are the definition's params.
  const c = dm.resolveConfig({ env: 'NoModule-v0' });
  assert.deepEqual(c.ranges, { goalX: [0, 4], goalY: [0, 4] });
});

test('a module that exports dm.defineEnv(…, { module: import.meta.url }) itself: workers define it from there, 1 vs 2 bit-identical', async () => {
  const { nodeWorkerFactory } = await import('directed-maml/node');
  const fixture = new URL('./fixtures/self-defined-env.mjs', import.meta.url).href;
  const env = (await import(fixture)).default as dm.DefinedEnv;
  assert.equal(env.id, 'SelfDefined-v0');
  assert.equal(dm.definedEnv('SelfDefined-v0')?.module, fixture);
  const one = await trainBits({ ...small, env, workers: 1, workerFactory: nodeWorkerFactory() }, 2);
  const two = await trainBits({ ...small, env: 'SelfDefined-v0', workers: 2, workerFactory: nodeWorkerFactory() }, 2);
  assert.equal(two.workers, 2);
  assert.deepEqual(two, { ...one, workers: 2 });
});
