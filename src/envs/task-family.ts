// A task family: an environment kind plus a box of task parameters (gymnax's EnvParams as data).
// Tasks are rows of Float32Array in paramNames order; a fixed parameter is a range of width zero.
import { wasm, wasmConst, Purpose } from '../core/wasm';
import { uniforms, checkSeed } from '../core/rng';
import { ConfigError } from '../errors';
import { shortestFloat32 } from '../core/float';
import { envSpec } from './registry';
import type { DefinedEnv } from './user-env';
import { describeDomain, inDomain, type EnvSpec } from './spec';
import { VecEnv } from './vec-env';

/**
 * What an env's actions are, Gymnasium-style: `discrete` (n integer actions) or `box` (a vector of
 * `size` floats, clipped by the env to [low, high] per component). Read from the WASM module.
 */
export type ActionSpace =
  | { readonly kind: 'discrete'; readonly n: number }
  | { readonly kind: 'box'; readonly size: number; readonly low: readonly number[]; readonly high: readonly number[] };

/** Per parameter: [low, high] to vary it uniformly, or one number to fix it. */
export type TaskRanges = Record<string, readonly [number, number] | number>;

export class TaskFamily {
  readonly spec: EnvSpec;
  readonly paramNames: readonly string[];
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly stateDim: number;
  readonly obsDim: number;
  /** Discrete actions: how many (0 for a box env). */
  readonly numActions: number;
  /** Box actions: the vector length (0 for a discrete env). */
  readonly actionSize: number;
  readonly actionSpace: ActionSpace;
  readonly maxEpisodeSteps: number;
  /** The env kind number of the WASM module (its export spec.wasmKind; ENV_USER for a defined env). */
  readonly kind: number;
  /** The user's env (dm.defineEnv) this family is of, or null for a built-in env. */
  readonly userEnv: DefinedEnv | null;

  constructor(readonly id: string, ranges?: TaskRanges) {
    this.spec = envSpec(id);
    const w = wasm();
    const user = (this.userEnv = this.spec.user ?? null);
    const kind = (this.kind = wasmConst(user ? 'ENV_USER' : this.spec.wasmKind));
    const dim = (which: string) => w.envDim(kind, wasmConst(`DIM_${which}`));
    if (user) {
      this.stateDim = this.obsDim = user.observationSize;
      this.actionSpace = user.action;
      this.numActions = user.numActions;
      this.actionSize = user.actionSize;
      this.maxEpisodeSteps = user.maxSteps;
    } else {
      this.stateDim = dim('STATE');
      this.obsDim = dim('OBS');
      this.numActions = dim('ACTIONS');
      this.actionSize = dim('ACTION_SIZE');
      if ((this.numActions > 0) === (this.actionSize > 0)) {
        throw new Error(`${id}: the WASM kind has ${this.numActions} discrete actions and a box of ${this.actionSize}; exactly one must be > 0`);
      }
      const bound = (j: number, upper: boolean) => w.envActionBound(kind, j, upper);
      this.actionSpace = this.actionSize > 0
        ? Object.freeze({
          kind: 'box', size: this.actionSize,
          low: Object.freeze(Array.from({ length: this.actionSize }, (_, j) => bound(j, false))),
          high: Object.freeze(Array.from({ length: this.actionSize }, (_, j) => bound(j, true))),
        } as const)
        : Object.freeze({ kind: 'discrete', n: this.numActions } as const);
      this.maxEpisodeSteps = dim('MAX_EPISODE_STEPS');
      if (dim('PARAMS') !== this.spec.params.length) {
        throw new Error(`${id}: the WASM kind has ${dim('PARAMS')} parameters, the spec ${this.spec.params.length}`);
      }
    }
    this.paramNames = this.spec.params.map((p) => p.name);
    const P = this.paramNames.length;
    this.low = new Float32Array(P);
    this.high = new Float32Array(P);
    const given = ranges ?? this.spec.defaultRanges;
    for (const name of Object.keys(given)) {
      if (!this.paramNames.includes(name)) {
        throw new ConfigError(`ranges.${name}`, name, `a parameter of ${id}: ${this.paramNames.join(', ')}`);
      }
    }
    this.spec.params.forEach((p, k) => {
      const range = given[p.name];
      // A defined env's parameter left out is fixed at the centre of its default range.
      const fallback = user ? centre(this.spec.defaultRanges[p.name] as readonly [number, number]) : w.envDefaultParam(kind, k);
      const [lo, hi] = range === undefined ? [fallback, fallback] : typeof range === 'number' ? [range, range] : range;
      const field = `ranges.${p.name}`;
      if (typeof range !== 'number' && range !== undefined && (!Array.isArray(range) || range.length !== 2)) {
        throw new ConfigError(field, range, 'a number or [low, high]');
      }
      if (!inDomain(p, lo) || !inDomain(p, hi)) throw new ConfigError(field, [lo, hi], `values in ${describeDomain(p)} (${p.description})`);
      if (lo > hi) throw new ConfigError(field, [lo, hi], 'low <= high');
      this.low[k] = lo;
      this.high[k] = hi;
    });
  }

  get numParams(): number {
    return this.paramNames.length;
  }

  /** The ranges as given to the constructor's form (for configs and checkpoints). */
  get ranges(): Record<string, [number, number]> {
    return Object.fromEntries(this.paramNames.map((name, k) => [name, [this.low[k], this.high[k]]]));
  }

  /**
   * n tasks drawn uniformly from the box. Task i uses stream (seed, TASKS, 0, i), so the first
   * tasks are the same whatever n is.
   */
  sample(n: number, options: { seed?: number } = {}): Float32Array {
    if (!Number.isInteger(n) || n < 0) throw new ConfigError('n', n, 'an integer >= 0');
    const seed = options.seed ?? 0;
    checkSeed(seed);
    const P = this.numParams;
    const tasks = new Float32Array(n * P);
    for (let i = 0; i < n; i++) {
      const u = uniforms(seed, Purpose.TASKS, 0, i, P);
      for (let k = 0; k < P; k++) tasks[i * P + k] = this.low[k] + (this.high[k] - this.low[k]) * u[k];
    }
    return tasks;
  }

  /** The centre of every range: the "medium" task of the task-directed step. */
  medium(): Float32Array {
    return this.low.map((lo, k) => lo + 0.5 * (this.high[k] - lo));
  }

  /** One task from named values; unnamed parameters take the medium task's value. */
  task(values: Record<string, number>, field = 'task'): Float32Array {
    const t = this.medium();
    for (const [name, v] of Object.entries(values)) {
      const k = this.paramNames.indexOf(name);
      if (k < 0) throw new ConfigError(`${field}.${name}`, name, `a parameter of ${this.id}: ${this.paramNames.join(', ')}`);
      t[k] = v;
      const p = this.spec.params[k];
      if (!inDomain(p, v)) throw new ConfigError(`${field}.${name}`, v, describeDomain(p));
    }
    this.validateTasks(t, 1, field);
    return t;
  }

  /** Throws a ConfigError naming the first task value outside the physical domain. */
  validateTasks(tasks: ArrayLike<number>, count: number, field = 'tasks'): void {
    const P = this.numParams;
    if (tasks.length !== count * P) {
      throw new ConfigError(`${field}.length`, tasks.length, `${count} x ${P} = ${count * P} (${this.paramNames.join(', ')} per task)`);
    }
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < P; k++) {
        const p = this.spec.params[k];
        const v = tasks[i * P + k];
        if (!inDomain(p, v)) throw new ConfigError(`${field}[${i}].${p.name}`, v, describeDomain(p));
      }
    }
  }

  makeVecEnv(options: { numEnvs: number; seed?: number; maxSteps?: number }): VecEnv {
    if (this.userEnv) throw new ConfigError('env', this.id, 'a built-in env for a VecEnv (a defined env runs in dm.rollout, training, adaptation and evaluation)');
    return new VecEnv(this, options);
  }

  toString(): string {
    const varied = this.paramNames.filter((_, k) => this.low[k] !== this.high[k]).map((n, _) => {
      const k = this.paramNames.indexOf(n);
      return `${n} ∈ [${shortestFloat32(this.low[k]!)}, ${shortestFloat32(this.high[k]!)}]`;
    });
    return `${this.id} (${varied.join(', ') || 'no varied parameter'})`;
  }
}

function centre([lo, hi]: readonly [number, number]): number {
  return lo + 0.5 * (hi - lo);
}

/** What dm.taskFamily reads of a loaded policy (dm.loadPolicy's metadata: the env and the trained ranges). */
export interface TrainedOn { readonly metadata: { readonly env?: string; readonly ranges?: TaskRanges } | null }

/**
 * A task family: of a built-in env id, a defined env's id, or a defined env (dm.defineEnv), with
 * ranges per parameter (the env's defaults elsewhere); or the one a loaded policy was meta-trained on
 * (`dm.taskFamily(await dm.loadPolicy(url))`: its env and ranges from the file's metadata).
 */
export function taskFamily(env: string | DefinedEnv, ranges?: TaskRanges): TaskFamily;
export function taskFamily(trained: TrainedOn): TaskFamily;
export function taskFamily(env: string | DefinedEnv | TrainedOn, ranges?: TaskRanges): TaskFamily {
  if (typeof env === 'string' || !(env !== null && typeof env === 'object' && 'metadata' in env)) { // an id or a defined env
    return new TaskFamily(typeof env === 'string' ? env : envIdOf(env), ranges);
  }
  const meta = env.metadata;
  if (!meta || typeof meta.env !== 'string') {
    throw new ConfigError('policy.metadata.env', meta ? meta.env : meta, 'an env id (a policy saved by dmaml train, dmaml adapt --save or dm.exportPolicy with metadata); or call dm.taskFamily(envId, ranges)');
  }
  if (ranges !== undefined) throw new ConfigError('ranges', ranges, "none with a policy (its trained ranges are used; call dm.taskFamily(policy.metadata.env, ranges) for others)");
  return new TaskFamily(meta.env, meta.ranges);
}

/** The id of an env given as an id or a defined env (which must be the one registered under its id). */
export function envIdOf(env: unknown, field = 'env'): string {
  if (typeof env === 'string') return env;
  const d = env as DefinedEnv | null;
  if (d && typeof d === 'object' && typeof d.id === 'string' && d.spec && envSpec(d.id).user?.definition === d.definition) return d.id;
  throw new ConfigError(field, env, 'an env id or an env made by dm.defineEnv');
}
