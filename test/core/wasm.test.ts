// The WASM loader's memory contract (src/core/wasm.ts): typed views stay valid when linear memory
// grows, and a VecEnv's buffers are allocated once when it is made and freed by dispose(), so
// making and disposing envs does not grow memory without bound.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const memoryBytes = () => dm.wasmExports().memory.buffer.byteLength;

function pattern(t: number, numEnvs: number): Int32Array {
  return Int32Array.from({ length: numEnvs }, (_, i) => ((t + 3 * i) >> 1) & 1);
}

// Runs first, while memory is still small, so that growth is visible in memory.buffer.byteLength.
test('making and disposing 1000 VecEnvs reuses the freed memory; not disposing grows it', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75] });
  const largest = 4096;
  const warm = family.makeVecEnv({ numEnvs: largest, seed: 0 });
  warm.reset();
  warm.dispose();
  const baseline = memoryBytes();
  for (let n = 0; n < 1000; n++) {
    // Sizes vary (1..4096 envs) so that the allocator's free blocks must merge to be reused.
    const numEnvs = 1 + ((n * 1237) % largest);
    const env = family.makeVecEnv({ numEnvs, seed: n });
    env.reset();
    env.step(pattern(n, numEnvs));
    env.dispose();
  }
  assert.equal(memoryBytes(), baseline, 'memory did not grow over 1000 make/dispose cycles');

  // Control: the same measurement sees growth when envs are kept alive.
  const kept = Array.from({ length: 40 }, (_, n) => family.makeVecEnv({ numEnvs: largest, seed: n }));
  const grown = memoryBytes();
  assert.ok(grown > baseline, `40 live envs of ${largest} grew memory (${baseline} -> ${grown} bytes)`);
  for (const env of kept) env.dispose();
  // and disposing them makes the space reusable: 40 more envs fit without growing again
  const again = Array.from({ length: 40 }, (_, n) => family.makeVecEnv({ numEnvs: largest, seed: n }));
  assert.equal(memoryBytes(), grown);
  for (const env of again) env.dispose();
});

test('views survive memory growth: an env made before a large allocation keeps working', () => {
  const family = dm.taskFamily('CartPole-v1', { halfLength: [0.25, 0.75], massPole: [0.05, 0.5] });
  const numEnvs = 7;
  const tasks = family.sample(numEnvs, { seed: 4 });
  const env = family.makeVecEnv({ numEnvs, seed: 17 });
  const twin = family.makeVecEnv({ numEnvs, seed: 17 });
  env.setTasks(tasks); twin.setTasks(tasks);
  env.reset(); twin.reset();
  for (let t = 0; t < 10; t++) { env.step(pattern(t, numEnvs)); twin.step(pattern(t, numEnvs)); }
  const result = env.step(pattern(10, numEnvs));
  twin.step(pattern(10, numEnvs));
  const obsBefore = result.obs.slice();
  const stateBefore = env.getState();
  assert.deepEqual(stateBefore, obsBefore);

  const bytesBefore = memoryBytes();
  const big = family.makeVecEnv({ numEnvs: 1 << 20, seed: 1 }); // ~80 MiB of buffers
  assert.ok(memoryBytes() > bytesBefore + 64 * 2 ** 20, `memory grew: ${bytesBefore} -> ${memoryBytes()} bytes`);

  // The old env's data survived the move to the new buffer and its views were rebuilt.
  assert.deepEqual(env.getState(), stateBefore);
  assert.deepEqual(env.getTasks(), tasks);
  for (let t = 11; t < 200; t++) {
    const a = env.step(pattern(t, numEnvs)), b = twin.step(pattern(t, numEnvs));
    assert.deepEqual(a.obs, b.obs, `step ${t}`);
    assert.deepEqual(a.reward, b.reward);
    assert.deepEqual(a.terminated, b.terminated);
    assert.deepEqual(a.truncated, b.truncated);
  }

  // The large env works too, and growing once more (another large env) keeps both usable.
  const bigObs = big.reset();
  assert.equal(bigObs.length, (1 << 20) * 4);
  big.step(new Int32Array(1 << 20));
  const big2 = family.makeVecEnv({ numEnvs: 1 << 19, seed: 2 });
  assert.equal(env.step(pattern(200, numEnvs)).obs.length, numEnvs * 4);
  assert.deepEqual(env.getState(), (twin.step(pattern(200, numEnvs)), twin.getState()));
  assert.equal(big.getState().length, (1 << 20) * 4);
  big.dispose(); big2.dispose(); env.dispose(); twin.dispose();
});

test('an env cannot be used after dispose()', () => {
  const env = dm.taskFamily('CartPole-v1').makeVecEnv({ numEnvs: 2 });
  env.reset();
  env.dispose();
  assert.throws(() => env.step([0, 1]), /after dispose/);
  assert.throws(() => env.getState(), /after dispose/);
  env.dispose(); // a second dispose is harmless
});

// One source of truth: the numbers both sides agree on come from the module's exports.
test('env kinds, RNG purposes and field ids are read from the module, and each env kind is distinct', () => {
  const w = dm.wasmExports();
  const kinds = dm.envIds().map((id) => dm.taskFamily(id).kind);
  assert.equal(new Set(kinds).size, kinds.length, `distinct kinds: ${kinds}`);
  for (const id of dm.envIds()) {
    const family = dm.taskFamily(id);
    assert.equal(family.kind, (w[dm.envSpec(id).wasmKind] as WebAssembly.Global).value);
    assert.ok(family.obsDim > 0 && (family.numActions > 1 || family.actionSize > 0) && family.maxEpisodeSteps > 0, id);
  }
  const purposes = Object.values(dm.Purpose);
  assert.equal(new Set(purposes).size, purposes.length);
  assert.equal(dm.Purpose.TASKS, (w.PURPOSE_TASKS as WebAssembly.Global).value);
  assert.throws(() => dm.wasmConst('NO_SUCH_CONSTANT'), /exports no constant NO_SUCH_CONSTANT/);
});
