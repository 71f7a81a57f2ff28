// Every default of the library, each number once (CleanRL's habit: one typed record of arguments
// with their defaults at the top). The config schema (src/train/config.ts) gives these to a run;
// the API functions below it (dm.maml, dm.metaGradient, dm.adaptPolicy, dm.toBatch, …) take the
// same values when an option is left out, so a default can only change here.
// A leaf: it imports nothing, and every layer may import it.

export const DEFAULTS = Object.freeze({
  env: 'CartPole-v1',
  algo: 'directed-maml',
  iterations: 30,
  metaBatch: 20,
  /** Episodes per task per rollout; also dm.adaptPolicy's episodes per step. */
  episodes: 20,
  maxSteps: 500,
  hidden: Object.freeze([64, 64]) as readonly number[],
  activation: 'tanh',
  /** α, the inner (adaptation) step size; Meta-SGD's initial rates. */
  innerLr: 0.1,
  innerSteps: 1,
  // 0.01: the most robust rate of docs/RESULTS.md's outer-lr sweep (3 envs × MAML, FOMAML, Meta-SGD):
  // picked for 5 of the 9 pairs and second for the other 4, whose pick, 0.03, diverged in 4 of its 18
  // tuning runs. At 1e-3 (SPEC's proposal) the CartPole AUC was less than half.
  outerLr: 0.01,
  /** Discount γ of the returns. */
  gamma: 0.99,
  /** GAE λ (1: returns minus the baseline). */
  lambda: 1.0,
  seed: 1,
  directedVariant: 'pg',
  directedSchedule: 'every',
  backend: 'wasm',
  estimator: 'naive',
  gradEngine: 'wasm',
  /** Order of dm.adapt and dm.metaGradient: exact second order. */
  order: 2,
} as const);

/** Engines of meta-gradients through the adaptation (src/meta/meta-gradient.ts). */
export const GRAD_ENGINES = ['wasm', 'tfjs'] as const;
export type GradEngine = (typeof GRAD_ENGINES)[number];

/**
 * The largest count of one rollout dimension (tasks, episodes, steps) and of inner steps: counts
 * stay far below 2^31 in every product the TypeScript side forms before the memory plan refuses them.
 */
export const MAX_ROLLOUT_COUNT = 1 << 24;
