// The REINFORCE policy gradient of one 40 000-step batch: dm.policyGradient (WASM, SIMD
// forward + hand-written backward per row, assembly/policy.ts mlpPolicyGradient) against tfjs
// (wasm backend) differentiating dm.reinforceLoss, in the same process, on the same batch and
// the same [64, 64] tanh CartPole policy.
//
// The batch: CartPole-v1 rollouts of the initial policy (20 tasks, as many episodes per task as
// needed), cut to exactly 40 000 rows. Only the gradient is timed on both sides:
//   tfjs  — tf.tidy(tf.grads(reinforceLoss)(params)) plus dataSync of every gradient, on tensors
//           made by dm.toBatch beforehand;
//   WASM  — dm.policyGradient with the advantages precomputed (dm.estimateAdvantages) and passed
//           through its `advantages` option (the call still copies the batch and the weights into
//           WASM memory: that is part of its cost).
// Runs alternate between the two after a warm-up; min / median / max and the ratio of medians.
// The two gradients are compared once (relative L2 error) so the bench cannot time a wrong result.
//
// Run: npm run build && node --import tsx bench/gradient.ts   (or npm run bench:gradient)
import * as dm from 'directed-maml';
import { stats } from './common';
import type { Tensor } from '@tensorflow/tfjs';

const tf = dm.tf;
const ROWS = 40_000;
const NUM_TASKS = 20;
const HIDDEN = [64, 64];
const WARMUP = 2;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** Rollouts of 20 tasks with growing episode counts until ≥ ROWS steps, then the first ROWS rows as one task. */
function makeBatch(family: dm.TaskFamily, policy: dm.Policy): dm.Trajectories {
  const tasks = family.sample(NUM_TASKS, { seed: 1 });
  let episodes = 20;
  let traj = dm.rollout(family, policy, tasks, { episodes, seed: 7 });
  while (traj.numSteps < ROWS) {
    episodes = Math.ceil(episodes * (ROWS / traj.numSteps) * 1.1);
    traj = dm.rollout(family, policy, tasks, { episodes, seed: 7 });
  }
  // Keep whole episodes while they fit; cut the next one short so there are exactly ROWS rows.
  const lengths: number[] = [];
  let rows = 0;
  for (const len of traj.episodeLengths) {
    const take = Math.min(len, ROWS - rows);
    if (take === 0) break;
    lengths.push(take);
    rows += take;
  }
  const E = lengths.length;
  const returns = new Float32Array(E);
  let r = 0;
  lengths.forEach((len, e) => { for (let t = 0; t < len; t++) returns[e] += traj.rewards[r++]; });
  return new dm.Trajectories(traj.envId, traj.obsDim, traj.numActions, 1, E, traj.tasks.slice(0, family.numParams), returns,
    Int32Array.from(lengths), traj.episodeTerminal.slice(0, E), traj.obs.slice(0, ROWS * traj.obsDim), traj.actions.slice(0, ROWS),
    traj.rewards.slice(0, ROWS), traj.logProbs.slice(0, ROWS));
}

function tfjsGradient(policy: dm.Policy, batch: dm.Batch): Float32Array {
  const grads = tf.tidy(() => tf.grads((...params: Tensor[]) => dm.reinforceLoss(params, batch, policy))(policy.params));
  const flat = dm.flattenTensors(grads);
  tf.dispose(grads);
  return flat;
}

async function main(): Promise<void> {
  await dm.init({ backend: 'wasm' });
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5] });
  const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: HIDDEN, activation: 'tanh', seed: 0 });
  const traj = makeBatch(family, policy);
  const advantages = dm.estimateAdvantages(traj);
  const batch = dm.toBatch(traj);
  console.log(`bench/gradient: ${traj.numSteps} rows (${traj.numEpisodes} CartPole-v1 episodes), [${HIDDEN}] tanh, ${policy.numParams} parameters; tfjs backend ${tf.getBackend()}; ${RUNS} runs each after ${WARMUP} warm-up`);

  const g = dm.policyGradient(policy, traj, { advantages });
  const gTf = tfjsGradient(policy, batch);
  let num = 0, den = 0;
  for (let i = 0; i < g.length; i++) { num += (g[i] - gTf[i]) ** 2; den += gTf[i] ** 2; }
  console.log(`  agreement: ‖g_wasm − g_tfjs‖ / ‖g_tfjs‖ = ${Math.sqrt(num / den).toExponential(2)}`);

  const wasmMs: number[] = [], tfjsMs: number[] = [];
  for (let run = 0; run < WARMUP + RUNS; run++) {
    let t0 = performance.now();
    dm.policyGradient(policy, traj, { advantages });
    const w = performance.now() - t0;
    t0 = performance.now();
    tfjsGradient(policy, batch);
    const t = performance.now() - t0;
    if (run < WARMUP) continue;
    wasmMs.push(w);
    tfjsMs.push(t);
  }
  const w = stats(wasmMs), t = stats(tfjsMs);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log(`  dm.policyGradient (WASM)               min ${ms(w.min)}  median ${ms(w.median)}  max ${ms(w.max)}  (${(ROWS / w.median / 1000).toFixed(2)} M rows/s)`);
  console.log(`  tfjs-wasm grads of dm.reinforceLoss    min ${ms(t.min)}  median ${ms(t.median)}  max ${ms(t.max)}  (${(ROWS / t.median / 1000).toFixed(2)} M rows/s)`);
  console.log(`  ratio of medians (tfjs / WASM time): ${(t.median / w.median).toFixed(1)}x (target >= 2x)`);
  for (const x of Object.values(batch)) (x as Tensor).dispose();
  policy.dispose();
}

await main();
