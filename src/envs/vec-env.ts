// numEnvs environments of one family stepped together inside WASM (assembly/vecenv.ts), with
// Gymnasium's next-step autoreset: the step that ends a lane returns its last observation with
// terminated/truncated set; the following step ignores that lane's action and returns the first
// observation of a new episode with reward 0.
import { wasm, wasmConst, f32View, i32View, u8View, type MemoryView } from '../core/wasm';
import { ConfigError } from '../errors';
import { checkSeed } from '../core/rng';
import type { TaskFamily } from './task-family';

export interface StepResult {
  /**
   * numEnvs x obsDim. Each field is a getter over WASM memory: read it after the step (it is
   * rebuilt if memory grew meanwhile); its values change with the next step of this env.
   */
  obs: Float32Array;
  reward: Float32Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
}

/** The most envs one VecEnv holds. */
export const MAX_VEC_ENVS = 1 << 20;

export class VecEnv {
  readonly numEnvs: number;
  readonly maxSteps: number;
  readonly lanes: number;
  private ptr: number;
  private readonly state: MemoryView<Float32Array>;
  private readonly params: MemoryView<Float32Array>;
  private readonly obs: MemoryView<Float32Array>;
  /** Discrete envs: i32 [lanes]. Box envs: f32 [actionSize][lanes] (component-major), boxActions. */
  private readonly actions: MemoryView<Int32Array>;
  private readonly boxActions: MemoryView<Float32Array>;
  private readonly reward: MemoryView<Float32Array>;
  private readonly terminated: MemoryView<Uint8Array>;
  private readonly truncated: MemoryView<Uint8Array>;
  private readonly needsReset: MemoryView<Uint8Array>;
  private hasReset = false;
  /** One result object for every step: getters, so nothing is allocated per step. */
  private readonly result: StepResult;

  constructor(readonly family: TaskFamily, options: { numEnvs: number; seed?: number; maxSteps?: number }) {
    const { numEnvs, seed = 0, maxSteps = family.maxEpisodeSteps } = options;
    if (!Number.isInteger(numEnvs) || numEnvs < 1 || numEnvs > MAX_VEC_ENVS) throw new ConfigError('numEnvs', numEnvs, `an integer in [1, ${MAX_VEC_ENVS}]`);
    if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new ConfigError('maxSteps', maxSteps, 'an integer >= 1');
    checkSeed(seed);
    const w = wasm();
    this.numEnvs = numEnvs;
    this.maxSteps = maxSteps;
    this.ptr = w.vecEnvCreate(family.kind, numEnvs, maxSteps);
    // Buffer addresses by the field ids of assembly/vecenv.ts (FIELD_*).
    const at = (field: string) => w.vecEnvField(this.ptr, wasmConst(`FIELD_${field}`));
    this.lanes = at('LANES');
    this.state = f32View(at('STATE'), family.stateDim * this.lanes);
    this.params = f32View(at('PARAMS'), family.numParams * this.lanes);
    this.obs = f32View(at('OBS'), numEnvs * family.obsDim);
    this.actions = i32View(at('ACTIONS'), this.lanes);
    this.boxActions = f32View(at('ACTIONS'), Math.max(1, family.actionSize) * this.lanes);
    this.reward = f32View(at('REWARD'), numEnvs);
    this.terminated = u8View(at('TERMINATED'), numEnvs);
    this.truncated = u8View(at('TRUNCATED'), numEnvs);
    this.needsReset = u8View(at('NEEDS_RESET'), numEnvs);
    w.vecEnvSeed(this.ptr, seed);
    const views = { obs: this.obs, reward: this.reward, terminated: this.terminated, truncated: this.truncated };
    this.result = {
      get obs() { return views.obs.get(); },
      get reward() { return views.reward.get(); },
      get terminated() { return views.terminated.get(); },
      get truncated() { return views.truncated.get(); },
    };
    this.setTasks(family.medium());
  }

  /** tasks: numEnvs x numParams (one task per env) or numParams (the same task everywhere). */
  setTasks(tasks: ArrayLike<number>): void {
    const P = this.family.numParams;
    const perEnv = tasks.length !== P || this.numEnvs === 1;
    this.family.validateTasks(tasks, perEnv ? this.numEnvs : 1);
    const params = this.live().params.get();
    for (let i = 0; i < this.numEnvs; i++) {
      for (let k = 0; k < P; k++) params[k * this.lanes + i] = tasks[(perEnv ? i * P : 0) + k];
    }
  }

  /** The task of every env, numEnvs x numParams. */
  getTasks(): Float32Array {
    const P = this.family.numParams;
    const params = this.live().params.get();
    const out = new Float32Array(this.numEnvs * P);
    for (let i = 0; i < this.numEnvs; i++) for (let k = 0; k < P; k++) out[i * P + k] = params[k * this.lanes + i];
    return out;
  }

  /** Resets every env (a new seed restarts the reset streams); returns numEnvs x obsDim. */
  reset(options: { seed?: number } = {}): Float32Array {
    const w = wasm();
    this.live();
    if (options.seed !== undefined) {
      checkSeed(options.seed);
      w.vecEnvSeed(this.ptr, options.seed);
    }
    w.vecEnvResetAll(this.ptr);
    this.hasReset = true;
    return this.obs.get();
  }

  /**
   * actions: for a discrete env, numEnvs integers in [0, numActions) (an Int32Array is the fast
   * path); for a box env, numEnvs x actionSize finite numbers, row-major per env (Gymnasium's
   * order; a Float32Array is the fast path), unclipped: the env clips them to the action space.
   * Nothing changes when they are invalid.
   */
  step(actions: ArrayLike<number>): StepResult {
    this.live();
    if (!this.hasReset) throw new Error('VecEnv.step: call reset() before the first step');
    const size = this.family.actionSize;
    if (size > 0) return this.stepBox(actions, size);
    const A = this.family.numActions;
    if (actions.length !== this.numEnvs) throw new ConfigError('actions.length', actions.length, `${this.numEnvs} (numEnvs)`);
    // An Int32Array holds integers already: only the range is checked (the hot path).
    const integral = actions instanceof Int32Array;
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i];
      if (!(a >= 0 && a < A) || (!integral && !Number.isInteger(a))) throw new ConfigError(`actions[${i}]`, a, `an integer in [0, ${A - 1}]`);
    }
    this.actions.get().set(actions);
    wasm().vecEnvStep(this.ptr);
    return this.result;
  }

  private stepBox(actions: ArrayLike<number>, size: number): StepResult {
    const n = this.numEnvs;
    if (actions.length !== n * size) throw new ConfigError('actions.length', actions.length, `${n} x ${size} = ${n * size} (numEnvs x actionSize, row-major)`);
    for (let j = 0; j < actions.length; j++) {
      if (!Number.isFinite(actions[j])) throw new ConfigError(`actions[${Math.floor(j / size)}][${j % size}]`, actions[j], 'a finite number');
    }
    const out = this.boxActions.get();
    const lanes = this.lanes;
    for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) out[j * lanes + i] = actions[i * size + j];
    wasm().vecEnvStep(this.ptr);
    return this.result;
  }

  /** A copy of the physical state, numEnvs x stateDim, in Gymnasium's order. */
  getState(): Float32Array {
    const D = this.family.stateDim;
    const state = this.live().state.get();
    const out = new Float32Array(this.numEnvs * D);
    for (let i = 0; i < this.numEnvs; i++) for (let k = 0; k < D; k++) out[i * D + k] = state[k * this.lanes + i];
    return out;
  }

  /** Overwrites the physical state (numEnvs x stateDim); every env continues its episode from it. */
  setState(states: ArrayLike<number>): void {
    const D = this.family.stateDim;
    if (states.length !== this.numEnvs * D) throw new ConfigError('states.length', states.length, `${this.numEnvs} x ${D} = ${this.numEnvs * D}`);
    for (let j = 0; j < states.length; j++) {
      if (!Number.isFinite(states[j])) throw new ConfigError(`states[${Math.floor(j / D)}][${j % D}]`, states[j], 'a finite number');
    }
    const state = this.live().state.get();
    for (let i = 0; i < this.numEnvs; i++) for (let k = 0; k < D; k++) state[k * this.lanes + i] = states[i * D + k];
    this.needsReset.get().fill(0);
    this.hasReset = true;
    wasm().vecEnvObserve(this.ptr);
  }

  /** Frees the WASM buffers; the env cannot be used afterwards. */
  dispose(): void {
    if (this.ptr) wasm().vecEnvFree(this.ptr);
    this.ptr = 0;
  }

  private live(): this {
    if (!this.ptr) throw new Error('VecEnv: used after dispose()');
    return this;
  }
}
