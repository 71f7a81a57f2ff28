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
// Everything is validated here, before any cell runs; a bad entry is one ConfigError naming it
// (grid.perEnv.CartPole-v1.config.metaBatch, grid.controls.outerLrSweep.seeds[0], …).
import { ConfigError } from '../../errors';
import { ALGOS, CONFIG_FIELDS, resolveConfig, isPlainObject, type AlgoName, type TrainConfig } from '../../train/config';
import { envIds } from '../../envs/registry';
import { taskFamily } from '../../envs/task-family';

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
  /** Config fields for every cell (not env, algo or seed). */
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
const CELL_FIELDS = new Set(['env', 'algo', 'seed']);
const MAX_SEED = 2 ** 32 - 1;

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

function uniqueList<T>(items: unknown[], where: string, what: string, ok: (x: unknown) => x is T): T[] {
  items.forEach((x, i) => {
    if (!ok(x)) throw new ConfigError(`${where}[${i}]`, x, what);
    if (items.indexOf(x) !== i) throw new ConfigError(`${where}[${i}]`, x, `${what}, each at most once`);
  });
  return items as T[];
}

const isSeed = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= MAX_SEED;
const isRate = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const seedText = `an integer in [0, ${MAX_SEED}]`;

function intIn(v: unknown, where: string, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(where, v, `an integer in [${min}, ${max}]`);
  return v;
}

/** The config fields of a grid entry, checked against the schema (cell fields refused: they come from the grid). */
function configAt(v: unknown, where: string): Partial<TrainConfig> {
  if (v === undefined) return {};
  const obj = objectAt(v, where, 'an object of dmaml train config fields');
  for (const key of Object.keys(obj)) {
    if (CELL_FIELDS.has(key)) throw new ConfigError(`${where}.${key}`, obj[key], `no ${key} here (cells take it from grid.${key === 'env' ? 'envs' : `${key}s`})`);
    if (!CONFIG_FIELDS.some((f) => f.name === key)) {
      throw new ConfigError(`${where}.${key}`, obj[key], `a config field: ${CONFIG_FIELDS.map((f) => f.name).filter((n) => !CELL_FIELDS.has(n)).join(', ')}`);
    }
  }
  return { ...obj } as Partial<TrainConfig>;
}

/** Re-throws a schema error with the grid entry it came from (grid.config.metaBatch, …). */
function withPlace<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${where}.${err.field}`, err.value, err.allowed);
    throw err;
  }
}

/**
 * Validates a grid (a parsed grid file merged with the command-line lists and flags) and fills
 * its defaults. Needs the WASM module (dm.init) to check task ranges against the physics.
 */
export function resolveGrid(raw: unknown): Grid {
  const g = objectAt(raw, 'grid', 'a JSON object with envs, algos, seeds and optional config, perEnv, heldout, controls');
  unknownKeys(g, GRID_KEYS, 'grid');
  const envs = uniqueList(listAt(g.envs, 'grid.envs', 'env ids'), 'grid.envs', envIds().join(' | '), (x): x is string => typeof x === 'string' && envIds().includes(x));
  const algos = uniqueList(listAt(g.algos, 'grid.algos', 'algorithms'), 'grid.algos', ALGOS.join(' | '), (x): x is AlgoName => typeof x === 'string' && (ALGOS as readonly string[]).includes(x));
  const seeds = uniqueList(listAt(g.seeds, 'grid.seeds', 'seeds'), 'grid.seeds', seedText, isSeed);
  const config = configAt(g.config, 'grid.config');

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
    perEnv[env] = { threshold, config: configAt(entry.config, `${where}.config`) };
  }

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
    sweepSeeds.forEach((seed, i) => {
      if (seeds.includes(seed)) throw new ConfigError(`${where}.seeds[${i}]`, seed, `a seed that is not reported (not in grid.seeds: ${seeds.join(', ')})`);
    });
    if ('outerLr' in config) throw new ConfigError('grid.config.outerLr', config.outerLr, 'no outerLr with controls.outerLrSweep (the sweep picks it)');
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

  // Every cell's config must resolve, and its ranges (and medium task) must fit the physics.
  for (const env of envs) {
    for (const algo of algos) {
      const where = perEnv[env].config && Object.keys(perEnv[env].config).length ? `grid.perEnv.${env}.config` : 'grid.config';
      const resolved = withPlace(where, () => resolveConfig({ ...config, ...perEnv[env].config, env, algo, seed: seeds[0] }));
      withPlace(where, () => {
        const family = taskFamily(env, resolved.ranges);
        if (resolved.medium && resolved.medium !== 'random') family.task(resolved.medium, 'medium');
      });
    }
  }

  const iterations = resolveConfig({ ...config, env: envs[0] }).iterations;
  const h = g.heldout === undefined ? {} : objectAt(g.heldout, 'grid.heldout', 'an object {every, tasks, seed, steps, episodes}');
  unknownKeys(h, ['every', 'tasks', 'seed', 'steps', 'episodes'], 'grid.heldout');
  const heldout: HeldoutSpec = {
    every: intIn(h.every, 'grid.heldout.every', 1, 1e6, Math.max(1, Math.ceil(iterations / 3))),
    tasks: intIn(h.tasks, 'grid.heldout.tasks', 1, 1000, 10),
    seed: intIn(h.seed, 'grid.heldout.seed', 0, MAX_SEED, 7919),
    steps: intIn(h.steps, 'grid.heldout.steps', 0, 10, 3),
  };
  if (h.episodes !== undefined) heldout.episodes = intIn(h.episodes, 'grid.heldout.episodes', 1, 1e5, 1);
  return { envs, algos, seeds, config, perEnv, heldout, controls };
}

/** The base algorithm of a directed variant (itself for a base algorithm). */
export function baseOf(algo: AlgoName): AlgoName {
  return algo.replace(/^directed-/, '') as AlgoName;
}

/** A value as it appears in a cell name: numbers in their shortest round-trip form, words as they are. */
function nameValue(v: unknown, key: string): string {
  const text = typeof v === 'number' ? String(v) : String(v);
  if (!/^[A-Za-z0-9.+-]+$/.test(text)) throw new ConfigError(`cell override ${key}`, v, 'a number or a word of letters, digits, . + -');
  return text;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** env.algo[.flag=value…] with the overrides in a fixed (sorted) order. */
export function armName(env: string, algo: string, overrides: Overrides): string {
  const parts = [env, algo];
  for (const key of Object.keys(overrides).sort()) parts.push(`${kebab(key)}=${nameValue(overrides[key as keyof Overrides], key)}`);
  return parts.join('.');
}

export function cellName(arm: string, seed: number): string {
  return `${arm}.seed${seed}`;
}

function makeCell(grid: Grid, env: string, algo: AlgoName, seed: number, overrides: Overrides, phase: Cell['phase']): Cell {
  const arm = armName(env, algo, overrides);
  const config = resolveConfig({ ...grid.config, ...grid.perEnv[env].config, ...overrides, env, algo, seed });
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
