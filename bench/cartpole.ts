// CartPole-v1 env-steps per second: the public `env.step` (f32x4 WASM kernel, next-step autoreset)
// against a plain TypeScript loop over Float64Arrays with the same equations and autoreset,
// written for speed (state interleaved per env so that it is also the observation, no allocation
// per step), in the same process. Both sides replay the same fixed action pattern (precomputed,
// no RNG per step) on the same 4096 tasks.
//
// Run: npm run build && node --import tsx bench/cartpole.ts
import * as dm from 'directed-maml';
import { interleavedRates, printEnvReport } from './common';

const NUM_ENVS = 4096;
const STEPS_PER_RUN = 500;
const RUNS = 7;
const MAX_EPISODE_STEPS = 500;
const TAU = 0.02;
const X_THRESHOLD = 2.4;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;

/** Gymnasium's CartPole equations over Float64Arrays: the fastest plain TypeScript we could write. */
class PlainCartPole {
  readonly state: Float64Array;        // [x, xDot, theta, thetaDot] per env, also the observation
  readonly reward: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  private readonly needsReset: Uint8Array;
  private readonly stepCount: Int32Array;
  private readonly rng: Uint32Array;   // xorshift32 per env, drawn only on reset
  private readonly gravity: Float64Array;
  private readonly massCart: Float64Array;
  private readonly massPole: Float64Array;
  private readonly halfLength: Float64Array;
  private readonly forceMag: Float64Array;

  constructor(readonly numEnvs: number, tasks: Float32Array, seed: number) {
    this.state = new Float64Array(numEnvs * 4);
    this.reward = new Float64Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.needsReset = new Uint8Array(numEnvs);
    this.stepCount = new Int32Array(numEnvs);
    this.rng = Uint32Array.from({ length: numEnvs }, (_, i) => (Math.imul(i + 1, 0x9e3779b9) ^ seed) >>> 0 || 1);
    const column = (k: number) => Float64Array.from({ length: numEnvs }, (_, i) => tasks[i * 5 + k]);
    this.gravity = column(0);
    this.massCart = column(1);
    this.massPole = column(2);
    this.halfLength = column(3);
    this.forceMag = column(4);
    for (let i = 0; i < numEnvs; i++) this.resetEnv(i);
  }

  private uniform(i: number): number {
    let s = this.rng[i];
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    this.rng[i] = s;
    return (s >>> 0) * 2.3283064365386963e-10 * 0.1 - 0.05; // U(−0.05, 0.05)
  }

  private resetEnv(i: number): void {
    const o = i * 4;
    this.state[o] = this.uniform(i);
    this.state[o + 1] = this.uniform(i);
    this.state[o + 2] = this.uniform(i);
    this.state[o + 3] = this.uniform(i);
    this.stepCount[i] = 0;
    this.needsReset[i] = 0;
    this.terminated[i] = 0;
    this.truncated[i] = 0;
    this.reward[i] = 0;
  }

  step(actions: Int32Array): void {
    const s = this.state;
    for (let i = 0; i < this.numEnvs; i++) {
      if (this.needsReset[i]) { this.resetEnv(i); continue; }
      const o = i * 4;
      const x = s[o], xDot = s[o + 1], theta = s[o + 2], thetaDot = s[o + 3];
      const massPole = this.massPole[i], halfLength = this.halfLength[i];
      const totalMass = this.massCart[i] + massPole;
      const poleMassLength = massPole * halfLength;
      const force = actions[i] === 1 ? this.forceMag[i] : -this.forceMag[i];
      const cos = Math.cos(theta), sin = Math.sin(theta);
      const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
      const thetaAcc = (this.gravity[i] * sin - cos * temp) / (halfLength * (4 / 3 - (massPole * cos * cos) / totalMass));
      const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
      const xNew = x + TAU * xDot, thetaNew = theta + TAU * thetaDot;
      s[o] = xNew;
      s[o + 1] = xDot + TAU * xAcc;
      s[o + 2] = thetaNew;
      s[o + 3] = thetaDot + TAU * thetaAcc;
      const terminated = xNew < -X_THRESHOLD || xNew > X_THRESHOLD || thetaNew < -THETA_THRESHOLD || thetaNew > THETA_THRESHOLD ? 1 : 0;
      const count = ++this.stepCount[i];
      const truncated = count >= MAX_EPISODE_STEPS ? 1 : 0;
      this.reward[i] = 1;
      this.terminated[i] = terminated;
      this.truncated[i] = truncated;
      this.needsReset[i] = terminated | truncated;
    }
  }
}

async function main(): Promise<void> {
  await dm.init();
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5], forceMag: [5, 15] });
  const tasks = family.sample(NUM_ENVS, { seed: 1 });
  // The fixed action pattern: env i at step t pushes ((t + i) >> 1) & 1, period 4 in t.
  const patterns = [0, 1, 2, 3].map((p) => Int32Array.from({ length: NUM_ENVS }, (_, i) => ((p + i) >> 1) & 1));

  const env = family.makeVecEnv({ numEnvs: NUM_ENVS, seed: 1 });
  env.setTasks(tasks);
  env.reset();
  const wasmStep = (t: number) => { env.step(patterns[t & 3]); };

  const plain = new PlainCartPole(NUM_ENVS, tasks, 1);
  const plainStep = (t: number) => { plain.step(patterns[t & 3]); };

  // Scalar AS reference kernel (cartpoleStepScalar), one JS→WASM call per env: physics only, an
  // ended env is put back to a fixed small state from JS. Mostly measures the call boundary.
  const w = dm.wasmExports();
  const lanes = NUM_ENVS;
  const scalarState = w.alloc(lanes * 4 * 4);
  const scalarParams = w.alloc(lanes * 5 * 4);
  {
    const params = new Float32Array(w.memory.buffer, scalarParams, lanes * 5);
    for (let i = 0; i < lanes; i++) for (let k = 0; k < 5; k++) params[k * lanes + i] = tasks[i * 5 + k];
  }
  const scalarStep = (t: number) => {
    const pattern = patterns[t & 3];
    for (let i = 0; i < lanes; i++) {
      if (w.cartpoleStepScalar(lanes, i, scalarState, scalarParams, pattern[i])) {
        const state = new Float32Array(w.memory.buffer, scalarState, lanes * 4);
        for (let k = 0; k < 4; k++) state[k * lanes + i] = 0.01 * (k - 1.5);
      }
    }
  };

  const rates = interleavedRates({
    wasm: { step: wasmStep, calls: STEPS_PER_RUN },
    plain: { step: plainStep, calls: STEPS_PER_RUN },
    scalar: { step: scalarStep, calls: STEPS_PER_RUN / 5 },
  }, RUNS, NUM_ENVS);
  // Untimed sanity check that both sides simulate the same thing: episodes ended in 500 more steps.
  let wasmEpisodes = 0, plainEpisodes = 0;
  for (let t = 0; t < STEPS_PER_RUN; t++) {
    const { terminated, truncated } = env.step(patterns[t & 3]);
    plain.step(patterns[t & 3]);
    for (let i = 0; i < NUM_ENVS; i++) {
      wasmEpisodes += terminated[i] | truncated[i];
      plainEpisodes += plain.terminated[i] | plain.truncated[i];
    }
  }
  env.dispose();
  w.free(scalarState);
  w.free(scalarParams);

  printEnvReport(`CartPole-v1, ${NUM_ENVS} envs, ${STEPS_PER_RUN} steps per run, ${RUNS} runs after a warm-up (${process.version})`,
    rates,
    `episodes ended in ${STEPS_PER_RUN} untimed steps: WASM ${wasmEpisodes}, plain TypeScript ${plainEpisodes}`, 3);
}

await main();
