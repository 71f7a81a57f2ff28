// Few-shot evaluation: the mean return after 0, 1, …, k adaptation steps on one task, with fresh
// rollouts after every step (the k-shot curve users of MAML-RL libraries ask for, SPEC §6.1).
import { deriveSeed, Purpose } from '../core/rng';
import { ConfigError } from '../errors';
import type { TaskFamily } from '../envs/task-family';
import type { Policy } from '../nn/policy';
import { rollout } from '../rl/rollout';
import { innerAdaptFlat } from './meta-step';

export interface EvaluateOptions {
  steps: number;
  episodes: number;
  /** α: a number, or Meta-SGD's rates (flat, like the policy's parameters). */
  innerLr: number | Float32Array;
  seed: number;
  gamma?: number;
  lambda?: number;
  maxSteps?: number;
}

export async function evaluateAdaptation(policy: Policy, family: TaskFamily, task: Float32Array, options: EvaluateOptions): Promise<number[]> {
  const { steps, episodes, innerLr, seed } = options;
  if (!Number.isInteger(steps) || steps < 0) throw new ConfigError('steps', steps, 'an integer >= 0');
  family.validateTasks(task, 1, 'task');
  const advantage = { gamma: options.gamma ?? 0.99, lambda: options.lambda ?? 1.0 };
  let theta = policy.getFlat();
  const returns: number[] = [];
  for (let j = 0; j <= steps; j++) {
    const traj = rollout(family, policy, task, {
      episodes, maxSteps: options.maxSteps, weights: theta, seed: deriveSeed(seed, Purpose.ITERATION, 0x7fffffff, j) });
    returns.push(traj.meanReturn());
    if (j < steps) theta = innerAdaptFlat(policy, traj, theta, innerLr, 1, advantage);
  }
  return returns;
}
