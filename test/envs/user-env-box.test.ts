// dm.defineEnv with box actions (the Gaussian head, h/gauss's sampler in WASM):
// - Navigation2D-v0 re-defined in JS (bench/navigation2d-env.mjs, float32 steps, no clip of its
//   own) gives the built-in Navigation2D-v0's trajectories bit for bit under a Gaussian policy: the
//   same unclipped actions and log-probs from the same streams, the action clipped to the declared
//   bounds before the env sees it, the same observations, rewards, ends and returns;
// - training on it: 1 and 2 workers bit-identical;
// - bad box definitions and a box step with a wrong-size observation are one ConfigError.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const NAV_URL = new URL('../../bench/navigation2d-env.mjs', import.meta.url).href;
const navDefinition = (await import(NAV_URL)).default as dm.EnvDefinition;

test('Navigation2D defined in JS equals the built-in Navigation2D-v0 bit for bit under a Gaussian policy', () => {
  const js = dm.taskFamily(dm.defineEnv(navDefinition, { module: NAV_URL }));
  const builtIn = dm.taskFamily('Navigation2D-v0');
  assert.deepEqual(js.actionSpace, builtIn.actionSpace);
  // The last task's goal is one step of (0.05, 0.05) away.
  const tasks = Float32Array.from([...builtIn.sample(4, { seed: 3 }), 0.05, 0.05]);
  for (const seed of [1, 2]) {
    const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [16, 16], seed });
    const flat = policy.getFlat();
    if (seed === 1) {
      flat.fill(0.5, flat.length - 2); // big steps (log-std 0.5): clipping matters
    } else {
      flat.fill(0); // mean (0.05, 0.05) everywhere, log-std −6: the last task's episodes end at their first step
      flat.set([0.05, 0.05, -6, -6], flat.length - 4);
    }
    policy.setFlat(flat);
    const a = dm.rollout(js, policy, tasks, { episodes: 6, seed: 9 });
    const b = dm.rollout(builtIn, policy, tasks, { episodes: 6, seed: 9 });
    for (const key of ['episodeLengths', 'episodeTerminal', 'episodeReturns', 'obs', 'actions', 'rewards', 'logProbs'] as const) {
      assert.deepEqual(a[key], b[key], `seed ${seed}: ${key}`);
    }
    if (seed === 1) assert.ok(a.actions instanceof Float32Array && a.actions.some((v) => Math.abs(v) > 0.1), 'unclipped actions are recorded');
    if (seed === 2) assert.ok(a.episodeTerminal.some((t) => t === 1), 'some episodes reach the goal');
  }
});

test('training on a box env defined in JS: bit-identical with 1 and 2 workers', async () => {
  const { nodeWorkerFactory } = await import('directed-maml/node');
  const env = dm.defineEnv(navDefinition, { module: NAV_URL });
  const run = async (workers: number) => {
    const trainer = new dm.Trainer({ env, algo: 'maml', metaBatch: 4, episodes: 4, maxSteps: 30, hidden: [16], seed: 3, workers, workerFactory: nodeWorkerFactory() });
    const out: number[][] = [];
    for await (const m of trainer.run(2)) out.push([m.preReturn, m.postReturn, m.envSteps]);
    const theta = Array.from(new Uint32Array(trainer.policy.getFlat().buffer));
    const used = trainer.workers;
    trainer.dispose();
    return { out, theta, used };
  };
  const one = await run(1), two = await run(2);
  assert.equal(two.used, 2);
  assert.deepEqual(two.out, one.out);
  assert.deepEqual(two.theta, one.theta);
});

test('bad box definitions and box steps are one ConfigError naming env, field and lane', () => {
  const base = { ...navDefinition, id: 'BoxBad-v0' };
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ kind: 'box', size: 0, low: -1, high: 1 }, /^BoxBad-v0\.action\.size: got 0; allowed: an integer in \[1, 4096\]/],
    [{ kind: 'box', size: 2, low: [-1], high: 1 }, /^BoxBad-v0\.action\.low: got \[-1\]; allowed: a number or an array of 2 numbers/],
    [{ kind: 'box', size: 2, low: -1, high: [1, NaN] }, /^BoxBad-v0\.action\.high\[1\]: got NaN/],
    [{ kind: 'box', size: 2, low: [-1, 2], high: 1 }, /^BoxBad-v0\.action\.low\[1\]: got 2; allowed: less than high\[1\] = 1/],
    [{ kind: 'box', size: 2, low: -1, high: 1, n: 3 }, /^BoxBad-v0\.action\.n: got 3; allowed: nothing: a box action has exactly kind, size, low and high/],
  ];
  for (const [action, message] of bad) {
    assert.throws(() => dm.defineEnv({ ...base, action } as dm.EnvDefinition), (err: Error) => err instanceof dm.ConfigError && message.test(err.message), JSON.stringify(action));
  }
  // Box bounds may be per component and infinite (no clip).
  const wide = dm.defineEnv({ ...base, id: 'BoxWide-v0', action: { kind: 'box', size: 2, low: [-Infinity, -1], high: [Infinity, 1] } });
  assert.deepEqual(wide.action, { kind: 'box', size: 2, low: [-Infinity, -1], high: [Infinity, 1] });
  const short = dm.defineEnv({
    ...base, id: 'BoxShort-v0',
    create: () => ({ reset: () => [0, 0], step: (a: number | Float32Array) => ({ obs: [(a as Float32Array)[0]], reward: 0, terminated: false }) }),
  });
  const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: [4], seed: 1 });
  assert.throws(() => dm.rollout(dm.taskFamily(short), policy, Float32Array.from([0, 0]), { episodes: 3 }),
    /^ConfigError: BoxShort-v0\.step\(action\)\.obs \(lane 0\): got "length 1"; allowed: an array-like of 2 finite numbers/);
  // A categorical policy on a box env is refused before anything runs.
  const categorical = dm.createPolicy({ obsDim: 2, numActions: 2, hidden: [4], seed: 1 });
  assert.throws(() => dm.rollout(dm.taskFamily(short), categorical, Float32Array.from([0, 0])), /^ConfigError: policy:/);
});
