// `dmaml worker`: its flags and --help, apart from the queue module (so help and flag errors never
// load BullMQ).
import { flagsHelp, intFlag, parseArgs, type CommandFlag } from '../../config';
import { ConfigError } from '../../errors';
import { defaultJobs } from './scheduler';

export const WORKER_FLAGS: readonly CommandFlag[] = [
  { flag: 'queue', type: '<redis://HOST:PORT>', description: "the experiment's queue (dmaml experiment --queue URL)", allowed: 'redis://HOST:PORT' },
  intFlag('jobs', 'cells at a time on this machine (default: its cores); each trains with max(1, floor(cores / jobs)) worker threads', 1, 1024),
  intFlag('lock-seconds', 'a cell whose worker stops answering this long goes back to the queue (default 30)', 2, 3600),
];

export const WORKER_USAGE = `Usage:
  dmaml worker --queue redis://HOST:PORT [--jobs N] [--lock-seconds 30]
      runs cells of 'dmaml experiment --queue' from the BullMQ queue on this machine, --jobs at a time
      (default: the cores), each in a local temporary directory; metrics, checkpoints and held-out
      records travel through Redis after every iteration. A cell whose worker stops answering for
      --lock-seconds goes back to the queue and resumes on another worker from its last checkpoint.
      Runs until Ctrl-C (cells in progress go back to the queue).
`;

export function workerHelp(): string {
  return `${WORKER_USAGE}\nFlags:\n${flagsHelp(WORKER_FLAGS)}\n`;
}

export interface WorkerOptions { url: string; jobs: number; lockSeconds: number }

/** The worker's flags, read by the CLI's one parser. */
export function parseWorkerArgs(argv: readonly string[]): WorkerOptions {
  const { flags } = parseArgs(argv, { command: 'worker', flags: WORKER_FLAGS });
  const url = flags.queue as string | undefined;
  if (url === undefined) throw new ConfigError('--queue', '(missing)', "redis://HOST:PORT of the experiment's queue");
  return { url, jobs: (flags.jobs as number | undefined) ?? defaultJobs(), lockSeconds: (flags['lock-seconds'] as number | undefined) ?? 30 };
}
