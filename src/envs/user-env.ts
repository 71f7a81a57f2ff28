// dm.defineEnv: users' own environments, Gymnasium-shaped, stepped lane by lane in JavaScript while
// the policy forward and the action sampling stay batched in WASM (src/rl/user-rollout.ts).
//
// A definition is validated once, here, and registered under its id beside the built-in envs, so
// every place that takes an env id (dm.taskFamily, Trainer, configs, grids) takes it too.
// Worker threads re-create it from a module: defineEnv(def, { module: URL }) names a module whose
// default export (or `exportName`) is the definition or the env defineEnv returned; a pool worker
// imports it (importEnv) and defines it in its own copy of the library. Without a module the
// tasks of a training run stay in the calling thread (the results are the same for every worker
// count, only slower).
import { ConfigError } from '../errors';
import type { EnvSpec, ParamSpec } from './spec';
import type { ActionSpace } from './task-family';

/** A definition's action space: Gymnasium's Discrete(n), or Box(low, high, (size,)) with bounds as numbers or arrays of size. */
export type EnvActionSpec =
  | { kind: 'discrete'; n: number }
  | { kind: 'box'; size: number; low: number | ArrayLike<number>; high: number | ArrayLike<number> };

export interface EnvStep {
  obs: ArrayLike<number>;
  reward: number;
  terminated: boolean;
}

/** One lane's environment: create(task) makes one per episode lane. */
export interface EnvInstance {
  /** A new episode; `rng()` is uniform in [0, 1), from the run's stream for this lane. Returns the first observation. */
  reset(rng: () => number): ArrayLike<number>;
  /**
   * action: an integer in [0, n) (discrete), or `size` numbers (box) clipped to [low, high] (the
   * trajectory keeps the unclipped sample); the array is this lane's, reused by its next step.
   */
  step(action: number | Float32Array): EnvStep;
}

export interface EnvDefinition {
  id: string;
  observationSize: number;
  /** Truncation: an episode ends after this many steps (and earlier at the rollout's own maxSteps). */
  maxSteps: number;
  action: EnvActionSpec;
  /** Task parameter name → [low, high]: the range a family varies by default; a task fixes each one. */
  params: Record<string, readonly [number, number]>;
  create(task: Record<string, number>): EnvInstance;
  /** Optional: one line saying what the env is. */
  description?: string;
}

export interface DefineEnvOptions {
  /**
   * An absolute URL (or file URL) of a module whose `exportName` export is this definition (or the
   * env defineEnv returned for it): how pool workers re-create the env, e.g.
   * `new URL('./my-env.mjs', import.meta.url)`. Without it, training runs its tasks in this thread.
   */
  module?: string | URL;
  /** The export of `module` holding the definition (default 'default'). */
  exportName?: string;
}

/** The largest observation and action sizes of a defined env (rows of the policy tiles stay small). */
export const MAX_USER_OBS = 4096;
export const MAX_USER_ACTIONS = 4096;

const KEYS = ['id', 'observationSize', 'maxSteps', 'action', 'params', 'create', 'description'];
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What dm.defineEnv returns: a validated definition, registered under its id. */
export class DefinedEnv {
  readonly id: string;
  readonly observationSize: number;
  readonly maxSteps: number;
  /** The action space, bounds as arrays (box). */
  readonly action: ActionSpace;
  readonly paramNames: readonly string[];
  /** The module workers import to re-create this env, or null (tasks stay in the defining thread). */
  readonly module: string | null;
  readonly exportName: string;
  /** @internal the spec the registry holds. */
  readonly spec: EnvSpec;

  constructor(readonly definition: EnvDefinition, options: DefineEnvOptions = {}) {
    const def = definition as unknown as Record<string, unknown>;
    if (def === null || typeof def !== 'object') throw new ConfigError('defineEnv(definition)', definition, 'an object { id, observationSize, maxSteps, action, params, create }');
    const id = def.id;
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200) throw new ConfigError('defineEnv(definition).id', id, 'a non-empty string of at most 200 characters');
    const field = (name: string) => `${id}.${name}`;
    for (const key of Object.keys(def)) {
      if (!KEYS.includes(key)) throw new ConfigError(field(key), def[key], `nothing: a definition has exactly ${KEYS.slice(0, 6).join(', ')} (and an optional description)`);
    }
    const int = (name: string, value: unknown, min: number, max: number): number => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ConfigError(field(name), value, `an integer in [${min}, ${max}]`);
      return value;
    };
    this.id = id;
    this.observationSize = int('observationSize', def.observationSize, 1, MAX_USER_OBS);
    this.maxSteps = int('maxSteps', def.maxSteps, 1, 1 << 24);
    this.action = checkAction(id, def.action);
    const params = def.params;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new ConfigError(field('params'), params, 'an object { name: [low, high], … }');
    }
    const specs: ParamSpec[] = [];
    const defaultRanges: Record<string, readonly [number, number]> = {};
    for (const [name, range] of Object.entries(params as Record<string, unknown>)) {
      if (!PARAM_NAME.test(name)) throw new ConfigError(field(`params.${name}`), name, 'a name of letters, digits and _ (not starting with a digit)');
      if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 3.4e38) || range[0] > range[1]) {
        throw new ConfigError(field(`params.${name}`), range, '[low, high]: two finite numbers, low <= high');
      }
      specs.push({ name, min: -Infinity, minInclusive: false, max: Infinity, description: `a parameter of ${id}` });
      defaultRanges[name] = [range[0], range[1]];
    }
    if (specs.length === 0) throw new ConfigError(field('params'), params, 'at least one task parameter { name: [low, high] } (the tasks of a family differ in them)');
    this.paramNames = specs.map((p) => p.name);
    if (typeof def.create !== 'function') throw new ConfigError(field('create'), def.create, 'a function (task) => ({ reset(rng), step(action) })');
    if (def.description !== undefined && typeof def.description !== 'string') throw new ConfigError(field('description'), def.description, 'a string');
    this.module = options.module === undefined ? null : moduleUrl(id, options.module);
    const exportName = options.exportName ?? 'default';
    if (typeof exportName !== 'string' || exportName === '') throw new ConfigError(`${id}: options.exportName`, exportName, 'the name of an export of the module');
    this.exportName = exportName;
    const a = this.action;
    this.spec = {
      id, wasmKind: '', params: specs, defaultRanges, user: this,
      description: (def.description as string | undefined) ?? `${id}: a user-defined env (observation ${this.observationSize}, ${a.kind === 'discrete' ? `${a.n} actions` : `box action of ${a.size}`}, ≤ ${this.maxSteps} steps)`,
    };
  }

  /** The number of discrete actions, 0 for a box env. */
  get numActions(): number {
    return this.action.kind === 'discrete' ? this.action.n : 0;
  }

  /** The length of a box action, 0 for a discrete env. */
  get actionSize(): number {
    return this.action.kind === 'box' ? this.action.size : 0;
  }

  toString(): string {
    return this.id;
  }
}

function checkAction(id: string, action: unknown): ActionSpace {
  const field = `${id}.action`;
  const a = action as Record<string, unknown>;
  if (a === null || typeof a !== 'object') throw new ConfigError(field, action, "{ kind: 'discrete', n } or { kind: 'box', size, low, high }");
  if (a.kind === 'discrete') {
    for (const key of Object.keys(a)) if (key !== 'kind' && key !== 'n') throw new ConfigError(`${field}.${key}`, a[key], "nothing: a discrete action has exactly kind and n");
    if (typeof a.n !== 'number' || !Number.isInteger(a.n) || a.n < 2 || a.n > MAX_USER_ACTIONS) throw new ConfigError(`${field}.n`, a.n, `an integer in [2, ${MAX_USER_ACTIONS}]`);
    return Object.freeze({ kind: 'discrete', n: a.n } as const);
  }
  if (a.kind === 'box') {
    for (const key of Object.keys(a)) if (!['kind', 'size', 'low', 'high'].includes(key)) throw new ConfigError(`${field}.${key}`, a[key], 'nothing: a box action has exactly kind, size, low and high');
    if (typeof a.size !== 'number' || !Number.isInteger(a.size) || a.size < 1 || a.size > MAX_USER_ACTIONS) throw new ConfigError(`${field}.size`, a.size, `an integer in [1, ${MAX_USER_ACTIONS}]`);
    const size = a.size;
    const bounds = (name: 'low' | 'high'): readonly number[] => {
      const v = a[name] as unknown;
      const allowed = `a number or an array of ${size} numbers (float32, ±Infinity for no bound)`;
      const list = typeof v === 'number' ? new Array<number>(size).fill(v) : Array.isArray(v) || ArrayBuffer.isView(v) ? Array.from(v as ArrayLike<number>) : null;
      if (!list || list.length !== size) throw new ConfigError(`${field}.${name}`, v, allowed);
      list.forEach((x, j) => {
        if (typeof x !== 'number' || Number.isNaN(x)) throw new ConfigError(`${field}.${name}[${j}]`, x, allowed);
      });
      return Object.freeze(list.map((x) => Math.fround(x)));
    };
    const low = bounds('low'), high = bounds('high');
    low.forEach((lo, j) => {
      if (!(lo < high[j])) throw new ConfigError(`${field}.low[${j}]`, lo, `less than high[${j}] = ${high[j]}`);
    });
    return Object.freeze({ kind: 'box', size, low, high } as const);
  }
  throw new ConfigError(`${field}.kind`, a.kind, "'discrete' or 'box'");
}

function moduleUrl(id: string, module: unknown): string {
  const allowed = "an absolute URL of a module whose default export is the definition, e.g. new URL('./my-env.mjs', import.meta.url)";
  if (!(module instanceof URL) && typeof module !== 'string') throw new ConfigError(`${id}: options.module`, module, allowed);
  try {
    return new URL(String(module)).href;
  } catch {
    throw new ConfigError(`${id}: options.module`, String(module), allowed);
  }
}

/** The definition an export holds: a definition, or the env defineEnv returned (from any copy of the library). */
export function definitionOf(value: unknown): EnvDefinition | null {
  if (value instanceof DefinedEnv) return value.definition;
  const v = value as { definition?: unknown; id?: unknown } | null;
  if (v === null || typeof v !== 'object') return null;
  if (v.definition && typeof v.definition === 'object' && typeof v.id === 'string' && !('create' in v)) return v.definition as EnvDefinition;
  return v as EnvDefinition;
}
