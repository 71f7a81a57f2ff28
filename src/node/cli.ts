// `dmaml`: the command-line face of the library (Node only). Every command reads its flags with the
// one parser (src/config.ts parseArgs), and every failure a user can cause — a bad value, a run
// directory that is not theirs to write, the state of their disk — ends as one line on stderr:
//   exit 2: refused before anything was written (ConfigError);
//   exit 1: the file system failed (FileError: the path and the system's cause);
//   exit 130 / 143: stopped by Ctrl-C / SIGTERM after committing an iteration (dmaml train).
import * as dm from '../index';
import { uniforms, Purpose } from '../core/rng';
import { intFlag, parseArgs, flagsHelp, type CommandFlag } from '../config';
import { FileError } from './store';
import { MAX_VEC_ENVS } from '../envs/vec-env';
import { trainCommand } from './commands/train';
import { adaptCommand } from './commands/adapt';
import { experimentCommand } from './commands/experiment';
import { evaluateCommand } from './commands/evaluate';
import { parseWorkerArgs, workerHelp } from './experiment/usage';
import { setDefaultWorkerFactory } from '../train/pool';
import { nodeWorkerFactory } from './pool';
import { setFileHandlers } from '../train/files';
import { fileLoadHandler, fileSaveHandler, registerFileRouters } from './store';

// The CLI is a Node face: trainers get worker_threads for their `workers`, dm.loadPolicy reads
// files (as 'directed-maml/node' gives them).
setDefaultWorkerFactory(nodeWorkerFactory());
setFileHandlers({ load: fileLoadHandler, save: (target) => fileSaveHandler(target) });
registerFileRouters();

const DEMO_FLAGS: readonly CommandFlag[] = [
  intFlag('num-envs', 'parallel envs (lanes) of the vec-env', 1, MAX_VEC_ENVS),
  intFlag('steps', 'env steps per lane', 1, 2 ** 31 - 1),
];

const COMMANDS: readonly [string, string][] = [
  ['train', 'meta-train a policy into a run directory (resumable)'],
  ['adapt', 'returns of a trained policy on one task after 0..k adaptation steps'],
  ['evaluate', 'held-out k-shot returns of a trained run'],
  ['experiment', 'a grid of training runs, evaluated and reported with statistics'],
  ['worker', "run cells of a queued experiment ('dmaml experiment --queue') on this machine"],
  ['demo', 'step a task family with random actions; env-steps/s'],
];

const HELP = `dmaml — meta-reinforcement learning (MAML family, task-directed variants)

Usage: dmaml <command> [flags]

Commands:
${COMMANDS.map(([c, what]) => `  ${c.padEnd(12)}${what}`).join('\n')}

dmaml <command> --help prints a command's flags, defaults and limits.
Exit codes: 0 done; 2 refused before anything was written (one line naming the field, the value
and what is allowed); 1 the file system failed (one line naming the path and the cause);
130 / 143 stopped by Ctrl-C / SIGTERM after committing an iteration.
`;

const DEMO_USAGE = `Usage:
  dmaml demo [--env CartPole-v1] [--num-envs 4096] [--steps 2000] [--seed 0]
      steps a task family with uniformly random actions; prints mean return and env-steps/s

Flags:
${flagsHelp(DEMO_FLAGS)}
`;

async function demo(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(DEMO_USAGE);
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

/**
 * The queue module (BullMQ on Redis), loaded only by `--queue` and `dmaml worker`. bullmq and
 * ioredis are optional peers of the package: without them this is one line saying what to install.
 */
async function loadQueue(url: string): Promise<typeof import('./experiment/queue')> {
  try {
    return await import('./experiment/queue');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = /['"](bullmq|ioredis)['"]/.exec(e?.message ?? '')?.[1];
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || missing === undefined) throw err;
    throw new dm.ConfigError('--queue', url, `a queue once its packages are installed: ${missing} is missing; run \`npm i bullmq ioredis\` (optional dependencies of directed-maml, needed only by --queue and dmaml worker)`);
  }
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
      case 'experiment': return await experimentCommand(rest, async (url, out, grid, signal) => (await loadQueue(url)).queueExecutor(url, out, grid, { signal }));
      case 'worker': {
        if (rest.includes('--help') || rest.includes('-h')) {
          process.stdout.write(workerHelp());
          return 0;
        }
        const options = parseWorkerArgs(rest); // flags first: a bad one never loads BullMQ
        return await (await loadQueue(options.url)).workerCommand(options);
      }
      case 'help': case '--help': case '-h':
        process.stdout.write(HELP);
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
