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
//       "outerLrSweep":    { "rates": [0.0003, 0.001, 0.003], "seeds": [101, 102] },
//       "randomMedium":    true,
//       "directedLrSweep": { "rates": [0.05, 0.2] }
//     }
//   }
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
}

export interface Controls {
  /** Outer-learning-rate sweep per base algorithm, picked by AUC on these seeds (not reported). */
  outerLrSweep?: { rates: number[]; seeds: number[] };
  /** The directed variants also run with --medium random (the directed step on a random task). */
  randomMedium?: boolean;
  /** The directed variants also run at these β_d (directedLr). */
  directedLrSweep?: { rates: number[] };
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
  perEnv: Record<string, { threshold: number; config: Partial<TrainConfig> }>;
  heldout: HeldoutSpec;
  controls: Controls;
}

/** Config fields a cell may override (the grid's controls). Keys are config field names. */
export type Overrides = Partial<Pick<TrainConfig, 'outerLr' | 'medium' | 'directedLr'>>;

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

const GRID_KEYS = ['envs', 'algos', 'seeds', 'config', 'perEnv', 'heldout', 'controls'] as const;
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
  for (const env of envs) {
    const where = `grid.perEnv.${env}`;
    const entry = perEnvRaw[env] === undefined ? {} : objectAt(perEnvRaw[env], where, 'an object {threshold, config}');
    unknownKeys(entry, ['threshold', 'config'], where);
    const threshold = entry.threshold ?? DEFAULT_THRESHOLDS[env];
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new ConfigError(`${where}.threshold`, entry.threshold, `a finite post-adaptation return${env in DEFAULT_THRESHOLDS ? '' : ` (${env} has no default)`}`);
    }
    const envConfig = configAt(entry.config, `${where}.config`, algos) as Record<string, unknown>;
    for (const key of Object.keys(flags)) delete envConfig[key]; // the flags win here too
    perEnv[env] = { threshold, config: envConfig as Partial<TrainConfig> };
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
  unknownKeys(controlsRaw, ['outerLrSweep', 'randomMedium', 'directedLrSweep'], 'grid.controls');
  const controls: Controls = {};
  const directedAlgos = algos.filter((a) => a.startsWith('directed-'));
  if (controlsRaw.outerLrSweep !== undefined) {
    const where = 'grid.controls.outerLrSweep';
    const s = objectAt(controlsRaw.outerLrSweep, where, 'an object {rates, seeds}');
    unknownKeys(s, ['rates', 'seeds'], where);
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
    controls.outerLrSweep = { rates, seeds: sweepSeeds };
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

  const iterations = resolveConfig({ ...config, env: envs[0] }).iterations;
  const h = g.heldout === undefined ? {} : objectAt(g.heldout, 'grid.heldout', 'an object {every, tasks, seed, steps, episodes}');
  unknownKeys(h, ['every', 'tasks', 'seed', 'steps', 'episodes'], 'grid.heldout');
  const heldout: HeldoutSpec = {
    every: intIn(h.every, 'grid.heldout.every', 1, 1e6, Math.max(1, Math.ceil(iterations / 3))),
    tasks: intIn(h.tasks, 'grid.heldout.tasks', 1, 1000, HELDOUT_DEFAULTS.tasks),
    seed: intIn(h.seed, 'grid.heldout.seed', 0, MAX_SEED, HELDOUT_DEFAULTS.taskSeed),
    steps: intIn(h.steps, 'grid.heldout.steps', 0, 10, HELDOUT_DEFAULTS.steps),
  };
  if (h.episodes !== undefined) heldout.episodes = intIn(h.episodes, 'grid.heldout.episodes', 1, 1e5, 1);

  // The number of cells (reported arms × seeds, and the outer-lr sweep's), before any is made.
  const armsPerDirected = 1 + (controls.randomMedium ? 1 : 0) + (controls.directedLrSweep?.rates.length ?? 0);
  const armsPerEnv = algos.reduce((n, a) => n + (a.startsWith('directed-') ? armsPerDirected : 1), 0);
  const tuning = controls.outerLrSweep ? new Set(algos.map(baseOf)).size * controls.outerLrSweep.rates.length * controls.outerLrSweep.seeds.length : 0;
  const cellCount = envs.length * (armsPerEnv * seeds.length + tuning);
  if (cellCount > MAX_GRID_CELLS) {
    throw new ConfigError('grid', `${cellCount} cells (${envs.length} envs × (${armsPerEnv} arms × ${seeds.length} seeds${tuning ? ` + ${tuning} tuning cells` : ''}))`,
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
    }
  }
  return { envs, algos, seeds, config, perEnv, heldout, controls };
}

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
  for (const key of Object.keys(overrides).sort()) parts.push(`${configField(key)!.flag}=${nameValue(overrides[key as keyof Overrides], key)}`);
  return parts.join('.');
}

export function cellName(arm: string, seed: number): string {
  return `${arm}.seed${seed}`;
}

function makeCell(grid: Grid, env: string, algo: AlgoName, seed: number, overrides: Overrides, phase: Cell['phase']): Cell {
  const arm = armName(env, algo, overrides);
  const config = resolveConfig({ ...fieldsFor({ ...grid.config, ...grid.perEnv[env].config }, algo), ...overrides, env, algo, seed });
  return { name: cellName(arm, seed), arm, env, algo, seed, overrides, phase, config, heldout: phase === 'main' ? grid.heldout : null };
}

/** The bases whose outer learning rate the sweep tunes (every base of a grid algorithm). */
export function sweptBases(grid: Grid): AlgoName[] {
  return [...new Set(grid.algos.map(baseOf))];
}

/** The outer-lr sweep cells (phase 'tune'): every env × swept base × rate × sweep seed. */
export function tuneCells(grid: Grid): Cell[] {
  const sweep = grid.controls.outerLrSweep;
  if (!sweep) return [];
  const cells: Cell[] = [];
  for (const env of grid.envs) {
    for (const base of sweptBases(grid)) {
      for (const outerLr of sweep.rates) for (const seed of sweep.seeds) cells.push(makeCell(grid, env, base, seed, { outerLr }, 'tune'));
    }
  }
  return cells;
}

/**
 * The reported cells: every env × algorithm × seed, plus the controls' arms (random medium task,
 * β_d sweep) for the directed algorithms. With an outer-lr sweep, `pickedOuterLr[env][base]` is
 * the rate each base (and its directed variant, and their controls) runs at.
 */
export function mainCells(grid: Grid, pickedOuterLr?: Record<string, Record<string, number>>): Cell[] {
  const cells: Cell[] = [];
  for (const env of grid.envs) {
    for (const algo of grid.algos) {
      const base: Overrides = {};
      if (grid.controls.outerLrSweep) {
        const rate = pickedOuterLr?.[env]?.[baseOf(algo)];
        if (rate === undefined) throw new Error(`mainCells: no outer learning rate picked for ${env} ${baseOf(algo)}`);
        base.outerLr = rate;
      }
      const arms: Overrides[] = [base];
      if (algo.startsWith('directed-')) {
        if (grid.controls.randomMedium) arms.push({ ...base, medium: 'random' });
        for (const directedLr of grid.controls.directedLrSweep?.rates ?? []) arms.push({ ...base, directedLr });
      }
      for (const overrides of arms) for (const seed of grid.seeds) cells.push(makeCell(grid, env, algo, seed, overrides, 'main'));
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
