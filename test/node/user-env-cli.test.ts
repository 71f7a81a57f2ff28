// `dmaml train --env ./my-env.mjs` (src/node/env-module.ts): the module's env trains from the CLI
// (examples/hidden-goal.mjs, the README's example), its id names the run, 1 and 2 workers give the
// same metrics and θ, a resume defines the env again from run.json, and a bad path or definition is
// one line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmaml, SMALL } from './helpers';

const EXAMPLE = join(process.cwd(), 'examples', 'hidden-goal.mjs');

test('dmaml train --env ./examples/hidden-goal.mjs: trains, same run for 1 and 2 workers, resumes', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'dmaml-userenv-'));
  try {
    const runs: string[] = [];
    for (const workers of ['1', '2']) {
      const out = join(tmp, `w${workers}`);
      // Relative to the working directory, as a user types it.
      const r = await dmaml(['train', '--env', './examples/hidden-goal.mjs', ...SMALL, '--iterations', '2', '--workers', workers, '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /dmaml train: HiddenGoal-v0 · directed-maml/);
      const run = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
      assert.equal(run.env, 'HiddenGoal-v0');
      assert.equal(run.config.env, 'HiddenGoal-v0');
      assert.deepEqual(run.config.ranges, { goalX: [0, 4], goalY: [0, 4] });
      assert.equal(run.envModule.url, new URL(`file://${EXAMPLE}`).href);
      runs.push(await readFile(join(out, 'state.json'), 'utf8'));
    }
    assert.equal(runs[1], runs[0], 'state (θ, Adam) bit-identical for 1 and 2 workers');
    const resumed = await dmaml(['train', '--resume', join(tmp, 'w1'), '--iterations', '3']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const lines = (await readFile(join(tmp, 'w1', 'metrics.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(lines.length, 3);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('the README shows examples/hidden-goal.mjs whole', async () => {
  const [readme, example] = await Promise.all([readFile('README.md', 'utf8'), readFile(EXAMPLE, 'utf8')]);
  assert.ok(readme.includes('```js\n' + example + '```'), 'README.md holds the example file verbatim');
});

test('dmaml train --env with a missing file or a bad definition: one line naming it', async () => {
  const missing = await dmaml(['train', '--env', './no-such-env.mjs', ...SMALL]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'dmaml: --env: got "./no-such-env.mjs"; allowed: an env id, or the path of a module whose default export is a dm.defineEnv definition (ENOENT)\n');
});

test('an experiment grid names a defined env by its module path, relative to the grid file', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'dmaml-userenv-grid-'));
  try {
    await copyFile(EXAMPLE, join(tmp, 'hidden-goal.mjs'));
    await writeFile(join(tmp, 'grid.json'), JSON.stringify({
      envs: ['./hidden-goal.mjs'], algos: ['fomaml'], seeds: [1],
      config: { iterations: 2, metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8] },
      perEnv: { './hidden-goal.mjs': { threshold: -1 } },
      heldout: { every: 2, tasks: 2, steps: 1 },
    }));
    const out = join(tmp, 'out');
    const r = await dmaml(['experiment', '--grid', join(tmp, 'grid.json'), '--out', out, '--jobs', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await readdir(join(out, 'cells')), ['HiddenGoal-v0.fomaml.seed1']);
    const results = (await readFile(join(out, 'results.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(results.length > 0 && results.every((x) => x.env === undefined || x.env === 'HiddenGoal-v0'));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
