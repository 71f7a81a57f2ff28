// Policy-steps per second of dm.rollout (the fused WASM sampler: SIMD policy forward, action
// sampling, SIMD CartPole, trajectory recording, all inside WebAssembly) against a per-step
// sampler in the same process that does what a tfjs user would write: every step, one batched
// forward of the same policy with tfjs (wasm backend) over all live lanes (tf.tidy, policy.logits,
// softmax, dataSync), sampling from the probabilities in JavaScript, then the same CartPole
// physics in TypeScript over Float64Arrays, recording obs, action, reward and log π like dm.rollout.
//
// Both run CartPole-v1, [64, 64] tanh, 20 tasks x 20 episodes, maxSteps 500, the same tasks and
// the same weights. Two policies, neither trained:
//   initial   — the seeded Xavier initialisation: episodes of ~20 steps (an untrained learner);
//   balancing — the same weights with a linear balancing controller written into one unit of each
//               layer (noisy, so episodes vary from tens to 500 steps: a partly trained learner).
// Steps/s = recorded steps / seconds of one whole call (400 episodes). Runs alternate between the
// two samplers after a warm-up, each timed call right after an untimed call of the same sampler;
// min / median / max and the ratio of medians are printed.
//
// Run: npm run build && node --import tsx bench/rollout.ts   (or npm run bench:rollout)
import * as dm from 'directed-maml';
import { mulberry32, stats } from './common';

const tf = dm.tf;
const NUM_TASKS = 20;
const EPISODES = 20;
const MAX_STEPS = 500;
const HIDDEN = [64, 64];
const WARMUP = 2;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TAU = 0.02;
const X_THRESHOLD = 2.4;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;


interface SampleResult { steps: number; episodes: number }

/**
 * The per-step baseline: all lanes (task-major, `episodes` per task) step together; each step one
 * tfjs forward over the live lanes' observations. Buffers are allocated once and reused by every
 * call (as dm.rollout reuses its WASM workspace), so garbage collection does not enter the timing.
 */
class PerStepSampler {
  private readonly lanes: number;
  private readonly state: Float64Array;
  private readonly gravity: Float64Array;
  private readonly massCart: Float64Array;
  private readonly massPole: Float64Array;
  private readonly halfLength: Float64Array;
  private readonly forceMag: Float64Array;
  // Time-major records, as the WASM sampler keeps them.
  private readonly obsT: Float32Array;
  private readonly actionT: Int32Array;
  private readonly rewardT: Float32Array;
  private readonly logProbT: Float32Array;
  private readonly length: Int32Array;
  private readonly live: Int32Array;
  private readonly obsBatch: Float32Array;

  constructor(readonly tasks: Float32Array, readonly episodes: number, readonly maxSteps: number) {
    const P = 5;
    const lanes = (this.lanes = (tasks.length / P) * episodes);
    this.state = new Float64Array(lanes * 4);
    const column = (k: number) => Float64Array.from({ length: lanes }, (_, i) => tasks[Math.floor(i / episodes) * P + k]);
    [this.gravity, this.massCart, this.massPole, this.halfLength, this.forceMag] = [0, 1, 2, 3, 4].map(column);
    this.obsT = new Float32Array(maxSteps * lanes * 4);
    this.actionT = new Int32Array(maxSteps * lanes);
    this.rewardT = new Float32Array(maxSteps * lanes);
    this.logProbT = new Float32Array(maxSteps * lanes);
    this.length = new Int32Array(lanes);
    this.live = new Int32Array(lanes);
    this.obsBatch = new Float32Array(lanes * 4);
  }

  run(policy: dm.Policy, seed: number): SampleResult {
    const { lanes, state, gravity, massCart, massPole, halfLength, forceMag, obsT, actionT, rewardT, logProbT, length, live, obsBatch } = this;
    const rand = mulberry32(seed);
    for (let i = 0; i < lanes; i++) {
      for (let k = 0; k < 4; k++) state[i * 4 + k] = 0.1 * rand() - 0.05;
      live[i] = i;
      length[i] = 0;
    }
    let numLive = lanes;
    let steps = 0;
    for (let t = 0; t < this.maxSteps && numLive > 0; t++) {
      for (let j = 0; j < numLive; j++) {
        const i = live[j];
        for (let k = 0; k < 4; k++) obsBatch[j * 4 + k] = state[i * 4 + k];
      }
      const probs = tf.tidy(() => {
        const obs = tf.tensor2d(obsBatch.subarray(0, numLive * 4), [numLive, 4]);
        return tf.softmax(policy.logits(policy.params, obs)).dataSync() as Float32Array;
      });
      let kept = 0;
      for (let j = 0; j < numLive; j++) {
        const i = live[j];
        const cell = t * lanes + i;
        const p0 = probs[j * 2];
        const action = rand() < p0 ? 0 : 1;
        const o = i * 4;
        obsT.set(obsBatch.subarray(j * 4, j * 4 + 4), cell * 4);
        actionT[cell] = action;
        logProbT[cell] = Math.log(action === 0 ? p0 : probs[j * 2 + 1]);
        // Gymnasium CartPole step, explicit Euler.
        const x = state[o], xDot = state[o + 1], theta = state[o + 2], thetaDot = state[o + 3];
        const totalMass = massCart[i] + massPole[i], poleMassLength = massPole[i] * halfLength[i];
        const force = action === 1 ? forceMag[i] : -forceMag[i];
        const cos = Math.cos(theta), sin = Math.sin(theta);
        const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
        const thetaAcc = (gravity[i] * sin - cos * temp) / (halfLength[i] * (4 / 3 - (massPole[i] * cos * cos) / totalMass));
        const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
        state[o] = x + TAU * xDot;
        state[o + 1] = xDot + TAU * xAcc;
        state[o + 2] = theta + TAU * thetaDot;
        state[o + 3] = thetaDot + TAU * thetaAcc;
        rewardT[cell] = 1;
        length[i] = t + 1;
        steps++;
        const terminated = state[o] < -X_THRESHOLD || state[o] > X_THRESHOLD || state[o + 2] < -THETA_THRESHOLD || state[o + 2] > THETA_THRESHOLD;
        if (!terminated) live[kept++] = i;
      }
      numLive = kept;
    }
    return { steps, episodes: lanes };
  }
}

/** Writes a noisy linear balancing controller into unit 0 of every layer (the rest keeps its Xavier weights). */
function makeBalancing(policy: dm.Policy): void {
  const flat = policy.getFlat();
  const [d, h1, h2] = policy.layerSizes;
  const W1 = 0, b1 = W1 + d * h1, W2 = b1 + h1, b2 = W2 + h1 * h2, W3 = b2 + h2;
  // Unit 0 of layer 1: tanh(2·(θ + 0.5·θ̇ + 0.1·x + 0.3·ẋ)) — the push direction that keeps the pole up.
  [0.1, 0.3, 1, 0.5].forEach((c, k) => { flat[W1 + k * h1] = 2 * c; });
  for (let j = 0; j < h1; j++) flat[W2 + j * h2] = j === 0 ? 3 : 0; // unit 0 of layer 2 copies it
  flat[W3] = -1.5; // logits of push-left / push-right from unit 0
  flat[W3 + 1] = 1.5;
  policy.setFlat(flat);
}


const fmt = (v: number) => `${(v / 1e6).toFixed(3)} M`;

async function main(): Promise<void> {
  await dm.init({ backend: 'wasm' });
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5] });
  const tasks = family.sample(NUM_TASKS, { seed: 1 });
  console.log(`bench/rollout: CartPole-v1, [${HIDDEN}] tanh, ${NUM_TASKS} tasks x ${EPISODES} episodes, maxSteps ${MAX_STEPS}; tfjs backend ${tf.getBackend()}; ${RUNS} runs each after ${WARMUP} warm-up`);
  const ratios: string[] = [];
  for (const name of ['initial', 'balancing'] as const) {
    const policy = dm.createPolicy({ obsDim: 4, numActions: 2, hidden: HIDDEN, activation: 'tanh', seed: 0 });
    if (name === 'balancing') makeBalancing(policy);
    const baseline = new PerStepSampler(tasks, EPISODES, MAX_STEPS);
    const wasmRates: number[] = [], baseRates: number[] = [];
    let wasmSteps = 0, baseSteps = 0, wasmEpisodes = 0, baseEpisodes = 0;
    for (let run = 0; run < WARMUP + RUNS; run++) {
      const seed = 100 + run;
      // Each timed call follows an untimed call of the same sampler (another seed), so neither is
      // timed cold, right after the other one has evicted its caches.
      dm.rollout(family, policy, tasks, { episodes: EPISODES, maxSteps: MAX_STEPS, seed: seed + 1000 });
      let t0 = performance.now();
      const traj = dm.rollout(family, policy, tasks, { episodes: EPISODES, maxSteps: MAX_STEPS, seed });
      const wasmSeconds = (performance.now() - t0) / 1000;
      baseline.run(policy, seed + 1000);
      t0 = performance.now();
      const base = baseline.run(policy, seed);
      const baseSeconds = (performance.now() - t0) / 1000;
      if (run < WARMUP) continue;
      wasmRates.push(traj.numSteps / wasmSeconds);
      baseRates.push(base.steps / baseSeconds);
      wasmSteps += traj.numSteps; wasmEpisodes += traj.numEpisodes;
      baseSteps += base.steps; baseEpisodes += base.episodes;
    }
    const w = stats(wasmRates), b = stats(baseRates);
    console.log(`\n[${name} policy] mean episode length: dm.rollout ${(wasmSteps / wasmEpisodes).toFixed(1)}, per-step tfjs ${(baseSteps / baseEpisodes).toFixed(1)}`);
    console.log(`  dm.rollout (fused WASM)          policy-steps/s  min ${fmt(w.min)}  median ${fmt(w.median)}  max ${fmt(w.max)}`);
    console.log(`  per-step tfjs-wasm + TS physics  policy-steps/s  min ${fmt(b.min)}  median ${fmt(b.median)}  max ${fmt(b.max)}`);
    const ratio = w.median / b.median;
    console.log(`  ratio of medians: ${ratio.toFixed(1)}x (target >= 5x)`);
    ratios.push(`${name} ${ratio.toFixed(1)}x`);
    policy.dispose();
  }
  console.log(`\nsummary: ${ratios.join(', ')}`);
}

await main();
