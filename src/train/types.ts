// Contracts between the trainer (src/train/trainer.ts) and its faces (CLI, page).

/** One line of metrics.jsonl: one meta-iteration. */
export interface IterationMetrics {
  iteration: number;
  /** Mean episode return of the pre-adaptation rollouts D_i (policy θ). */
  preReturn: number;
  /** Mean episode return of the post-adaptation rollouts D'_i (policies θ'_i). */
  postReturn: number;
  sampleSeconds: number;
  gradSeconds: number;
  seconds: number;
  /** Env steps sampled in this iteration (directed-step rollouts included). */
  envSteps: number;
  /** Algorithm-specific extras (e.g. directedReturn, meanInnerLr). */
  [extra: string]: number;
}

/** Fields of metrics that depend on the machine, not on the seed (ignored when comparing runs). */
export const TIMING_FIELDS = ['sampleSeconds', 'gradSeconds', 'seconds'] as const;
