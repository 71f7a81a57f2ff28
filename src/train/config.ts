// The one configuration schema: the API (`new dm.Trainer({...})`), the CLI flags (`--inner-lr 0.05`)
// and `--config file.json` all go through CONFIG_FIELDS, so a field has one default, one
// description and one validation. Defaults follow SPEC §5 (pytorch-maml-rl / ProMP practice).
// It lives in train/ because the trainer resolves configs; src/config.ts re-exports it with the CLI's
// flag parsing. Isomorphic: no node:* here.
import { ConfigError } from '../errors';
import { envIds, envSpec } from '../envs/registry';
import type { TaskRanges } from '../envs/task-family';
import { ACTIVATIONS, type Activation } from '../nn/mlp';
import { actionWidth, headFor, headOutputs, headParamCount } from '../nn/head';
import { ESTIMATORS, type Estimator } from '../nn/loss';
import { parseDirectedSchedule } from '../meta/schedule';
import { GRAD_ENGINES, secondOrderBytes, type GradEngine } from '../meta/meta-gradient';
import { MAX_ROLLOUT_COUNT } from '../rl/rollout';
import { wasmMemoryPlan, envDims, mlpParamCount, wasmBlockLimitBytes, formatBytes, WASM_MEMORY_BUDGET_BYTES, type MemoryPart, type RolloutShape, type WasmMemoryPlan } from '../rl/memory';
import { fnv1a64 } from './checkpoint';
import { maml, fomaml, metaSgd, differentiatesAdaptation } from '../meta/algorithms';

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
 * JSON.parse that refuses an object holding the same key twice (JSON.parse keeps the last one, so a
 * config file or flag saying `"metaBatch": 4, …, "metaBatch": 40` would silently mean 40).
 * Throws a SyntaxError naming the key.
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
  defaultValue: () => [64, 64],
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
  defaultValue: () => 'every',
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
  enumField('env', envIds, 'CartPole-v1', 'environment id (see the list of allowed ids)'),
  rangesField,
  enumField('algo', ALGOS, 'directed-maml', 'meta-learning algorithm'),
  // Every random stream derives from (seed, iteration) with a 31-bit iteration index.
  numberField('iterations', 30, { integer: true, min: 1, max: 2 ** 31 - 2 }, 'meta-iterations (in total, when resuming)'),
  // episodes × maxSteps and metaBatch × parameters are bounded by the memory: checkWasmMemory.
  numberField('metaBatch', 20, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'tasks sampled per meta-iteration'),
  numberField('episodes', 20, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'episodes per task per rollout (pre- and post-adaptation each)'),
  numberField('maxSteps', 500, { integer: true, min: 1, max: MAX_ROLLOUT_COUNT }, 'step limit of one episode'),
  hiddenField,
  enumField('activation', ACTIVATIONS, 'tanh', 'hidden-layer activation'),
  numberField('innerLr', 0.1, { min: 0, minExclusive: true }, 'inner (adaptation) step size α; Meta-SGD: initial α'),
  numberField('innerSteps', 1, { integer: true, min: 1 }, 'inner gradient steps per task'),
  // 0.01: the most robust rate of docs/RESULTS.md's outer-lr sweep (3 envs × MAML, FOMAML, Meta-SGD):
  // picked for 5 of the 9 pairs and second for the other 4, whose pick, 0.03, diverged in 4 of its 18
  // tuning runs. At 1e-3 (SPEC's proposal) the CartPole AUC was less than half.
  numberField('outerLr', 0.01, { min: 0, minExclusive: true }, 'Adam step size of the meta-update'),
  numberField('gamma', 0.99, { min: 0, max: 1 }, 'discount factor γ of the returns'),
  numberField('lambda', 1.0, { min: 0, max: 1 }, 'GAE λ of the advantages (1: returns minus the baseline)'),
  numberField('seed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 }, 'seed of every random stream (tasks, init, resets, actions)'),
  directedOnly(numberField('directedLr', (c) => c.innerLr, { min: 0, minExclusive: true }, 'step size β_d of the task-directed step; default: innerLr')),
  directedOnly(enumField('directedVariant', DIRECTED_VARIANTS, 'pg', "directed step: 'pg' (policy gradient on the medium task) or 'fomaml' (post-adaptation gradient)")),
  directedOnly(scheduleField),
  directedOnly(mediumField),
  enumField('backend', CONFIG_BACKENDS, 'wasm', 'tfjs backend of the gradient computations (webgl: in a browser page or worker only)'),
  enumField('estimator', ESTIMATORS, 'naive', "inner surrogate of second-order meta-gradients: 'naive' (log π·A, as MAML-RL) or 'lvc' (π/⊥π·A, ProMP: also credits the pre-update sampling)"),
  // 0 stays 0 here (no node:* in this file); the trainer asks its worker factory for the core count.
  // On webgl, 1: a pool worker would hold a GL context of its own (shaders, ~300 MB of textures at
  // the defaults) and two gave no speed-up on this project's machine (software GL).
  numberField('workers', (c) => (c.backend === 'webgl' ? 1 : 0), { integer: true, min: 0, max: 256 }, 'worker threads that run the tasks of an iteration (0: one per core; 1: no pool; default 1 with backend webgl, else 0); results are identical for every value, so a run may be resumed with another'),
  // Choosing webgl means the meta-gradient runs on it: the wasm engine would leave it no work.
  enumField('gradEngine', GRAD_ENGINES, (c) => (c.backend === 'webgl' ? 'tfjs' : 'wasm'),
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

/**
 * Fills defaults and validates every field; throws a ConfigError naming the first bad field (or
 * the first unknown key, or a field given where it does not apply). The result is a fresh plain
 * object (JSON-safe, so it can be saved). Limits that depend on the WASM module (memory) are
 * checked by checkWasmMemory, once the module is loaded.
 */
export function resolveConfig(partial: unknown = {}): TrainConfig {
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
  return out as TrainConfig;
}

/** Fields a resumed run may change; every other field is part of the run's identity. */
export const RESUMABLE_FIELDS: readonly Key[] = ['iterations', 'workers'];

/** JSON with object keys sorted at every level (the same config always gives the same text). */
function canonicalJson(value: unknown): string {
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

// ---- Limits of the WASM memory (need the module loaded: sizes and dimensions come from it).

/**
 * The rollout shapes and weight sets one training run uses (src/meta/meta-step.ts): every rollout
 * is of one task with one weight set (runTask samples task i's D_i at θ and D'_i at θ'_i; the
 * directed step samples the medium task), so the shape does not grow with metaBatch.
 */
export function trainingRollouts(c: TrainConfig): { rollouts: RolloutShape[]; weightSets: number[] } {
  return { rollouts: [{ numTasks: 1, episodes: c.episodes, maxSteps: c.maxSteps }], weightSets: [1] };
}

/**
 * The memory a training run of this config needs: the module's (rollouts, policy, and the wasm
 * engine's meta-gradient workspace), the per-task meta-gradients an iteration holds until it sums
 * them in task order, and (second order on the tfjs engine and wasm backend) the tfjs backend's,
 * whose graph holds one task's batches at a time.
 */
export function trainingMemory(c: TrainConfig): WasmMemoryPlan {
  const { rollouts, weightSets } = trainingRollouts(c);
  const env = envDims(c.env);
  const makeBase = { maml, fomaml, 'meta-sgd': metaSgd }[c.algo.replace(/^directed-/, '') as 'maml' | 'fomaml' | 'meta-sgd'];
  const algo = makeBase({ innerLr: c.innerLr, innerSteps: c.innerSteps });
  const head = headFor(env);
  const numParams = mlpParamCount([env.obsDim, ...c.hidden, headOutputs(head)]) + headParamCount(head);
  const extra: MemoryPart[] = [];
  let tfjs = 0;
  if (differentiatesAdaptation(algo)) {
    if (c.gradEngine === 'wasm') {
      // assembly/metagrad.ts metaGradCreate: θ_0..θ_k, g_0..g_{k-1}, α, v, u, ∇α (one set each);
      // src/meta/meta-gradient.ts copies in the inner and outer rows (obs, action, advantage, weight).
      const sets = 2 * c.innerSteps + 5;
      extra.push({ what: `meta-gradient workspace (${sets} × ${numParams} parameters)`, total: sets * numParams * 4, largest: (c.innerSteps + 1) * numParams * 4 });
      const rows = 2 * c.episodes * c.maxSteps * (env.obsDim + 2 + actionWidth(head)) * 4;
      extra.push({ what: `meta-gradient rows (2 × ${c.episodes * c.maxSteps} steps)`, total: rows, largest: rows });
    } else if (c.backend === 'wasm') {
      tfjs = secondOrderBytes(c.episodes * c.maxSteps, [env.obsDim, ...c.hidden, headOutputs(head)], c.innerSteps);
    }
  }
  // One meta-gradient per task (and ∇α for Meta-SGD) waits for the in-order sum of finishIteration.
  const perTask = numParams * 4 * (algo.learnInnerLr ? 2 : 1);
  extra.push({ what: `per-task meta-gradients (${c.metaBatch} × ${numParams} parameters)`, total: c.metaBatch * perTask, largest: perTask });
  const plan = wasmMemoryPlan(env, c, rollouts, weightSets, extra);
  plan.tfjs = tfjs;
  return plan;
}

/** The largest value v of a monotone predicate ok(v) in [lo, hi] (ok(lo) assumed), by bisection. */
function largestOk(lo: number, hi: number, ok: (v: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const fits = (plan: WasmMemoryPlan): boolean =>
  plan.largest.largest <= wasmBlockLimitBytes() && plan.total <= WASM_MEMORY_BUDGET_BYTES && plan.tfjs <= WASM_MEMORY_BUDGET_BYTES;

/**
 * The WASM memory checks of a workload: no buffer at or above the allocator's block limit, and
 * everything within WASM_MEMORY_BUDGET_BYTES. `counts` are the fields whose product is the steps
 * of the largest rollout, maxSteps last; `plan(t)` is the workload with maxSteps = t. Throws a
 * one-line ConfigError naming the fields, their values, and the largest maxSteps that would fit.
 */
export function checkWasmMemory(env: string, hidden: readonly number[], counts: ReadonlyArray<readonly [string, number]>,
  plan: (maxSteps: number) => WasmMemoryPlan,
  copies?: { metaBatch: number; plan: (metaBatch: number) => WasmMemoryPlan }): void {
  const maxSteps = counts[counts.length - 1][1];
  const p = plan(maxSteps);
  if (fits(p)) return;
  const blockLimit = wasmBlockLimitBytes();
  const within = (q: WasmMemoryPlan) => {
    if (q.largest.largest > blockLimit) {
      const need = formatBytes(q.largest.largest);
      return `no buffer of ${formatBytes(blockLimit)} or more (the ${q.largest.what} needs ${need === formatBytes(blockLimit) ? `${q.largest.largest} bytes` : need})`;
    }
    if (q.total > WASM_MEMORY_BUDGET_BYTES) return `${formatBytes(WASM_MEMORY_BUDGET_BYTES)} of WASM memory (this needs ${formatBytes(q.total)})`;
    return `${formatBytes(WASM_MEMORY_BUDGET_BYTES)} of the tfjs backend's WASM memory for one task's second-order gradient (this needs about ${formatBytes(q.tfjs)})`;
  };
  const smallest = plan(1);
  if (!fits(smallest)) {
    // Even one step per episode does not fit: the policy's copies (one per task) are too big.
    const maxBatch = copies && fits(copies.plan(1)) ? largestOk(1, copies.metaBatch, (b) => fits(copies.plan(b))) : 0;
    if (copies && maxBatch > 0) {
      throw new ConfigError('metaBatch × hidden', `${copies.metaBatch} × [${hidden.join(', ')}]`,
        `at most ${maxBatch} tasks with this policy, or a smaller policy (one iteration holds a meta-gradient per task): a run on ${env} must fit ${within(smallest)}`);
    }
    const steps = smallest.largest.what.startsWith('meta-gradient workspace') ? ' (or fewer innerSteps)' : '';
    throw new ConfigError('hidden', hidden, `a smaller policy${steps}: a run on ${env} must fit ${within(smallest)}`);
  }
  const largest = largestOk(1, maxSteps, (t) => fits(plan(t)));
  const field = counts.map(([name]) => name).join(' × ');
  const value = `${counts.map(([, v]) => v).join(' × ')} = ${counts.reduce((prod, [, v]) => prod * v, 1)} steps`;
  throw new ConfigError(field, value, `maxSteps <= ${largest} with the other values as given: a run on ${env} must fit ${within(p)}`);
}

/** checkWasmMemory for a training run of this config (the trainer calls it before allocating). */
export function checkTrainingMemory(c: TrainConfig): void {
  // Every rollout is one task's (runTask), so its size is episodes × maxSteps; metaBatch enters
  // through the per-task meta-gradients (the `copies` check).
  checkWasmMemory(c.env, c.hidden, [['episodes', c.episodes], ['maxSteps', c.maxSteps]],
    (maxSteps) => trainingMemory({ ...c, maxSteps }),
    { metaBatch: c.metaBatch, plan: (metaBatch) => trainingMemory({ ...c, metaBatch, maxSteps: 1 }) });
}

/**
 * Adapting a policy on one task at a time (`dmaml adapt`, held-out evaluation): each rollout is
 * `episodes` × `maxSteps` steps of one task and one weight set. `names`: how errors name the two
 * counts (the flag's field, or the grid entry that set it).
 */
export function checkAdaptMemory(c: TrainConfig, episodes: number, maxSteps: number, names: readonly [string, string] = ['episodes', 'maxSteps']): void {
  checkWasmMemory(c.env, c.hidden, [[names[0], episodes], [names[1], maxSteps]],
    (t) => wasmMemoryPlan(envDims(c.env), c, [{ numTasks: 1, episodes, maxSteps: t }], [1]));
}

/** The WASM memory limits as --help states them, computed from the module for every env. */
export function memoryLimitsHelp(): string {
  const lines = [
    `Limits of the WASM memory (checked before anything is written): no single buffer of ${formatBytes(wasmBlockLimitBytes())} or more,`,
    `and at most ${formatBytes(WASM_MEMORY_BUDGET_BYTES)} in all (wasm32 memory is 4 GiB; the rest is a margin). One iteration holds`,
    'episodes × maxSteps steps of one task\'s rollouts twice (the workspace and its copy), and one meta-gradient per task;',
    'second-order algorithms (maml, meta-sgd) also hold 2k + 5 copies of the parameters (k inner steps) and one task\'s rows:',
  ];
  const d = defaultConfig();
  for (const env of envIds()) {
    const base = { ...d, env, ranges: undefined } as unknown as TrainConfig;
    const maxFor = (c: TrainConfig) => largestOk(1, MAX_ROLLOUT_COUNT, (t) => fits(trainingMemory({ ...c, maxSteps: t })));
    const fo = { ...base, algo: 'directed-fomaml', directedLr: undefined, directedVariant: undefined, directedSchedule: undefined } as unknown as TrainConfig;
    const small = { ...fo, metaBatch: 2, episodes: 2 };
    lines.push(`  ${env}, hidden ${d.hidden.join(',')}: maxSteps <= ${maxFor(base)} at metaBatch ${d.metaBatch}, episodes ${d.episodes} (${d.algo}); <= ${maxFor(fo)} (directed-fomaml); <= ${maxFor(small)} at metaBatch 2, episodes 2 (directed-fomaml)`);
  }
  return lines.join('\n');
}
