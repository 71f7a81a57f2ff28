// `dmaml`: the command-line face of the library (Node only).
import * as dm from '../index';
import { readFlags, NO_VALUE, type FlagValues } from '../config';
import { trainCommand, TRAIN_USAGE } from './commands/train';
import { adaptCommand, ADAPT_USAGE } from './commands/adapt';
import { experimentCommand, EXPERIMENT_USAGE } from './commands/experiment';
import { evaluateCommand, EVALUATE_USAGE } from './commands/evaluate';
import { WORKER_USAGE } from './experiment/usage';

const HELP = `dmaml — meta-reinforcement learning (MAML family, task-directed variants)

Usage:
  dmaml train …   (dmaml train --help)
  dmaml adapt …   (dmaml adapt --help)
  dmaml evaluate …    (dmaml evaluate --help)
  dmaml experiment …  (dmaml experiment --help)
  dmaml worker …      (dmaml worker --help)
  dmaml demo [--env CartPole-v1] [--num-envs 4096] [--steps 2000] [--seed 0]
      steps a task family with uniformly random actions; prints mean return and env-steps/s
  dmaml help
`;

function intFlag(flags: FlagValues, name: string, fallback: number, min: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const v = text === NO_VALUE ? NaN : Number(text);
  if (!Number.isInteger(v) || v < min) throw new dm.ConfigError(`--${name}`, text === NO_VALUE ? '(no value)' : text, `an integer >= ${min}`);
  return v;
}

async function demo(flags: FlagValues): Promise<void> {
  await dm.init();
  const envId = flags.env ?? 'CartPole-v1';
  if (envId === NO_VALUE) throw new dm.ConfigError('--env', '(no value)', dm.envIds().join(' | '));
  const family = dm.taskFamily(envId);
  const numEnvs = intFlag(flags, 'num-envs', 4096, 1);
  const steps = intFlag(flags, 'steps', 2000, 1);
  const seed = intFlag(flags, 'seed', 0, 0);
  const env = family.makeVecEnv({ numEnvs, seed });
  env.setTasks(family.sample(numEnvs, { seed }));
  env.reset();
  const actions = new Int32Array(numEnvs);
  const episodeReturn = new Float64Array(numEnvs);
  let finished = 0, returnSum = 0;
  let rng = seed + 1;
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < numEnvs; i++) {
      rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0; // demo-only LCG for the random policy
      actions[i] = rng >>> 31 ? 1 : 0;
    }
    const { reward, terminated, truncated } = env.step(actions);
    for (let i = 0; i < numEnvs; i++) {
      episodeReturn[i] += reward[i];
      if (terminated[i] || truncated[i]) {
        finished++;
        returnSum += episodeReturn[i];
        episodeReturn[i] = 0;
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${family}: random policy, ${numEnvs} envs x ${steps} steps`);
  console.log(`episodes finished: ${finished}, mean return: ${(returnSum / Math.max(1, finished)).toFixed(2)}`);
  console.log(`env-steps/s (including the JS random policy): ${((numEnvs * steps) / seconds / 1e6).toFixed(2)} M`);
  env.dispose();
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'demo': await demo(readFlags(rest)); return 0;
      case 'train': return await trainCommand(rest);
      case 'adapt': return await adaptCommand(rest);
      case 'evaluate': return await evaluateCommand(rest);
      // The queue (BullMQ) is loaded only when --queue is given or a worker starts.
      case 'experiment': return await experimentCommand(rest, async (url, out, grid) => (await import('./experiment/queue')).queueExecutor(url, out, grid));
      case 'worker': return await (await import('./experiment/queue')).workerCommand(rest);
      case 'help': case '--help': case '-h':
        console.log(`${HELP}\n${TRAIN_USAGE.replace(/^Usage:\n/, '')}${dm.configHelp()}\n\n${[ADAPT_USAGE, EVALUATE_USAGE, EXPERIMENT_USAGE, WORKER_USAGE].map((u) => u.replace(/^Usage:\n/, '')).join('\n')}`);
        return 0;
      default: throw new dm.ConfigError('command', command, 'train | adapt | evaluate | experiment | worker | demo | help');
    }
  } catch (err) {
    if (err instanceof dm.ConfigError) {
      console.error(`dmaml: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
