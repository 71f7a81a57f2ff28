// The grid: every bad entry is one ConfigError naming it and what is allowed (checked before
// anything runs, also through the CLI: exit 2, one line, no directory made); cells and their
// names (stable, safe as file names); the controls' arms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { resolveGrid, tuneCells, mainCells, armName, cellName, runLocal } from 'directed-maml/node';
import { BIN, dmaml as dmamlProcess } from '../helpers';

before(async () => { await dm.init(); });

const base = { envs: ['CartPole-v1'], algos: ['fomaml', 'directed-fomaml'], seeds: [1, 2] };

/** What the schema allows for a field, as its errors say it (the grid repeats the schema's own message). */
const schemaAllowed = (name: string): string => dm.CONFIG_FIELDS.find((f) => f.name === name)!.allowed;
const literally = (text: string): RegExp => new RegExp(text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));

/** `grid`, or [grid, flags]: refused with one ConfigError naming `field`. */
function refused(grid: unknown, field: string, allowed: RegExp): void {
  const [raw, flags] = Array.isArray(grid) && grid.length === 2 && !Array.isArray(grid[0]) ? grid : [grid, {}];
  assert.throws(() => resolveGrid(raw, flags), (e: Error) => {
    assert.ok(e instanceof dm.ConfigError, `a ConfigError, got ${e}`);
    assert.equal(e.field, field, e.message);
    assert.match(e.allowed, allowed, e.message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('a bad grid entry is one error naming the entry and what is allowed', () => {
  refused([], 'grid', /JSON object/);
  refused({ ...base, colour: 'red' }, 'grid.colour', /envs, algos, seeds/);
  refused({ ...base, envs: [] }, 'grid.envs', /non-empty list/);
  refused({ ...base, envs: ['CartPole-v1', 'Pong'] }, 'grid.envs[1]', /CartPole-v1 \| Intersection-v0/);
  refused({ ...base, algos: ['fomaml', 'reptile'] }, 'grid.algos[1]', /directed-maml/);
  refused({ ...base, algos: ['fomaml', 'fomaml'] }, 'grid.algos[1]', /at most once/);
  refused({ ...base, seeds: [1, -2] }, 'grid.seeds[1]', /integer in \[0, 4294967295\]/);
  refused({ ...base, config: { metaBatch: 0 } }, 'grid.config.metaBatch', literally(schemaAllowed('metaBatch')));
  refused({ ...base, config: { algo: 'maml' } }, 'grid.config.algo', /grid\.algos/);
  refused({ ...base, config: { metabatch: 3 } }, 'grid.config.metabatch', /a config field: .*metaBatch/);
  refused({ ...base, config: { ranges: { halfLength: [0.25, 150] } } }, 'grid.config.ranges.halfLength', /\(0, 100\]/);
  refused({ ...base, perEnv: { 'Intersection-v0': {} } }, 'grid.perEnv.Intersection-v0', /an env of grid\.envs/);
  refused({ ...base, perEnv: { 'CartPole-v1': { threshold: 'high' } } }, 'grid.perEnv.CartPole-v1.threshold', /finite/);
  refused({ ...base, perEnv: { 'CartPole-v1': { config: { innerLr: -1 } } } }, 'grid.perEnv.CartPole-v1.config.innerLr', />= 0/);
  refused({ ...base, heldout: { steps: 11 } }, 'grid.heldout.steps', /\[0, 10\]/);
  refused({ ...base, heldout: { every: 0 } }, 'grid.heldout.every', /\[1, /);
  refused({ ...base, controls: { outerLrSweep: { rates: [0.001, -1], seeds: [9] } } }, 'grid.controls.outerLrSweep.rates[1]', /> 0/);
  refused({ ...base, controls: { outerLrSweep: { rates: [0.001], seeds: [9, 2] } } }, 'grid.controls.outerLrSweep.seeds[1]', /not reported/);
  refused({ ...base, config: { outerLr: 0.01 }, controls: { outerLrSweep: { rates: [0.001], seeds: [9] } } }, 'grid.config.outerLr', /sweep picks it/);
  refused({ ...base, algos: ['fomaml'], controls: { randomMedium: true } }, 'grid.controls.randomMedium', /directed-/);
  refused({ ...base, controls: { randomMedium: 'yes' } }, 'grid.controls.randomMedium', /true \| false/);
  refused({ ...base, controls: { directedLrSweep: { rates: [] } } }, 'grid.controls.directedLrSweep.rates', /non-empty/);
  refused({ ...base, controls: { tuning: {} } }, 'grid.controls.tuning', /outerLrSweep, randomMedium, directedLrSweep/);
});

test('hostile and oversized grids: Object.prototype names as keys, a β_d sweep repeating the cells\' own, more cells than the cap', () => {
  // JSON.parse makes "__proto__" an own key: it must not reach a plain object's prototype (it gave `TypeError: text.slice is not a function`).
  refused({ ...base, config: JSON.parse('{"__proto__": {"metaBatch": 2}}') }, 'grid.config.__proto__', /not one of Object\.prototype's/);
  // "constructor" printed "allowed: function Object() { [native code] }".
  refused({ ...base, config: { constructor: 1 } }, 'grid.config.constructor', /not one of Object\.prototype's/);
  refused({ ...base, perEnv: { 'CartPole-v1': { config: { toString: 1 } } } }, 'grid.perEnv.CartPole-v1.config.toString', /not one of Object\.prototype's/);
  // The default β_d is innerLr (0.1): a sweep rate of 0.1 is the directed cells' own run under a second name.
  refused({ ...base, controls: { directedLrSweep: { rates: [0.05, 0.1] } } }, 'grid.controls.directedLrSweep.rates[1]', /other than the directed-fomaml cells' own/);
  refused({ ...base, config: { directedLr: 0.3 }, controls: { directedLrSweep: { rates: [0.3] } } }, 'grid.controls.directedLrSweep.rates[0]', /directedLr is 0\.3 already/);
  resolveGrid({ ...base, controls: { directedLrSweep: { rates: [0.05, 0.2] } } });
  // The cap on cells, checked before any cell is made; the seed list is checked in one pass.
  const seeds = (n: number) => Array.from({ length: n }, (_, i) => i);
  refused({ ...base, seeds: seeds(200_000) }, 'grid', /^at most 10000 cells/);
  refused({ ...base, seeds: [...seeds(199_999), 5] }, 'grid.seeds[199999]', /at most once/);
  resolveGrid({ ...base, seeds: seeds(5000) }); // 2 algos × 5000 seeds: exactly the cap
  refused({ ...base, seeds: seeds(5001) }, 'grid', /^at most 10000 cells/);
});

test('config names: camelCase in the file (a flag spelling is refused with the name to use); env, algo, seed, workers come from elsewhere', () => {
  refused({ ...base, config: { 'meta-batch': 2 } }, 'grid.config.meta-batch', /^metaBatch \(a grid file names config fields in camelCase, like a --config file; --meta-batch is the flag\)$/);
  refused({ ...base, perEnv: { 'CartPole-v1': { config: { 'inner-lr': 0.1 } } } }, 'grid.perEnv.CartPole-v1.config.inner-lr', /^innerLr \(a grid file/);
  refused({ ...base, config: { workers: 2 } }, 'grid.config.workers', /max\(1, floor\(cores \/ --jobs\)\)/);
  refused({ ...base, config: { seed: 2 } }, 'grid.config.seed', /grid\.seeds/);
  // A flag's value (already read by the parser) is named as dmaml train names it.
  refused([base, { metaBatch: 0 }], 'metaBatch', literally(schemaAllowed('metaBatch')));
  refused([base, { ranges: { halfLength: [0.25, 150] } }], 'ranges.halfLength', /\(0, 100\]/);
});

test('directed-only fields go to the directed cells; for a grid without a directed algorithm they are refused', () => {
  const grid = resolveGrid({ ...base, config: { directedLr: 0.2, directedSchedule: 'every:2', iterations: 2 }, controls: { randomMedium: true } });
  for (const c of mainCells(grid)) {
    if (c.algo === 'directed-fomaml') {
      assert.equal(c.config.directedLr, 0.2, c.name);
      assert.equal(c.config.directedSchedule, 'every:2', c.name);
      assert.equal(c.config.medium, c.name.includes('medium=random') ? 'random' : undefined, c.name);
    } else {
      // absent from the config of a non-directed algorithm, as the schema makes it
      for (const key of ['directedLr', 'directedVariant', 'directedSchedule', 'medium']) assert.ok(!(key in c.config), `${c.name}: ${key}`);
      assert.ok(!c.name.includes('medium=random'), c.name);
    }
  }
  refused({ ...base, algos: ['fomaml', 'maml'], config: { directedLr: 0.2 } }, 'grid.config.directedLr', /^nothing: it applies only to a directed-\* algo \(grid\.algos: fomaml, maml\)$/);
  refused({ ...base, algos: ['fomaml'], perEnv: { 'CartPole-v1': { config: { medium: 'random' } } } }, 'grid.perEnv.CartPole-v1.config.medium', /applies only to a directed-\* algo/);
  refused([{ ...base, algos: ['maml'] }, { directedVariant: 'fomaml' }], 'directedVariant', /applies only to a directed-\* algo/);
  // The flags apply to every cell, over the file's values (top level and per env).
  const flagged = resolveGrid({ ...base, config: { metaBatch: 4 }, perEnv: { 'CartPole-v1': { config: { metaBatch: 5, episodes: 3 } } } }, { metaBatch: 2, directedLr: 0.3 });
  for (const c of mainCells(flagged)) {
    assert.equal(c.config.metaBatch, 2);
    assert.equal(c.config.episodes, 3);
    assert.equal(c.config.directedLr, c.algo === 'directed-fomaml' ? 0.3 : undefined);
  }
});

test('memory: cells whose training or held-out rollouts do not fit the WASM memory are refused before anything runs, naming the entry', () => {
  // 100000 held-out episodes × 500 steps of one task: far beyond the allocator's largest block.
  refused({ ...base, heldout: { episodes: 100000 } }, 'grid.heldout.episodes × maxSteps', /^maxSteps <= \d+ with the other values as given: a run on CartPole-v1 must fit/);
  refused({ ...base, heldout: { episodes: 100000 }, perEnv: { 'CartPole-v1': { config: { maxSteps: 400 } } } },
    'grid.heldout.episodes × grid.perEnv.CartPole-v1.config.maxSteps', /^maxSteps <= \d+ with the other values as given/);
  // The largest that fits is accepted: the check is the held-out rollout's, not a guess.
  const limit = Number(/maxSteps <= (\d+)/.exec(((): string => { try { resolveGrid({ ...base, heldout: { episodes: 100000 } }); return ''; } catch (e) { return (e as Error).message; } })())![1]);
  assert.ok(limit >= 1 && limit < 500, String(limit));
  resolveGrid({ ...base, config: { maxSteps: limit }, heldout: { episodes: 100000 } });
  refused({ ...base, config: { maxSteps: limit + 1 }, heldout: { episodes: 100000 } }, 'grid.heldout.episodes × grid.config.maxSteps', new RegExp(`^maxSteps <= ${limit} `));
  // Training rollouts too (the trainer's own check, run for every cell up front).
  refused({ ...base, config: { episodes: 100000 } }, 'grid.config.episodes × maxSteps', /^maxSteps <= \d+/);
});

test('cells: one per env × algorithm × seed, named env.algo[.flag=value].seedN, safe as file names', () => {
  const grid = resolveGrid({ ...base, envs: ['CartPole-v1', 'Intersection-v0'], config: { iterations: 4, metaBatch: 2 } });
  const cells = mainCells(grid);
  assert.deepEqual(cells.map((c) => c.name), [
    'CartPole-v1.fomaml.seed1', 'CartPole-v1.fomaml.seed2', 'CartPole-v1.directed-fomaml.seed1', 'CartPole-v1.directed-fomaml.seed2',
    'Intersection-v0.fomaml.seed1', 'Intersection-v0.fomaml.seed2', 'Intersection-v0.directed-fomaml.seed1', 'Intersection-v0.directed-fomaml.seed2',
  ]);
  for (const c of cells) {
    assert.match(c.name, /^[A-Za-z0-9.=+-]+$/);
    assert.equal(c.config.env, c.env);
    assert.equal(c.config.algo, c.algo);
    assert.equal(c.config.seed, c.seed);
    assert.equal(c.config.metaBatch, 2);
    assert.equal(c.config.iterations, 4);
  }
  assert.equal(tuneCells(grid).length, 0);
  // Names are stable: overrides in a fixed order, numbers in shortest form.
  assert.equal(armName('CartPole-v1', 'directed-maml', { outerLr: 0.003, medium: 'random' }), 'CartPole-v1.directed-maml.medium=random.outer-lr=0.003');
  assert.equal(armName('CartPole-v1', 'directed-maml', { medium: 'random', outerLr: 0.003 }), 'CartPole-v1.directed-maml.medium=random.outer-lr=0.003');
  assert.equal(cellName(armName('CartPole-v1', 'maml', { outerLr: 1e-7 }), 12), 'CartPole-v1.maml.outer-lr=1e-7.seed12');
});

test('controls: sweep cells on their own seeds; directed variants and controls at the rate picked for their base', () => {
  const grid = resolveGrid({
    ...base, algos: ['maml', 'directed-fomaml'], config: { iterations: 3 }, perEnv: { 'CartPole-v1': { threshold: 50 } },
    controls: { outerLrSweep: { rates: [0.001, 0.01], seeds: [7, 8] }, randomMedium: true, directedLrSweep: { rates: [0.05] } },
  });
  assert.equal(grid.perEnv['CartPole-v1'].threshold, 50);
  const tune = tuneCells(grid);
  // bases of maml and directed-fomaml: maml, fomaml; 2 rates × 2 seeds each
  assert.deepEqual(tune.map((c) => c.name).sort(), [
    'CartPole-v1.fomaml.outer-lr=0.001.seed7', 'CartPole-v1.fomaml.outer-lr=0.001.seed8', 'CartPole-v1.fomaml.outer-lr=0.01.seed7', 'CartPole-v1.fomaml.outer-lr=0.01.seed8',
    'CartPole-v1.maml.outer-lr=0.001.seed7', 'CartPole-v1.maml.outer-lr=0.001.seed8', 'CartPole-v1.maml.outer-lr=0.01.seed7', 'CartPole-v1.maml.outer-lr=0.01.seed8',
  ]);
  assert.ok(tune.every((c) => c.phase === 'tune' && c.heldout === null && c.config.outerLr === c.overrides.outerLr));
  assert.throws(() => mainCells(grid), /no outer learning rate picked/);
  const cells = mainCells(grid, { 'CartPole-v1': { maml: 0.001, fomaml: 0.01 } });
  const arms = [...new Set(cells.map((c) => c.arm))];
  assert.deepEqual(arms, [
    'CartPole-v1.maml.outer-lr=0.001',
    'CartPole-v1.directed-fomaml.outer-lr=0.01',
    'CartPole-v1.directed-fomaml.medium=random.outer-lr=0.01',
    'CartPole-v1.directed-fomaml.directed-lr=0.05.outer-lr=0.01',
  ]);
  const random = cells.find((c) => c.arm.includes('medium=random'))!;
  assert.equal(random.config.medium, 'random');
  assert.equal(random.config.outerLr, 0.01);
  assert.equal(cells.find((c) => c.arm.includes('directed-lr'))!.config.directedLr, 0.05);
  assert.deepEqual([...new Set(cells.map((c) => c.seed))], [1, 2]);
  assert.ok(cells.every((c) => c.phase === 'main' && c.heldout !== null));
});

test("scheduler: an interrupt's reason reaches the cells (a Ctrl-C their processes got themselves is not sent again)", async () => {
  const cells = mainCells(resolveGrid({ ...base, config: { iterations: 2 } }));
  for (const reason of ['group-signal', 'forward']) {
    const outer = new AbortController();
    const seen: unknown[] = [];
    const result = await runLocal(join(tmpdir(), 'dmaml-never-written'), cells, {
      jobs: 2, signal: outer.signal, stream: { write: () => true },
      runCell: async (_cell, _dir, hooks = {}) => {
        outer.abort(reason);
        seen.push(hooks.signal?.reason);
        return { iterations: 0, interrupted: true };
      },
    });
    assert.equal(result.interrupted, true);
    assert.ok(seen.length >= 1);
    assert.deepEqual(new Set(seen), new Set([reason]));
  }
});

// ---- Through the CLI: refused before anything is written.

let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'dmaml-grid-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 60 });

test('dmaml experiment: a bad grid file, list or flag is one line, exit 2, and no directory', async () => {
  const gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify({ ...base, controls: { outerLrSweep: { rates: [0.001], seeds: [1] } } }));
  const hostilePath = join(root, 'hostile.json');
  await writeFile(hostilePath, `{"envs": ["CartPole-v1"], "algos": ["fomaml"], "seeds": [1], "config": {"__proto__": {"metaBatch": 2}}}`);
  const cases: Array<[string[], RegExp]> = [
    [['--grid', gridPath], /^dmaml: grid\.controls\.outerLrSweep\.seeds\[0\]: got 1; allowed: a seed that is not reported/],
    [['--grid', join(root, 'missing.json')], /^dmaml: --grid: .*ENOENT/],
    [['--grid', hostilePath], /^dmaml: --grid: got ".*hostile\.json"; allowed: .*key "__proto__": a name that is not one of Object\.prototype's/],
    [['--envs', 'CartPole-v1', '--algos', 'fomaml'], /^dmaml: --seeds: got "\(missing\)"/],
    [['--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1,x'], /^dmaml: --seeds: got "1,x"; allowed: a comma-separated list of integers/],
    [['--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1', '--meta-batch', '0'], new RegExp(`^dmaml: metaBatch: got "0"; allowed: ${literally(schemaAllowed('metaBatch')).source}$`)],
    [['--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1', '--seed', '3'], /^dmaml: --seed: .*--seeds \(a list\)/],
    [['--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1', '--colour', 'red'], /^dmaml: --colour: got "red"; allowed: a flag of dmaml experiment: --out, --grid, .*--meta-batch/],
  ];
  for (const [args, pattern] of cases) {
    const out = join(root, 'out');
    const r = await dmaml(['experiment', '--out', out, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: one line, got\n${r.stderr}`);
    assert.match(lines[0], pattern);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(out), `${args.join(' ')}: nothing was created`);
  }
  // An occupied --out that is not an experiment is refused before anything runs, and left as it was.
  const occupied = join(root, 'occupied');
  await dmaml(['train', '--out', occupied, '--iterations', '1', '--meta-batch', '1', '--episodes', '1', '--max-steps', '5', '--hidden', '4']);
  const before = (await readdir(occupied)).sort();
  const r = await dmaml(['experiment', '--out', occupied, '--envs', 'CartPole-v1', '--algos', 'fomaml', '--seeds', '1']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^dmaml: --out: .*holds files but no experiment\.json/);
  assert.deepEqual((await readdir(occupied)).sort(), before);
});

test('the new grid fields (margins, maxReturn, heldout.innerLr, controls.extraTask and nonMeta) are validated, one line naming each', () => {
  refused({ ...base, margins: { auc: 0 } }, 'grid.margins.auc', /number > 0/);
  refused({ ...base, margins: { speed: 1 } }, 'grid.margins.speed', /iterationsToThreshold, envStepsToThreshold/);
  refused({ ...base, margins: [1] }, 'grid.margins', /metric: margin > 0/);
  refused({ ...base, perEnv: { 'CartPole-v1': { margins: { finalReturn: 'small' } } } }, 'grid.perEnv.CartPole-v1.margins.finalReturn', /number > 0/);
  refused({ ...base, perEnv: { 'CartPole-v1': { maxReturn: 50 } } }, 'grid.perEnv.CartPole-v1.maxReturn', /above the threshold 100/);
  refused({ ...base, perEnv: { 'CartPole-v1': { ceiling: 500 } } }, 'grid.perEnv.CartPole-v1.ceiling', /threshold, config, maxReturn, margins/);
  refused({ ...base, heldout: { innerLr: 0 } }, 'grid.heldout.innerLr', /number > 0/);
  refused({ ...base, controls: { extraTask: 1 } }, 'grid.controls.extraTask', /true \| false/);
  refused({ ...base, algos: ['fomaml'], controls: { extraTask: true } }, 'grid.controls.extraTask', /directed-/);
  refused({ ...base, controls: { nonMeta: 'yes' } }, 'grid.controls.nonMeta', /true \| false/);
  refused({ ...base, heldout: { steps: 0 }, controls: { nonMeta: true } }, 'grid.heldout.steps', /at least 1 with controls\.nonMeta/);
});

test('margins: defaults (1 iteration; 5% of |threshold| for returns), then grid.margins, then the env\'s own; maxReturn: CartPole\'s maxSteps unless stated', () => {
  const g = resolveGrid({ ...base, config: { maxSteps: 200 }, margins: { auc: 3, envStepsToThreshold: 500 }, perEnv: { 'CartPole-v1': { threshold: 80, margins: { auc: 2 } } } });
  assert.deepEqual(g.perEnv['CartPole-v1'].margins, { iterationsToThreshold: 1, auc: 2, finalReturn: 4, heldoutReturn: 4, heldoutGain: 4, envStepsToThreshold: 500 });
  assert.equal(g.perEnv['CartPole-v1'].maxReturn, 200);
  const lunar = resolveGrid({ ...base, envs: ['LunarLander-v2'] });
  assert.equal(lunar.perEnv['LunarLander-v2'].maxReturn, null);
  assert.equal(resolveGrid({ ...base, envs: ['LunarLander-v2'], perEnv: { 'LunarLander-v2': { maxReturn: 300 } } }).perEnv['LunarLander-v2'].maxReturn, 300);
});

test('controls.extraTask adds each base at metaBatch + 1; controls.nonMeta adds FOMAML at α = 0, evaluated with the usual α', () => {
  const g = resolveGrid({ ...base, config: { metaBatch: 4, innerLr: 0.2 }, controls: { extraTask: true, nonMeta: true } });
  const cells = mainCells(g);
  const arms = [...new Set(cells.map((c) => c.arm))].sort();
  assert.deepEqual(arms, ['CartPole-v1.directed-fomaml', 'CartPole-v1.fomaml', 'CartPole-v1.fomaml.inner-lr=0', 'CartPole-v1.fomaml.meta-batch=5'].sort());
  const extra = cells.find((c) => c.arm === 'CartPole-v1.fomaml.meta-batch=5')!;
  assert.equal(extra.config.metaBatch, 5);
  const nonMeta = cells.find((c) => c.arm === 'CartPole-v1.fomaml.inner-lr=0')!;
  assert.equal(nonMeta.config.innerLr, 0);
  assert.equal(nonMeta.heldout!.innerLr, 0.2);
  assert.equal(cells.find((c) => c.arm === 'CartPole-v1.fomaml')!.heldout!.innerLr, undefined);
  assert.equal(cells.length, 4 * base.seeds.length);
});
