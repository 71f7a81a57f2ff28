// An experiment whose grid leaves heldout.episodes out (its records use each cell's episodes) runs
// again over its own directory: the held-out records are recognised as the grid's, not refused as
// "episodes undefined" (they were, so such an experiment could not be resumed or re-reported).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines } from './content';
import { dmaml as dmamlProcess } from '../helpers';

const dmaml = (args: string[]) => dmamlProcess(args, { timeoutSeconds: 300 });

test('heldout without episodes: the experiment runs again over its directory', async () => {
  const root = await mkdtemp(join(tmpdir(), 'dmaml-heldout-episodes-'));
  try {
    const grid = join(root, 'grid.json'), out = join(root, 'out');
    await writeFile(grid, JSON.stringify({ envs: ['CartPole-v1'], algos: ['fomaml'], seeds: [1], config: { metaBatch: 2, episodes: 3, maxSteps: 20, hidden: [8], iterations: 1 }, heldout: { tasks: 2, steps: 1 } }));
    const first = await dmaml(['experiment', '--grid', grid, '--out', out]);
    assert.equal(first.code, 0, first.stderr);
    const records = await jsonLines(join(out, 'cells', 'CartPole-v1.fomaml.seed1', 'heldout.jsonl'));
    assert.equal(records[0].episodes, 3, 'the cell\'s episodes');
    const again = await dmaml(['experiment', '--grid', grid, '--out', out]);
    assert.equal(again.code, 0, again.stderr);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
