// Runs the same small workload in whichever runtime executes it (Node, Bun, Deno) and prints one
// JSON line: env observations, a rollout, a WASM policy gradient and two Directed-MAML iterations (tfjs second order).
// test/runtimes/runtimes.test.ts compares the lines of the three runtimes. Where there are Web
// Workers (Bun, Deno) the iterations run on a pool of 2 of them (src/train/pool.ts); Node's plain
// entry has none, so there they run in process: the same numbers either way.
import * as dm from '../../dist/index.js';

await dm.init({ backend: 'wasm' });
const family = dm.taskFamily('CartPole-v1');
const env = family.makeVecEnv({ numEnvs: 5, seed: 7 });
env.setTasks(family.sample(5, { seed: 3 }));
env.reset();
const obs = [];
for (let t = 0; t < 40; t++) {
  const out = env.step(Int32Array.from({ length: 5 }, (_, i) => (t + i) % 2));
  obs.push(...out.obs);
}
// LunarLander-v2: physics through landings (a fixed engine pattern over varied tasks with wind) and a rollout.
const lunar = dm.taskFamily('LunarLander-v2', { gravity: [-11.5, -4.5], windPower: [0, 20], turbulencePower: [0, 2] });
const lunarEnv = lunar.makeVecEnv({ numEnvs: 6, seed: 8 });
lunarEnv.setTasks(lunar.sample(6, { seed: 9 }));
lunarEnv.reset();
const lunarObs = [];
for (let t = 0; t < 150; t++) {
  const out = lunarEnv.step(Int32Array.from({ length: 6 }, (_, i) => ((t >> 3) + i) % 4));
  lunarObs.push(...out.obs, ...out.reward);
}
const lunarPolicy = dm.createPolicy({ obsDim: 8, numActions: 4, hidden: [16, 16], seed: 3 });
const lunarTraj = dm.rollout(lunar, lunarPolicy, lunar.sample(2, { seed: 10 }), { episodes: 3, maxSteps: 300, seed: 11 });
const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: [16, 16], seed: 2 });
const traj = dm.rollout(family, policy, family.sample(3, { seed: 4 }), { episodes: 4, seed: 5 });
const grad = dm.policyGradient(policy, traj);
const workers = typeof globalThis.Worker === 'function' ? 2 : 1;
const trainer = new dm.Trainer({ algo: 'directed-maml', metaBatch: 3, episodes: 4, maxSteps: 100, hidden: [16], seed: 6, workers });
const metrics = [];
for await (const m of trainer.run(2)) metrics.push([m.preReturn, m.postReturn, m.envSteps]);
// A user's env (dm.defineEnv, examples/hidden-goal.mjs): a rollout, and two iterations whose pool
// workers (Bun, Deno) import the env's module.
const goalUrl = new URL('../../examples/hidden-goal.mjs', import.meta.url).href;
const goal = dm.defineEnv((await import(goalUrl)).default, { module: goalUrl });
const goalFamily = dm.taskFamily(goal);
const goalPolicy = dm.createPolicy({ obsDim: 2, numActions: 4, hidden: [16], seed: 5 });
const goalTraj = dm.rollout(goalFamily, goalPolicy, goalFamily.sample(3, { seed: 6 }), { episodes: 4, seed: 7 });
const goalTrainer = new dm.Trainer({ env: goal, algo: 'directed-fomaml', metaBatch: 4, episodes: 4, maxSteps: 20, hidden: [16], seed: 8, workers });
const goalMetrics = [];
for await (const m of goalTrainer.run(2)) goalMetrics.push([m.preReturn, m.postReturn, m.envSteps]);
const hex = (a) => Array.from(new Uint8Array(Float32Array.from(a).buffer), (b) => b.toString(16).padStart(2, '0')).join('');
console.log(JSON.stringify({
  backend: dm.tf.getBackend(),
  obs: hex(obs),
  lunarObs: hex(lunarObs),
  lunarState: hex(lunarEnv.getState()),
  lunarReturns: hex(lunarTraj.episodeReturns),
  returns: hex(traj.episodeReturns),
  grad: hex(grad),
  theta: hex(trainer.policy.getFlat()),
  metrics,
  goalObs: hex(goalTraj.obs),
  goalReturns: hex(goalTraj.episodeReturns),
  goalTheta: hex(goalTrainer.policy.getFlat()),
  goalMetrics,
  workers: trainer.workers,
  goalWorkers: goalTrainer.workers,
}));
trainer.dispose(); // Deno's Web Workers would keep the process alive
goalTrainer.dispose();
