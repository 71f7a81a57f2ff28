// A user env (dm.defineEnv) against the built-in it re-defines, in rollouts: Navigation2D's
// semantics written in JS (bench/navigation2d-env.mjs: lanes stepped in JavaScript, the policy
// forward and the Gaussian sampling batched in WASM) vs Navigation2D-v0 (the fused WASM sampler,
// SIMD env). 1024 lanes (16 tasks × 64 episodes), Gaussian [64, 64] tanh, ≤ 100 steps, the same
// tasks, weights and seeds; the two give the same trajectories bit for bit (checked first).
// Env-steps/s = recorded steps / seconds of one whole dm.rollout call. After a warm-up the two
// alternate, RUNS calls each; min / median / max and the ratio of medians are printed.
// Target (issue 16): the JS env at >= 40% of the built-in's env-steps/s.
//
// Run: npm run build && node --import tsx bench/userenv.ts
import * as dm from 'directed-maml';
import { stats, rateLine } from './common';

const TASKS = 16, EPISODES = 64, HIDDEN = [64, 64], WARMUP = 2;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

await dm.init();
const url = new URL('./navigation2d-env.mjs', import.meta.url).href;
const js = dm.taskFamily(dm.defineEnv((await import(url)).default, { module: url }));
const builtIn = dm.taskFamily('Navigation2D-v0');
const tasks = builtIn.sample(TASKS, { seed: 1 });
const policy = dm.createPolicy({ obsDim: 2, actionSize: 2, hidden: HIDDEN, seed: 2 });

const call = (family: dm.TaskFamily, seed: number) => dm.rollout(family, policy, tasks, { episodes: EPISODES, seed });
const a = call(js, 0), b = call(builtIn, 0);
for (const key of ['obs', 'actions', 'rewards', 'logProbs', 'episodeLengths'] as const) {
  if (a[key].length !== b[key].length || a[key].some((v, i) => v !== b[key][i])) throw new Error(`the JS env's ${key} differ from the built-in's`);
}

const rates: Record<'js' | 'builtIn', number[]> = { js: [], builtIn: [] };
const timed = (name: 'js' | 'builtIn', family: dm.TaskFamily, run: number) => {
  call(family, 1000 + run); // untimed call of the same sampler right before
  const t0 = performance.now();
  const traj = call(family, run);
  const seconds = (performance.now() - t0) / 1000;
  rates[name].push(traj.numSteps / seconds);
};
for (let w = 0; w < WARMUP; w++) { call(js, 500 + w); call(builtIn, 500 + w); }
for (let run = 0; run < RUNS; run++) {
  timed('js', js, run);
  timed('builtIn', builtIn, run);
}
const sj = stats(rates.js), sb = stats(rates.builtIn);
console.log(`rollouts: ${TASKS * EPISODES} lanes, Gaussian [${HIDDEN.join(', ')}] tanh, ≤ 100 steps, ${a.numSteps} steps per call, ${RUNS} runs`);
console.log(rateLine('Navigation2D-v0 (built-in, fused WASM sampler)', sb));
console.log(rateLine('JsNavigation2D-v0 (dm.defineEnv, lanes stepped in JS)', sj));
console.log(`ratio of medians (JS / built-in): ${(100 * sj.median / sb.median).toFixed(1)}% (target >= 40%)`);
