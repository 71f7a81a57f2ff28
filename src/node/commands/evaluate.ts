// `dmaml evaluate`: held-out evaluation of a run — the k-shot curve (mean return after 0, 1, …,
// steps adaptation steps, fresh rollouts after each) on a fixed set of test tasks drawn from
// their own seed, never from the run's training stream. `dmaml experiment` calls it at every
// evaluation point of a cell; its --json line is what the cell's heldout.jsonl keeps.
import { ConfigError } from '../../errors';
import { flagsHelp, intFlag, parseArgs, type CommandFlag } from '../../config';
import { runDefaultedFlags } from './checkpoint';
import { heldoutEvaluation, HELDOUT_DEFAULTS } from '../experiment/heldout';

export const EVALUATE_FLAGS: readonly CommandFlag[] = [
  { flag: 'checkpoint', type: '<dir>', description: 'the run directory written by dmaml train', allowed: 'the directory of a run written by dmaml train' },
  intFlag('tasks', `held-out test tasks, drawn from the run's ranges (default ${HELDOUT_DEFAULTS.tasks})`, 1, 1000),
  intFlag('task-seed', `seed of the test tasks and their rollouts: their own stream, never the training one (default ${HELDOUT_DEFAULTS.taskSeed})`, 0, 2 ** 32 - 1),
  intFlag('steps', `inner adaptation steps (the curve has steps + 1 points; default ${HELDOUT_DEFAULTS.steps})`, 0, 100),
  { flag: 'json', type: '', description: 'print one JSON line (what heldout.jsonl keeps) instead of text', allowed: 'no value (a switch)', isSwitch: true },
];
const EVALUATE_CONFIG_FIELDS = ['episodes', 'maxSteps'] as const;

export const EVALUATE_USAGE = `Usage:
  dmaml evaluate --checkpoint DIR [--tasks 10] [--task-seed 7919] [--steps 3] [--episodes E] [--max-steps T] [--json]
      held-out k-shot returns of the run saved in DIR (checked like a resume): --tasks test tasks drawn
      from the run's ranges with --task-seed (their own stream, not the training one), each adapted
      0..steps inner steps with the run's inner rate (Meta-SGD: its learned rates). --episodes and
      --max-steps default to the run's.
`;

export function evaluateHelp(): string {
  return `${EVALUATE_USAGE}\nFlags:\n${flagsHelp([...EVALUATE_FLAGS, ...runDefaultedFlags(EVALUATE_CONFIG_FIELDS)])}\n`;
}

export async function evaluateCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(evaluateHelp());
    return 0;
  }
  const { flags, config } = parseArgs(argv, { command: 'evaluate', flags: EVALUATE_FLAGS, configFields: EVALUATE_CONFIG_FIELDS });
  const dir = flags.checkpoint as string | undefined;
  if (dir === undefined) throw new ConfigError('--checkpoint', '(missing)', 'the directory of a run written by dmaml train');
  const record = await heldoutEvaluation(dir, {
    tasks: (flags.tasks as number | undefined) ?? HELDOUT_DEFAULTS.tasks,
    taskSeed: (flags['task-seed'] as number | undefined) ?? HELDOUT_DEFAULTS.taskSeed,
    steps: (flags.steps as number | undefined) ?? HELDOUT_DEFAULTS.steps,
    episodes: config.episodes,
    maxSteps: config.maxSteps,
  });
  if (flags.json) {
    console.log(JSON.stringify(record));
  } else {
    console.log(`held-out evaluation after ${record.iteration} iterations: ${record.tasks.length} tasks (seed ${record.taskSeed}), ${record.episodes} episodes per task and step`);
    record.mean.forEach((r, k) => console.log(`  ${`after ${k} step${k === 1 ? '' : 's'}:`.padEnd(16)}${r.toFixed(2)}`));
  }
  return 0;
}
