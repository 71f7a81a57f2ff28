// The trained policy of a run directory, as `dmaml adapt`, `dmaml evaluate` and an experiment's
// held-out evaluation use it.
import { ConfigError } from '../errors';
import { checkAdaptMemory } from '../config';
import { init } from '../init';
import { taskFamily, type TaskFamily } from '../envs/task-family';
import { createPolicy, type Policy } from '../nn/policy';
import type { TrainerState } from '../train/trainer';

export interface RunPolicy {
  family: TaskFamily;
  /** θ of the checkpoint; the caller disposes it. */
  policy: Policy;
  /** The run's inner rate: Meta-SGD's learned rates, else the config's α. */
  innerLr: number | Float32Array;
}

/**
 * The policy of `state` (read from `dir` with readRun), after checking that rollouts of one task
 * (`episodes` × `maxSteps`) fit the WASM memory, and that θ has the size its config gives.
 */
export async function loadRunPolicy(dir: string, state: TrainerState, rollouts: { episodes: number; maxSteps: number }): Promise<RunPolicy> {
  const config = state.config;
  const { episodes, maxSteps } = rollouts;
  await init({ backend: config.backend });
  checkAdaptMemory(config, episodes, maxSteps);
  const family = taskFamily(config.env, config.ranges);
  const policy = createPolicy({ obsDim: family.obsDim, numActions: family.numActions, actionSize: family.actionSize, hidden: config.hidden, activation: config.activation, seed: config.seed });
  if (state.theta.length !== policy.numParams) {
    policy.dispose();
    throw new ConfigError('--checkpoint', dir, `a checkpoint whose θ has ${policy.numParams} values for its config (it has ${state.theta.length})`);
  }
  policy.setFlat(state.theta);
  return { family, policy, innerLr: state.innerLr ?? config.innerLr };
}
