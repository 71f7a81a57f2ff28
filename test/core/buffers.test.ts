// The WASM owners' buffers (assembly/buffers.ts: a VecEnv, a rollout workspace, an MLP), against
// references written here from the layouts their structs document:
// - the bytes TypeScript checks before creating one (vecEnvBytes, rolloutBytes, rolloutUserBytes,
//   mlpBytes): the largest single buffer exactly, and the total as the buffers' sum plus the owners'
//   own structs (compared between two shapes, whose difference is the buffers' alone);
// - creating and freeing workspaces and policies many times returns every buffer to the allocator.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

before(async () => { await dm.init(); });

const w = () => dm.wasmExports();
const padLanes = (n: number) => Math.ceil(n / 4) * 4;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Bytes of the owners' own structs: small, and the same whatever the shape. */
const STRUCTS_AT_MOST = 512;

/** A VecEnv's buffers: state, params, obs, actions, reward, terminated, truncated, needsReset, stepCount, rngKey, rngCounter. */
function vecEnvBuffers(stateDim: number, paramDim: number, obsDim: number, actionBytes: number, numEnvs: number): number[] {
  const lanes = padLanes(numEnvs);
  return [stateDim * lanes * 4, paramDim * lanes * 4, numEnvs * obsDim * 4, lanes * actionBytes, lanes * 4,
    lanes, lanes, lanes, lanes * 4, lanes * 8, lanes * 8];
}

/** A JS-stepped env keeps only obs, actions, reward, terminated. */
function userEnvBuffers(obsDim: number, actionBytes: number, numEnvs: number): number[] {
  return vecEnvBuffers(0, 0, obsDim, actionBytes, numEnvs).slice(2, 6);
}

/** A rollout workspace's own buffers: obsT, actionT, rewardT, logProbT, length, return, terminal, alive, actionKey, the tile's lanes and actions. */
function rolloutBuffers(obsDim: number, actionBytes: number, numEpisodes: number, maxSteps: number): number[] {
  const cells = numEpisodes * maxSteps, tileRows = 4;
  return [cells * obsDim * 4, cells * actionBytes, cells * 4, cells * 4, numEpisodes * 4, numEpisodes * 4,
    numEpisodes, padLanes(numEpisodes), numEpisodes * 8, tileRows * 4, tileRows * 4];
}

/** An MLP's buffers for layer sizes [in, ..., out] (categorical head): units padded to 4, the input unpadded. */
function mlpBuffers(sizes: number[], numSets: number): number[] {
  const layers = sizes.length - 1, tileRows = 4;
  let setFloats = 0;
  for (let l = 0; l < layers; l++) setFloats += (l === 0 ? sizes[0] : padLanes(sizes[l])) * padLanes(sizes[l + 1]) + padLanes(sizes[l + 1]);
  const maxWidth = Math.max(...sizes.map(padLanes));
  return [(layers + 1) * 4, (layers + 1) * 4, numSets * setFloats * 4, (layers + 1) * tileRows * maxWidth * 4,
    sizes[layers] * tileRows * 4, 2 * tileRows * maxWidth * 4, tileRows * 4, tileRows * 4, tileRows * 4, setFloats * 4, setFloats * 4];
}

/** `bytes(shape, largest)` against the reference buffers of two shapes. */
function checkSizes(what: string, bytes: (shape: number, largest: boolean) => number, buffers: (shape: number) => number[]): void {
  const [a, b] = [0, 1];
  for (const shape of [a, b]) assert.equal(bytes(shape, true), Math.max(...buffers(shape)), `${what}: largest buffer, shape ${shape}`);
  assert.equal(bytes(b, false) - bytes(a, false), sum(buffers(b)) - sum(buffers(a)), `${what}: the buffers' total`);
  const structs = bytes(a, false) - sum(buffers(a));
  assert.ok(structs > 0 && structs <= STRUCTS_AT_MOST, `${what}: struct bytes ${structs}`);
}

test('the bytes checked before creating a VecEnv, a rollout workspace or an MLP are its buffers\' sizes', () => {
  const kind = dm.taskFamily('CartPole-v1').kind;
  const dim = (which: string) => w().envDim(kind, dm.wasmConst(`DIM_${which}`));
  const stateDim = dim('STATE'), paramDim = dim('PARAMS'), obsDim = dim('OBS');
  assert.equal(dim('ACTION_SIZE'), 0, 'CartPole-v1 is discrete: one i32 per action');
  const envs = [10, 37], steps = [100, 9];
  const envBuffers = (s: number) => vecEnvBuffers(stateDim, paramDim, obsDim, 4, envs[s]);
  checkSizes('vecEnvBytes', (s, largest) => w().vecEnvBytes(kind, envs[s], largest), envBuffers);
  checkSizes('rolloutBytes', (s, largest) => w().rolloutBytes(kind, envs[s], steps[s], largest),
    (s) => [...envBuffers(s), ...rolloutBuffers(obsDim, 4, envs[s], steps[s])]);
  // A JS-stepped env with box actions of 2 floats.
  checkSizes('rolloutUserBytes', (s, largest) => w().rolloutUserBytes(3, 2, envs[s], steps[s], largest),
    (s) => [...userEnvBuffers(3, 8, envs[s]), ...rolloutBuffers(3, 8, envs[s], steps[s])]);

  const layerSizes = [[4, 16, 2], [5, 30, 30, 3]], sets = [3, 1];
  const sizesPtr = w().alloc(5 * 4);
  try {
    const mlpBytes = (s: number, largest: boolean) => {
      new Int32Array(w().memory.buffer, sizesPtr, layerSizes[s].length).set(layerSizes[s]);
      return w().mlpBytes(layerSizes[s].length - 1, sizesPtr, sets[s], largest, dm.wasmConst('HEAD_CATEGORICAL'));
    };
    checkSizes('mlpBytes', mlpBytes, (s) => mlpBuffers(layerSizes[s], sets[s]));
  } finally {
    w().free(sizesPtr);
  }
});

/** The address a small allocation gets now: it moves when a block stays allocated (see test/rl/rollout.test.ts). */
function probeAddress(): number {
  const ptr = w().alloc(16);
  w().free(ptr);
  return ptr;
}

test('creating and freeing rollout workspaces (built-in and JS-stepped envs) and MLPs returns every buffer', () => {
  const kind = dm.taskFamily('CartPole-v1').kind;
  const sizesPtr = w().alloc(3 * 4);
  new Int32Array(w().memory.buffer, sizesPtr, 3).set([4, 64, 2]);
  const cycle = (numEpisodes: number, maxSteps: number, sets: number) => {
    const workspaces = [w().rolloutCreate(kind, numEpisodes, maxSteps), w().rolloutUserCreate(3, 0, 2, numEpisodes, maxSteps)];
    const mlp = w().mlpCreate(2, sizesPtr, dm.wasmConst('ACTIVATION_TANH'), sets, dm.wasmConst('HEAD_CATEGORICAL'));
    for (const ro of workspaces) w().rolloutFree(ro);
    w().mlpFree(mlp);
  };
  cycle(200, 600, 20); // the largest shapes first: the later cycles fit in the space they leave free
  const bytes = w().memory.buffer.byteLength, probe = probeAddress();
  for (let n = 1; n <= 300; n++) cycle(1 + ((n * 37) % 200), 50 + ((n * 53) % 550), 1 + (n % 20));
  assert.equal(probeAddress(), probe, 'the allocator\'s state changed: a buffer was not freed');
  assert.equal(w().memory.buffer.byteLength, bytes, 'WASM memory grew');
  w().free(sizesPtr);
});
