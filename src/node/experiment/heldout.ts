// Held-out evaluation of a run: the k-shot curve (mean return after 0, 1, …, steps adaptation
// steps, fresh rollouts after each) on a fixed set of test tasks drawn from their own seed, never
// from the run's training stream. `dmaml evaluate` prints it; an experiment's cell keeps one record
// per evaluation point in its heldout.jsonl.
import { ConfigError } from '../../errors';
import { evaluateAdaptation } from '../../meta/evaluate';
import { deriveSeed, Purpose } from '../../core/rng';
import { loadRunPolicy } from '../run-policy';
import { readRun } from '../run-survey';

/** What a held-out evaluation uses when not told (dmaml evaluate's flags, a grid's heldout). */
export const HELDOUT_DEFAULTS = { tasks: 10, taskSeed: 7919, steps: 3 } as const;

/** What `dmaml evaluate --json` prints (one line) and heldout.jsonl keeps per evaluation point. */
export interface HeldoutRecord {
  iteration: number;
  taskSeed: number;
  steps: number;
  episodes: number;
  /** Test tasks, one row of parameter values per task (paramNames order). */
  tasks: number[][];
  /** returns[i][k]: mean return on task i after k adaptation steps. */
  returns: number[][];
  /** mean[k]: returns[·][k] averaged over the tasks. */
  mean: number[];
  /** An oracle cell's: the index of the one held-out task evaluated (tasks and returns then hold that task alone). */
  task?: number;
}

/**
 * The held-out record of the run in `dir`, read with readRun (its files must all be this run's,
 * as for a resume or `dmaml adapt`). The rollouts (episodes × maxSteps of one task) are checked
 * against the WASM memory before anything runs.
 */
export async function heldoutEvaluation(dir: string, options: { tasks: number; taskSeed: number; steps: number; episodes?: number; maxSteps?: number; innerLr?: number; task?: number }): Promise<HeldoutRecord> {
  const { state } = await readRun(dir, '--checkpoint');
  if (!state) throw new ConfigError('--checkpoint', dir, 'a run with at least one iteration (this one has no state.json yet)');
  const config = state.config;
  const episodes = options.episodes ?? config.episodes;
  const maxSteps = options.maxSteps ?? config.maxSteps;
  const loaded = await loadRunPolicy(dir, state, { episodes, maxSteps });
  const { family, policy } = loaded;
  // options.innerLr: the evaluation's own α (a run trained at α = 0 is evaluated with the usual step).
  const innerLr = options.innerLr ?? loaded.innerLr;
  try {
    const tasks = family.sample(options.tasks, { seed: options.taskSeed });
    const P = family.numParams;
    const returns: number[][] = [];
    const rows: number[][] = [];
    // options.task: that task alone (an oracle, whose run's ranges are fixed at it: its family draws
    // that task whatever the index), with task i's own rollout seeds.
    const indices = options.task === undefined ? Array.from({ length: options.tasks }, (_, i) => i) : [options.task];
    if (options.task !== undefined && !(Number.isInteger(options.task) && options.task >= 0 && options.task < options.tasks)) {
      throw new ConfigError('task', options.task, `an integer in [0, ${options.tasks - 1}] (a held-out task's index)`);
    }
    for (const i of indices) {
      const task = tasks.subarray(i * P, (i + 1) * P);
      rows.push(Array.from(task));
      returns.push(await evaluateAdaptation(policy, family, task, {
        steps: options.steps, episodes, innerLr, gamma: config.gamma, lambda: config.lambda,
        maxSteps,
        // rollouts of test task i: their own stream, the same for every run evaluated
        seed: deriveSeed(options.taskSeed, Purpose.ITERATION, 0x7ffffffe, i),
      }));
    }
    const mean = returns[0].map((_, k) => returns.reduce((s, r) => s + r[k], 0) / returns.length);
    return { iteration: state.iteration, taskSeed: options.taskSeed, steps: options.steps, episodes, tasks: rows, returns, mean, ...(options.task === undefined ? {} : { task: options.task }) };
  } finally {
    policy.dispose();
  }
}
