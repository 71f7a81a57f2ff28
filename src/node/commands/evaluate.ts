// `dmaml evaluate`: held-out evaluation of a run — the k-shot curve (mean return after 0, 1, …,
// steps adaptation steps, fresh rollouts after each) on a fixed set of test tasks drawn from
// their own seed, never from the run's training stream. `dmaml experiment` calls it at every
// evaluation point of a cell; its --json line is what the cell's heldout.jsonl keeps.
import { ConfigError } from '../../errors';
import { readFlags } from '../../config';
import { init } from '../../init';
import { taskFamily } from '../../envs/task-family';
import { createPolicy } from '../../nn/policy';
import { evaluateAdaptation } from '../../meta/evaluate';
import { deriveSeed, Purpose } from '../../core/rng';
import { readStateFile } from '../run-dir';
import { intOption, checkFlagNames } from '../experiment/flags';

export const EVALUATE_USAGE = `Usage:
  dmaml evaluate --checkpoint DIR [--tasks 10] [--task-seed 7919] [--steps 3] [--episodes E] [--max-steps T] [--json]
      held-out k-shot returns of the run saved in DIR: --tasks test tasks drawn from the run's ranges
      with --task-seed (their own stream, not the training one), each adapted 0..steps inner steps
      with the run's inner rate (Meta-SGD: its learned rates). --episodes and --max-steps default to the run's.
`;

const FLAGS = ['checkpoint', 'tasks', 'task-seed', 'steps', 'episodes', 'max-steps', 'json'];

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
}

export async function heldoutEvaluation(dir: string, options: { tasks: number; taskSeed: number; steps: number; episodes?: number; maxSteps?: number }): Promise<HeldoutRecord> {
  const state = await readStateFile(dir, '--checkpoint');
  if (!state) throw new ConfigError('--checkpoint', dir, 'a run with at least one iteration (this one has no state.json yet)');
  const config = state.config;
  await init({ backend: config.backend });
  const family = taskFamily(config.env, config.ranges);
  const tasks = family.sample(options.tasks, { seed: options.taskSeed });
  const policy = createPolicy({ obsDim: family.obsDim, numActions: family.numActions, hidden: config.hidden, activation: config.activation, seed: config.seed });
  const episodes = options.episodes ?? config.episodes;
  try {
    if (state.theta.length !== policy.numParams) {
      throw new ConfigError('--checkpoint', dir, `a checkpoint whose θ has ${policy.numParams} values for its config (it has ${state.theta.length})`);
    }
    policy.setFlat(state.theta);
    const innerLr = state.innerLr ?? config.innerLr;
    const P = family.numParams;
    const returns: number[][] = [];
    const rows: number[][] = [];
    for (let i = 0; i < options.tasks; i++) {
      const task = tasks.subarray(i * P, (i + 1) * P);
      rows.push(Array.from(task));
      returns.push(await evaluateAdaptation(policy, family, task, {
        steps: options.steps, episodes, innerLr, gamma: config.gamma, lambda: config.lambda,
        maxSteps: options.maxSteps ?? config.maxSteps,
        // rollouts of test task i: their own stream, the same for every run evaluated
        seed: deriveSeed(options.taskSeed, Purpose.ITERATION, 0x7ffffffe, i),
      }));
    }
    const mean = returns[0].map((_, k) => returns.reduce((s, r) => s + r[k], 0) / returns.length);
    return { iteration: state.iteration, taskSeed: options.taskSeed, steps: options.steps, episodes, tasks: rows, returns, mean };
  } finally {
    policy.dispose();
  }
}

export async function evaluateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(EVALUATE_USAGE);
    return 0;
  }
  const flags = readFlags(argv);
  checkFlagNames(flags, FLAGS);
  const dir = flags.checkpoint;
  if (typeof dir !== 'string') throw new ConfigError('--checkpoint', dir === undefined ? '(missing)' : '(no value)', 'the directory of a run written by dmaml train');
  const record = await heldoutEvaluation(dir, {
    tasks: intOption(flags, 'tasks', 10, 1, 1000),
    taskSeed: intOption(flags, 'task-seed', 7919, 0, 2 ** 32 - 1),
    steps: intOption(flags, 'steps', 3, 0, 100),
    episodes: flags.episodes === undefined ? undefined : intOption(flags, 'episodes', 1, 1, 1e5),
    maxSteps: flags['max-steps'] === undefined ? undefined : intOption(flags, 'max-steps', 1, 1, 1e7),
  });
  if (flags.json !== undefined && flags.json !== 'false') {
    console.log(JSON.stringify(record));
  } else {
    console.log(`held-out evaluation after ${record.iteration} iterations: ${record.tasks.length} tasks (seed ${record.taskSeed}), ${record.episodes} episodes per task and step`);
    record.mean.forEach((r, k) => console.log(`  ${`after ${k} step${k === 1 ? '' : 's'}:`.padEnd(16)}${r.toFixed(2)}`));
  }
  return 0;
}
