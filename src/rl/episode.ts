// dm.recordEpisode: one episode of one task, step by step, keeping the physical state after every
// step (env.getState(), Gymnasium order) — what a renderer draws. Rollouts for learning stay in the
// fused WASM sampler (./rollout.ts); this is for watching a policy act, so it steps a one-lane
// VecEnv from TypeScript and samples each action from the policy's WASM forward. One loop serves
// both heads: the head record (../nn/head.ts) draws the action and says its array type.
import { uniforms, checkSeed, Purpose } from '../core/rng';
import { ConfigError } from '../errors';
import type { TaskFamily } from '../envs/task-family';
import type { VecEnv } from '../envs/vec-env';
import type { Policy } from '../nn/policy';
import { RecentCache } from '../core/wasm';
import { wasmForward } from './estimator';
import { actionArray, actionWidth, describeHead, drawAction, headFor, headParamCount, sameHead, uniformsPerAction, type Actions } from '../nn/head';

// One-lane envs are allocated once per (env kind, step limit) and reused, reseeded by every
// episode; the four most recently used are kept (as rollout.ts keeps its workspaces).
const envs = new RecentCache<VecEnv>(4, (env) => env.dispose());

function episodeEnv(family: TaskFamily, maxSteps: number): VecEnv {
  return envs.get(`${family.kind}|${maxSteps}`, () => family.makeVecEnv({ numEnvs: 1, maxSteps }));
}

export interface EpisodeOptions {
  /** Seed of the reset state and of the action draws (default 0). */
  seed?: number;
  /** Step limit (default: the env's own). */
  maxSteps?: number;
  /** Parameters to act with, in the flat layout (default: the policy's own). */
  weights?: Float32Array;
}

export interface Episode {
  /** (length + 1) x stateDim: the reset state, then the state after every step. */
  states: Float32Array;
  stateDim: number;
  /** Action indices, or for a box env length × actionSize floats (as sampled: the env clips them). */
  actions: Actions;
  rewards: Float32Array;
  /** Sum of the rewards. */
  return: number;
  length: number;
  /** true when the env ended the episode, false when the step limit cut it. */
  terminated: boolean;
}

/** Plays one episode of `task` (one row of the family's parameters) with actions sampled from the policy. */
export function recordEpisode(family: TaskFamily, policy: Policy, task: Float32Array, options: EpisodeOptions = {}): Episode {
  const seed = options.seed ?? 0;
  checkSeed(seed);
  const maxSteps = options.maxSteps ?? family.maxEpisodeSteps;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new ConfigError('maxSteps', maxSteps, 'an integer >= 1');
  const head = headFor(family);
  if (policy.obsDim !== family.obsDim || !sameHead(policy.head, head)) {
    throw new ConfigError('policy', `obsDim ${policy.obsDim}, ${describeHead(policy.head)}`, `obsDim ${family.obsDim} and ${describeHead(head)} for ${family.id}`);
  }
  const weights = options.weights ?? policy.getFlat();
  const D = family.stateDim, width = actionWidth(head), draws = uniformsPerAction(head);
  const env = episodeEnv(family, maxSteps);
  env.setTasks(task); // validated against the env's physical domain (any family of this env kind)
  let obs = env.reset({ seed }).slice();
  // The episode's action stream, drawn once: step t takes uniforms draws·t … draws·t + draws − 1.
  const u = uniforms(seed, Purpose.ACTION, 0, 0, maxSteps * draws);
  const own = weights.subarray(weights.length - headParamCount(head)); // a Gaussian's log-std
  const states = new Float32Array((maxSteps + 1) * D);
  states.set(env.getState(), 0);
  const actions = actionArray(head, maxSteps);
  const rewards = new Float32Array(maxSteps);
  let length = 0, total = 0, terminated = false;
  while (length < maxSteps) {
    const action = actions.subarray(length * width, (length + 1) * width);
    drawAction(head, wasmForward(policy, obs, weights), own, u.subarray(length * draws, (length + 1) * draws), action);
    const result = env.step(action);
    rewards[length] = result.reward[0];
    total += result.reward[0];
    length++;
    states.set(env.getState(), length * D);
    terminated = result.terminated[0] === 1;
    if (terminated || result.truncated[0] === 1) break;
    obs = result.obs.slice();
  }
  return {
    states: states.slice(0, (length + 1) * D), stateDim: D,
    actions: actions.slice(0, length * width), rewards: rewards.slice(0, length),
    return: total, length, terminated,
  };
}
