// Intersection-v0 env-steps per second: the public `env.step` (f32x4 WASM kernel, next-step
// autoreset) against a plain TypeScript loop over Float64Arrays with the same equations (both
// cars' kinematics, the other driver's rule, reward, termination, truncation, autoreset and the
// scaled observation), written for speed (state interleaved per env, no allocation per step), in
// the same process. Both sides replay the same fixed action pattern (precomputed, no RNG per step)
// on the same 4096 tasks; the plain side draws its resets from a xorshift32 per env, the WASM side
// from its counter-based stream, both only when an episode ends.
//
// Run: npm run build && node --import tsx bench/intersection.ts
import * as dm from 'directed-maml';
import { interleavedRates, printEnvReport } from './common';

const NUM_ENVS = 4096;
const STEPS_PER_RUN = 500;
const RUNS = 7;
// SPEC.md §3, as made precise in assembly/envs/intersection.ts.
const MAX_EPISODE_STEPS = 100;
const ZONE_EXIT = 4 + 5; // w + L
const DT = 0.2;
const MAX_SPEED = 15;
const BRAKE = 3;
const ARRIVAL_CAP = 20;
const SPEED_FLOOR = 1e-3;
const BRAKE_OVERSHOOT = (BRAKE * DT * DT) / 8;

/** Intersection-v0 over Float64Arrays: the fastest plain TypeScript we could write. */
class PlainIntersection {
  readonly state: Float64Array; // [p_e, v_e, p_o, v_o] per env
  readonly obs: Float64Array; // [p_e/50, v_e/15, p_o/50, v_o/15] per env
  readonly reward: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  private readonly needsReset: Uint8Array;
  private readonly stepCount: Int32Array;
  private readonly rng: Uint32Array; // xorshift32 per env, drawn only on reset
  private readonly aggressiveness: Float64Array;
  private readonly otherInitialSpeed: Float64Array;

  constructor(readonly numEnvs: number, tasks: Float32Array, seed: number) {
    this.state = new Float64Array(numEnvs * 4);
    this.obs = new Float64Array(numEnvs * 4);
    this.reward = new Float64Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
    this.needsReset = new Uint8Array(numEnvs);
    this.stepCount = new Int32Array(numEnvs);
    this.rng = Uint32Array.from({ length: numEnvs }, (_, i) => (Math.imul(i + 1, 0x9e3779b9) ^ seed) >>> 0 || 1);
    this.aggressiveness = Float64Array.from({ length: numEnvs }, (_, i) => tasks[i * 2]);
    this.otherInitialSpeed = Float64Array.from({ length: numEnvs }, (_, i) => tasks[i * 2 + 1]);
    for (let i = 0; i < numEnvs; i++) { this.resetEnv(i); this.observe(i); }
  }

  private uniform(i: number, low: number, high: number): number {
    let s = this.rng[i];
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    this.rng[i] = s;
    return low + (high - low) * ((s >>> 0) * 2.3283064365386963e-10);
  }

  private resetEnv(i: number): void {
    const o = i * 4, c = this.otherInitialSpeed[i];
    this.state[o] = this.uniform(i, -45, -30);
    this.state[o + 1] = this.uniform(i, 8, 12);
    this.state[o + 2] = this.uniform(i, -45, -30);
    this.state[o + 3] = this.uniform(i, c - 2, c + 2);
    this.stepCount[i] = 0;
    this.needsReset[i] = 0;
    this.terminated[i] = 0;
    this.truncated[i] = 0;
    this.reward[i] = 0;
  }

  private observe(i: number): void {
    const o = i * 4, s = this.state;
    this.obs[o] = s[o] / 50;
    this.obs[o + 1] = s[o + 1] / MAX_SPEED;
    this.obs[o + 2] = s[o + 2] / 50;
    this.obs[o + 3] = s[o + 3] / MAX_SPEED;
  }

  step(actions: Int32Array): void {
    // Typed arrays hoisted into locals: the JIT keeps them in registers.
    const s = this.state, obs = this.obs, reward = this.reward, terminatedOut = this.terminated;
    const truncatedOut = this.truncated, needsReset = this.needsReset, stepCount = this.stepCount;
    const aggressiveness = this.aggressiveness;
    for (let i = 0; i < this.numEnvs; i++) {
      const o = i * 4;
      if (needsReset[i]) {
        this.resetEnv(i);
        this.observe(i);
        continue;
      }
      const pe = s[o], ve = s[o + 1], po = s[o + 2], vo = s[o + 3];
      const beta = aggressiveness[i];
      const egoA = (actions[i] - 2) * 2;
      // The other driver: track 8 + 6β; yield with gap 3(1 − β), braking only when needed.
      let otherA = 0.8 * (8 + 6 * beta - vo);
      otherA = otherA < -BRAKE ? -BRAKE : otherA > 2 ? 2 : otherA;
      if (beta < 1 && po < 0 && pe <= ZONE_EXIT) {
        const te = Math.min((pe < 0 ? -pe : 0) / (ve > SPEED_FLOOR ? ve : SPEED_FLOOR), ARRIVAL_CAP);
        const to = Math.min(-po / (vo > SPEED_FLOOR ? vo : SPEED_FLOOR), ARRIVAL_CAP);
        if (to > te - 3 * (1 - beta)) {
          let v1 = vo + otherA * DT;
          v1 = v1 < 0 ? 0 : v1 > MAX_SPEED ? MAX_SPEED : v1;
          const p1 = po + 0.5 * (vo + v1) * DT;
          if (p1 + (v1 * v1) / (2 * BRAKE) + BRAKE_OVERSHOOT > 0) otherA = -BRAKE;
        }
      }
      let ve1 = ve + egoA * DT;
      ve1 = ve1 < 0 ? 0 : ve1 > MAX_SPEED ? MAX_SPEED : ve1;
      let vo1 = vo + otherA * DT;
      vo1 = vo1 < 0 ? 0 : vo1 > MAX_SPEED ? MAX_SPEED : vo1;
      const pe1 = pe + 0.5 * (ve + ve1) * DT, po1 = po + 0.5 * (vo + vo1) * DT;
      s[o] = pe1; s[o + 1] = ve1; s[o + 2] = po1; s[o + 3] = vo1;
      obs[o] = pe1 / 50; obs[o + 1] = ve1 / MAX_SPEED; obs[o + 2] = po1 / 50; obs[o + 3] = vo1 / MAX_SPEED;
      const success = pe1 > ZONE_EXIT;
      const collision = pe1 >= 0 && pe1 <= ZONE_EXIT && po1 >= 0 && po1 <= ZONE_EXIT;
      reward[i] = -0.1 - 0.01 * egoA * egoA + (success ? 10 : 0) - (collision ? 100 : 0);
      const terminated = success || collision ? 1 : 0;
      const truncated = ++stepCount[i] >= MAX_EPISODE_STEPS ? 1 : 0;
      terminatedOut[i] = terminated;
      truncatedOut[i] = truncated;
      needsReset[i] = terminated | truncated;
    }
  }
}

async function main(): Promise<void> {
  await dm.init();
  const family = dm.taskFamily('Intersection-v0', { aggressiveness: [0, 1], otherInitialSpeed: [8, 12] });
  const tasks = family.sample(NUM_ENVS, { seed: 1 });
  // The fixed action pattern: env i at step t takes ((t >> 2) + i) mod 5, period 20 in t.
  const PERIOD = 20;
  const patterns = Array.from({ length: PERIOD }, (_, p) => Int32Array.from({ length: NUM_ENVS }, (_, i) => ((p >> 2) + i) % 5));

  const env = family.makeVecEnv({ numEnvs: NUM_ENVS, seed: 1 });
  env.setTasks(tasks);
  env.reset();
  const wasmStep = (t: number) => { env.step(patterns[t % PERIOD]); };

  const plain = new PlainIntersection(NUM_ENVS, tasks, 1);
  const plainStep = (t: number) => { plain.step(patterns[t % PERIOD]); };

  // Scalar AS reference kernel (intersectionStepScalar), one JS→WASM call per env: physics and
  // reward only; an ended env is put back to a fixed start from JS. Mostly measures the call boundary.
  const w = dm.wasmExports();
  const lanes = NUM_ENVS;
  const scalarState = w.alloc(lanes * 4 * 4);
  const scalarParams = w.alloc(lanes * 2 * 4);
  const scalarReward = w.alloc(lanes * 4);
  const restart = [-40, 10, -40, 10];
  {
    const params = new Float32Array(w.memory.buffer, scalarParams, lanes * 2);
    const state = new Float32Array(w.memory.buffer, scalarState, lanes * 4);
    for (let i = 0; i < lanes; i++) {
      for (let k = 0; k < 2; k++) params[k * lanes + i] = tasks[i * 2 + k];
      for (let k = 0; k < 4; k++) state[k * lanes + i] = restart[k];
    }
  }
  const scalarStep = (t: number) => {
    const pattern = patterns[t % PERIOD];
    for (let i = 0; i < lanes; i++) {
      if (w.intersectionStepScalar(lanes, i, scalarState, scalarParams, pattern[i], scalarReward)) {
        const state = new Float32Array(w.memory.buffer, scalarState, lanes * 4);
        for (let k = 0; k < 4; k++) state[k * lanes + i] = restart[k];
      }
    }
  };

  const rates = interleavedRates({
    wasm: { step: wasmStep, calls: STEPS_PER_RUN },
    plain: { step: plainStep, calls: STEPS_PER_RUN },
    scalar: { step: scalarStep, calls: STEPS_PER_RUN / 5 },
  }, RUNS, NUM_ENVS);
  // Untimed sanity check that both sides simulate the same thing: episodes ended, and how.
  const count = { wasmEpisodes: 0, plainEpisodes: 0, wasmCollisions: 0, plainCollisions: 0 };
  for (let t = 0; t < STEPS_PER_RUN; t++) {
    const { reward, terminated, truncated } = env.step(patterns[t % PERIOD]);
    plain.step(patterns[t % PERIOD]);
    for (let i = 0; i < NUM_ENVS; i++) {
      count.wasmEpisodes += terminated[i] | truncated[i];
      count.plainEpisodes += plain.terminated[i] | plain.truncated[i];
      count.wasmCollisions += terminated[i] && reward[i] < -50 ? 1 : 0;
      count.plainCollisions += plain.terminated[i] && plain.reward[i] < -50 ? 1 : 0;
    }
  }
  env.dispose();
  w.free(scalarState);
  w.free(scalarParams);
  w.free(scalarReward);

  printEnvReport(`Intersection-v0, ${NUM_ENVS} envs, ${STEPS_PER_RUN} steps per run, ${RUNS} runs after a warm-up (${process.version})`,
    rates,
    `in ${STEPS_PER_RUN} untimed steps, episodes ended: WASM ${count.wasmEpisodes}, plain TypeScript ${count.plainEpisodes}; ` +
      `collisions: WASM ${count.wasmCollisions}, plain TypeScript ${count.plainCollisions}`);
}

await main();
