// One meta-iteration of MAML / FOMAML / Meta-SGD, with the optional task-directed step, read top
// to bottom (DESIGN.md "One meta-iteration"). θ and α are flat Float32Arrays (the layout of
// Policy.getFlat); sampling and gradients run in WASM (second-order ones in tfjs with gradEngine 'tfjs').
//
//   0. [directed]  D_m ~ π_θ on the medium task;  θ ← θ − β_d · g_d           (first order, no graph)
//   1.             tasks T_1..T_B ~ p(T);  D_i ~ π_θ on T_i
//   2.             θ'_i = θ − α ⊙ ∇L(θ; D_i)  (k steps, values only, WASM)  — for sampling
//   3.             D'_i ~ π_θ'_i on T_i
//   4.             ∇_{θ,α} (1/B) Σ_i L(θ'_i(θ, α); D'_i):
//                    order 2 / Meta-SGD: dm.metaGradient (exact second order; engine 'wasm':
//                                        Hessian-vector products in WASM, 'tfjs': tf.grads through dm.adapt)
//                    order 1 (FOMAML):   ∇L(θ'_i; D'_i) from the WASM estimator (∂θ'/∂θ = I)
//   5.             Adam on θ (and on α for Meta-SGD; α is kept ≥ MIN_INNER_LR)
// Steps 1–4 are independent per task (runTask): the main thread plans the iteration (step 0 and
// the task draw), the tasks may run on a worker pool, and step 5 sums their outcomes in task
// order, so θ, α and the metrics do not depend on the number of workers.
// L is the REINFORCE surrogate −Σ w·log π(a|s)·Â / Σ w with Â the baseline-corrected,
// normalised GAE of the batch (assembly/estimator.ts). With estimator 'naive' (the default, as in
// the reference MAML-RL code) the meta-gradient does not credit the pre-update sampling
// distribution; 'lvc' uses ProMP's low-variance curvature surrogate as the inner loss, whose
// Hessian does (SPEC §5). Both give the same first-order values.
import { deriveSeed, Purpose } from '../core/rng';
import type { TaskFamily } from '../envs/task-family';
import type { Policy } from '../nn/policy';
import { rollout } from '../rl/rollout';
import { estimateAdvantages, policyGradient, type AdvantageOptions, type Advantages } from '../rl/estimator';
import type { Trajectories } from '../rl/trajectories';
import { differentiatesAdaptation, type MetaAlgorithm } from './algorithms';
import { runMetaGradient, type GradEngine } from './meta-gradient';
import { DEFAULTS } from '../core/defaults';
import { directedStepDue } from '../core/schedule';

/** Inner rates are kept above this so that α stays a step size (Meta-SGD). */
export const MIN_INNER_LR = 1e-6;

export interface MetaStepContext {
  family: TaskFamily;
  policy: Policy;
  algo: MetaAlgorithm;
  /** θ, current values (also loaded into policy.params). Updated in place. */
  theta: Float32Array;
  /**
   * α, the inner step size: the algorithm's number, or Meta-SGD's learned rates (same layout as θ,
   * updated in place by the outer step).
   */
  innerLr: number | Float32Array;
  metaBatch: number;
  episodes: number;
  maxSteps: number;
  advantage: Required<AdvantageOptions>;
  seed: number;
  /** Engine of meta-gradients through the adaptation (order 2, Meta-SGD). Default 'wasm'. */
  gradEngine?: GradEngine;
  /** Computes the outer update (Adam) from the meta-gradients. */
  applyUpdate(gradTheta: Float32Array, gradInnerLr: Float32Array | null): void;
}

/**
 * The learner's parameters: θ, and α (Meta-SGD's rates are trained like θ; a number stays as it is).
 * The outer step changes them; a pool worker is given them at each iteration (src/train/pool.ts).
 */
export type LearnerParams = Pick<MetaStepContext, 'theta' | 'innerLr'>;

/** The learner's parameters of a context (the arrays themselves, not copies). */
export function learnerParams(ctx: LearnerParams): LearnerParams {
  return { theta: ctx.theta, innerLr: ctx.innerLr };
}

export interface MetaStepMetrics {
  preReturn: number;
  postReturn: number;
  sampleSeconds: number;
  gradSeconds: number;
  envSteps: number;
  [extra: string]: number;
}

const now = () => performance.now() / 1000;

/**
 * θ_{j+1} = θ_j − α ⊙ ∇L(θ_j; D) for `steps` steps on the same trajectories (values only).
 * `advantages`: Â of traj when already estimated.
 */
export function innerAdaptFlat(policy: Policy, traj: Trajectories, theta: Float32Array, innerLr: number | Float32Array, steps: number,
  advantage: AdvantageOptions, advantages: Advantages = estimateAdvantages(traj, advantage)): Float32Array {
  let current = theta;
  for (let j = 0; j < steps; j++) {
    const g = policyGradient(policy, traj, { weights: current, advantages });
    const next = new Float32Array(current.length);
    for (let p = 0; p < next.length; p++) next[p] = current[p] - (typeof innerLr === 'number' ? innerLr : innerLr[p]) * g[p];
    current = next;
  }
  return current;
}

/** RNG lane of the 'random' medium task (control), apart from the lanes of metaStep's own draws. */
export const RANDOM_MEDIUM_LANE = 0x6d656431;

/**
 * The medium task of the directed step: the centre of the ranges, overridden by name; or, for the
 * 'random' control, one task drawn from p(T) with the run's stream (seed, ITERATION, iteration).
 */
export function mediumTask(family: TaskFamily, medium?: Record<string, number> | 'random', seed = 0, iteration = 0): Float32Array {
  if (medium === 'random') return family.sample(1, { seed: deriveSeed(seed, Purpose.ITERATION, iteration, RANDOM_MEDIUM_LANE) });
  return medium ? family.task(medium, 'medium') : family.medium();
}

/** Step 0: the task-directed approximation. Returns its metrics (empty when not scheduled). */
export function directedStep(ctx: MetaStepContext, iteration: number): Record<string, number> {
  const d = ctx.algo.directed;
  if (!d || !directedStepDue(d.schedule, iteration)) return { directedStep: 0 };
  const { policy, family, theta } = ctx;
  const task = mediumTask(family, d.medium, ctx.seed, iteration);
  const sample = (weights: Float32Array, lane: number) => rollout(family, policy, task, {
    episodes: ctx.episodes, maxSteps: ctx.maxSteps, weights, seed: deriveSeed(ctx.seed, Purpose.ITERATION, iteration, lane) });
  const onMedium = sample(theta, 2);
  let envSteps = onMedium.numSteps;
  let g: Float32Array;
  if (d.variant === 'pg') {
    // g_d = ∇L(θ; D_m)
    g = policyGradient(policy, onMedium, { weights: theta, ...ctx.advantage });
  } else {
    // θ_m = θ − α∇L(θ; D_m);  D'_m ~ π_θm;  g_d = ∇L(θ_m; D'_m)
    const thetaMedium = innerAdaptFlat(policy, onMedium, theta, ctx.innerLr, ctx.algo.innerSteps, ctx.advantage);
    const adapted = sample(thetaMedium, 3);
    envSteps += adapted.numSteps;
    g = policyGradient(policy, adapted, { weights: thetaMedium, ...ctx.advantage });
  }
  // θ ← θ − β_d · g_d
  for (let p = 0; p < theta.length; p++) theta[p] -= d.lr * g[p];
  policy.setFlat(theta);
  return { directedStep: 1, directedReturn: onMedium.meanReturn(), directedEnvSteps: envSteps };
}

/**
 * The inputs of the per-task part of one iteration (steps 1–4), the same in every thread: a worker
 * that receives θ, α and this plan computes exactly what the main thread would. Rollouts of task i
 * use stream id i (dm.rollout's taskIds), so a task's trajectories do not depend on which thread
 * or which batch of tasks samples it.
 */
export interface IterationPlan {
  iteration: number;
  /** T_1..T_B, B x numParams. */
  tasks: Float32Array;
  /** Seed of the pre-adaptation rollouts D_i. */
  preSeed: number;
  /** Seed of the post-adaptation rollouts D'_i. */
  postSeed: number;
}

/**
 * What one task of an iteration gives back: plain arrays that the task owns (a pool worker
 * transfers their buffers to the main thread, so none may be a view that is reused or lives in
 * WASM memory).
 */
export interface TaskOutcome {
  /** This task's meta-gradient ∇_θ L(θ'_i(θ, α); D'_i), not yet divided by B. */
  gradTheta: Float32Array;
  /** Meta-SGD's ∇_α, or null. */
  gradInnerLr: Float32Array | null;
  /** Episode returns of D_i and of D'_i. */
  preReturns: Float32Array;
  postReturns: Float32Array;
  preSteps: number;
  postSteps: number;
  /** Time in the two rollouts, and in the inner adaptation plus the meta-gradient. */
  sampleSeconds: number;
  gradSeconds: number;
}

/**
 * Runs the tasks of a plan, in any order and on any threads, and returns their outcomes in task
 * order (a worker pool: src/train/pool.ts).
 */
export type TaskRunner = (ctx: MetaStepContext, plan: IterationPlan) => Promise<TaskOutcome[]>;

/** Step 0 and step 1's task draw: the directed step (on ctx.theta) and the plan of the tasks. */
export function planIteration(ctx: MetaStepContext, iteration: number): { plan: IterationPlan; extra: Record<string, number>; directedSteps: number } {
  const seedFor = (lane: number) => deriveSeed(ctx.seed, Purpose.ITERATION, iteration, lane);
  // 0. the task-directed step
  const extra = directedStep(ctx, iteration);
  const directedSteps = extra.directedEnvSteps ?? 0;
  delete extra.directedEnvSteps;
  // 1. the tasks T_i ~ p(T)
  const tasks = ctx.family.sample(ctx.metaBatch, { seed: seedFor(0) });
  return { plan: { iteration, tasks, preSeed: seedFor(1), postSeed: seedFor(4) }, extra, directedSteps };
}

/**
 * Steps 1–4 for task i of a plan, at ctx.theta (and ctx.innerLr); ctx.policy must hold θ (the
 * tfjs path differentiates its variables).
 */
export function runTask(ctx: MetaStepContext, plan: IterationPlan, i: number): TaskOutcome {
  const { family, policy, algo } = ctx;
  const P = family.numParams;
  const task = plan.tasks.subarray(i * P, (i + 1) * P);
  const rolloutOptions = { episodes: ctx.episodes, maxSteps: ctx.maxSteps, taskIds: [i] };
  // 1. pre-adaptation rollouts D_i ~ π_θ
  let t = now();
  const pre = rollout(family, policy, task, { ...rolloutOptions, weights: ctx.theta, seed: plan.preSeed });
  let sampleSeconds = now() - t;
  // 2. adapted parameters θ'_i for sampling (first-order values; identical for every order)
  t = now();
  const preAdvantages = estimateAdvantages(pre, ctx.advantage); // once: steps 2 and 4 share them
  const adapted = innerAdaptFlat(policy, pre, ctx.theta, ctx.innerLr, algo.innerSteps, ctx.advantage, preAdvantages);
  let gradSeconds = now() - t;
  // 3. post-adaptation rollouts D'_i ~ π_θ'_i
  t = now();
  const post = rollout(family, policy, task, { ...rolloutOptions, weights: adapted, seed: plan.postSeed });
  sampleSeconds += now() - t;
  // 4. this task's term of the meta-gradient
  t = now();
  const [gradTheta, gradInnerLr] = taskMetaGradient(ctx, pre, post, adapted, false, { pre: preAdvantages });
  gradSeconds += now() - t;
  return {
    gradTheta, gradInnerLr, preReturns: pre.episodeReturns, postReturns: post.episodeReturns,
    preSteps: pre.numSteps, postSteps: post.numSteps, sampleSeconds, gradSeconds,
  };
}

/** Task after task in this thread. */
function runTasksHere(ctx: MetaStepContext, plan: IterationPlan): TaskOutcome[] {
  return Array.from({ length: ctx.metaBatch }, (_, i) => runTask(ctx, plan, i));
}

/**
 * Step 5 and the metrics: the mean of the tasks' meta-gradients, summed in task order (so θ and α
 * do not depend on where the tasks ran), then the outer update.
 */
export function finishIteration(ctx: MetaStepContext, outcomes: readonly TaskOutcome[]): { metrics: Omit<MetaStepMetrics, 'sampleSeconds' | 'gradSeconds'>; sampleSeconds: number; gradSeconds: number } {
  const B = ctx.metaBatch;
  const rates = learnedRates(ctx);
  if (outcomes.length !== B) throw new Error(`meta-step: ${outcomes.length} task outcomes for a meta-batch of ${B}`);
  // ∇ (1/B) Σ_i L(θ'_i; D'_i)
  const gradTheta = new Float32Array(ctx.theta.length);
  const gradInnerLr = rates ? new Float32Array(rates.length) : null;
  for (const { gradTheta: gTheta, gradInnerLr: gAlpha } of outcomes) {
    for (let p = 0; p < gTheta.length; p++) gradTheta[p] += gTheta[p] / B;
    if (gradInnerLr && gAlpha) for (let p = 0; p < gAlpha.length; p++) gradInnerLr[p] += gAlpha[p] / B;
  }
  // 5. the outer update
  ctx.applyUpdate(gradTheta, gradInnerLr);
  if (rates) for (let p = 0; p < rates.length; p++) rates[p] = Math.max(MIN_INNER_LR, rates[p]);
  ctx.policy.setFlat(ctx.theta);

  // Mean returns over every episode in task order (as Trajectories.meanReturn of one batch).
  let preSum = 0, postSum = 0, episodes = 0, envSteps = 0, sampleSeconds = 0, gradSeconds = 0;
  for (const o of outcomes) {
    for (const r of o.preReturns) preSum += r;
    for (const r of o.postReturns) postSum += r;
    episodes += o.preReturns.length;
    envSteps += o.preSteps + o.postSteps;
    sampleSeconds += o.sampleSeconds;
    gradSeconds += o.gradSeconds;
  }
  const metrics: Omit<MetaStepMetrics, 'sampleSeconds' | 'gradSeconds'> = {
    preReturn: episodes ? preSum / episodes : 0,
    postReturn: episodes ? postSum / episodes : 0,
    envSteps,
  };
  if (rates) {
    let sum = 0;
    for (const a of rates) sum += a;
    metrics.meanInnerLr = sum / rates.length;
  }
  return { metrics, sampleSeconds, gradSeconds };
}

/** Meta-SGD's learned rates α (updated in place by the outer step), or null when α is a number. */
export function learnedRates(ctx: Pick<MetaStepContext, 'innerLr'>): Float32Array | null {
  return typeof ctx.innerLr === 'number' ? null : ctx.innerLr;
}

/** Runs meta-iteration `iteration` (0-based) in this thread and updates ctx.theta / ctx.innerLr. */
export function metaStep(ctx: MetaStepContext, iteration: number): MetaStepMetrics {
  let t = now();
  const { plan, extra, directedSteps } = planIteration(ctx, iteration);
  const planSeconds = now() - t;
  const outcomes = runTasksHere(ctx, plan);
  t = now();
  const done = finishIteration(ctx, outcomes);
  return assembleMetrics(done, extra, directedSteps, planSeconds, now() - t, null);
}

/**
 * Meta-iteration `iteration` with the tasks run by `runner` (a worker pool, or in process); the
 * same θ, α and metrics as metaStep, timing fields aside.
 */
export async function metaStepWith(ctx: MetaStepContext, iteration: number, runner: TaskRunner): Promise<MetaStepMetrics> {
  let t = now();
  const { plan, extra, directedSteps } = planIteration(ctx, iteration);
  const planSeconds = now() - t;
  t = now();
  const outcomes = await runner(ctx, plan);
  const tasksWallSeconds = now() - t;
  t = now();
  const done = finishIteration(ctx, outcomes);
  return assembleMetrics(done, extra, directedSteps, planSeconds, now() - t, tasksWallSeconds);
}

/**
 * Timing split: the directed step and the task draw count as sampling (their rollouts dominate),
 * the reduction and Adam as gradient. When tasks ran in parallel (`tasksWallSeconds` given), their
 * wall time is split in the proportion of the per-task sampling and gradient times.
 */
function assembleMetrics(done: ReturnType<typeof finishIteration>, extra: Record<string, number>, directedSteps: number,
  planSeconds: number, reduceSeconds: number, tasksWallSeconds: number | null): MetaStepMetrics {
  let { sampleSeconds, gradSeconds } = done;
  if (tasksWallSeconds !== null) {
    const busy = sampleSeconds + gradSeconds;
    sampleSeconds = busy > 0 ? tasksWallSeconds * (sampleSeconds / busy) : 0;
    gradSeconds = tasksWallSeconds - sampleSeconds;
  }
  const { preReturn, postReturn, envSteps, ...rest } = done.metrics;
  return {
    preReturn, postReturn,
    sampleSeconds: sampleSeconds + planSeconds,
    gradSeconds: gradSeconds + reduceSeconds,
    envSteps: envSteps + directedSteps,
    ...extra,
    ...rest,
  };
}

/** Â of a task's trajectories when the caller has them already (each is estimated at most once). */
export interface TaskAdvantages {
  pre?: Advantages;
  post?: Advantages;
}

/**
 * One task's meta-gradient ∇_θ (and ∇_α) of L(θ'(θ, α; D_i); D'_i), at the policy's current
 * parameters. First order without learned rates needs no differentiation through the adaptation:
 * ∇L(θ'_i; D'_i) straight from the WASM estimator. Otherwise dm.metaGradient with the algorithm's
 * order and estimator, on ctx.gradEngine (default 'wasm'; `viaTfjs` forces 'tfjs').
 */
export function taskMetaGradient(ctx: Pick<MetaStepContext, 'policy' | 'algo' | 'innerLr' | 'advantage' | 'gradEngine'>, preTask: Trajectories,
  postTask: Trajectories, adapted: Float32Array, viaTfjs = false, advantages: TaskAdvantages = {}): [Float32Array, Float32Array | null] {
  const { policy, algo } = ctx;
  const post = advantages.post ?? estimateAdvantages(postTask, ctx.advantage);
  if (!differentiatesAdaptation(algo) && !viaTfjs) {
    return [policyGradient(policy, postTask, { weights: adapted, advantages: post }), null];
  }
  const pre = advantages.pre ?? estimateAdvantages(preTask, ctx.advantage);
  const rows = (traj: Trajectories, est: Advantages) => ({ obs: traj.obs, actions: traj.actions, advantages: est.advantages, weights: est.weights });
  // The rows come from dm.rollout and the options from a resolved config: nothing to check again.
  const g = runMetaGradient(policy, rows(preTask, pre), rows(postTask, post), {
    innerLr: ctx.innerLr, innerSteps: algo.innerSteps, order: algo.order, estimator: algo.estimator,
    engine: viaTfjs ? 'tfjs' : ctx.gradEngine ?? DEFAULTS.gradEngine, adapted,
  });
  return [g.theta, g.innerLr];
}
