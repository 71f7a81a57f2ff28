// dm.Trainer: the seeded, resumable meta-training loop. Each iteration is one metaStep
// (src/meta/meta-step.ts); everything random derives from (seed, iteration), so the whole state
// of a run is {config, iteration, θ, α, Adam moments} and a resumed run equals an uninterrupted one.
import { resolveConfig, isResolvedConfig, configField, canonicalJson, type TrainConfig, type AlgoName } from './config';
import { checkTrainingMemory } from './memory-plan';
import { ConfigError } from '../errors';
import { TaskFamily, taskFamily, envIdOf } from '../envs/task-family';
import type { DefinedEnv } from '../envs/user-env';
import { createPolicy, type Policy } from '../nn/policy';
import { algorithmRecord, algoName, type MetaAlgorithm } from '../meta/algorithms';
import { learnedRates, metaStep, metaStepWith, type LearnerParams, type MetaStepContext } from '../meta/meta-step';
import { parseDirectedSchedule } from '../core/schedule';
import { tf, wasmPathsInUse } from '../core/backend';
import { adamInit, adamStep, type AdamState } from './adam';
import { definedEnv } from '../envs/registry';
import { TaskPool, defaultWorkerFactory, type PoolFault, type WorkerFactory } from './pool';
import type { IterationMetrics } from './types';
import { POLICY_METADATA_KEY, type PolicyMetadata } from './export';
import { shortestRanges } from '../core/float';

export interface TrainerState {
  config: TrainConfig;
  /** Iterations completed. */
  iteration: number;
  theta: Float32Array;
  innerLr: Float32Array | null;
  adamTheta: AdamState;
  adamInnerLr: AdamState | null;
}

export type TrainerOptions = Partial<Omit<TrainConfig, 'algo' | 'env'>> & {
  /** An env id, or an env made by dm.defineEnv (its id goes into the config). */
  env?: string | DefinedEnv;
  /** A task family object instead of env + ranges. */
  family?: TaskFamily;
  /** An algorithm record (dm.directed(dm.maml(...))) or its name. */
  algo?: MetaAlgorithm | AlgoName;
  /**
   * Where pool workers come from (config field `workers`). Default: the one 'directed-maml/node'
   * registers (worker_threads), else Web Workers where they exist; null: tasks run in this thread.
   */
  workerFactory?: WorkerFactory | null;
  /** Test hook: makes a pool worker fail on one task (see PoolFault). */
  poolFault?: PoolFault;
};

/** The meta-step context of a config, at the learner's parameters θ and α (the trainer's). */
export function metaStepContext(config: TrainConfig, family: TaskFamily, policy: Policy, algo: MetaAlgorithm, theta: Float32Array,
  innerLr: number | Float32Array, applyUpdate: MetaStepContext['applyUpdate']): MetaStepContext {
  return { ...metaStepSettings(config, family, policy, algo, applyUpdate), theta, innerLr };
}

/**
 * What a config fixes of the meta-step context: all of it but the learner's parameters. The trainer's
 * and each pool worker's (src/train/pool-worker.ts, given θ and α at each iteration), so both compute
 * a task alike.
 */
export function metaStepSettings(config: TrainConfig, family: TaskFamily, policy: Policy, algo: MetaAlgorithm,
  applyUpdate: MetaStepContext['applyUpdate']): Omit<MetaStepContext, keyof LearnerParams> {
  return {
    family, policy, algo,
    metaBatch: config.metaBatch, episodes: config.episodes, maxSteps: config.maxSteps, seed: config.seed, gradEngine: config.gradEngine,
    advantage: { gamma: config.gamma, lambda: config.lambda },
    applyUpdate,
  };
}

/**
 * The algorithm record a resolved config describes, its values taken as the schema checked them
 * (the inverse of configFromAlgorithm).
 */
export function algorithmFromConfig(config: TrainConfig): MetaAlgorithm {
  const inner = { innerLr: config.innerLr, innerSteps: config.innerSteps, estimator: config.estimator };
  if (!config.algo.startsWith('directed-')) return algorithmRecord(config.algo, inner);
  return algorithmRecord(config.algo, inner, {
    lr: config.directedLr!, medium: config.medium, variant: config.directedVariant!, schedule: parseDirectedSchedule(config.directedSchedule),
  });
}

/**
 * What a run of this resolved config needs beyond the schema, checked without building a trainer
 * (nothing is allocated): the WASM memory, the ranges against the env's physics and the medium
 * task. Needs the module loaded (dm.init). Returns the task family of the config (or `family`).
 */
export function checkTrainingConfig(config: TrainConfig, family?: TaskFamily): TaskFamily {
  checkTrainingMemory(config); // before anything is allocated
  const f = family ?? taskFamily(config.env, config.ranges); // validates the ranges
  if (config.medium && config.medium !== 'random') f.task(config.medium, 'medium'); // validates the medium task
  return f;
}

/**
 * The one config record of `new Trainer(options)`: a record resolveConfig made is taken as is;
 * otherwise the options are resolved here (the API's edge). A family or an algorithm record sets
 * config fields of its own; the same field given beside it must agree, or it is refused.
 */
function trainerConfig(options: TrainerOptions | TrainConfig): TrainConfig {
  if (isResolvedConfig(options)) return options;
  const { family, algo, workerFactory: _f, poolFault: _p, ...rest } = options as TrainerOptions;
  const partial: Record<string, unknown> = { ...rest };
  if (rest.env !== undefined && typeof rest.env !== 'string') partial.env = envIdOf(rest.env);
  const setBy = (what: string, fields: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(fields)) {
      const given = partial[key];
      if (given !== undefined && canonicalJson(configField(key)?.check(given) ?? given) !== canonicalJson(value)) {
        throw new ConfigError(key, given, `nothing, or ${JSON.stringify(value)}: ${what} sets it (give one or the other)`);
      }
      partial[key] = value;
    }
  };
  if (family !== undefined) {
    if (!(family instanceof TaskFamily)) throw new ConfigError('family', family, 'a TaskFamily (dm.taskFamily(...))');
    setBy('the family', { env: family.id, ranges: family.ranges });
  }
  if (algo !== undefined) setBy('the algo record', typeof algo === 'string' ? { algo } : configFromAlgorithm(algo));
  return resolveConfig(partial);
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
  /**
   * α as the learner holds it (learn2learn's MetaSGD: the rates are the learner's own parameters):
   * config.innerLr, or for Meta-SGD one rate per parameter initialised to it and trained by Adam.
   */
  private readonly innerLr: number | Float32Array;
  private readonly adamTheta: AdamState;
  private readonly adamInnerLr: AdamState | null;
  private readonly workerFactory: WorkerFactory | null;
  private readonly poolFault: PoolFault | undefined;
  private pool: TaskPool | null = null;
  private disposed = false;

  /**
   * `options`: config fields (resolved here), or a record resolveConfig made (taken as is), with
   * optionally a family, an algorithm record and the pool's hooks. `hooks`: the pool's hooks
   * beside a resolved record (Trainer.fromState).
   */
  constructor(options: TrainerOptions | TrainConfig = {}, hooks: Pick<TrainerOptions, 'workerFactory' | 'poolFault'> = {}) {
    const { family, workerFactory, poolFault } = { ...hooks, ...(isResolvedConfig(options) ? {} : options as TrainerOptions) };
    this.workerFactory = workerFactory === undefined ? defaultWorkerFactory() : workerFactory;
    this.poolFault = poolFault;
    this.config = trainerConfig(options);
    this.resolveWorkers(); // a worker count this runtime cannot give is a ConfigError now, not at run()
    this.family = checkTrainingConfig(this.config, family);
    this.algo = algorithmFromConfig(this.config);
    const c = this.config;
    this.policy = createPolicy({ obsDim: this.family.obsDim, numActions: this.family.numActions, actionSize: this.family.actionSize, hidden: c.hidden, activation: c.activation, seed: c.seed });
    this.theta = this.policy.getFlat();
    this.innerLr = this.algo.learnInnerLr ? new Float32Array(this.theta.length).fill(c.innerLr) : c.innerLr;
    this.adamTheta = adamInit(this.theta.length);
    this.adamInnerLr = this.algo.learnInnerLr ? adamInit(this.theta.length) : null;
  }

  /** A trainer that continues exactly where `state` was taken. */
  static fromState(state: TrainerState, options: Pick<TrainerOptions, 'workers' | 'workerFactory' | 'poolFault'> = {}): Trainer {
    const { workers, ...hooks } = options;
    const trainer = new Trainer(workers === undefined ? resolveConfig(state.config) : resolveConfig({ ...state.config, workers }), hooks);
    if (state.theta.length !== trainer.theta.length) throw new ConfigError('state.theta.length', state.theta.length, `${trainer.theta.length} for this config`);
    trainer.iteration = state.iteration;
    trainer.theta.set(state.theta);
    trainer.policy.setFlat(trainer.theta);
    const rates = trainer.rates;
    if (rates) {
      if (!state.innerLr || !state.adamInnerLr) throw new ConfigError('state.innerLr', state.innerLr, 'the Meta-SGD rates of this run');
      rates.set(state.innerLr);
      copyAdam(trainer.adamInnerLr!, state.adamInnerLr);
    }
    copyAdam(trainer.adamTheta, state.adamTheta);
    return trainer;
  }

  /**
   * Everything a bit-identical resume needs, as plain data (copies). The config leaves out
   * `workers`: results are the same for every worker count, so it is not part of the run.
   */
  getState(): TrainerState {
    const copy = (a: AdamState): AdamState => ({ m: a.m.slice(), v: a.v.slice(), step: a.step });
    const { workers: _workers, ...config } = this.config;
    return {
      config: structuredClone(config) as TrainConfig,
      iteration: this.iteration,
      theta: this.theta.slice(),
      innerLr: this.rates?.slice() ?? null,
      adamTheta: copy(this.adamTheta),
      adamInnerLr: this.adamInnerLr ? copy(this.adamInnerLr) : null,
    };
  }

  /**
   * What dm.exportPolicy should store with this trainer's policy (`{ metadata: trainer.policyMetadata() }`)
   * so that dm.loadPolicy → dm.taskFamily(policy) → dm.adaptPolicy need nothing retyped: env, ranges,
   * algorithm, iterations, maxSteps and α (Meta-SGD: the learned rates), under POLICY_METADATA_KEY.
   * `run`: the config hash of the run directory it belongs to (`dmaml train`).
   */
  policyMetadata(run?: string): Record<string, PolicyMetadata> {
    const lr = this.innerLr;
    return { [POLICY_METADATA_KEY]: {
      ...(run === undefined ? {} : { run }), iterations: this.iteration, env: this.family.id, algo: this.config.algo,
      ranges: shortestRanges(this.family.ranges), maxSteps: this.config.maxSteps, innerLr: typeof lr === 'number' ? lr : Array.from(lr),
    } };
  }

  /** Meta-SGD's learned rates (α itself, updated in place), or null when α is a number. */
  private get rates(): Float32Array | null {
    return learnedRates({ innerLr: this.innerLr });
  }

  /** α: the inner rate, or a copy of Meta-SGD's learned rates (flat, like θ). */
  get innerLearningRate(): number | Float32Array {
    return typeof this.innerLr === 'number' ? this.innerLr : this.innerLr.slice();
  }

  /** Runs `iterations` more meta-iterations, yielding each one's metrics. */
  async *run(iterations: number = this.config.iterations - this.iteration): AsyncGenerator<IterationMetrics> {
    if (!Number.isInteger(iterations) || iterations < 0) throw new ConfigError('iterations', iterations, 'an integer >= 0');
    if (this.disposed) throw new Error('Trainer.run after dispose()');
    const c = this.config;
    const rates = this.rates;
    const ctx = metaStepContext(c, this.family, this.policy, this.algo, this.theta, this.innerLr, (gradTheta, gradInnerLr) => {
      adamStep(this.adamTheta, this.theta, gradTheta, c.outerLr);
      if (rates && gradInnerLr) adamStep(this.adamInnerLr!, rates, gradInnerLr, c.outerLr);
    });
    const thetaBefore = new Float32Array(this.theta.length);
    for (let k = 0; k < iterations; k++) {
      const pool = await this.startPool(); // once per trainer, outside the iteration's time
      const start = performance.now();
      let m;
      if (pool) {
        // A failed iteration leaves the state of the last completed one: only the directed step
        // (θ) has run before the tasks; α and the Adam moments change after them.
        thetaBefore.set(this.theta);
        try {
          m = await metaStepWith(ctx, this.iteration, (stepCtx, plan) => pool.run(stepCtx, plan));
        } catch (err) {
          this.theta.set(thetaBefore);
          if (!this.disposed) this.policy.setFlat(this.theta);
          pool.close(); // (a failing worker has closed it already) the next run starts a fresh one
          this.pool = null;
          throw err;
        }
      } else {
        m = metaStep(ctx, this.iteration);
      }
      this.iteration += 1;
      yield { iteration: this.iteration, ...m, seconds: (performance.now() - start) / 1000 };
      // Let a page or a progress bar breathe between iterations.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  /** The number of threads that run the tasks of an iteration (1: this thread, no pool). */
  get workers(): number {
    return this.pool?.size ?? this.resolveWorkers();
  }

  /** config.workers (0: one per core), at most one per task; 1 when there is no worker factory. */
  private resolveWorkers(): number {
    const requested = this.config.workers || (this.workerFactory?.cores() ?? 1);
    const n = Math.min(requested, this.config.metaBatch);
    const user = this.family?.userEnv ?? definedEnv(this.config.env);
    if (n > 1 && user && user.module === null) {
      // Workers re-create a defined env from its module; without one the tasks stay in this thread.
      if (this.config.workers > 1) {
        throw new ConfigError('workers', this.config.workers, `1 for ${user.id}: it was defined without a module workers can import (dm.defineEnv(definition, { module: new URL('./my-env.mjs', import.meta.url) }))`);
      }
      return 1;
    }
    if (n > 1 && !this.workerFactory) {
      if (this.config.workers > 1) {
        throw new ConfigError('workers', this.config.workers, "1 here: this runtime has no worker threads for the library (in Node, import 'directed-maml/node' or pass workerFactory)");
      }
      return 1;
    }
    return Math.max(1, n);
  }

  /** The pool, started on first use (once per trainer); null when tasks run in this thread. */
  private async startPool(): Promise<TaskPool | null> {
    if (this.pool) return this.pool;
    const n = this.resolveWorkers();
    if (n <= 1) return null;
    const user = this.family.userEnv;
    this.pool = await TaskPool.start(this.workerFactory!, n, {
      config: this.config, backend: tf.getBackend(), wasmPaths: wasmPathsInUse(), fault: this.poolFault,
      envModule: user?.module ? { url: user.module, exportName: user.exportName } : undefined,
    });
    if (this.disposed) this.pool.close();
    return this.pool;
  }

  /** Frees the policy and shuts the worker pool down. */
  dispose(): void {
    this.disposed = true;
    this.pool?.close();
    this.pool = null;
    this.policy.dispose();
  }
}

function copyAdam(to: AdamState, from: AdamState): void {
  if (from.m.length !== to.m.length || from.v.length !== to.v.length) throw new ConfigError('state.adam', `${from.m.length} moments`, `${to.m.length}`);
  to.m.set(from.m);
  to.v.set(from.v);
  to.step = from.step;
}
