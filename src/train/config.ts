// The one configuration schema: the API (`new dm.Trainer({...})`), the CLI flags (`--inner-lr 0.05`)
// and `--config file.json` all go through CONFIG_FIELDS, so a field has one default, one
// description and one validation. Defaults follow SPEC §5 (pytorch-maml-rl / ProMP practice).
// It lives in train/ because the trainer resolves configs; src/config.ts re-exports it with the CLI's
// flag parsing. Isomorphic: no node:* here.
import { ConfigError } from '../errors';
import { envIds, envSpec } from '../envs/registry';
import type { TaskRanges } from '../envs/task-family';
import { ACTIVATIONS, type Activation } from '../nn/mlp';
import { ESTIMATORS, type Estimator } from '../nn/loss';
import { parseDirectedSchedule } from '../meta/schedule';

export const ALGOS = ['maml', 'fomaml', 'meta-sgd', 'directed-maml', 'directed-fomaml', 'directed-meta-sgd'] as const;
export type AlgoName = (typeof ALGOS)[number];
export const DIRECTED_VARIANTS = ['pg', 'fomaml'] as const;
export const CONFIG_BACKENDS = ['wasm', 'cpu'] as const;

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
  directedLr: number;
  directedVariant: (typeof DIRECTED_VARIANTS)[number];
  /** 'every' | 'every:N' | 'first:K'; parse with parseDirectedSchedule. */
  directedSchedule: string;
  /**
   * The medium task of the directed step; parameters not named take the centre of their range.
   * 'random': a task drawn from the task distribution at each iteration (a control, see meta-step).
   */
  medium?: Record<string, number> | 'random';
  backend: (typeof CONFIG_BACKENDS)[number];
  /** Inner surrogate of the second-order meta-gradient: 'naive' (MAML-RL's) or 'lvc' (ProMP's). */
  estimator: Estimator;
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

function enumField<T extends string>(name: Key, values: readonly T[] | (() => readonly string[]), fallback: T, description: string): ConfigField {
  const list = (): readonly string[] => (typeof values === 'function' ? values() : values);
  return {
    name, flag: kebab(name), type: '<name>', description,
    get allowed() { return list().join(' | '); },
    defaultValue: () => fallback,
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
 * 'name=value,name=lo:hi' (CLI form) or a JSON object. Values are left unchecked here: check()
 * reports them with the field's name.
 */
function paramMapFromText(field: string, text: string, allowed: string, allowRange: boolean): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new ConfigError(field, text, allowed);
    }
  }
  const out: Record<string, unknown> = {};
  for (const part of trimmed.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError(field, text, allowed);
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
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
      if (isFiniteNumber(r)) out[name] = r;
      else if (Array.isArray(r) && r.length === 2 && isFiniteNumber(r[0]) && isFiniteNumber(r[1])) out[name] = [r[0], r[1]];
      else throw new ConfigError(`ranges.${name}`, r, 'a finite number or [low, high] of finite numbers');
    }
    return out;
  },
  fromFlag: (text) => paramMapFromText('ranges', text, rangesAllowed, true),
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
      if (!isFiniteNumber(x)) throw new ConfigError(`medium.${name}`, x, 'a finite number');
      out[name] = x;
    }
    return out;
  },
  fromFlag: (text) => (text.trim() === 'random' ? 'random' : paramMapFromText('medium', text, mediumAllowed, false)),
};

const hiddenAllowed = 'a list of 0 to 16 integers in [1, 4096] ([] = a linear policy; CLI: 64,64)';
const hiddenField: ConfigField = {
  name: 'hidden', flag: 'hidden', type: '<int,int,…>', allowed: hiddenAllowed,
  description: 'hidden layer widths of the MLP policy',
  defaultValue: () => [64, 64],
  check(v) {
    const ok = Array.isArray(v) && v.length <= 16 && v.every((w) => numberOk(w, { integer: true, min: 1, max: 4096 }));
    if (!ok) throw new ConfigError('hidden', v, hiddenAllowed);
    return [...(v as number[])];
  },
  fromFlag(text) {
    const widths = text.split(',').map(numberFromText);
    if (widths.some((w) => !numberOk(w, { integer: true, min: 1, max: 4096 }))) throw new ConfigError('hidden', text, hiddenAllowed);
    return widths;
  },
};

const scheduleField: ConfigField = {
  name: 'directedSchedule', flag: 'directed-schedule', type: '<schedule>',
  allowed: "'every' | 'every:N' | 'first:K'",
  description: 'iterations that take the task-directed step: all, every N-th, or the first K',
  defaultValue: () => 'every',
  check(v) {
    parseDirectedSchedule(v);
    return v;
  },
  fromFlag: (text) => text,
};

/** The schema, in resolution order (a default may depend on fields above it). */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  enumField('env', envIds, 'CartPole-v1', 'environment id (see the list of allowed ids)'),
  rangesField,
  enumField('algo', ALGOS, 'directed-maml', 'meta-learning algorithm'),
  numberField('iterations', 30, { integer: true, min: 1 }, 'meta-iterations (in total, when resuming)'),
  numberField('metaBatch', 20, { integer: true, min: 1 }, 'tasks sampled per meta-iteration'),
  numberField('episodes', 20, { integer: true, min: 1 }, 'episodes per task per rollout (pre- and post-adaptation each)'),
  numberField('maxSteps', 500, { integer: true, min: 1 }, 'step limit of one episode'),
  hiddenField,
  enumField('activation', ACTIVATIONS, 'tanh', 'hidden-layer activation'),
  numberField('innerLr', 0.1, { min: 0, minExclusive: true }, 'inner (adaptation) step size α; Meta-SGD: initial α'),
  numberField('innerSteps', 1, { integer: true, min: 1 }, 'inner gradient steps per task'),
  numberField('outerLr', 1e-3, { min: 0, minExclusive: true }, 'Adam step size of the meta-update'),
  numberField('gamma', 0.99, { min: 0, max: 1 }, 'discount factor γ of the returns'),
  numberField('lambda', 1.0, { min: 0, max: 1 }, 'GAE λ of the advantages (1: returns minus the baseline)'),
  numberField('seed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 }, 'seed of every random stream (tasks, init, resets, actions)'),
  numberField('directedLr', (c) => c.innerLr, { min: 0, minExclusive: true }, 'step size β_d of the task-directed step; default: innerLr'),
  enumField('directedVariant', DIRECTED_VARIANTS, 'pg', "directed step: 'pg' (policy gradient on the medium task) or 'fomaml' (post-adaptation gradient)"),
  scheduleField,
  mediumField,
  enumField('backend', CONFIG_BACKENDS, 'wasm', 'tfjs backend of the gradient computations'),
  enumField('estimator', ESTIMATORS, 'naive', "inner surrogate of second-order meta-gradients: 'naive' (log π·A, as MAML-RL) or 'lvc' (π/⊥π·A, ProMP: also credits the pre-update sampling)"),
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

/**
 * Fills defaults and validates every field; throws a ConfigError naming the first bad field (or
 * the first unknown key). The result is a fresh plain object (JSON-safe, so it can be saved).
 */
export function resolveConfig(partial: unknown = {}): TrainConfig {
  if (!isPlainObject(partial)) throw new ConfigError('config', partial, 'an object of config fields');
  for (const key of Object.keys(partial)) {
    if (!FIELD_BY_NAME.has(key)) throw new ConfigError(key, partial[key], `a config field: ${CONFIG_FIELDS.map((f) => f.name).join(', ')}`);
  }
  const out: Partial<Record<Key, unknown>> = {};
  for (const f of CONFIG_FIELDS) {
    const given = partial[f.name];
    const value = given === undefined ? f.defaultValue(out as Partial<TrainConfig>) : f.check(given);
    if (value !== undefined) out[f.name] = value;
  }
  return out as TrainConfig;
}

