// The grid of `dmaml experiment`: which training runs (cells) to make, and how to judge them.
//
// A grid file is one JSON object; every key is optional except envs/algos/seeds, which may also
// come from --envs/--algos/--seeds:
//   {
//     "envs":   ["CartPole-v1", "Intersection-v0"],
//     "algos":  ["fomaml", "directed-fomaml"],
//     "seeds":  [1, 2, 3, 4, 5],                      // the reported seeds (paired across algorithms)
//     "config": { "iterations": 30, "metaBatch": 10 }, // any dmaml train field, for every cell
//     "perEnv": { "CartPole-v1": { "threshold": 100, "config": { "maxSteps": 200 } } },
//     "heldout": { "every": 10, "tasks": 10, "seed": 7919, "steps": 3, "episodes": 10 },
//     "controls": {
//       "outerLrSweep":    { "rates": [0.0003, 0.001, 0.003], "seeds": [101, 102],
//                            "widen": 2,                // a pick at an edge adds up to 2 rates beyond it (each side; default 2)
//                            "directedLrs": [0.05, 0.2] }, // the directed algorithms' β_d tuned with the outer lr
//       "seeds":           [1, 2, 3],  // the seeds of the control arms (a subset of grid.seeds; default: all)
//       "randomMedium":    true,
//       "directedLrSweep": { "rates": [0.05, 0.2] },
//       "extraTask":       true,   // the bases also run with metaBatch + 1 (the directed step's extra samples)
//       "nonMeta":         true,   // multi-task REINFORCE (FOMAML at α = 0), evaluated with the usual α
//       "oracle":          { "tasks": 5, "algo": "maml" } // or true: per-task oracles, the family's adaptation headroom
//     },
//     "margins": { "iterationsToThreshold": 1, "auc": 5 }, // TOST equivalence margins (also perEnv.<env>.margins)
//   }
// perEnv.<env> also takes "maxReturn" (the env's best return: the ceiling of the return metrics).
// A cell is (env, algorithm, seed, overrides); its name is stable and safe as a file name:
//   CartPole-v1.directed-fomaml.medium=random.seed3
// Config fields are named as in a --config file (camelCase: "metaBatch"); the same fields given as
// flags of `dmaml experiment` (kebab-case: --meta-batch, read by the CLI's one parser) apply to every
// cell and win over the grid file. Fields that apply only to some algorithms (the directed-only
// directedLr, directedVariant, directedSchedule, medium) go to the cells of those algorithms.
// Everything is validated here, before any cell runs; a bad entry is one ConfigError naming it
// (grid.perEnv.CartPole-v1.config.metaBatch, grid.controls.outerLrSweep.seeds[0], …), with the
// schema's own message; a flag's value is named like `dmaml train` names it (metaBatch).
import { ConfigError } from '../../errors';
import {
  ALGOS, CONFIG_FIELDS, FIELD_BY_FLAG, RESERVED_ALLOWED, configField, isReservedKey, resolveConfig, isPlainObject,
  type AlgoName, type TrainConfig,
} from '../../train/config';
import { checkAdaptMemory, checkTrainingMemory } from '../../train/memory-plan';
import { envIds } from '../../envs/registry';
import { taskFamily } from '../../envs/task-family';
import { HELDOUT_DEFAULTS } from './heldout';

/**
 * Post-adaptation return that counts as "solved enough" per env, for iterations- and
 * seconds-to-threshold. Chosen to be reachable within the budgets of this machine, and stated
 * in RESULTS.md; a grid may set its own (perEnv.<env>.threshold).
 */
/**
 * The metrics a report compares arms on (per seed): iterations, env-steps and training seconds until
 * the threshold; area under the post-adaptation curve; final return; held-out k-shot return and
 * gain at the last k.
 */
export const METRIC_NAMES = ['iterationsToThreshold', 'envStepsToThreshold', 'secondsToThreshold', 'auc', 'finalReturn', 'heldoutReturn', 'heldoutGain'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * Equivalence margins of the TOST test when a grid states none (a "does not hold" from
 * equivalence needs the difference shown to lie within ±margin): one meta-iteration for
 * iterations to threshold; for the return metrics, RETURN_MARGIN_FRACTION of |threshold| (the
 * scale a grid judges the env on). Env-steps and seconds get no default margin: "does not hold"
 * there needs an effect the other way.
 */
export const DEFAULT_MARGINS: Readonly<Partial<Record<MetricName, number>>> = { iterationsToThreshold: 1 };
export const RETURN_MARGIN_FRACTION = 0.05;
const RETURN_METRICS: readonly MetricName[] = ['auc', 'finalReturn', 'heldoutReturn', 'heldoutGain'];

/**
 * The best return an env's episode can have, where it has one: CartPole-v1 pays 1 per step, so
 * its maximum is the cells' maxSteps. The ceiling of the return metrics (a tie there is labelled,
 * not judged); a grid may state it for other envs (perEnv.<env>.maxReturn).
 */
export function defaultMaxReturn(env: string, maxSteps: number): number | null {
  return env === 'CartPole-v1' ? maxSteps : null;
}

export const DEFAULT_THRESHOLDS: Readonly<Record<string, number>> = {
  'CartPole-v1': 100,
  'Intersection-v0': 3,
  'LunarLander-v2': -100,
};

/** Held-out evaluation: k-shot returns on a fixed set of test tasks drawn from their own seed. */
export interface HeldoutSpec {
  /** Evaluate every this many iterations, and at the end. */
  every: number;
  /** Test tasks, drawn with family.sample(tasks, {seed}). */
  tasks: number;
  seed: number;
  /** Inner steps: returns after 0, 1, …, steps adaptation steps. */
  steps: number;
  /** Episodes per task and step; default: the cell's episodes. */
  episodes?: number;
  /** Inner step size α of the evaluation; default: the run's own (the non-meta control's is the grid's usual α). */
  innerLr?: number;
  /**
   * An oracle cell's: only held-out task `task` (its index among the `tasks`), with that task's
   * own rollout seeds, so its returns are scored on the same evaluation batch as every other
   * cell's returns on that task.
   */
  task?: number;
}

export interface Controls {
  /**
   * Outer-learning-rate sweep, picked by AUC on these seeds (not reported): per base algorithm (its
   * directed variant and controls run at its rate), or with perArm every reported arm on its own.
   */
  outerLrSweep?: {
    rates: number[];
    seeds: number[];
    perArm?: boolean;
    /**
     * How many rates a pick at an edge of the rates may add beyond it, per tuning key and side
     * (default DEFAULT_WIDEN): the next rate on the sweep's log spacing, run on the same seeds, then
     * the pick made again (analysis.ts widenSweep).
     */
    widen?: number;
    /**
     * β_d values tuned with the outer rate: a directed algorithm's tuning cells span rates ×
     * directedLrs, and its arm (and its random-task control) run at the picked pair. Not a control.
     */
    directedLrs?: number[];
  };
  /** The seeds the control arms run on (a subset of grid.seeds; default all): controlSeedsOf. */
  seeds?: number[];
  /** The directed variants also run with --medium random (the directed step on a random task). */
  randomMedium?: boolean;
  /** The directed variants also run at these β_d (directedLr). */
  directedLrSweep?: { rates: number[] };
  /**
   * Each base algorithm with a directed variant in the grid also runs with metaBatch + 1: one more
   * task is two more rollout batches per iteration (before and after adaptation), at least the
   * directed step's one (pg) or two (fomaml variant), so "directed beats base" is checked against
   * a base given the directed step's extra samples.
   */
  extraTask?: boolean;
  /**
   * The MAML paper's non-meta baseline: multi-task REINFORCE on the task mixture (FOMAML trained
   * with α = 0, so θ' = θ), evaluated on the held-out tasks with the grid's usual α.
   */
  nonMeta?: boolean;
  /**
   * Per-task oracles (the family's adaptation headroom): for each of the first `tasks` held-out
   * tasks, `algo` trained with the same budget (and outer rate) as its main arm but with every
   * task range fixed at that task, evaluated on that task alone with the held-out protocol.
   */
  oracle?: { tasks: number; algo: AlgoName };
}

export interface Grid {
  envs: string[];
  algos: AlgoName[];
  seeds: number[];
  /**
   * Config fields for every cell (not env, algo, seed or workers), the flags' over the file's; a
   * field that applies only to some algorithms goes to their cells.
   */
  config: Partial<TrainConfig>;
  perEnv: Record<string, { threshold: number; config: Partial<TrainConfig>; maxReturn: number | null; margins: Partial<Record<MetricName, number>> }>;
  heldout: HeldoutSpec;
  controls: Controls;
}

/** Config fields a cell may override (the grid's controls and the sweep's picks). Keys are config field names. */
export const OVERRIDE_KEYS = ['outerLr', 'medium', 'directedLr', 'metaBatch', 'innerLr'] as const;
export type Overrides = Partial<Pick<TrainConfig, (typeof OVERRIDE_KEYS)[number]>> & {
  /** An oracle cell: the index of the held-out task its ranges are fixed at (not a config field; the cell's ranges say it). */
  oracle?: number;
};

export interface Cell {
  name: string;
  /** env + algo + overrides, without the seed: the cells of one arm differ only in their seed. */
  arm: string;
  env: string;
  algo: AlgoName;
  seed: number;
  overrides: Overrides;
  /** 'tune': an outer-lr sweep cell (not reported); 'main': a reported cell. */
  phase: 'tune' | 'main';
  /** The full config of the run (validated). */
  config: TrainConfig;
  /** Held-out evaluation, or null (tuning cells are judged by their training curve alone). */
  heldout: HeldoutSpec | null;
}

const GRID_KEYS = ['envs', 'algos', 'seeds', 'config', 'perEnv', 'heldout', 'controls', 'margins'] as const;
const MAX_SEED = 2 ** 32 - 1;

/**
 * Config fields a grid entry may not set, and what to say instead: a cell's env, algo and seed
 * come from the grid's lists; its worker threads from the runner (max(1, floor(cores / jobs)), so
 * cells running side by side never oversubscribe the cores; results are the same for any count).
 */
export const NOT_IN_GRID: Readonly<Record<string, string>> = {
  env: 'no env here (cells take it from grid.envs; flag --envs)',
  algo: 'no algo here (cells take it from grid.algos; flag --algos)',
  seed: 'no seed here (cells take it from grid.seeds; flag --seeds)',
  workers: 'no workers here (each cell runs max(1, floor(cores / --jobs)) worker threads; results are the same for any count)',
};

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new ConfigError(`${where}.${key}`, obj[key], `one of the keys ${allowed.join(', ')}`);
  }
}

function objectAt(v: unknown, where: string, what: string): Record<string, unknown> {
  if (!isPlainObject(v)) throw new ConfigError(where, v, what);
  return v;
}

function listAt(v: unknown, where: string, what: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(where, v, `a non-empty list of ${what}`);
  return v;
}

/** The items, each passing `ok` and given once (one pass with a set: 200 000 seeds take milliseconds). */
function uniqueList<T>(items: unknown[], where: string, what: string, ok: (x: unknown) => x is T): T[] {
  const seen = new Set<unknown>();
  items.forEach((x, i) => {
    if (!ok(x)) throw new ConfigError(`${where}[${i}]`, x, what);
    if (seen.has(x)) throw new ConfigError(`${where}[${i}]`, x, `${what}, each at most once`);
    seen.add(x);
  });
  return items as T[];
}

/**
 * The most cells a grid may make (tuning and reported): each is a training run with its own
 * directory, queue job and report row; a grid past this is a typo (a seed list of 200 000), not a plan.
 */
export const MAX_GRID_CELLS = 10_000;

const isOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

const isSeed = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_SEED;
const isRate = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const seedText = `an integer in [0, ${MAX_SEED}]`;

function intIn(v: unknown, where: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(where, v, `an integer in [${min}, ${max}]`);
  return v;
}

/** A margins object (grid.margins, grid.perEnv.<env>.margins): metric name → a number > 0. */
function marginsAt(v: unknown, where: string): Partial<Record<MetricName, number>> {
  if (v === undefined) return {};
  const obj = objectAt(v, where, `an object {metric: margin > 0} with metrics ${METRIC_NAMES.join(', ')}`);
  unknownKeys(obj, METRIC_NAMES, where);
  for (const [key, value] of Object.entries(obj)) {
    if (!isRate(value)) throw new ConfigError(`${where}.${key}`, value, 'a finite number > 0 (the equivalence margin, in the metric\'s units)');
  }
  return obj as Partial<Record<MetricName, number>>;
}

/** An env's margins: the defaults, then grid.margins, then its own entry's. */
function resolveMargins(threshold: number, top: Partial<Record<MetricName, number>>, own: Partial<Record<MetricName, number>>): Partial<Record<MetricName, number>> {
  const margins: Partial<Record<MetricName, number>> = { ...DEFAULT_MARGINS };
  if (threshold !== 0) for (const m of RETURN_METRICS) margins[m] = RETURN_MARGIN_FRACTION * Math.abs(threshold);
  return { ...margins, ...top, ...own };
}

const GRID_FIELDS = CONFIG_FIELDS.map((f) => f.name).filter((n) => !isOwn(NOT_IN_GRID, n));

/**
 * The config fields of a grid entry (camelCase, as in a --config file), each checked by the schema
 * (its own message, named grid.config.metaBatch, …). Refused: fields that come from elsewhere
 * (NOT_IN_GRID), and a field that applies to none of the grid's algorithms.
 */
function configAt(v: unknown, where: string, algos: readonly AlgoName[]): Partial<TrainConfig> {
  if (v === undefined) return {};
  const obj = objectAt(v, where, 'an object of dmaml train config fields');
  for (const [key, value] of Object.entries(obj)) {
    if (isReservedKey(key)) throw new ConfigError(`${where}.${key}`, value, RESERVED_ALLOWED);
    if (isOwn(NOT_IN_GRID, key)) throw new ConfigError(`${where}.${key}`, value, NOT_IN_GRID[key]);
    const field = configField(key);
    if (!field) {
      // A flag's spelling (meta-batch) in a file: say which name the file wants.
      const flagOf = FIELD_BY_FLAG.get(key);
      const hint = flagOf ? `${flagOf.name} (a grid file names config fields in camelCase, like a --config file; --${key} is the flag)` : `a config field: ${GRID_FIELDS.join(', ')}`;
      throw new ConfigError(`${where}.${key}`, value, hint);
    }
    withPlace(where, () => field.check(value));
    checkApplies(key, value, `${where}.${key}`, algos);
  }
  return { ...obj } as Partial<TrainConfig>;
}

/** Refuses a field that applies only to some algorithms when the grid runs none of them. */
function checkApplies(key: string, value: unknown, where: string, algos: readonly AlgoName[]): void {
  const field = configField(key);
  if (field?.appliesTo && !algos.some((algo) => field.appliesTo!({ algo }))) {
    throw new ConfigError(where, value, `nothing: it applies only to ${field.appliesWhen} (grid.algos: ${algos.join(', ')})`);
  }
}

/** The fields of `config` that mean something for `algo` (the schema's appliesTo): the others are left out of its cells. */
function fieldsFor(config: Partial<TrainConfig>, algo: AlgoName): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    const field = configField(key);
    if (!field?.appliesTo || field.appliesTo({ algo })) out[key] = value;
  }
  return out as Partial<TrainConfig>;
}

/** Re-throws a schema error with the grid entry it came from (grid.config.metaBatch, …). */
function withPlace<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(where ? `${where}.${err.field}` : err.field, err.value, err.allowed);
    throw err;
  }
}

/**
 * Validates a grid (a parsed grid file merged with the command-line lists) and fills its
 * defaults. `flags`: config fields given as flags (already read by the one parser), for every
 * cell, over the grid file's (top-level and per-env) values. Needs the WASM module (dm.init): task
 * ranges are checked against the physics, and every cell's training and held-out rollouts against
 * the WASM memory.
 */
export function resolveGrid(raw: unknown, flags: Partial<TrainConfig> = {}): Grid {
  const g = objectAt(raw, 'grid', 'a JSON object with envs, algos, seeds and optional config, perEnv, heldout, controls');
  unknownKeys(g, GRID_KEYS, 'grid');
  const envs = uniqueList(listAt(g.envs, 'grid.envs', 'env ids'), 'grid.envs', envIds().join(' | '), (x): x is string => typeof x === 'string' && envIds().includes(x));
  const algos = uniqueList(listAt(g.algos, 'grid.algos', 'algorithms'), 'grid.algos', ALGOS.join(' | '), (x): x is AlgoName => typeof x === 'string' && (ALGOS as readonly string[]).includes(x));
  const seeds = uniqueList(listAt(g.seeds, 'grid.seeds', 'seeds'), 'grid.seeds', seedText, isSeed);
  const fileConfig = configAt(g.config, 'grid.config', algos);
  // The flags' fields, named as `dmaml train` names them (the parser checked their text; check() their values).
  for (const [key, value] of Object.entries(flags)) {
    if (isOwn(NOT_IN_GRID, key)) throw new ConfigError(configField(key) ? `--${configField(key)!.flag}` : key, value, NOT_IN_GRID[key]);
    const field = configField(key);
    if (!field) throw new ConfigError(key, value, `a config field: ${GRID_FIELDS.join(', ')}`);
    field.check(value);
    checkApplies(key, value, key, algos);
  }
  const config = { ...fileConfig, ...flags } as Partial<TrainConfig>;

  const perEnvRaw = g.perEnv === undefined ? {} : objectAt(g.perEnv, 'grid.perEnv', 'an object {envId: {threshold, config}}');
  for (const key of Object.keys(perEnvRaw)) {
    if (!envs.includes(key)) throw new ConfigError(`grid.perEnv.${key}`, key, `an env of grid.envs: ${envs.join(', ')}`);
  }
  const perEnv: Grid['perEnv'] = {};
  const topMargins = marginsAt(g.margins, 'grid.margins');
  for (const env of envs) {
    const where = `grid.perEnv.${env}`;
    const entry = perEnvRaw[env] === undefined ? {} : objectAt(perEnvRaw[env], where, 'an object {threshold, config, maxReturn, margins}');
    unknownKeys(entry, ['threshold', 'config', 'maxReturn', 'margins'], where);
    const threshold = entry.threshold ?? DEFAULT_THRESHOLDS[env];
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new ConfigError(`${where}.threshold`, entry.threshold, `a finite post-adaptation return${env in DEFAULT_THRESHOLDS ? '' : ` (${env} has no default)`}`);
    }
    const envConfig = configAt(entry.config, `${where}.config`, algos) as Record<string, unknown>;
    for (const key of Object.keys(flags)) delete envConfig[key]; // the flags win here too
    if (entry.maxReturn !== undefined && (typeof entry.maxReturn !== 'number' || !Number.isFinite(entry.maxReturn) || entry.maxReturn <= threshold)) {
      throw new ConfigError(`${where}.maxReturn`, entry.maxReturn, `a finite return above the threshold ${threshold} (the best return an episode can have)`);
    }
    const maxReturn = (entry.maxReturn as number | undefined) ?? defaultMaxReturn(env, resolveConfig({ ...config, ...envConfig, env }).maxSteps);
    const margins = resolveMargins(threshold, topMargins, marginsAt(entry.margins, `${where}.margins`));
    perEnv[env] = { threshold, config: envConfig as Partial<TrainConfig>, maxReturn, margins };
  }
  /** Where a cell's value of `key` came from, as errors name it: a flag, the env's entry, the grid's config, or the default. */
  const placeOf = (env: string, key: string): string => {
    if (isOwn(flags, key)) return '';
    if (isOwn(perEnv[env].config, key)) return `grid.perEnv.${env}.config`;
    return isOwn(fileConfig, key) ? 'grid.config' : '';
  };
  /** withPlace for a check of the cell config of `env`: the entry named after the error's first field. */
  const checkAt = <T>(env: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // The first field the error names (metaBatch × hidden, ranges.halfLength) that a grid entry set.
      const where = (err.field.match(/[A-Za-z]+/g) ?? []).map((key) => placeOf(env, key)).find((w) => w !== '');
      throw where ? new ConfigError(`${where}.${err.field}`, err.value, err.allowed) : err;
    }
  };

  const controlsRaw = g.controls === undefined ? {} : objectAt(g.controls, 'grid.controls', 'an object of controls');
  unknownKeys(controlsRaw, ['outerLrSweep', 'randomMedium', 'directedLrSweep', 'extraTask', 'nonMeta', 'oracle', 'seeds'], 'grid.controls');
  const controls: Controls = {};
  const directedAlgos = algos.filter((a) => a.startsWith('directed-'));
  if (controlsRaw.outerLrSweep !== undefined) {
    const where = 'grid.controls.outerLrSweep';
    const s = objectAt(controlsRaw.outerLrSweep, where, 'an object {rates, seeds, perArm, widen, directedLrs}');
    unknownKeys(s, ['rates', 'seeds', 'perArm', 'widen', 'directedLrs'], where);
    if (s.perArm !== undefined && typeof s.perArm !== 'boolean') throw new ConfigError(`${where}.perArm`, s.perArm, 'true | false (true: every arm, directed variants and controls included, tuned on its own)');
    const rates = uniqueList(listAt(s.rates, `${where}.rates`, 'outer learning rates'), `${where}.rates`, 'a number > 0', isRate);
    const sweepSeeds = uniqueList(listAt(s.seeds, `${where}.seeds`, 'seeds'), `${where}.seeds`, seedText, isSeed);
    const reported = new Set(seeds);
    sweepSeeds.forEach((seed, i) => {
      if (reported.has(seed)) throw new ConfigError(`${where}.seeds[${i}]`, seed, `a seed that is not reported (not in grid.seeds: ${seeds.join(', ')})`);
    });
    if ('outerLr' in config) {
      throw new ConfigError('outerLr' in flags ? '--outer-lr' : 'grid.config.outerLr', config.outerLr, 'no outerLr with controls.outerLrSweep (the sweep picks it)');
    }
    for (const env of envs) {
      if ('outerLr' in perEnv[env].config) throw new ConfigError(`grid.perEnv.${env}.config.outerLr`, perEnv[env].config.outerLr, 'no outerLr with controls.outerLrSweep (the sweep picks it)');
    }
    // Absent keys stay absent: a grid that uses none of them keeps its identity (experiment.json, queue jobs).
    const widen = s.widen === undefined ? undefined : intIn(s.widen, `${where}.widen`, 0, MAX_WIDEN, DEFAULT_WIDEN);
    let directedLrs: number[] | undefined;
    if (s.directedLrs !== undefined) {
      directedLrs = uniqueList(listAt(s.directedLrs, `${where}.directedLrs`, 'directed step sizes β_d'), `${where}.directedLrs`, 'a number > 0', isRate);
      if (directedAlgos.length === 0) throw new ConfigError(`${where}.directedLrs`, s.directedLrs, 'absent unless grid.algos holds a directed-* algorithm');
      if (controlsRaw.directedLrSweep !== undefined) {
        throw new ConfigError(`${where}.directedLrs`, s.directedLrs, 'absent with controls.directedLrSweep (the sweep tunes β_d here; drop one of the two)');
      }
      if ('directedLr' in config) throw new ConfigError('directedLr' in flags ? '--directed-lr' : 'grid.config.directedLr', config.directedLr, 'no directedLr with controls.outerLrSweep.directedLrs (the sweep picks it)');
      for (const env of envs) {
        if ('directedLr' in perEnv[env].config) throw new ConfigError(`grid.perEnv.${env}.config.directedLr`, perEnv[env].config.directedLr, 'no directedLr with controls.outerLrSweep.directedLrs (the sweep picks it)');
      }
    }
    controls.outerLrSweep = { rates, seeds: sweepSeeds, ...(s.perArm ? { perArm: true } : {}), ...(widen !== undefined ? { widen } : {}), ...(directedLrs ? { directedLrs } : {}) };
  }
  if (controlsRaw.randomMedium !== undefined) {
    if (typeof controlsRaw.randomMedium !== 'boolean') throw new ConfigError('grid.controls.randomMedium', controlsRaw.randomMedium, 'true | false');
    if (controlsRaw.randomMedium && directedAlgos.length === 0) throw new ConfigError('grid.controls.randomMedium', true, 'false unless grid.algos holds a directed-* algorithm');
    controls.randomMedium = controlsRaw.randomMedium;
  }
  if (controlsRaw.directedLrSweep !== undefined) {
    const where = 'grid.controls.directedLrSweep';
    const s = objectAt(controlsRaw.directedLrSweep, where, 'an object {rates}');
    unknownKeys(s, ['rates'], where);
    const rates = uniqueList(listAt(s.rates, `${where}.rates`, 'directed step sizes β_d'), `${where}.rates`, 'a number > 0', isRate);
    if (directedAlgos.length === 0) throw new ConfigError(where, s, 'absent unless grid.algos holds a directed-* algorithm');
    controls.directedLrSweep = { rates };
  }
  if (controlsRaw.extraTask !== undefined) {
    if (typeof controlsRaw.extraTask !== 'boolean') throw new ConfigError('grid.controls.extraTask', controlsRaw.extraTask, 'true | false');
    if (controlsRaw.extraTask && directedAlgos.length === 0) throw new ConfigError('grid.controls.extraTask', true, 'false unless grid.algos holds a directed-* algorithm');
    controls.extraTask = controlsRaw.extraTask;
  }
  if (controlsRaw.nonMeta !== undefined) {
    if (typeof controlsRaw.nonMeta !== 'boolean') throw new ConfigError('grid.controls.nonMeta', controlsRaw.nonMeta, 'true | false');
    controls.nonMeta = controlsRaw.nonMeta;
  }
  if (controlsRaw.seeds !== undefined) {
    const where = 'grid.controls.seeds';
    const controlSeeds = uniqueList(listAt(controlsRaw.seeds, where, 'seeds'), where, seedText, isSeed);
    const reported = new Set(seeds);
    controlSeeds.forEach((seed, i) => {
      if (!reported.has(seed)) throw new ConfigError(`${where}[${i}]`, seed, `a seed of grid.seeds (${seeds.join(', ')}): controls are paired with the algorithms on the same seeds`);
    });
    controls.seeds = controlSeeds;
  }

  const iterations = resolveConfig({ ...config, env: envs[0] }).iterations;
  const h = g.heldout === undefined ? {} : objectAt(g.heldout, 'grid.heldout', 'an object {every, tasks, seed, steps, episodes}');
  unknownKeys(h, ['every', 'tasks', 'seed', 'steps', 'episodes', 'innerLr'], 'grid.heldout');
  const heldout: HeldoutSpec = {
    every: intIn(h.every, 'grid.heldout.every', 1, 1e6, Math.max(1, Math.ceil(iterations / 3))),
    tasks: intIn(h.tasks, 'grid.heldout.tasks', 1, 1000, HELDOUT_DEFAULTS.tasks),
    seed: intIn(h.seed, 'grid.heldout.seed', 0, MAX_SEED, HELDOUT_DEFAULTS.taskSeed),
    steps: intIn(h.steps, 'grid.heldout.steps', 0, 10, HELDOUT_DEFAULTS.steps),
  };
  if (h.episodes !== undefined) heldout.episodes = intIn(h.episodes, 'grid.heldout.episodes', 1, 1e5, 1);
  if (h.innerLr !== undefined) {
    if (!isRate(h.innerLr)) throw new ConfigError('grid.heldout.innerLr', h.innerLr, 'a finite number > 0 (the inner step size α of the held-out evaluation; default: each run\'s own)');
    heldout.innerLr = h.innerLr;
  }
  if (controls.nonMeta && heldout.steps === 0) throw new ConfigError('grid.heldout.steps', 0, 'at least 1 with controls.nonMeta (its arm is judged after the inner step)');
  if (controlsRaw.oracle !== undefined) {
    const oracle = oracleAt(controlsRaw.oracle, algos, heldout);
    if (oracle) controls.oracle = oracle;
  }

  // The number of cells (reported arms × seeds, control arms × control seeds, and the outer-lr
  // sweep's at its widest: every key widened to the full on both sides), before any is made.
  const shape: Grid = { envs, algos, seeds, config, perEnv, heldout: { every: 1, tasks: 1, seed: 0, steps: 1 }, controls };
  const specs = armSpecs(shape, envs[0], () => config.metaBatch ?? 1);
  const controlArms = specs.filter((x) => isControl(x.overrides)).length;
  const armsPerEnv = specs.length - controlArms;
  const sweep = controls.outerLrSweep;
  const tuning = sweep ? tuningSpecs(shape, envs[0], () => config.metaBatch ?? 1).reduce((n, x) => n + (sweep.rates.length + 2 * widenOf(shape)) * sweep.seeds.length * (tunesDirectedLr(shape, x.algo) ? sweep.directedLrs!.length : 1), 0) : 0;
  const controlSeedCount = controlSeedsOf(shape).length;
  const oracleCells = controls.oracle ? controls.oracle.tasks * controlSeedCount : 0;
  const cellCount = envs.length * (armsPerEnv * seeds.length + controlArms * controlSeedCount + tuning + oracleCells);
  if (cellCount > MAX_GRID_CELLS) {
    throw new ConfigError('grid', `${cellCount} cells (${envs.length} envs × (${armsPerEnv} arms × ${seeds.length} seeds${controlArms ? ` + ${controlArms} control arms × ${controlSeedCount} seeds` : ''}${tuning ? ` + ${tuning} tuning cells at most` : ''}${oracleCells ? ` + ${oracleCells} oracle cells` : ''}))`,
      `at most ${MAX_GRID_CELLS} cells: fewer seeds, algos, envs or control rates`);
  }

  // Every cell's config must resolve, its ranges (and medium task) must fit the physics, and its
  // training and held-out rollouts the WASM memory — before anything runs.
  for (const env of envs) {
    for (const algo of algos) {
      const resolved = checkAt(env, () => resolveConfig({ ...fieldsFor({ ...config, ...perEnv[env].config }, algo), env, algo, seed: seeds[0] }));
      // A β_d of the sweep equal to the cell's own would train the same run twice under two names.
      controls.directedLrSweep?.rates.forEach((rate, i) => {
        if (resolved.directedLr === rate) {
          throw new ConfigError(`grid.controls.directedLrSweep.rates[${i}]`, rate,
            `a β_d other than the ${algo} cells' own on ${env} (their directedLr is ${rate} already; by default it is innerLr)`);
        }
      });
      checkAt(env, () => {
        const family = taskFamily(env, resolved.ranges);
        if (resolved.medium && resolved.medium !== 'random') family.task(resolved.medium, 'medium');
      });
      checkAt(env, () => checkTrainingMemory(resolved));
      checkHeldoutMemory(resolved, heldout, placeOf(env, 'maxSteps'));
      if (controls.extraTask && !algo.startsWith('directed-') && algos.includes(`directed-${algo}` as AlgoName)) {
        withPlace('grid.controls.extraTask', () => checkTrainingMemory({ ...resolved, metaBatch: resolved.metaBatch + 1 }));
      }
    }
  }
  return { envs, algos, seeds, config, perEnv, heldout, controls };
}

/**
 * grid.controls.oracle: true (the defaults) | false | {tasks, algo}. tasks: how many of the held-out
 * tasks get an oracle, in [1, heldout.tasks] (default min(heldout.tasks, 5)); algo: the
 * algorithm trained per task and compared with its own main arm, a non-directed algorithm of the
 * grid (default the first of maml, fomaml in grid.algos). Needs held-out steps ≥ 1 (the oracle
 * is judged at k-shot, the protocol it was trained for).
 */
function oracleAt(raw: unknown, algos: readonly AlgoName[], heldout: HeldoutSpec): Controls['oracle'] | null {
  const where = 'grid.controls.oracle';
  if (raw === false) return null;
  const o = raw === true ? {} : objectAt(raw, where, 'true | false | an object {tasks, algo}');
  unknownKeys(o, ['tasks', 'algo'], where);
  const candidates = algos.filter((a) => !a.startsWith('directed-'));
  if (candidates.length === 0) throw new ConfigError(where, raw, 'absent unless grid.algos holds a non-directed algorithm (the oracle trains one per task)');
  let algo: AlgoName | undefined;
  if (o.algo !== undefined) {
    if (!candidates.includes(o.algo as AlgoName)) throw new ConfigError(`${where}.algo`, o.algo, `one of the non-directed algorithms of grid.algos: ${candidates.join(', ')}`);
    algo = o.algo as AlgoName;
  } else {
    algo = (['maml', 'fomaml'] as AlgoName[]).find((a) => candidates.includes(a));
    if (!algo) throw new ConfigError(`${where}.algo`, undefined, `one of the non-directed algorithms of grid.algos: ${candidates.join(', ')} (the default, maml or fomaml, is not in grid.algos)`);
  }
  const tasks = intIn(o.tasks, `${where}.tasks`, 1, heldout.tasks, Math.min(heldout.tasks, 5));
  if (heldout.steps === 0) throw new ConfigError('grid.heldout.steps', 0, 'at least 1 with controls.oracle (the oracles and their main arm are compared at k-shot)');
  return { tasks, algo };
}

/**
 * The ranges of an oracle cell: every parameter fixed at held-out task `index`'s value (tasks
 * drawn as the held-out evaluation draws them, from the env's ranges in `config`).
 */
export function oracleRanges(config: TrainConfig, heldout: HeldoutSpec, index: number): Record<string, number> {
  const family = taskFamily(config.env, config.ranges);
  const P = family.numParams;
  const task = family.sample(heldout.tasks, { seed: heldout.seed }).subarray(index * P, (index + 1) * P);
  return Object.fromEntries(family.paramNames.map((name, k) => [name, task[k]]));
}

/** The non-meta control's algorithm: FOMAML (first order; with α = 0 its outer gradient is multi-task REINFORCE). */
export const NON_META_ALGO: AlgoName = 'fomaml';

/**
 * The held-out evaluation of a cell adapts its policy on one test task at a time, heldout.episodes
 * (default: the cell's episodes) × maxSteps steps per rollout, like `dmaml adapt`: that must fit
 * the WASM memory. `maxStepsAt`: the grid entry that set maxSteps ('' for a flag or the default).
 */
function checkHeldoutMemory(config: TrainConfig, heldout: HeldoutSpec, maxStepsAt = ''): void {
  const episodesName = heldout.episodes !== undefined ? 'grid.heldout.episodes' : 'episodes';
  checkAdaptMemory(config, heldout.episodes ?? config.episodes, config.maxSteps, [episodesName, maxStepsAt ? `${maxStepsAt}.maxSteps` : 'maxSteps'], 'hidden');
}

/** The base algorithm of a directed variant (itself for a base algorithm). */
export function baseOf(algo: AlgoName): AlgoName {
  return algo.replace(/^directed-/, '') as AlgoName;
}

/** A value as it appears in a cell name: numbers in their shortest round-trip form, words as they are. */
function nameValue(v: unknown, key: string): string {
  const text = String(v);
  if (!/^[A-Za-z0-9.+-]+$/.test(text)) throw new ConfigError(`cell override ${key}`, v, 'a number or a word of letters, digits, . + -');
  return text;
}

/** env.algo[.flag=value…] with the overrides in a fixed (sorted) order. */
export function armName(env: string, algo: string, overrides: Overrides): string {
  const parts = [env, algo];
  for (const key of Object.keys(overrides).sort()) parts.push(`${key === 'oracle' ? 'oracle' : configField(key)!.flag}=${nameValue(overrides[key as keyof Overrides], key)}`);
  return parts.join('.');
}

export function cellName(arm: string, seed: number): string {
  return `${arm}.seed${seed}`;
}

function makeCell(grid: Grid, env: string, algo: AlgoName, seed: number, overrides: Overrides, phase: Cell['phase']): Cell {
  const arm = armName(env, algo, overrides);
  const shared = fieldsFor({ ...grid.config, ...grid.perEnv[env].config }, algo);
  const { oracle, ...fields } = overrides;
  let config = resolveConfig({ ...shared, ...fields, env, algo, seed });
  let heldout: HeldoutSpec | null = phase === 'main' ? grid.heldout : null;
  // An oracle: the same run with every range fixed at its held-out task, evaluated on that task alone.
  if (oracle !== undefined) {
    config = resolveConfig({ ...shared, ...fields, ranges: oracleRanges(config, grid.heldout, oracle), env, algo, seed });
    heldout = { ...grid.heldout, task: oracle };
  }
  // Trained at α = 0 (the non-meta control): evaluated with the α the other arms use.
  if (heldout && overrides.innerLr === 0) heldout = { ...heldout, innerLr: heldout.innerLr ?? resolveConfig({ ...shared, env, algo, seed }).innerLr };
  return { name: cellName(arm, seed), arm, env, algo, seed, overrides, phase, config, heldout };
}

/** Whether a main cell's arm is a control (random medium task, β_d sweep, extra task, non-meta, oracle) rather than a grid algorithm at its defaults. */
export function isControl(overrides: Overrides): boolean {
  return overrides.medium !== undefined || overrides.directedLr !== undefined || overrides.metaBatch !== undefined || overrides.innerLr !== undefined || overrides.oracle !== undefined;
}

/** The bases whose outer learning rate the sweep tunes (every base of a grid algorithm). */
export function sweptBases(grid: Grid): AlgoName[] {
  return [...new Set(grid.algos.map(baseOf))];
}

/**
 * The reported arms of an env without their outer rate: every grid algorithm, and the controls'
 * arms (random medium task, β_d sweep for the directed algorithms; one more task for a base with a
 * directed variant; the non-meta baseline). `metaBatchOf`: a base's metaBatch (its extra-task arm
 * runs with one more), where the arms are only counted; default: resolved from the grid.
 */
export function armSpecs(grid: Grid, env: string, metaBatchOf?: (algo: AlgoName) => number): Array<{ algo: AlgoName; overrides: Overrides }> {
  const specs: Array<{ algo: AlgoName; overrides: Overrides }> = [];
  for (const algo of grid.algos) {
    specs.push({ algo, overrides: {} });
    if (algo.startsWith('directed-')) {
      if (grid.controls.randomMedium) specs.push({ algo, overrides: { medium: 'random' } });
      for (const directedLr of grid.controls.directedLrSweep?.rates ?? []) specs.push({ algo, overrides: { directedLr } });
    }
    if (grid.controls.extraTask && !algo.startsWith('directed-') && grid.algos.includes(`directed-${algo}` as AlgoName)) {
      const metaBatch = metaBatchOf ? metaBatchOf(algo) : resolveConfig({ ...fieldsFor({ ...grid.config, ...grid.perEnv[env].config }, algo), env, algo }).metaBatch;
      specs.push({ algo, overrides: { metaBatch: metaBatch + 1 } });
    }
  }
  if (grid.controls.nonMeta) specs.push({ algo: NON_META_ALGO, overrides: { innerLr: 0 } });
  return specs;
}

/**
 * What an arm's outer rate is picked for: its base algorithm (a directed variant and the controls
 * run at their base's rate; the non-meta baseline at FOMAML's), or with outerLrSweep.perArm the arm
 * itself (its name without the rate), so directed variants and controls are tuned as hard as the bases.
 */
export function tuningKey(grid: Grid, env: string, algo: AlgoName, overrides: Overrides): string {
  // A tuned β_d: the directed algorithm is its own key, and its random-task control shares it
  // (the same outer rate and β_d, so the two differ only in the task of the directed step).
  if (tunesDirectedLr(grid, algo)) return grid.controls.outerLrSweep!.perArm ? armName(env, algo, {}) : algo;
  if (grid.controls.outerLrSweep?.perArm) {
    const { outerLr: _rate, ...rest } = overrides;
    return armName(env, algo, rest);
  }
  return baseOf(algo);
}

/** Whether the sweep tunes β_d for `algo`'s arms (outerLrSweep.directedLrs and a directed algorithm). */
export function tunesDirectedLr(grid: Grid, algo: AlgoName): boolean {
  return grid.controls.outerLrSweep?.directedLrs !== undefined && algo.startsWith('directed-');
}

/**
 * Whether an arm is a control, knowing its grid: a β_d the sweep tuned (outerLrSweep.directedLrs)
 * is the directed algorithm's own setting, not the β_d-sweep control (the two never share a grid).
 */
export function isControlArm(grid: Grid, algo: AlgoName, overrides: Overrides): boolean {
  if (!tunesDirectedLr(grid, algo)) return isControl(overrides);
  const { directedLr: _tuned, ...rest } = overrides;
  return isControl(rest);
}

/** The seeds the control arms run on (controls.seeds; default: every seed of the grid). */
export function controlSeedsOf(grid: Grid): number[] { return grid.controls.seeds ?? grid.seeds; }

export const DEFAULT_WIDEN = 2;
export const MAX_WIDEN = 5;

/** How many rates the sweep may add beyond each edge of a tuning key's rates. */
export function widenOf(grid: Grid): number {
  return grid.controls.outerLrSweep?.widen ?? DEFAULT_WIDEN;
}

/** The arms an env's sweep tunes, one per tuning key (the first arm of each key): per base, or per arm. */
function tuningSpecs(grid: Grid, env: string, metaBatchOf?: (algo: AlgoName) => number): Array<{ algo: AlgoName; overrides: Overrides }> {
  const sweep = grid.controls.outerLrSweep!;
  const all = sweep.perArm ? armSpecs(grid, env, metaBatchOf) : [
    ...sweptBases(grid).map((algo) => ({ algo, overrides: {} as Overrides })),
    ...(sweep.directedLrs ? grid.algos.filter((a) => a.startsWith('directed-')).map((algo) => ({ algo, overrides: {} as Overrides })) : []),
  ];
  const keys = new Set<string>();
  return all.filter(({ algo, overrides }) => {
    const key = tuningKey(grid, env, algo, overrides);
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

/** Rates a widened sweep added per env and tuning key (beyond outerLrSweep.rates). */
export type Widened = Record<string, Record<string, number[]>>;

/**
 * The outer-lr sweep cells (phase 'tune'): every env × swept base (or, per arm, every arm) × rate ×
 * sweep seed; a directed algorithm's × each β_d with outerLrSweep.directedLrs; `widened`: the rates
 * the widening added to a key (after the sweep's own).
 */
export function tuneCells(grid: Grid, widened: Widened = {}): Cell[] {
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return [];
  const cells: Cell[] = [];
  for (const env of grid.envs) {
    for (const { algo, overrides } of tuningSpecs(grid, env)) {
      const extra = widened[env]?.[tuningKey(grid, env, algo, overrides)] ?? [];
      const betas: Array<number | undefined> = tunesDirectedLr(grid, algo) ? sweep.directedLrs! : [undefined];
      for (const outerLr of [...sweep.rates, ...extra]) {
        for (const directedLr of betas) {
          for (const seed of sweep.seeds) cells.push(makeCell(grid, env, algo, seed, { ...overrides, outerLr, ...(directedLr !== undefined ? { directedLr } : {}) }, 'tune'));
        }
      }
    }
  }
  return cells;
}

/**
 * The reported cells: every env × arm (armSpecs) × seed (a control arm × controlSeedsOf). With an
 * outer-lr sweep, `pickedOuterLr[env][tuningKey]` is the rate each arm runs at, and with
 * outerLrSweep.directedLrs `pickedDirectedLr[env][tuningKey]` the β_d of the directed arms.
 */
export function mainCells(grid: Grid, pickedOuterLr?: Record<string, Record<string, number>>, pickedDirectedLr?: Record<string, Record<string, number>>): Cell[] {
  const cells: Cell[] = [];
  for (const env of grid.envs) {
    for (const { algo, overrides: control } of armSpecs(grid, env)) {
      const overrides: Overrides = { ...control };
      if (grid.controls.outerLrSweep) {
        const key = tuningKey(grid, env, algo, control);
        const picks = pickedOuterLr?.[env] ?? {};
        // The non-meta baseline tuned per base: FOMAML's rate, else the first base's.
        const rate = picks[key] ?? (control.innerLr === 0 && !grid.controls.outerLrSweep.perArm ? Object.values(picks)[0] : undefined);
        if (rate === undefined) throw new Error(`mainCells: no outer learning rate picked for ${env} ${key}`);
        overrides.outerLr = rate;
        if (tunesDirectedLr(grid, algo)) {
          const directedLr = pickedDirectedLr?.[env]?.[key];
          if (directedLr === undefined) throw new Error(`mainCells: no β_d picked for ${env} ${key}`);
          overrides.directedLr = directedLr;
        }
      }
      for (const seed of isControl(control) ? controlSeedsOf(grid) : grid.seeds) cells.push(makeCell(grid, env, algo, seed, overrides, 'main'));
    }
    // The oracles: at the rate of their algorithm's main arm, on the control seeds.
    const oracle = grid.controls.oracle;
    if (oracle) {
      const rate = grid.controls.outerLrSweep ? pickedOuterLr?.[env]?.[tuningKey(grid, env, oracle.algo, {})] : undefined;
      if (grid.controls.outerLrSweep && rate === undefined) throw new Error(`mainCells: no outer learning rate picked for ${env} ${oracle.algo} (the oracles' rate)`);
      for (let task = 0; task < oracle.tasks; task++) {
        const overrides: Overrides = { oracle: task, ...(rate !== undefined ? { outerLr: rate } : {}) };
        for (const seed of controlSeedsOf(grid)) cells.push(makeCell(grid, env, oracle.algo, seed, overrides, 'main'));
      }
    }
  }
  const names = new Set<string>();
  for (const c of cells) {
    if (names.has(c.name)) throw new ConfigError('grid', c.name, 'cells with distinct names (a β_d of the sweep equals the default β_d?)');
    names.add(c.name);
  }
  return cells;
}

/**
 * The grid without what only the analysis reads (the thresholds): cells made under one serve any
 * of them. An experiment directory and an experiment's jobs on a queue are this grid's.
 */
export function cellsIdentity(grid: Grid): string {
  return JSON.stringify({ ...grid, perEnv: Object.fromEntries(Object.entries(grid.perEnv).map(([env, e]) => [env, e.config])) });
}
