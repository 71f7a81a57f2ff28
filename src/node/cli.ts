// `dmaml`: the command-line face of the library (Node only). Every command reads its flags with the
// one parser (src/config.ts parseArgs), and every failure a user can cause — a bad value, a run
// directory that is not theirs to write, the state of their disk — ends as one line on stderr:
//   exit 2: refused before anything was written (ConfigError);
//   exit 1: the file system failed (FileError: the path and the system's cause);
//   exit 130 / 143: stopped by Ctrl-C / SIGTERM after committing an iteration (dmaml train).
import * as dm from '../index';
import { loadWasm } from '../core/wasm';
import { uniforms, Purpose } from '../core/rng';
import { intFlag, parseArgs, flagsHelp, type CommandFlag } from '../config';
import { FileError } from './store';
import { MAX_VEC_ENVS } from '../envs/vec-env';
import { trainCommand, trainHelp } from './commands/train';
import { adaptCommand, ADAPT_USAGE } from './commands/adapt';
import { experimentCommand, EXPERIMENT_USAGE } from './commands/experiment';
import { evaluateCommand, EVALUATE_USAGE } from './commands/evaluate';
import { WORKER_USAGE, parseWorkerArgs, workerHelp } from './experiment/usage';
import { setDefaultWorkerFactory } from '../train/pool';
import { nodeWorkerFactory } from './pool';

// The CLI is a Node face: trainers get worker_threads for their `workers` (as 'directed-maml/node' gives them).
setDefaultWorkerFactory(nodeWorkerFactory());

const DEMO_FLAGS: readonly CommandFlag[] = [
  intFlag('num-envs', 'parallel envs (lanes) of the vec-env', 1, MAX_VEC_ENVS),
  intFlag('steps', 'env steps per lane', 1, 2 ** 31 - 1),
];

const HELP = `dmaml — meta-reinforcement learning (MAML family, task-directed variants)

Usage:
  dmaml train …   (dmaml train --help)
  dmaml adapt …   (dmaml adapt --help)
  dmaml evaluate …    (dmaml evaluate --help)
  dmaml experiment …  (dmaml experiment --help)
  dmaml worker …      (dmaml worker --help)
  dmaml demo [--env CartPole-v1] [--num-envs 4096] [--steps 2000] [--seed 0]
      steps a task family with uniformly random actions; prints mean return and env-steps/s
${flagsHelp(DEMO_FLAGS).replace(/^/gm, '    ')}
  dmaml help

Exit codes: 0 done; 2 refused before anything was written (one line naming the field, the value
and what is allowed); 1 the file system failed (one line naming the path and the cause);
130 / 143 stopped by Ctrl-C / SIGTERM after committing an iteration.
`;

async function demo(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP.slice(HELP.indexOf('  dmaml demo'), HELP.indexOf('  dmaml help')).trimEnd());
    return;
  }
  const { flags, config } = parseArgs(argv, { command: 'demo', flags: DEMO_FLAGS, configFields: ['env', 'seed'] });
  await dm.init();
  const family = dm.taskFamily(config.env ?? 'CartPole-v1');
  const numEnvs = (flags['num-envs'] as number | undefined) ?? 4096;
  const steps = (flags.steps as number | undefined) ?? 2000;
  const seed = config.seed ?? 0;
  const env = family.makeVecEnv({ numEnvs, seed });
  env.setTasks(family.sample(numEnvs, { seed }));
  env.reset();
  const actions = new Int32Array(numEnvs);
  const episodeReturn = new Float64Array(numEnvs);
  let finished = 0, returnSum = 0;
  const t0 = performance.now();
  for (let t = 0; t < steps; t++) {
    // The random policy draws from the library's one RNG: stream (seed, ACTION, 0, t) for step t.
    const u = uniforms(seed, Purpose.ACTION, 0, t, numEnvs);
    for (let i = 0; i < numEnvs; i++) actions[i] = Math.min(family.numActions - 1, Math.floor(u[i] * family.numActions));
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
  console.log(`env-steps/s (including the random policy's draws): ${((numEnvs * steps) / seconds / 1e6).toFixed(2)} M`);
  env.dispose();
}

/** One line for an error a user can cause; null for a bug (which keeps its stack trace). */
function userMessage(err: unknown): { line: string; code: number } | null {
  if (err instanceof dm.ConfigError) return { line: err.message, code: 2 };
  if (err instanceof FileError) return { line: err.message, code: 1 };
  const e = err as NodeJS.ErrnoException;
  // A system error that escaped a FileError wrapper still names its path and cause.
  if (e && typeof e.code === 'string' && typeof e.syscall === 'string') {
    return { line: FileError.from(e, e.path ?? '(unknown path)', e.syscall).message, code: 1 };
  }
  return null;
}

export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'demo': await demo(rest); return 0;
      case 'train': return await trainCommand(rest);
      case 'adapt': return await adaptCommand(rest);
      case 'evaluate': return await evaluateCommand(rest);
      // The queue (BullMQ) is loaded only when --queue is given or a worker starts.
      case 'experiment': return await experimentCommand(rest, async (url, out, grid, signal) => (await import('./experiment/queue')).queueExecutor(url, out, grid, { signal }));
      case 'worker': {
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(workerHelp());
          return 0;
        }
        const options = parseWorkerArgs(rest); // flags first: a bad one never loads BullMQ
        return await (await import('./experiment/queue')).workerCommand(options);
      }
      case 'help': case '--help': case '-h':
        await loadWasm(); // the memory limits in the train help come from the module
        console.log(`${HELP}\n${trainHelp().replace(/^Usage:\n/, '')}\n${[ADAPT_USAGE, EVALUATE_USAGE, EXPERIMENT_USAGE, WORKER_USAGE].map((u) => u.replace(/^Usage:\n/, '')).join('\n')}`);
        return 0;
      default: throw new dm.ConfigError('command', command, 'train | adapt | evaluate | experiment | worker | demo | help');
    }
  } catch (err) {
    const message = userMessage(err);
    if (message) {
      console.error(`dmaml: ${message.line}`);
      return message.code;
    }
    throw err;
  }
}
