// The worker pool over tasks (src/train/pool.ts, worker_threads from src/node/pool.ts):
// - metrics, θ and α are bit-identical for 1 (in process), 2 and 3 workers, for MAML, FOMAML,
//   Meta-SGD and a directed variant, and across a resume that changes the worker count;
// - a worker that throws, dies of an uncaught error or exits gives one clear error, no hang, and the
//   trainer keeps the state of its last completed iteration;
// - the pool's threads end with trainer.dispose(), and a process that forgets dispose() still exits;
// - tf.memory().numTensors and WASM memory stay flat in the main thread.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as dm from 'directed-maml';
import { nodeWorkerFactory } from 'directed-maml/node';
import { serializeState, deserializeState } from '../../src/train/checkpoint';

before(async () => { await dm.init(); });

const small = { metaBatch: 5, episodes: 4, maxSteps: 60, hidden: [16], seed: 7 };
const factory = nodeWorkerFactory();

const withoutTiming = (m: dm.IterationMetrics): Record<string, number> => {
  const out: Record<string, number> = { ...m };
  for (const f of dm.TIMING_FIELDS) delete out[f];
  return out;
};
/** Float32 bit patterns, so that equality is bit equality. */
const bits = (a: Float32Array | number): number[] => (typeof a === 'number' ? [a] : Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)));

interface RunResult { metrics: Record<string, number>[]; theta: number[]; innerLr: number[] }

async function train(trainer: dm.Trainer, iterations: number): Promise<RunResult> {
  const metrics: Record<string, number>[] = [];
  for await (const m of trainer.run(iterations)) metrics.push(withoutTiming(m));
  return { metrics, theta: bits(trainer.policy.getFlat()), innerLr: bits(trainer.innerLearningRate) };
}

for (const algo of ['maml', 'fomaml', 'meta-sgd', 'directed-maml'] as const) {
  test(`${algo}: metrics, θ and α are bit-identical with 1, 2 and 3 workers`, async () => {
    const results: RunResult[] = [];
    for (const workers of [1, 2, 3]) {
      const trainer = new dm.Trainer({ algo, ...small, workers, workerFactory: factory });
      const result = await train(trainer, 3);
      assert.equal(trainer.workers, workers, 'the trainer runs its tasks on that many threads');
      trainer.dispose();
      results.push(result);
    }
    assert.equal(results[0].metrics.length, 3);
    assert.ok(results[0].metrics.every((m) => m.envSteps > 0));
    assert.deepEqual(results[1], results[0], '2 workers vs in process');
    assert.deepEqual(results[2], results[0], '3 workers vs in process');
  });
}

test('Navigation2D-v0 (Gaussian head): MAML and Meta-SGD metrics, θ (log-std included) and α are bit-identical with 1 and 2 workers', async () => {
  for (const algo of ['maml', 'meta-sgd'] as const) {
    const results: RunResult[] = [];
    for (const workers of [1, 2]) {
      const trainer = new dm.Trainer({ env: 'Navigation2D-v0', algo, metaBatch: 4, episodes: 4, maxSteps: 100, hidden: [16], seed: 5, workers, workerFactory: factory } as dm.TrainerOptions);
      results.push(await train(trainer, 2));
      trainer.dispose();
    }
    assert.ok(results[0].metrics.every((m) => m.envSteps > 0));
    assert.deepEqual(results[1], results[0], `${algo}: 2 workers vs in process`);
  }
});

test('a resume with another worker count equals an uninterrupted run; state.json does not hold the count', async () => {
  const algo = 'directed-meta-sgd';
  const straight = new dm.Trainer({ algo, ...small, workers: 1 });
  const expected = await train(straight, 4);
  straight.dispose();
  const first = new dm.Trainer({ algo, ...small, workers: 3, workerFactory: factory });
  const part1 = await train(first, 2);
  const text = serializeState(first.getState());
  first.dispose();
  const inProcess = new dm.Trainer({ algo, ...small, workers: 1 });
  await train(inProcess, 2);
  assert.equal(serializeState(inProcess.getState()), text, 'the checkpoint is the same whatever the worker count');
  inProcess.dispose();
  const resumed = dm.Trainer.fromState(deserializeState(text) as unknown as dm.TrainerState, { workers: 2, workerFactory: factory });
  assert.equal(resumed.iteration, 2);
  const part2 = await train(resumed, 2);
  assert.equal(resumed.workers, 2);
  resumed.dispose();
  assert.deepEqual([...part1.metrics, ...part2.metrics], expected.metrics);
  assert.deepEqual(part2.theta, expected.theta);
  assert.deepEqual(part2.innerLr, expected.innerLr);
});

for (const kind of ['throw', 'uncaught', 'exit'] as const) {
  // A hang fails by the timeout.
  test(`a worker that fails (${kind}) on a task gives one clear error, and the trainer keeps its last iteration`, { timeout: 60_000 }, async () => {
    const config = { algo: 'directed-meta-sgd' as const, ...small };
    const reference = new dm.Trainer({ ...config, workers: 1 });
    await train(reference, 1);
    const trainer = new dm.Trainer({ ...config, workers: 2, workerFactory: factory, poolFault: { iteration: 1, task: 3, kind } });
    const seen: number[] = [];
    await assert.rejects(async () => { for await (const m of trainer.run(3)) seen.push(m.iteration); }, (err: Error) => {
      assert.match(err.message, /^directed-maml worker pool: worker [12] of 2 failed on task 3 of iteration 1: /);
      assert.match(err.message, kind === 'exit' ? /exited \(code 3\)/ : /injected fault/);
      assert.match(err.message, /the pool is shut down$/m);
      return true;
    });
    assert.deepEqual(seen, [1], 'iteration 1 (index 0) completed; index 1 failed');
    assert.equal(trainer.iteration, 1);
    assert.equal(serializeState(trainer.getState()), serializeState(reference.getState()), 'θ, α and Adam as after the last completed iteration');
    assert.deepEqual(bits(trainer.policy.getFlat()), bits(reference.policy.getFlat()), 'the policy holds that θ');
    reference.dispose();
    trainer.dispose();
  });
}

test('a worker script that cannot load fails the start with one error', { timeout: 60_000 }, async () => {
  const broken = nodeWorkerFactory(new URL('./no-such-pool-worker.js', import.meta.url));
  const trainer = new dm.Trainer({ algo: 'fomaml', ...small, workers: 2, workerFactory: broken });
  await assert.rejects(async () => { for await (const _ of trainer.run(1)) { /* none */ } },
    /^Error: directed-maml worker pool: worker [12] of 2 failed while starting: /);
  assert.equal(trainer.iteration, 0);
  trainer.dispose();
});

test('workers: 0 is one per core (at most one per task); more than 1 without a worker factory is refused', () => {
  const auto = new dm.Trainer({ algo: 'fomaml', ...small, workerFactory: factory });
  assert.equal(auto.config.workers, 0);
  assert.equal(auto.workers, Math.min(factory.cores(), small.metaBatch));
  auto.dispose();
  const capped = new dm.Trainer({ algo: 'fomaml', ...small, workers: 9, workerFactory: factory });
  assert.equal(capped.workers, small.metaBatch);
  capped.dispose();
  const none = new dm.Trainer({ algo: 'fomaml', ...small, workerFactory: null });
  assert.equal(none.workers, 1, 'no factory: in process');
  none.dispose();
  assert.throws(() => new dm.Trainer({ algo: 'fomaml', ...small, workers: 2, workerFactory: null }),
    (e: Error) => e instanceof dm.ConfigError && /^workers: got 2; allowed: 1 here/.test(e.message));
  assert.throws(() => new dm.Trainer({ workers: -1 }), (e: Error) => e instanceof dm.ConfigError && /^workers: got -1/.test(e.message));
});

/** Threads of this process (Linux): worker_threads are OS threads. */
function threadCount(): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

/** The thread count once it has not changed for half a second (threads of earlier pools end). */
async function settledThreadCount(): Promise<number> {
  let last = threadCount(), since = Date.now();
  while (Date.now() - since < 500) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = threadCount();
    if (now !== last) [last, since] = [now, Date.now()];
  }
  return last;
}

test("dispose() ends the pool's threads", async () => {
  const before = await settledThreadCount();
  const trainer = new dm.Trainer({ algo: 'fomaml', ...small, workers: 3, workerFactory: factory });
  await train(trainer, 1);
  assert.ok(threadCount() >= before + 3, `3 worker threads run (threads ${before} → ${threadCount()})`);
  trainer.dispose();
  assert.equal(await settledThreadCount(), before, 'back to the threads before the pool');
});

// A child process trains with 2 workers (the default factory of 'directed-maml/node'), with or
// without dispose(); either way it must end by itself.
const CHILD = (dispose: boolean) => `
  import * as dm from 'directed-maml';
  import 'directed-maml/node';
  await dm.init();
  const trainer = new dm.Trainer({ algo: 'maml', metaBatch: 4, episodes: 3, maxSteps: 40, hidden: [8], workers: 2 });
  for await (const m of trainer.run(2)) {}
  console.log('workers', trainer.workers);
  ${dispose ? 'trainer.dispose();' : ''}
`;
for (const dispose of [true, false]) {
  test(`a process whose trainer used a pool exits by itself (${dispose ? 'after dispose()' : 'without dispose()'})`, () => {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD(dispose)], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(result.signal, null, 'not killed by the timeout');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'workers 2');
  });
}

test('with a pool, numTensors and WASM memory stay flat in the main thread over iterations', async () => {
  const trainer = new dm.Trainer({ algo: 'directed-meta-sgd', ...small, workers: 2, workerFactory: factory });
  const tensors: number[] = [], memory: number[] = [];
  for await (const m of trainer.run(20)) {
    tensors[m.iteration] = dm.tf.memory().numTensors;
    memory[m.iteration] = dm.wasmExports().memory.buffer.byteLength;
  }
  assert.equal(trainer.workers, 2);
  assert.equal(tensors[20], tensors[3]);
  assert.equal(memory[20], memory[3]);
  trainer.dispose();
});
