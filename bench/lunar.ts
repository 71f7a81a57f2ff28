// LunarLander-v2 env-steps per second: the public `env.step` of 1024 WASM lanes (Box2D 2.3 subset,
// f32x4 across worlds, next-step autoreset) driven by Gymnasium's heuristic controller (computed
// in TypeScript on the observations every step, inside the timed loop), against the planck.js
// float64 reference stepping the same kind of world one at a time (bench/lunar-planck.ts, the
// heuristic on each world, autoreset), in the same process, runs interleaved. Both reach a steady
// mix of flight, touchdowns and resting landers before the clock starts (the WASM lanes start
// together, so they first run 400 untimed steps). Also under uniform random actions, and the fused
// sampler `dm.rollout` with a [64, 64] tanh policy (policy-steps/s: forward pass, sampling, physics).
//
// Run: npm run build && node --import tsx bench/lunar.ts
import * as dm from 'directed-maml';
import { heuristic } from '../test/envs/lunar/planck-lander';
import { planckLanderStepsPerSecond, type LanderPolicy } from './lunar-planck';
import { stats, mulberry32, type Stats } from './common';

const LANES = 1024;
const WASM_STEPS = 150; // per timed run: 153 600 env-steps
const PLANCK_WORLDS = 16;
const PLANCK_STEPS = 300; // per timed run: 4 800 env-steps
const RUNS = 5;

const thousands = (s: Stats) => `min ${(s.min / 1e3).toFixed(1).padStart(7)} k  median ${(s.median / 1e3).toFixed(1).padStart(7)} k  max ${(s.max / 1e3).toFixed(1).padStart(7)} k`;

/** A VecEnv of LANES lanes at gravity −10 under `policy`, warmed up; step(n) returns env-steps/s. */
function wasmLander(policy: LanderPolicy, seed: number) {
  const family = dm.taskFamily('LunarLander-v2');
  const env = family.makeVecEnv({ numEnvs: LANES, seed });
  env.setTasks(family.task({ gravity: -10 }));
  let obs: Float32Array = env.reset().slice();
  const actions = new Int32Array(LANES);
  const random = mulberry32(seed);
  let episodes = 0, returns = 0;
  const episodeReturn = new Float64Array(LANES);
  const step = () => {
    if (policy === 'heuristic') for (let i = 0; i < LANES; i++) actions[i] = heuristic(obs.subarray(i * 8, i * 8 + 8));
    else for (let i = 0; i < LANES; i++) actions[i] = Math.floor(random() * 4);
    const out = env.step(actions);
    obs = out.obs;
    for (let i = 0; i < LANES; i++) {
      episodeReturn[i] += out.reward[i];
      if (out.terminated[i] || out.truncated[i]) { episodes++; returns += episodeReturn[i]; episodeReturn[i] = 0; }
    }
  };
  for (let t = 0; t < 400; t++) step();
  episodes = 0; returns = 0;
  return {
    rate(steps: number): number {
      const t0 = performance.now();
      for (let t = 0; t < steps; t++) step();
      return (LANES * steps) / ((performance.now() - t0) / 1000);
    },
    summary: () => `${episodes} episodes ended in the timed steps, mean return ${(returns / Math.max(1, episodes)).toFixed(1)}`,
    dispose: () => env.dispose(),
  };
}

function compare(policy: LanderPolicy): void {
  const wasm = wasmLander(policy, 1);
  planckLanderStepsPerSecond(PLANCK_WORLDS, 100, policy, 99); // JIT warm-up
  const wasmRates: number[] = [], planckRates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    planckRates.push(planckLanderStepsPerSecond(PLANCK_WORLDS, PLANCK_STEPS, policy, r + 1));
    wasmRates.push(wasm.rate(WASM_STEPS));
  }
  const w = stats(wasmRates), p = stats(planckRates);
  console.log(`${policy}:`);
  console.log(`  dm VecEnv.step, ${LANES} lanes (WASM f32x4)          ${thousands(w)} env-steps/s   (${wasm.summary()})`);
  console.log(`  baseline: planck.js, ${PLANCK_WORLDS} worlds one at a time   ${thousands(p)} env-steps/s`);
  console.log(`  ratio (medians): ${(w.median / p.median).toFixed(1)}x${policy === 'heuristic' ? '  (target >= 20x)' : ''}`);
  wasm.dispose();
}

function rolloutRate(): void {
  const family = dm.taskFamily('LunarLander-v2');
  const policy = dm.createPolicy({ obsDim: 8, numActions: 4, hidden: [64, 64], activation: 'tanh', seed: 1 });
  const tasks = family.sample(20, { seed: 2 });
  const options = { episodes: 20, maxSteps: 1000 };
  dm.rollout(family, policy, tasks, { ...options, seed: 0 }); // warm-up (allocates the workspace)
  const rates: number[] = [];
  let steps = 0;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const traj = dm.rollout(family, policy, tasks, { ...options, seed: r + 1 });
    rates.push(traj.numSteps / ((performance.now() - t0) / 1000));
    steps = traj.numSteps;
  }
  console.log(`dm.rollout, [64, 64] tanh policy (untrained), 20 tasks x 20 episodes, ${steps} policy-steps per call: ${thousands(stats(rates))} policy-steps/s`);
  policy.dispose();
}

async function main(): Promise<void> {
  await dm.init();
  console.log(`LunarLander-v2, ${RUNS} runs after warm-ups, medians (${process.version})`);
  compare('heuristic');
  compare('random');
  rolloutRate();
}

await main();
