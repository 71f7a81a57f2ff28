// dm.Trainer: the seeded, resumable meta-training loop. Each iteration is one metaStep
// (src/meta/meta-step.ts); everything random derives from (seed, iteration), so the whole state
// of a run is {config, iteration, θ, α, Adam moments} and a resumed run equals an uninterrupted one.
import { resolveConfig, type TrainConfig, type AlgoName } from './config';
import { ConfigError } from '../errors';
import { TaskFamily, taskFamily } from '../envs/task-family';
import { createPolicy, type Policy } from '../nn/policy';
import { maml, fomaml, metaSgd, directed, algoName, type MetaAlgorithm } from '../meta/algorithms';
import { metaStep, type MetaStepContext } from '../meta/meta-step';
import { adamInit, adamStep, type AdamState } from './adam';
import type { IterationMetrics } from './types';

export interface TrainerState {
  config: TrainConfig;
  /** Iterations completed. */
  iteration: number;
  theta: Float32Array;
  innerLr: Float32Array | null;
  adamTheta: AdamState;
  adamInnerLr: AdamState | null;
}

export type TrainerOptions = Partial<Omit<TrainConfig, 'algo'>> & {
  /** A task family object instead of env + ranges. */
  family?: TaskFamily;
  /** An algorithm record (dm.directed(dm.maml(...))) or its name. */
  algo?: MetaAlgorithm | AlgoName;
};

/** The algorithm record a config describes. */
export function algorithmFromConfig(config: TrainConfig): MetaAlgorithm {
  const inner = { innerLr: config.innerLr, innerSteps: config.innerSteps, estimator: config.estimator };
  const baseName = config.algo.replace(/^directed-/, '');
  const algo = baseName === 'maml' ? maml(inner) : baseName === 'fomaml' ? fomaml(inner) : metaSgd(inner);
  if (!config.algo.startsWith('directed-')) return algo;
  return directed(algo, { lr: config.directedLr, medium: config.medium, variant: config.directedVariant, schedule: config.directedSchedule });
}

/** Config fields of an algorithm record (the inverse of algorithmFromConfig). */
function configFromAlgorithm(algo: MetaAlgorithm): Partial<TrainConfig> {
  const out: Partial<TrainConfig> = { algo: algoName(algo) as AlgoName, innerLr: algo.innerLr, innerSteps: algo.innerSteps, estimator: algo.estimator };
  if (algo.directed) {
    const s = algo.directed.schedule;
    Object.assign(out, {
      directedLr: algo.directed.lr,
      directedVariant: algo.directed.variant,
      directedSchedule: s.kind === 'every' && s.n === 1 ? 'every' : `${s.kind}:${s.n}`,
    });
    if (algo.directed.medium) out.medium = algo.directed.medium;
  }
  return out;
}

export class Trainer {
  readonly config: TrainConfig;
  readonly family: TaskFamily;
  readonly algo: MetaAlgorithm;
  readonly policy: Policy;
  /** Iterations completed. */
  iteration = 0;
  private readonly theta: Float32Array;
  private readonly innerLr: Float32Array | null;
  private readonly adamTheta: AdamState;
  private readonly adamInnerLr: AdamState | null;

  constructor(options: TrainerOptions = {}) {
    const { family, algo, ...rest } = options;
    const partial: Record<string, unknown> = { ...rest };
    if (family !== undefined) {
      if (!(family instanceof TaskFamily)) throw new ConfigError('family', family, 'a TaskFamily (dm.taskFamily(...))');
      partial.env = family.id;
      partial.ranges = family.ranges;
    }
    if (algo !== undefined) Object.assign(partial, typeof algo === 'string' ? { algo } : configFromAlgorithm(algo));
    this.config = resolveConfig(partial);
    this.family = family ?? taskFamily(this.config.env, this.config.ranges);
    this.algo = algorithmFromConfig(this.config);
    const medium = this.algo.directed?.medium;
    if (medium && medium !== 'random') this.family.task(medium, 'medium'); // validates the medium task
    const c = this.config;
    this.policy = createPolicy({ obsDim: this.family.obsDim, numActions: this.family.numActions, hidden: c.hidden, activation: c.activation, seed: c.seed });
    this.theta = this.policy.getFlat();
    this.innerLr = this.algo.learnInnerLr ? new Float32Array(this.theta.length).fill(c.innerLr) : null;
    this.adamTheta = adamInit(this.theta.length);
    this.adamInnerLr = this.innerLr ? adamInit(this.innerLr.length) : null;
  }

  /** A trainer that continues exactly where `state` was taken. */
  static fromState(state: TrainerState): Trainer {
    const trainer = new Trainer(state.config);
    if (state.theta.length !== trainer.theta.length) throw new ConfigError('state.theta.length', state.theta.length, `${trainer.theta.length} for this config`);
    trainer.iteration = state.iteration;
    trainer.theta.set(state.theta);
    trainer.policy.setFlat(trainer.theta);
    if (trainer.innerLr) {
      if (!state.innerLr || !state.adamInnerLr) throw new ConfigError('state.innerLr', state.innerLr, 'the Meta-SGD rates of this run');
      trainer.innerLr.set(state.innerLr);
      copyAdam(trainer.adamInnerLr!, state.adamInnerLr);
    }
    copyAdam(trainer.adamTheta, state.adamTheta);
    return trainer;
  }

  /** Everything a bit-identical resume needs, as plain data (copies). */
  getState(): TrainerState {
    const copy = (a: AdamState): AdamState => ({ m: a.m.slice(), v: a.v.slice(), step: a.step });
    return {
      config: structuredClone(this.config),
      iteration: this.iteration,
      theta: this.theta.slice(),
      innerLr: this.innerLr ? this.innerLr.slice() : null,
      adamTheta: copy(this.adamTheta),
      adamInnerLr: this.adamInnerLr ? copy(this.adamInnerLr) : null,
    };
  }

  /** Meta-SGD's learned inner rates (flat, like θ), or the scalar inner rate. */
  get innerLearningRate(): number | Float32Array {
    return this.innerLr ? this.innerLr.slice() : this.config.innerLr;
  }

  /** Runs `iterations` more meta-iterations, yielding each one's metrics. */
  async *run(iterations: number = this.config.iterations - this.iteration): AsyncGenerator<IterationMetrics> {
    if (!Number.isInteger(iterations) || iterations < 0) throw new ConfigError('iterations', iterations, 'an integer >= 0');
    const c = this.config;
    const ctx: MetaStepContext = {
      family: this.family, policy: this.policy, algo: this.algo, theta: this.theta, innerLr: this.innerLr,
      metaBatch: c.metaBatch, episodes: c.episodes, maxSteps: c.maxSteps, seed: c.seed,
      advantage: { gamma: c.gamma, lambda: c.lambda },
      applyUpdate: (gradTheta, gradInnerLr) => {
        adamStep(this.adamTheta, this.theta, gradTheta, c.outerLr);
        if (this.innerLr && gradInnerLr) adamStep(this.adamInnerLr!, this.innerLr, gradInnerLr, c.outerLr);
      },
    };
    for (let k = 0; k < iterations; k++) {
      const start = performance.now();
      const m = metaStep(ctx, this.iteration);
      this.iteration += 1;
      yield { iteration: this.iteration, ...m, seconds: (performance.now() - start) / 1000 };
      // Let a page or a progress bar breathe between iterations.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  dispose(): void {
    this.policy.dispose();
  }
}

function copyAdam(to: AdamState, from: AdamState): void {
  if (from.m.length !== to.m.length || from.v.length !== to.v.length) throw new ConfigError('state.adam', `${from.m.length} moments`, `${to.m.length}`);
  to.m.set(from.m);
  to.v.set(from.v);
  to.step = from.step;
}
