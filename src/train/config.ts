// The one configuration schema: the API (`new dm.Trainer({...})`), the CLI flags (`--inner-lr 0.05`)
// and `--config file.json` all go through CONFIG_FIELDS, so a field has one default, one
// description and one validation. Defaults (src/core/defaults.ts) follow SPEC §5 (pytorch-maml-rl /
// ProMP practice). It lives in train/ because the trainer resolves configs; src/config.ts re-exports
// it with the CLI's flag parsing. It depends on nothing above envs/ (the memory budget of a config is
// ./memory-plan.ts). Isomorphic: no node:* here.
import { ConfigError } from '../errors';
import { DEFAULTS, GRAD_ENGINES, MAX_ROLLOUT_COUNT, type GradEngine } from '../core/defaults';
import { fnv1a64 } from '../core/hash';
import { parseDirectedSchedule } from '../core/schedule';
import { envIds, envSpec } from '../envs/registry';
import type { TaskRanges } from '../envs/task-family';
import { ACTIVATIONS, type Activation } from '../nn/mlp';
import { ESTIMATORS, type Estimator } from '../nn/loss';

export const ALGOS = ['maml', 'fomaml', 'meta-sgd', 'directed-maml', 'directed-fomaml', 'directed-meta-sgd'] as const;
export type AlgoName = (typeof ALGOS)[number];
export const DIRECTED_VARIANTS = ['pg', 'fomaml'] as const;
export const CONFIG_BACKENDS = ['wasm', 'cpu', 'webgl'] as const;

export interface TrainConfig {
  env: string;
  /** Per task parameter: [low, high] to vary it, or a number to fix it (checked by TaskFamily). */
  ranges: TaskRanges;
  algo: AlgoName;
  iterations: number;
  metaBatch: number;
  episodes: number;
  maxSteps: number;
  hidden: number[];
  activation: Activation;
  innerLr: number;
  innerSteps: number;
  outerLr: number;
  gamma: number;
  lambda: number;
  seed: number;
  // The directed-* algorithms only (absent from the config of any other algorithm):
  directedLr?: number;
  directedVariant?: (typeof DIRECTED_VARIANTS)[number];
  /** 'every' | 'every:N' | 'first:K'; parse with parseDirectedSchedule. */
  directedSchedule?: string;
  /**
   * The medium task of the directed step; parameters not named take the centre of their range.
   * 'random': a task drawn from the task distribution at each iteration (a control, see meta-step).
   */
  medium?: Record<string, number> | 'random';
  backend: (typeof CONFIG_BACKENDS)[number];
  /** Inner surrogate of the second-order meta-gradient: 'naive' (MAML-RL's) or 'lvc' (ProMP's). */
  estimator: Estimator;
  /**
   * Threads for the tasks of an iteration (src/train/pool.ts); 0 = one per core, 1 = this thread.
   * Not part of a run's identity: results are the same for every value.
   */
  workers: number;
  /** Engine of meta-gradients through the adaptation: 'wasm' (built-in MLPs) or 'tfjs'. */
  gradEngine: GradEngine;
}

type Key = keyof TrainConfig;

export interface ConfigField {
  name: Key;
  /** The CLI flag, kebab-case of the name. */
  flag: string;
  /** Placeholder shown in --help (e.g. <int>). */
  type: string;
  description: string;
  /** What is allowed, as printed in errors and --help. */
  allowed: string;
  /** Default given the fields resolved before it (table order); undefined = optional, absent. */
  defaultValue(resolved: Partial<TrainConfig>): unknown;
  /** Validates a value from the API or a JSON file; returns it normalised (copied). */
  check(value: unknown): unknown;
  /** Converts the text of a CLI flag into the value check() takes. */
  fromFlag(text: string): unknown;
  /**
   * Whether the field means anything for the fields resolved before it (default: always). A field
   * that does not apply has no value in the resolved config, and giving it is an error.
   */
  appliesTo?(resolved: Partial<TrainConfig>): boolean;
  /** When it applies, as printed in errors and --help (e.g. 'a directed-* algo'). */
  appliesWhen?: string;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

interface NumberRule {
  integer?: boolean;
  min?: number;
  minExclusive?: boolean;
  max?: number;
}

function describeNumber(r: NumberRule): string {
  const kind = r.integer ? 'an integer' : 'a number';
  if (r.min !== undefined && r.max !== undefined) return `${kind} in ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}]`;
  if (r.min !== undefined) return `${kind} ${r.minExclusive ? '>' : '>='} ${r.min}`;
  return `a finite ${r.integer ? 'integer' : 'number'}`;
}

function numberOk(v: unknown, r: NumberRule): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  if (r.integer && !Number.isInteger(v)) return false;
  if (r.min !== undefined && (r.minExclusive ? v <= r.min : v < r.min)) return false;
  return r.max === undefined || v <= r.max;
}

/** Number(text) that refuses the empty string and partial parses ('1x'). */
function numberFromText(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

function numberField(name: Key, fallback: number | ((c: Partial<TrainConfig>) => number | undefined), rule: NumberRule, description: string): ConfigField {
  const allowed = describeNumber(rule);
  return {
    name, flag: kebab(name), type: rule.integer ? '<int>' : '<number>', description, allowed,
    defaultValue: typeof fallback === 'function' ? fallback : () => fallback,
    check(v) {
      if (!numberOk(v, rule)) throw new ConfigError(name, v, allowed);
      return v;
    },
    fromFlag(text) {
      const v = numberFromText(text);
      if (!numberOk(v, rule)) throw new ConfigError(name, text, allowed);
      return v;
    },
  };
}

function enumField<T extends string>(name: Key, values: readonly T[] | (() => readonly string[]), fallback: T | ((c: Partial<TrainConfig>) => T), description: string): ConfigField {
  const list = (): readonly string[] => (typeof values === 'function' ? values() : values);
  return {
    name, flag: kebab(name), type: '<name>', description,
    get allowed() { return list().join(' | '); },
    defaultValue: typeof fallback === 'function' ? fallback : () => fallback,
    check(v) {
      if (typeof v !== 'string' || !list().includes(v)) throw new ConfigError(name, v, list().join(' | '));
      return v;
    },
    fromFlag: (text) => text,
  };
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * Names Object.prototype has (`__proto__`, `constructor`, `toString`, …): refused as keys of
 * anything a user gives (config files, grid files, --ranges/--medium/--task names), since a plain
 * object would read them from its prototype (`__proto__` even replaces it).
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** What a reserved key is told. */
export const RESERVED_ALLOWED = 'a name that is not one of Object.prototype\'s (__proto__, constructor, toString, …)';

/**
 * JSON.parse that refuses an object holding the same key twice (JSON.parse keeps the last one, so a
 * config file or flag saying `"metaBatch": 4, …, "metaBatch": 40` would silently mean 40).
 * Also refuses Object.prototype's names as keys (isReservedKey). Throws a SyntaxError naming the key.
 */
export function parseJsonStrict(text: string): unknown {
  const value = JSON.parse(text);
  // The text is valid JSON: scan it for object keys, one set per open object.
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = stack[stack.length - 1];
      let k = j + 1;
      while (k < text.length && /\s/.test(text[k])) k++;
      if (keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (isReservedKey(key)) throw new SyntaxError(`key ${JSON.stringify(key)}: ${RESERVED_ALLOWED}`);
        if (keys.has(key)) throw new SyntaxError(`duplicate key ${JSON.stringify(key)}`);
        keys.add(key);
      }
      i = j;
    }
  }
  return value;
}

/**
 * 'name=value,name=lo:hi' (CLI form) or a JSON object, each name at most once. Values are left
 * unchecked here: check() reports them with the field's name.
 */
export function parseParamMap(field: string, text: string, allowed: string, allowRange: boolean): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return parseJsonStrict(trimmed) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(field, text, `${allowed}; ${(err as Error).message}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const part of trimmed.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(field, text, allowed);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (isReservedKey(name)) throw new ConfigError(`${field}.${name}`, name, RESERVED_ALLOWED);
    if (Object.prototype.hasOwnProperty.call(out, name)) throw new ConfigError(field, text, `each parameter at most once (${name} is given twice)`);
    const colon = value.indexOf(':');
    if (allowRange && colon >= 0) out[name] = [numberFromText(value.slice(0, colon)), numberFromText(value.slice(colon + 1))];
    else out[name] = numberFromText(value);
  }
  return out;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const rangesAllowed = 'an object {parameter: [low, high] | value} (CLI: name=low:high,name=value)';
const rangesField: ConfigField = {
  name: 'ranges', flag: 'ranges', type: '<name=lo:hi,…>', allowed: rangesAllowed,
  description: "task parameters to vary uniformly in [lo, hi], or to fix",
  // The env's own ranges, copied, so a resolved (and saved) config says what it trains on.
  defaultValue: (c) => Object.fromEntries(Object.entries(envSpec(c.env as string).defaultRanges).map(([k, v]) => [k, typeof v === 'number' ? v : [v[0], v[1]]])),
  check(v) {
    if (!isPlainObject(v)) throw new ConfigError('ranges', v, rangesAllowed);
    const out: TaskRanges = {};
    for (const [name, r] of Object.entries(v)) {
      if (isReservedKey(name)) throw new ConfigError(`ranges.${name}`, name, RESERVED_ALLOWED);
      if (isFiniteNumber(r)) out[name] = r;
      else if (Array.isArray(r) && r.length === 2 && isFiniteNumber(r[0]) && isFiniteNumber(r[1])) out[name] = [r[0], r[1]];
      else throw new ConfigError(`ranges.${name}`, r, 'a finite number or [low, high] of finite numbers');
    }
    return out;
  },
  fromFlag: (text) => parseParamMap('ranges', text, rangesAllowed, true),
};

const mediumAllowed = "an object {parameter: value} (CLI: name=value,…), or 'random'";
const mediumField: ConfigField = {
  name: 'medium', flag: 'medium', type: '<name=value,…|random>', allowed: mediumAllowed,
  description: "the medium task of the directed step; unnamed parameters take the centre of their range; 'random': a task drawn each iteration (control)",
  defaultValue: () => undefined,
  check(v) {
    if (v === 'random') return v;
    if (!isPlainObject(v)) throw new ConfigError('medium', v, mediumAllowed);
    const out: Record<string, number> = {};
    for (const [name, x] of Object.entries(v)) {
      if (isReservedKey(name)) throw new ConfigError(`medium.${name}`, name, RESERVED_ALLOWED);
      if (!isFiniteNumber(x)) throw new ConfigError(`medium.${name}`, x, 'a finite number');
      out[name] = x;
    }
    return out;
  },
  fromFlag: (text) => (text.trim() === 'random' ? 'random' : parseParamMap('medium', text, mediumAllowed, false)),
};

const hiddenAllowed = "a list of 0 to 16 integers in [1, 4096] ([] = a linear policy; CLI: 64,64, or 'none' for linear)";
const hiddenField: ConfigField = {
  name: 'hidden', flag: 'hidden', type: '<int,int,…|none>', allowed: hiddenAllowed,
  description: 'hidden layer widths of the MLP policy',
  defaultValue: () => [...DEFAULTS.hidden],
  check(v) {
    const ok = Array.isArray(v) && v.length <= 16 && v.every((w) => numberOk(w, { integer: true, min: 1, max: 4096 }));
    if (!ok) throw new ConfigError('hidden', v, hiddenAllowed);
    return [...(v as number[])];
  },
  fromFlag(text) {
    if (text.trim() === 'none') return [];
    const widths = text.split(',').map(numberFromText);
    if (widths.some((w) => !numberOk(w, { integer: true, min: 1, max: 4096 }))) throw new ConfigError('hidden', text, hiddenAllowed);
    return widths;
  },
};

const scheduleField: ConfigField = {
  name: 'directedSchedule', flag: 'directed-schedule', type: '<schedule>',
  allowed: "'every' | 'every:N' | 'first:K'",
  description: 'iterations that take the task-directed step: all, every N-th, or the first K',
  defaultValue: () => DEFAULTS.directedSchedule,
  check(v) {
    parseDirectedSchedule(v);
    return v;
  },
  fromFlag: (text) => text,
};

const isDirected = (c: Partial<TrainConfig>): boolean => typeof c.algo === 'string' && c.algo.startsWith('directed-');

/** The field, applying only to the directed-* algorithms. */
function directedOnly(f: ConfigField): ConfigField {
  f.appliesTo = isDirected;
  f.appliesWhen = 'a directed-* algo';
  return f;
}

/** The schema, in resolution order (a default may depend on fields above it). */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  enumField('env', envIds, DEFAULTS.env, 'environment id (see the list of allowed ids)'),
  rangesField,
  enumField('algo', ALGOS, DEFAULTS.algo, 'meta-learning algorithm'),
  // Every random stream derives from (seed, iteration) with a 31-bit iteration index.
  numberField('iterations', DEFAULTS.iterations, { integer: true, min: 1, max: 2 ** 31 - 2 }, 'meta-iterations (in total, when resuming)'),
  // episodes × maxSteps and metaBatch × parameters are bounded by the memory: checkWasmMemory.
  numberField('metaBatch', DEFAULTS.metaBatch, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'tasks sampled per meta-iteration'),
  numberField('episodes', DEFAULTS.episodes, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'episodes per task per rollout (pre- and post-adaptation each)'),
  numberField('maxSteps', DEFAULTS.maxSteps, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'step limit of one episode'),
  hiddenField,
  enumField('activation', ACTIVATIONS, DEFAULTS.activation, 'hidden-layer activation'),
  numberField('innerLr', DEFAULTS.innerLr, { min: 0 }, 'inner (adaptation) step size α; Meta-SGD: initial α'),
  numberField('innerSteps', DEFAULTS.innerSteps, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'inner gradient steps per task'),
  numberField('outerLr', DEFAULTS.outerLr, { min: 0, minExclusive: true }, 'Adam step size of the meta-update'),
  numberField('gamma', DEFAULTS.gamma, { min: 0, max: 1 }, 'discount factor γ of the returns'),
  numberField('lambda', DEFAULTS.lambda, { min: 0, max: 1 }, 'GAE λ of the advantages (1: returns minus the baseline)'),
  numberField('seed', DEFAULTS.seed, { integer: true, min: 0, max: 2 ** 32 - 1 }, 'seed of every random stream (tasks, init, resets, actions)'),
  directedOnly(numberField('directedLr', (c) => c.innerLr, { min: 0 }, 'step size β_d of the task-directed step; default: innerLr')),
  directedOnly(enumField('directedVariant', DIRECTED_VARIANTS, DEFAULTS.directedVariant, "directed step: 'pg' (policy gradient on the medium task) or 'fomaml' (post-adaptation gradient)")),
  directedOnly(scheduleField),
  directedOnly(mediumField),
  enumField('backend', CONFIG_BACKENDS, DEFAULTS.backend, 'tfjs backend of the gradient computations (webgl: in a browser page or worker only)'),
  enumField('estimator', ESTIMATORS, DEFAULTS.estimator, "inner surrogate of second-order meta-gradients: 'naive' (log π·A, as MAML-RL) or 'lvc' (π/⊥π·A, ProMP: also credits the pre-update sampling)"),
  // 0 stays 0 here (no node:* in this file); the trainer asks its worker factory for the core count.
  // On webgl, 1: a pool worker would hold a GL context of its own (shaders, ~300 MB of textures at
  // the defaults) and two gave no speed-up on this project's machine (software GL).
  numberField('workers', (c) => (c.backend === 'webgl' ? 1 : 0), { integer: true, min: 0, max: 256 }, 'worker threads that run the tasks of an iteration (0: one per core; 1: no pool; default 1 with backend webgl, else 0); results are identical for every value, so a run may be resumed with another'),
  // Choosing webgl means the meta-gradient runs on it: the wasm engine would leave it no work.
  enumField('gradEngine', GRAD_ENGINES, (c) => (c.backend === 'webgl' ? 'tfjs' : DEFAULTS.gradEngine),
    "engine of second-order and Meta-SGD meta-gradients: 'wasm' (Hessian-vector products in WASM) or 'tfjs' (tf.grads through the adaptation, on the tfjs backend); default: tfjs with backend webgl, else wasm"),
];

const FIELD_BY_NAME = new Map<string, ConfigField>(CONFIG_FIELDS.map((f) => [f.name, f]));
export const FIELD_BY_FLAG = new Map<string, ConfigField>(CONFIG_FIELDS.map((f) => [f.flag, f]));

export function configField(name: string): ConfigField | undefined {
  return FIELD_BY_NAME.get(name);
}

/** Every field at its default. */
export function defaultConfig(): TrainConfig {
  return resolveConfig({});
}

/** The records resolveConfig made: each is frozen, so it is still what was validated. */
const RESOLVED = new WeakSet<object>();

/** Whether `value` is a record resolveConfig returned (complete, validated, frozen). */
export function isResolvedConfig(value: unknown): value is TrainConfig {
  return typeof value === 'object' && value !== null && RESOLVED.has(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Fills defaults and validates every field; throws a ConfigError naming the first bad field (or
 * the first unknown key, or a field given where it does not apply). The result is a fresh plain
 * object (JSON-safe, so it can be saved), deeply frozen: every face (the CLI, the page, an
 * experiment cell, `new Trainer(...)`) resolves user input once, and what it hands down is taken
 * as is — resolveConfig of a record it made returns that record without checking it again.
 * Limits that depend on the WASM module (memory) are checked by checkWasmMemory
 * (./memory-plan.ts), once the module is loaded.
 */
export function resolveConfig(partial: unknown = {}): TrainConfig {
  if (isResolvedConfig(partial)) return partial;
  if (!isPlainObject(partial)) throw new ConfigError('config', partial, 'an object of config fields');
  for (const key of Object.keys(partial)) {
    if (!FIELD_BY_NAME.has(key)) throw new ConfigError(key, partial[key], `a config field: ${CONFIG_FIELDS.map((f) => f.name).join(', ')}`);
  }
  const out: Partial<Record<Key, unknown>> = {};
  for (const f of CONFIG_FIELDS) {
    const given = partial[f.name];
    if (f.appliesTo && !f.appliesTo(out as Partial<TrainConfig>)) {
      if (given !== undefined) throw new ConfigError(f.name, given, `nothing: it applies only to ${f.appliesWhen} (algo is ${out.algo})`);
      continue;
    }
    const value = given === undefined ? f.defaultValue(out as Partial<TrainConfig>) : f.check(given);
    if (value !== undefined) out[f.name] = value;
  }
  RESOLVED.add(deepFreeze(out));
  return out as TrainConfig;
}

/** Fields a resumed run may change; every other field is part of the run's identity. */
export const RESUMABLE_FIELDS: readonly Key[] = ['iterations', 'workers'];

/** JSON with object keys sorted at every level (the same config always gives the same text). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The identity of a run: 16 hex digits of FNV-1a 64 over the canonical JSON of the resolved
 * config without RESUMABLE_FIELDS (so a run keeps its hash when it is resumed to more iterations).
 * Two runs with the same hash have the same settings, and so (the seed included) the same metrics.
 */
export function configHash(config: TrainConfig): string {
  const rest: Record<string, unknown> = { ...resolveConfig(config) };
  for (const key of RESUMABLE_FIELDS) delete rest[key];
  return fnv1a64(new TextEncoder().encode(canonicalJson(rest)));
}
