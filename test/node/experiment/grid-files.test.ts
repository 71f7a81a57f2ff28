// The grid files shipped in experiments/ (README's commands and `npm run results` use them) resolve
// under the current schema, and keep what the claims need: ≥ 20 reported seeds and ≥ 10 control
// seeds wherever a directed variant is compared with its base, a log-spaced outer-lr sweep tuned
// per arm that reaches 0.1, and the extra-task and non-meta baselines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import { resolveGrid, controlSeedsOf, tuneCells } from 'directed-maml/node';

const dir = join(import.meta.dirname, '..', '..', '..', 'experiments');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('experiments/*.json: every grid file resolves', async () => {
  await dm.init();
  assert.ok(files.length >= 4, files.join(', '));
  for (const f of files) {
    const grid = resolveGrid(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    assert.ok(tuneCells(grid).length > 0, `${f}: an outer-lr sweep`);
    const sweep = grid.controls.outerLrSweep!;
    assert.ok(sweep.perArm, `${f}: tuned per arm`);
    assert.ok(Math.max(...sweep.rates) >= 0.1, `${f}: the sweep reaches 0.1`);
    assert.ok(grid.controls.extraTask && grid.controls.nonMeta && grid.controls.randomMedium, `${f}: extra-task, non-meta and random-task controls`);
  }
});

test('experiments/full.json and the 20-seed grids: ≥ 20 seeds for the primary claims, ≥ 10 for the controls, oracles for the headroom, a hidden-task variant of each paper family', () => {
  for (const f of ['full.json', 'defaults.json', 'lunar.json']) {
    const grid = resolveGrid(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    assert.ok(grid.seeds.length >= 20, `${f}: ${grid.seeds.length} seeds`);
    assert.ok(controlSeedsOf(grid).length >= 10, `${f}: ${controlSeedsOf(grid).length} control seeds`);
    assert.ok(grid.algos.includes('maml') && grid.algos.includes('directed-maml') && grid.algos.includes('fomaml') && grid.algos.includes('directed-fomaml'), f);
  }
  const full = resolveGrid(JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8')));
  assert.ok(full.controls.oracle, 'full.json measures the headroom');
  for (const env of ['Navigation2D-v0', 'CartPoleFlip-v0', 'LunarLanderWind-v0', 'LunarLanderPad-v0', 'IntersectionOccluded-v0', 'CartPole-v1', 'Intersection-v0', 'LunarLander-v2']) assert.ok(full.envs.includes(env as never), env);
});
