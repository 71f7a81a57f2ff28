// One meta-iteration of MAML / FOMAML / Meta-SGD, with the optional task-directed step, read top
// to bottom (DESIGN.md "One meta-iteration"). θ and α are flat Float32Arrays (the layout of
// Policy.getFlat); sampling and first-order gradients run in WASM, second-order ones in tfjs.
//
//   0. [directed]  D_m ~ π_θ on the medium task;  θ ← θ − β_d · g_d           (first order, no graph)
//   1.             tasks T_1..T_B ~ p(T);  D_i ~ π_θ on T_i
//   2.             θ'_i = θ − α ⊙ ∇L(θ; D_i)  (k steps, values only, WASM)  — for sampling
//   3.             D'_i ~ π_θ'_i on T_i
//   4.             ∇_{θ,α} (1/B) Σ_i L(θ'_i(θ, α); D'_i):
//                    order 2 / Meta-SGD: tf.grads through dm.adapt (exact second order)
//                    order 1 (FOMAML):   ∇L(θ'_i; D'_i) from the WASM estimator (∂θ'/∂θ = I)
//   5.             Adam on θ (and on α for Meta-SGD; α is kept ≥ MIN_INNER_LR)
// L is the REINFORCE surrogate −Σ w·log π(a|s)·Â / Σ w with Â the baseline-corrected,
// normalised GAE of the batch (assembly/estimator.ts). With estimator 'naive' (the default, as in
// the reference MAML-RL code) the meta-gradient does not credit the pre-update sampling
// distribution; 'lvc' uses ProMP's low-variance curvature surrogate as the inner loss, whose
// Hessian does (SPEC §5). Both give the same first-order values.
import { tf } from '../core/backend';
import { deriveSeed, Purpose } from '../core/rng';
import type { TaskFamily } from '../envs/task-family';
import { flattenTensors, type Policy } from '../nn/policy';
import { reinforceLoss } from '../nn/loss';
import { rollout } from '../rl/rollout';
import { estimateAdvantages, policyGradient, toBatch, type AdvantageOptions } from '../rl/estimator';
import type { Trajectories } from '../rl/trajectories';
import { adapt } from './adapt';
import type { MetaAlgorithm } from './algorithms';
import { directedStepDue } from './schedule';

/** Inner rates are kept above this so that α stays a step size (Meta-SGD). */
export const MIN_INNER_LR = 1e-6;

export interface MetaStepContext {
  family: TaskFamily;
  policy: Policy;
  algo: MetaAlgorithm;
  /** θ, current values (also loaded into policy.params). Updated in place. */
  theta: Float32Array;
  /** Meta-SGD's α (same layout as θ); null otherwise. Updated in place. */
  innerLr: Float32Array | null;
  metaBatch: number;
  episodes: number;
  maxSteps: number;
  advantage: Required<AdvantageOptions>;
  seed: number;
  /** Computes the outer update (Adam) from the meta-gradients. */
  applyUpdate(gradTheta: Float32Array, gradInnerLr: Float32Array | null): void;
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

/** θ_{j+1} = θ_j − α ⊙ ∇L(θ_j; D) for `steps` steps on the same trajectories (values only). */
export function innerAdaptFlat(policy: Policy, traj: Trajectories, theta: Float32Array, innerLr: number | Float32Array, steps: number,
  advantage: AdvantageOptions): Float32Array {
  const advantages = estimateAdvantages(traj, advantage);
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
    const thetaMedium = innerAdaptFlat(policy, onMedium, theta, ctx.innerLr ?? ctx.algo.innerLr, ctx.algo.innerSteps, ctx.advantage);
    const adapted = sample(thetaMedium, 3);
    envSteps += adapted.numSteps;
    g = policyGradient(policy, adapted, { weights: thetaMedium, ...ctx.advantage });
  }
  // θ ← θ − β_d · g_d
  for (let p = 0; p < theta.length; p++) theta[p] -= d.lr * g[p];
  policy.setFlat(theta);
  return { directedStep: 1, directedReturn: onMedium.meanReturn(), directedEnvSteps: envSteps };
}

/** Runs meta-iteration `iteration` (0-based) and updates ctx.theta / ctx.innerLr. */
export function metaStep(ctx: MetaStepContext, iteration: number): MetaStepMetrics {
  const { family, policy, algo } = ctx;
  const B = ctx.metaBatch;
  let sampleSeconds = 0, gradSeconds = 0;
  const seedFor = (lane: number) => deriveSeed(ctx.seed, Purpose.ITERATION, iteration, lane);

  // 0. the task-directed step
  let t = now();
  const extra = directedStep(ctx, iteration);
  sampleSeconds += now() - t; // its rollouts dominate; its gradient is a WASM first-order one
  const directedSteps = extra.directedEnvSteps ?? 0;
  delete extra.directedEnvSteps;

  // 1. tasks and pre-adaptation rollouts D_i (one WASM call for every task)
  t = now();
  const tasks = family.sample(B, { seed: seedFor(0) });
  const rolloutOptions = { episodes: ctx.episodes, maxSteps: ctx.maxSteps };
  const pre = rollout(family, policy, tasks, { ...rolloutOptions, weights: ctx.theta, seed: seedFor(1) });
  sampleSeconds += now() - t;

  // 2. adapted parameters θ'_i for sampling (first-order values; identical for every order)
  t = now();
  const preByTask = Array.from({ length: B }, (_, i) => pre.task(i));
  const adapted = preByTask.map((d) => innerAdaptFlat(policy, d, ctx.theta, ctx.innerLr ?? algo.innerLr, algo.innerSteps, ctx.advantage));
  gradSeconds += now() - t;

  // 3. post-adaptation rollouts D'_i, each task with its own θ'_i
  t = now();
  const post = rollout(family, policy, tasks, { ...rolloutOptions, weights: adapted, seed: seedFor(4) });
  sampleSeconds += now() - t;

  // 4. the meta-gradient of (1/B) Σ_i L(θ'_i; D'_i)
  t = now();
  const gradTheta = new Float32Array(ctx.theta.length);
  const gradInnerLr = ctx.innerLr ? new Float32Array(ctx.innerLr.length) : null;
  for (let i = 0; i < B; i++) {
    const [gTheta, gAlpha] = taskMetaGradient(ctx, preByTask[i], post.task(i), adapted[i]);
    for (let p = 0; p < gTheta.length; p++) gradTheta[p] += gTheta[p] / B;
    if (gradInnerLr && gAlpha) for (let p = 0; p < gAlpha.length; p++) gradInnerLr[p] += gAlpha[p] / B;
  }
  // 5. the outer update
  ctx.applyUpdate(gradTheta, gradInnerLr);
  if (ctx.innerLr) for (let p = 0; p < ctx.innerLr.length; p++) ctx.innerLr[p] = Math.max(MIN_INNER_LR, ctx.innerLr[p]);
  policy.setFlat(ctx.theta);
  gradSeconds += now() - t;

  const metrics: MetaStepMetrics = {
    preReturn: pre.meanReturn(),
    postReturn: post.meanReturn(),
    sampleSeconds,
    gradSeconds,
    envSteps: pre.numSteps + post.numSteps + directedSteps,
    ...extra,
  };
  if (ctx.innerLr) {
    let sum = 0;
    for (const a of ctx.innerLr) sum += a;
    metrics.meanInnerLr = sum / ctx.innerLr.length;
  }
  return metrics;
}

/**
 * One task's meta-gradient ∇_θ (and ∇_α) of L(θ'(θ, α; D_i); D'_i). First order without learned
 * rates needs no graph: ∇L(θ'_i; D'_i) straight from the WASM estimator. Otherwise (or with
 * `viaTfjs`) tf.grads runs through dm.adapt with the algorithm's order.
 */
export function taskMetaGradient(ctx: Pick<MetaStepContext, 'policy' | 'algo' | 'innerLr' | 'advantage'>, preTask: Trajectories,
  postTask: Trajectories, adapted: Float32Array, viaTfjs = false): [Float32Array, Float32Array | null] {
  if (ctx.algo.order === 1 && !ctx.algo.learnInnerLr && !viaTfjs) {
    return [policyGradient(ctx.policy, postTask, { weights: adapted, ...ctx.advantage }), null];
  }
  return tfjsTaskGradient(ctx, preTask, postTask);
}

function tfjsTaskGradient(ctx: Pick<MetaStepContext, 'policy' | 'algo' | 'innerLr' | 'advantage'>, preTask: Trajectories, postTask: Trajectories): [Float32Array, Float32Array | null] {
  const { policy, algo } = ctx;
  const logits = policy.logits.bind(policy);
  const P = policy.params.length;
  const grads = tf.tidy(() => {
    const inner = toBatch(preTask, ctx.advantage);
    const outer = toBatch(postTask, ctx.advantage);
    const alpha = ctx.innerLr ? splitLike(ctx.innerLr, policy.params) : [];
    const metaLoss = (...xs: tf.Tensor[]): tf.Scalar => {
      const theta = xs.slice(0, P);
      const lr = ctx.innerLr ? xs.slice(P) : algo.innerLr;
      const adaptedParams = adapt(theta, (p) => reinforceLoss(p, inner, { logits, estimator: algo.estimator }), { lr, steps: algo.innerSteps, order: algo.order });
      return reinforceLoss(adaptedParams, outer, { logits });
    };
    return tf.grads(metaLoss)([...policy.params, ...alpha]);
  });
  const result: [Float32Array, Float32Array | null] = [flattenTensors(grads.slice(0, P)), ctx.innerLr ? flattenTensors(grads.slice(P)) : null];
  tf.dispose(grads);
  return result;
}

/** Tensors shaped like `like`, filled from one flat array. */
function splitLike(flat: Float32Array, like: readonly tf.Tensor[]): tf.Tensor[] {
  let o = 0;
  return like.map((x) => {
    const t = tf.tensor(flat.subarray(o, o + x.size), x.shape, 'float32');
    o += x.size;
    return t;
  });
}
