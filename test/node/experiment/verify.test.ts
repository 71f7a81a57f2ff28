// A finished cell is verified, not trusted on its state.json: the experiment reads each complete
// cell as `dmaml train --resume` reads a run. What train's resume repairs (metrics lines past the
// checkpoint, a torn tail) is repaired and the results equal the clean run's; what it cannot
// (metrics cut below the checkpoint, another cell's metrics, a damaged heldout.jsonl) and a damaged
// experiment.json are one line naming the cell and the file, exit 2, nothing rewritten.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, copyFile, cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dmaml, assertOneLineError, snapshot } from '../helpers';
import { experimentContent } from './content';

const GRID = {
  envs: ['CartPole-v1'],
  algos: ['fomaml', 'directed-fomaml'],
  seeds: [1, 2],
  config: { metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], iterations: 3 },
  heldout: { every: 2, tasks: 2, seed: 5, steps: 2, episodes: 2 },
};
const A = 'CartPole-v1.fomaml.seed1', B = 'CartPole-v1.fomaml.seed2';

let root: string, gridPath: string, clean: string;
let n = 0;

/** A copy of the clean experiment, damaged by `damage(cellsDir)`. */
async function damaged(damage: (cells: string) => Promise<void>): Promise<string> {
  const dir = join(root, `copy${n++}`);
  await cp(clean, dir, { recursive: true });
  await damage(join(dir, 'cells'));
  return dir;
}
const run = (out: string) => dmaml(['experiment', '--grid', gridPath, '--out', out, '--jobs', '1']);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dmaml-verify-'));
  gridPath = join(root, 'grid.json');
  await writeFile(gridPath, JSON.stringify(GRID));
  clean = join(root, 'clean');
  const r = await run(clean);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => { await rm(root, { recursive: true, force: true }); });

test('a metrics line past the checkpoint and a torn tail are cut (train\'s repair); results equal the clean run\'s', async () => {
  const want = await experimentContent(clean);
  const dir = await damaged(async (cells) => {
    const line = (await readFile(join(cells, A, 'metrics.jsonl'), 'utf8')).trim().split('\n').pop()!;
    await appendFile(join(cells, A, 'metrics.jsonl'), `${line.replace(/"iteration":3/, '"iteration":4')}\n{"iterat`);
  });
  const r = await run(dir);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await experimentContent(dir), want);
});

test('what cannot be regenerated is one line naming the cell and the file; nothing is rewritten', async () => {
  const cases: Array<[string, (cells: string) => Promise<void>, RegExp]> = [
    ['metrics cut mid-line', async (cells) => {
      const path = join(cells, A, 'metrics.jsonl');
      await truncate(path, (await readFile(path)).length - 20);
    }, new RegExp(`^dmaml: cell ${A}: got ".*metrics\\.jsonl"; allowed: a metrics file with at least the 3 iterations of state\\.json \\(it has 2 and a torn last line\\)$`)],
    ['the last metrics line lost', async (cells) => {
      const path = join(cells, A, 'metrics.jsonl');
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      await writeFile(path, `${lines.slice(0, -1).join('\n')}\n`);
    }, new RegExp(`^dmaml: cell ${A}: .*metrics\\.jsonl"; allowed: a metrics file with at least the 3 iterations of state\\.json \\(it has 2\\)$`)],
    ["another cell's metrics", async (cells) => {
      await copyFile(join(cells, B, 'metrics.jsonl'), join(cells, A, 'metrics.jsonl'));
    }, new RegExp(`^dmaml: cell ${A}: .*metrics\\.jsonl"; allowed: the metrics of this run \\(config [0-9a-f]+\\); line 1 belongs to another run`)],
    ['heldout.jsonl cut mid-line', async (cells) => {
      const path = join(cells, A, 'heldout.jsonl');
      await truncate(path, (await readFile(path)).length - 10);
    }, new RegExp(`^dmaml: cell ${A}: .*heldout\\.jsonl"; allowed: a held-out file of JSON records, one per line \\(line 2 is torn\\)$`)],
    ['heldout.jsonl of another spec', async (cells) => {
      await copyFile(join(cells, A, 'heldout.jsonl'), join(cells, A, 'h'));
      const text = (await readFile(join(cells, A, 'h'), 'utf8')).replace(/"taskSeed":5/g, '"taskSeed":6');
      await rm(join(cells, A, 'h'));
      await writeFile(join(cells, A, 'heldout.jsonl'), text);
    }, new RegExp(`^dmaml: cell ${A}: .*heldout\\.jsonl"; allowed: held-out records of this grid's spec`)],
  ];
  for (const [what, damage, pattern] of cases) {
    const dir = await damaged(damage);
    const before = await snapshot(dir);
    assertOneLineError(await run(dir), pattern, what);
    const afterRun = await snapshot(dir);
    delete before!['run.lock'];
    delete afterRun!['run.lock'];
    assert.deepEqual(afterRun, before, `${what}: nothing rewritten`);
  }
});

test('a damaged experiment.json is named as damaged, not as another grid', async () => {
  const dir = await damaged(async () => undefined);
  await writeFile(join(dir, 'experiment.json'), '{"format": "directed-maml-exp');
  assertOneLineError(await run(dir), /^dmaml: --out: got ".*"; allowed: an experiment directory whose experiment\.json is the record dmaml experiment writes \(this one is damaged: restore it, or choose another --out\)$/, 'damaged experiment.json');
});
