// LunarLander env-steps per second of the planck.js reference (test/envs/lunar/planck-lander.ts):
// N worlds, one planck World each, stepped one at a time in JavaScript, float64, with Gymnasium's
// settings (180 velocity and 60 position iterations, sleeping, TOI). This is the same-process
// baseline of bench/lunar.ts (the batched WASM lander); run alone it prints steps/s for two
// policies:
//   heuristic — Gymnasium's heuristic controller: long episodes that land, so most steps are on the
//               ground with leg contacts (the expensive case);
//   random    — uniform random actions: short episodes (~90 steps), mostly airborne, ending in crashes.
// Finished episodes are reset in place (autoreset; resets are counted in the time, not as steps), and
// episodes are cut at 1000 steps like Gymnasium's TimeLimit. Median of RUNS timed runs after a warm-up.
//
// Run: node --import tsx bench/lunar-planck.ts   (no build needed)
import { pathToFileURL } from 'node:url';
import { MAX_EPISODE_STEPS, PlanckLander, heuristic } from '../test/envs/lunar/planck-lander';
import { mulberry32, stats, type Stats } from './common';

export type LanderPolicy = 'heuristic' | 'random';

/**
 * Steps `numWorlds` planck landers round-robin for `steps` steps each under `policy` and returns
 * env-steps per second (numWorlds · steps / seconds). Worlds are built and reset before the clock starts.
 */
export function planckLanderStepsPerSecond(numWorlds: number, steps: number, policy: LanderPolicy = 'heuristic', seed = 1): number {
  const actionRandom = mulberry32(seed ^ 0x5bd1e995);
  const envs = Array.from({ length: numWorlds }, (_, i) => new PlanckLander({}, mulberry32(seed + 7919 * (i + 1))));
  const obs = envs.map((env) => env.reset().obs);
  const episodeSteps = new Int32Array(numWorlds);
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < numWorlds; i++) {
      const action = policy === 'heuristic' ? heuristic(obs[i]) : Math.floor(actionRandom() * 4);
      const r = envs[i].step(action);
      obs[i] = r.obs;
      if (r.terminated || ++episodeSteps[i] >= MAX_EPISODE_STEPS) {
        obs[i] = envs[i].reset().obs;
        episodeSteps[i] = 0;
      }
    }
  }
  return (numWorlds * steps) / ((performance.now() - t0) / 1000);
}

function main(): void {
  const numWorlds = Number(process.env.BENCH_WORLDS ?? 16);
  const steps = Number(process.env.BENCH_STEPS ?? 1000);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const fmt = (s: Stats) => `min ${(s.min / 1e3).toFixed(1)} k  median ${(s.median / 1e3).toFixed(1)} k  max ${(s.max / 1e3).toFixed(1)} k  env-steps/s`;
  console.log(`planck.js LunarLander reference, ${numWorlds} worlds x ${steps} steps, one world at a time, ${runs} runs`);
  for (const policy of ['heuristic', 'random'] as const) {
    planckLanderStepsPerSecond(numWorlds, Math.min(steps, 200), policy, 99); // warm-up (JIT)
    const rates = Array.from({ length: runs }, (_, r) => planckLanderStepsPerSecond(numWorlds, steps, policy, r + 1));
    console.log(`${policy.padEnd(10)} ${fmt(stats(rates))}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
