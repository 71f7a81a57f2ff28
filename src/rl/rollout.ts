// dm.rollout: the fused WASM sampler (assembly/rollout.ts) driven from TypeScript.
import { wasm, wasmConst, RecentCache, Scratch } from '../core/wasm';
import { ConfigError } from '../errors';
import { checkSeed } from '../core/rng';
import { DEFAULTS, MAX_ROLLOUT_COUNT } from '../core/defaults';
import type { TaskFamily } from '../envs/task-family';
import type { Policy } from '../nn/policy';
import { Trajectories } from './trajectories';
import { wasmMlp, loadWeights, shapeOf } from './wasm-policy';
import { actionArray, actionWidth, headFor, sameHead, describeHead, type PolicyHead } from '../nn/head';
import { runUserRollout, userWorkspace } from './user-rollout';

export interface RolloutOptions {
  /** Episodes per task (default DEFAULTS.episodes). */
  episodes?: number;
  /** Step limit per episode (default: the env's own limit). */
  maxSteps?: number;
  /** Seed of the reset and action streams (default 0). */
  seed?: number;
  /**
   * Weights to sample with, in the flat layout: one set for every task, or one set per task (the
   * adapted θ'_i of a meta-batch). Default: the policy's current parameters.
   */
  weights?: Float32Array | readonly Float32Array[];
  /** Ids of the tasks for the RNG streams (default 0..numTasks−1). */
  taskIds?: ArrayLike<number>;
}

// Workspaces are allocated once per (env kind, lanes, step capacity) and reused; the few most
// recently used shapes are kept (a run uses two or three), older ones are freed.
const workspaces = new RecentCache<number>(4, (ws) => wasm().rolloutFree(ws));
const taskIdScratch = new Scratch();
const compactScratch = new Scratch();

function workspace(kind: number, numEpisodes: number, maxSteps: number): number {
  return workspaces.get(`${kind}|${numEpisodes}|${maxSteps}`, () => wasm().rolloutCreate(kind, numEpisodes, maxSteps));
}

/** The largest episode count and step limit of one dm.rollout call. */
export { MAX_ROLLOUT_COUNT };

export interface MemoryBytes {
  total: number;
  /** The largest single buffer: it must fit one block of the WASM allocator (ALLOC_MAX_BYTES). */
  largest: number;
}

/** WASM memory of the workspace dm.rollout keeps for numEpisodes episodes of ≤ maxSteps steps (assembly/rollout.ts; obsDim, actionSize: a defined env's). */
export function rolloutWorkspaceBytes(kind: number, numEpisodes: number, maxSteps: number, obsDim = 0, actionSize = 0): MemoryBytes {
  const w = wasm();
  if (kind === wasmConst('ENV_USER')) {
    return { total: w.rolloutUserBytes(obsDim, actionSize, numEpisodes, maxSteps, false), largest: w.rolloutUserBytes(obsDim, actionSize, numEpisodes, maxSteps, true) };
  }
  return { total: w.rolloutBytes(kind, numEpisodes, maxSteps, false), largest: w.rolloutBytes(kind, numEpisodes, maxSteps, true) };
}

/** WASM memory of the copy-out buffer (one, shared by every shape) after a call of this shape, at its cap. */
export function rolloutCopyOutBytes(obsDim: number, numEpisodes: number, maxSteps: number, actionWidth = 1): MemoryBytes {
  const bytes = numEpisodes * maxSteps * (obsDim + 2 + actionWidth) * 4;
  return { total: bytes, largest: bytes };
}

/**
 * One call's buffers must each fit one block of the WASM allocator: refused here, naming the
 * options, before the module is asked to allocate (a WASM abort otherwise). The trainer's memory
 * plan (src/train/memory-plan.ts) checks whole runs the same way, with the flags' names.
 */
function checkRolloutSize(family: TaskFamily, head: PolicyHead, numTasks: number, episodes: number, maxSteps: number): void {
  const numEpisodes = numTasks * episodes;
  const limit = wasmConst('ALLOC_MAX_BYTES');
  const fits = (t: number) => rolloutWorkspaceBytes(family.kind, numEpisodes, t, family.obsDim, family.actionSize).largest < limit &&
    rolloutCopyOutBytes(family.obsDim, numEpisodes, t, actionWidth(head)).largest < limit;
  if (fits(maxSteps)) return;
  let lo = 0, hi = maxSteps; // the largest maxSteps that fits (0: none), by bisection
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  throw new ConfigError('episodes × maxSteps', `${numTasks > 1 ? `${numTasks} tasks × ` : ''}${episodes} × ${maxSteps} steps`,
    lo >= 1 ? `maxSteps <= ${lo} with these episodes (each buffer of one call below ${limit} bytes)` : `fewer episodes (each buffer of one call below ${limit} bytes)`);
}

function positiveInt(field: string, value: number, max = MAX_ROLLOUT_COUNT): number {
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigError(field, value, `an integer in [1, ${max}]`);
  return value;
}

/** Samples `episodes` episodes of every task (rows of `tasks`) with the policy, inside WASM. */
export function rollout(family: TaskFamily, policy: Policy, tasks: Float32Array, options: RolloutOptions = {}): Trajectories {
  const episodes = positiveInt('episodes', options.episodes ?? DEFAULTS.episodes);
  // A defined env truncates at its own maxSteps too (Gymnasium's TimeLimit is part of the env).
  const maxSteps = Math.min(positiveInt('maxSteps', options.maxSteps ?? family.maxEpisodeSteps), family.userEnv ? family.maxEpisodeSteps : Infinity);
  const seed = options.seed ?? 0;
  checkSeed(seed);
  const P = family.numParams;
  if (tasks.length === 0 || tasks.length % P !== 0) {
    throw new ConfigError('tasks.length', tasks.length, `a positive multiple of ${P} (${family.paramNames.join(', ')} per task)`);
  }
  const numTasks = tasks.length / P;
  family.validateTasks(tasks, numTasks);
  const head = headFor(family);
  if (policy.obsDim !== family.obsDim || !sameHead(policy.head, head)) {
    throw new ConfigError('policy', `obsDim ${policy.obsDim}, ${describeHead(policy.head)}`,
      `obsDim ${family.obsDim} and ${describeHead(head)} for ${family.id}`);
  }
  const weights = options.weights ?? policy.getFlat();
  const sets = weights instanceof Float32Array ? [weights] : [...weights];
  if (sets.length !== 1 && sets.length !== numTasks) throw new ConfigError('weights', `${sets.length} sets`, `1 or ${numTasks} (one per task)`);
  sets.forEach((set, i) => {
    if (!(set instanceof Float32Array) || set.length !== policy.numParams) {
      throw new ConfigError(`weights[${i}].length`, set?.length, `${policy.numParams} (the policy's flat parameter count)`);
    }
  });
  const taskIds = options.taskIds ?? Array.from({ length: numTasks }, (_, i) => i);
  if (taskIds.length !== numTasks) throw new ConfigError('taskIds.length', taskIds.length, `${numTasks} (one per task)`);

  const w = wasm();
  const numEpisodes = numTasks * episodes;
  checkRolloutSize(family, head, numTasks, episodes, maxSteps);
  const user = family.userEnv;
  const ws = user ? userWorkspace(family.obsDim, family.numActions, family.actionSize, numEpisodes, maxSteps) : workspace(family.kind, numEpisodes, maxSteps);
  const mlp = wasmMlp(shapeOf(policy), sets.length);
  loadWeights(mlp, sets);
  const ids = Uint32Array.from(taskIds, (id) => id >>> 0);
  const idsPtr = taskIdScratch.ensure(numTasks * 4);
  new Uint32Array(w.memory.buffer, idsPtr, numTasks).set(ids);
  let numSteps: number;
  if (user) {
    numSteps = runUserRollout(family, ws, mlp, tasks, episodes, ids, idsPtr, sets.length > 1, seed, maxSteps);
  } else {
    const lanes = w.rolloutField(ws, wasmConst('ROLLOUT_LANES'));
    // Task parameters, lane by lane (structure-of-arrays).
    const params = new Float32Array(w.memory.buffer, w.rolloutField(ws, wasmConst('ROLLOUT_PARAMS')), P * lanes);
    for (let i = 0; i < numEpisodes; i++) {
      const task = Math.floor(i / episodes);
      for (let k = 0; k < P; k++) params[k * lanes + i] = tasks[task * P + k];
    }
    numSteps = w.rolloutRun(ws, mlp, seed, episodes, idsPtr, sets.length > 1 ? 1 : 0, maxSteps);
  }

  // Copy out in compact rows; the workspace is reused by the next call. The copy never needs more
  // than the workspace holds (numEpisodes x maxSteps steps), which caps the buffer's growth.
  const obsDim = family.obsDim, width = actionWidth(head);
  const rowFloats = obsDim + 2 + width;
  const base = compactScratch.ensure(Math.max(16, numSteps * rowFloats * 4), numEpisodes * maxSteps * rowFloats * 4);
  const obsPtr = base, actionPtr = obsPtr + numSteps * obsDim * 4, rewardPtr = actionPtr + numSteps * width * 4, logProbPtr = rewardPtr + numSteps * 4;
  w.rolloutCompact(ws, obsPtr, actionPtr, rewardPtr, logProbPtr);
  const buffer = w.memory.buffer;
  return new Trajectories(family.id, obsDim, family.numActions, numTasks, episodes, tasks.slice(),
    new Float32Array(buffer, w.rolloutField(ws, wasmConst('ROLLOUT_RETURN')), numEpisodes).slice(),
    new Int32Array(buffer, w.rolloutField(ws, wasmConst('ROLLOUT_LENGTH')), numEpisodes).slice(),
    new Uint8Array(buffer, w.rolloutField(ws, wasmConst('ROLLOUT_TERMINAL')), numEpisodes).slice(),
    new Float32Array(buffer, obsPtr, numSteps * obsDim).slice(),
    actionArray(head, numSteps, buffer, actionPtr).slice(),
    new Float32Array(buffer, rewardPtr, numSteps).slice(),
    new Float32Array(buffer, logProbPtr, numSteps).slice(), family.actionSize);
}
