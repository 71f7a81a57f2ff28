// runTraining, the programmatic seam under `dmaml train` (and the experiment runner and queue
// workers): 'auto' starts a run or resumes the same one and refuses another; an abort stops after a
// committed iteration; every exit path releases the lock. In one process, with real files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dm from 'directed-maml';
import * as node from 'directed-maml/node';

const CONFIG: Partial<dm.TrainConfig> = { algo: 'directed-fomaml', metaBatch: 2, episodes: 2, maxSteps: 20, hidden: [8], seed: 7 };
let root: string;
before(async () => { root = await mkdtemp(join(tmpdir(), 'dmaml-runtraining-')); });
after(async () => { await rm(root, { recursive: true, force: true }); });

const iterations = async (dir: string) => (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l).iteration);

test("mode 'auto': a new run, then the same run resumed to more iterations; another config is refused", async () => {
  const dir = join(root, 'cell');
  const seen: number[] = [];
  const first = await node.runTraining({ dir, mode: 'auto', config: CONFIG, iterations: 2, command: 'test', onIteration: (m) => { seen.push(m.iteration); } });
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual([first.resumed, first.startIteration, first.iteration, first.target, first.done, first.interrupted], [false, 0, 2, 2, 2, false]);
  assert.equal(first.identity.configHash, dm.configHash(dm.resolveConfig({ ...CONFIG, iterations: 2 })));
  assert.deepEqual((await readdir(dir)).sort(), ['curve.svg', 'metrics.jsonl', 'policy', 'run.json', 'state.json']);

  // The same config: resumed (only the total changes), whether asked for 'auto' or 'resume'.
  const second = await node.runTraining({ dir, mode: 'auto', config: CONFIG, iterations: 3 });
  assert.deepEqual([second.resumed, second.startIteration, second.iteration, second.done], [true, 2, 3, 1]);
  assert.deepEqual(await iterations(dir), [1, 2, 3]);
  // Nothing left to run: a no-op that leaves every file as it is.
  const files = await readFile(join(dir, 'state.json'));
  const third = await node.runTraining({ dir, mode: 'resume', iterations: 3 });
  assert.equal(third.done, 0);
  assert.ok((await readFile(join(dir, 'state.json'))).equals(files));
  // The worker count is not the run's: given with a resume, it is the one this call runs with.
  for (const workers of [1, 2]) {
    const resumed = await node.runTraining({ dir, mode: 'resume', config: { workers }, iterations: 3 });
    assert.equal(resumed.config.workers, workers);
    assert.equal((await node.runTraining({ dir, mode: 'auto', config: { ...CONFIG, workers }, iterations: 3 })).config.workers, workers);
  }
  assert.ok((await readFile(join(dir, 'state.json'))).equals(files));

  await assert.rejects(node.runTraining({ dir, mode: 'auto', config: { ...CONFIG, seed: 8 }, iterations: 3, flag: 'cell' }),
    /cell: got ".*cell"; allowed: a directory holding this run or none \(it holds another run: CartPole-v1, directed-fomaml, seed 7, config [0-9a-f]{16}; this one is config [0-9a-f]{16}\)/);
  await assert.rejects(node.runTraining({ dir, mode: 'new', config: CONFIG }), /--out: .*it holds a run of this same config: continue it with --resume/);
  await assert.rejects(node.runTraining({ dir, mode: 'resume', config: { innerLr: 0.5 }, iterations: 4 }), /innerLr: got 0\.5; allowed: 0\.1 \(the run in .* keeps its settings/);
  assert.deepEqual(await iterations(dir), [1, 2, 3]);
  assert.ok(!(await readdir(dir)).includes('run.lock'));
});

test('an abort stops after a committed iteration; a throwing callback releases the lock and keeps the run', async () => {
  const dir = join(root, 'aborted');
  const controller = new AbortController();
  const r = await node.runTraining({ dir, mode: 'new', config: CONFIG, iterations: 50, signal: controller.signal, onIteration: (m) => { if (m.iteration === 2) controller.abort(); } });
  assert.deepEqual([r.iteration, r.done, r.interrupted], [2, 2, true]);
  assert.deepEqual(await iterations(dir), [1, 2]);
  assert.ok(!(await readdir(dir)).includes('run.lock'));

  await assert.rejects(node.runTraining({ dir, mode: 'resume', onIteration: () => { throw new Error('the caller failed'); } }), /the caller failed/);
  // Iteration 3 was committed before the callback ran; the lock is gone; the run resumes.
  assert.deepEqual(await iterations(dir), [1, 2, 3]);
  assert.ok(!(await readdir(dir)).includes('run.lock'));
  const rest = await node.runTraining({ dir, mode: 'resume', iterations: 4 });
  assert.equal(rest.iteration, 4);
});

test('a new run refused for its values creates nothing', async () => {
  const dir = join(root, 'deep', 'never');
  await assert.rejects(node.runTraining({ dir, mode: 'new', config: { ...CONFIG, maxSteps: 16777216 } }), /episodes × maxSteps: got "2 × 16777216 = 33554432 steps"/);
  await assert.rejects(node.runTraining({ dir, mode: 'new', config: { ...CONFIG, ranges: { halfLength: [-1, 1] } } }), /ranges\.halfLength: got \[-1, 1\]/);
  await assert.rejects(readdir(join(root, 'deep')), /ENOENT/);
});
