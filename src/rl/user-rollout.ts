// dm.rollout for a defined env (dm.defineEnv): the lanes are stepped in JavaScript, one instance
// per lane, while the policy forward and the action sampling run batched in WASM in the same
// workspace, tiles and action streams as the fused sampler (assembly/rollout.ts rolloutUser*), so
// the trajectories come out in the same buffers and layout.
//   per step: rolloutUserSample (records each live lane's observation, samples its action)
//             → instance.step(action) for each live lane, checked → rolloutUserRecord.
// Lane i is episode i % episodes of task i / episodes; its reset draws come from stream
// (seed, RESET, taskId, episode) and its actions from (seed, ACTION, taskId, episode), as for a
// built-in env, so a trajectory depends on neither the lanes sharing the call nor the thread.
import { wasm, wasmConst, f32View, i32View, u8View, RecentCache, Scratch, Purpose } from '../core/wasm';
import { ConfigError } from '../errors';
import type { TaskFamily } from '../envs/task-family';
import type { EnvInstance } from '../envs/user-env';

const workspaces = new RecentCache<number>(4, (ws) => wasm().rolloutFree(ws));
const rngScratch = new Scratch();

/** Draws fetched from WASM at a time by a lane's rng(). */
const RNG_BLOCK = 16;

/** The workspace of a defined env's rollout (one per shape, reused). */
export function userWorkspace(obsDim: number, numActions: number, actionSize: number, numEpisodes: number, maxSteps: number): number {
  return workspaces.get(`${obsDim}|${numActions}|${actionSize}|${numEpisodes}|${maxSteps}`,
    () => wasm().rolloutUserCreate(obsDim, numActions, actionSize, numEpisodes, maxSteps));
}

/** rng() of one lane: draws 0, 1, … of stream (seed, RESET, taskId, episode), fetched RNG_BLOCK at a time. */
function laneRng(seed: number, purpose: number, taskId: number, episode: number, scratchPtr: number): () => number {
  const block = new Float32Array(RNG_BLOCK);
  let pos = RNG_BLOCK, counter = 0;
  return () => {
    if (pos === RNG_BLOCK) {
      const w = wasm();
      w.fillUniform(seed, purpose, taskId, episode, BigInt(counter), scratchPtr, RNG_BLOCK);
      block.set(new Float32Array(w.memory.buffer, scratchPtr, RNG_BLOCK));
      counter += RNG_BLOCK;
      pos = 0;
    }
    return block[pos++];
  };
}

/**
 * Runs the episodes of a defined env's rollout in workspace `ws` (tasks: numTasks x numParams, lane
 * parameters already checked); the caller copies the trajectories out (rolloutCompact). Returns the
 * number of recorded steps.
 */
export function runUserRollout(family: TaskFamily, ws: number, mlp: number, tasks: Float32Array, episodes: number,
  taskIds: Uint32Array, idsPtr: number, perTaskWeights: boolean, seed: number, maxSteps: number): number {
  const env = family.userEnv!;
  const def = env.definition;
  const w = wasm();
  const D = family.obsDim, P = family.numParams, names = family.paramNames;
  const numTasks = tasks.length / P;
  const n = numTasks * episodes;
  const steps = Math.min(maxSteps, env.maxSteps);
  const field = (ROLLOUT: string) => w.rolloutField(ws, wasmConst(`ROLLOUT_${ROLLOUT}`));
  const lanes = field('LANES');
  const size = family.actionSize; // box actions: f32 [size][lanes], component-major (the Gaussian head's samples)
  const obsView = f32View(field('OBS'), n * D), actionView = i32View(field('ACTIONS'), lanes), boxView = f32View(field('ACTIONS'), Math.max(1, size) * lanes);
  const rewardView = f32View(field('REWARD'), lanes), terminatedView = u8View(field('TERMINATED'), lanes), aliveView = u8View(field('ALIVE'), lanes);
  const scratchPtr = rngScratch.ensure(RNG_BLOCK * 4); // allocated before any view is taken: rng() never grows memory
  const resetPurpose = Purpose.RESET;
  w.rolloutUserBegin(ws, seed, episodes, idsPtr);

  // One instance per lane, made from its task, and its first observation.
  const instances = new Array<EnvInstance>(n);
  let lane = 0, what = 'create(task)';
  try {
    for (let task = 0; task < numTasks; task++) {
      for (let e = 0; e < episodes; e++, lane++) {
        const values: Record<string, number> = {};
        for (let k = 0; k < P; k++) values[names[k]] = tasks[task * P + k];
        what = 'create(task)';
        const inst = def.create(values);
        if (inst === null || typeof inst !== 'object' || typeof inst.reset !== 'function' || typeof inst.step !== 'function') {
          throw new ConfigError(`${env.id}.create(task) (lane ${lane})`, inst, 'an object with reset(rng) and step(action) methods');
        }
        instances[lane] = inst;
        what = 'reset(rng)';
        const first = inst.reset(laneRng(seed, resetPurpose, taskIds[task], e, scratchPtr));
        writeObs(env.id, 'reset(rng)', lane, first, D, obsView.get());
      }
    }
    // A box action reaches the env clipped to [low, high], in an array of the lane's own (reused by its next step).
    const space = family.actionSpace;
    const low = space.kind === 'box' ? Float32Array.from(space.low) : null, high = space.kind === 'box' ? Float32Array.from(space.high) : null;
    const laneActions = size > 0 ? Array.from({ length: n }, () => new Float32Array(size)) : [];
    let alive = n;
    for (let t = 0; t < steps && alive > 0; t++) {
      w.rolloutUserSample(ws, mlp, t, episodes, perTaskWeights ? 1 : 0);
      const live = aliveView.get(), actions = actionView.get(), box = boxView.get(), obs = obsView.get(), reward = rewardView.get(), terminated = terminatedView.get();
      what = 'step(action)';
      for (lane = 0; lane < n; lane++) {
        if (live[lane] === 0) continue;
        let action: number | Float32Array;
        if (size > 0) {
          const a = laneActions[lane];
          for (let j = 0; j < size; j++) {
            const v = box[j * lanes + lane];
            a[j] = v < low![j] ? low![j] : v > high![j] ? high![j] : v;
          }
          action = a;
        } else {
          action = actions[lane];
        }
        const result = instances[lane].step(action);
        if (result === null || typeof result !== 'object') {
          throw new ConfigError(`${env.id}.step(action) (lane ${lane})`, result, 'an object { obs, reward, terminated }');
        }
        writeObs(env.id, 'step(action).obs', lane, result.obs, D, obs);
        const r = result.reward;
        reward[lane] = r;
        if (typeof r !== 'number' || !Number.isFinite(reward[lane])) {
          throw new ConfigError(`${env.id}.step(action).reward (lane ${lane})`, r, 'a finite number (within float32)');
        }
        const done = result.terminated;
        if (done !== true && done !== false) throw new ConfigError(`${env.id}.step(action).terminated (lane ${lane})`, done, 'true or false');
        terminated[lane] = done ? 1 : 0;
      }
      alive = w.rolloutUserRecord(ws, t, steps);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new Error(`${env.id}: ${what} threw on lane ${lane}: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const lengths = new Int32Array(w.memory.buffer, field('LENGTH'), n);
  let recorded = 0;
  for (let i = 0; i < n; i++) recorded += lengths[i];
  return recorded;
}

/** Checks an observation (observationSize finite numbers) and writes it as lane `lane`'s row. */
function writeObs(id: string, where: string, lane: number, value: ArrayLike<number>, D: number, obs: Float32Array): void {
  if (value === null || typeof value !== 'object' || value.length !== D) {
    const got = value !== null && typeof value === 'object' && typeof value.length === 'number' ? `length ${value.length}` : value;
    throw new ConfigError(`${id}.${where} (lane ${lane})`, got, `an array-like of ${D} finite numbers (observationSize)`);
  }
  const row = lane * D;
  for (let k = 0; k < D; k++) {
    const v = value[k];
    obs[row + k] = v;
    if (typeof v !== 'number' || !Number.isFinite(obs[row + k])) {
      throw new ConfigError(`${id}.${where}[${k}] (lane ${lane})`, v, 'a finite number (within float32)');
    }
  }
}
