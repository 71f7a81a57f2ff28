// Few-shot evaluation: the mean return after 0, 1, …, k adaptation steps on one task, with fresh
// rollouts after every step (the k-shot curve users of MAML-RL libraries ask for, SPEC §6.1), and
// the adapted policy itself (dm.adaptPolicy: adapt on a device, then act or save). One loop serves both.
import { deriveSeed, Purpose } from '../core/rng';
import { ConfigError } from '../errors';
import type { TaskFamily } from '../envs/task-family';
import { createPolicy, type Policy } from '../nn/policy';
import { rollout } from '../rl/rollout';
import { innerAdaptFlat } from './meta-step';
import { DEFAULTS } from '../core/defaults';
import { checkInnerLr } from './inner-options';

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

/**
 * The adaptation loop: θ_0 = the policy's parameters; for j = 0..steps, D_j ~ π_θj on the task
 * (fresh rollouts, seed derived from (seed, j)), returns[j] = mean return of D_j, and
 * θ_{j+1} = θ_j − α ⊙ ∇L(θ_j; D_j). Gives the returns and θ_steps (flat).
 */
function adaptationLoop(policy: Policy, family: TaskFamily, task: Float32Array, options: EvaluateOptions): { theta: Float32Array; returns: number[] } {
  const { steps, episodes, innerLr, seed } = options;
  if (!Number.isInteger(steps) || steps < 0) throw new ConfigError('steps', steps, 'an integer >= 0');
  checkInnerLr(innerLr, 'innerLr', policy.numParams);
  family.validateTasks(task, 1, 'task');
  const advantage = { gamma: options.gamma ?? DEFAULTS.gamma, lambda: options.lambda ?? DEFAULTS.lambda };
  let theta = policy.getFlat();
  const returns: number[] = [];
  for (let j = 0; j <= steps; j++) {
    const traj = rollout(family, policy, task, {
      episodes, maxSteps: options.maxSteps, weights: theta, seed: deriveSeed(seed, Purpose.ITERATION, 0x7fffffff, j) });
    returns.push(traj.meanReturn());
    if (j < steps) theta = innerAdaptFlat(policy, traj, theta, innerLr, 1, advantage);
  }
  return { theta, returns };
}

export async function evaluateAdaptation(policy: Policy, family: TaskFamily, task: Float32Array, options: EvaluateOptions): Promise<number[]> {
  return adaptationLoop(policy, family, task, options).returns;
}

export type AdaptPolicyOptions = Partial<EvaluateOptions>;

/**
 * A new policy adapted to `task` by `steps` inner steps (defaults: 1 step, 20 episodes per step,
 * α = the loaded policy's saved rate (dm.loadPolicy's metadata) or DEFAULTS.innerLr, its saved maxSteps, seed 0), and the mean return after 0..steps steps (returns[steps] is the adapted
 * policy's). The given policy is left as it was; the caller disposes the new one.
 */
export async function adaptPolicy(policy: Policy, family: TaskFamily, task: Float32Array, options: AdaptPolicyOptions = {}): Promise<{ policy: Policy; returns: number[] }> {
  // A loaded policy's own α and step limit (dm.loadPolicy's metadata) are the defaults.
  const meta = (policy as { metadata?: { innerLr?: number | readonly number[]; maxSteps?: number } | null }).metadata;
  const savedLr = meta?.innerLr === undefined ? undefined : typeof meta.innerLr === 'number' ? meta.innerLr : Float32Array.from(meta.innerLr);
  const maxSteps = options.maxSteps ?? meta?.maxSteps;
  const { theta, returns } = adaptationLoop(policy, family, task, {
    ...options, steps: options.steps ?? 1, episodes: options.episodes ?? DEFAULTS.episodes, innerLr: options.innerLr ?? savedLr ?? DEFAULTS.innerLr, seed: options.seed ?? 0,
    ...(maxSteps === undefined ? {} : { maxSteps }) });
  const adapted = createPolicy({ obsDim: policy.obsDim, numActions: policy.numActions, actionSize: policy.actionSize, hidden: policy.hidden, activation: policy.activation, seed: policy.seed });
  adapted.setFlat(theta);
  return { policy: adapted, returns };
}
