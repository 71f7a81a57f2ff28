// `dmaml train`: meta-trains from flags / --config, or continues a run with --resume, through
// runTraining (src/node/run-training.ts: validation before any write, the lock, the order of the
// files of an iteration). This file is the face: flags, the progress bar, signals, the summary.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../errors';
import { loadWasm } from '../../core/wasm';
import { configFromFlags, configHelp, flagsHelp, memoryLimitsHelp, parseArgs, parseJsonStrict, isPlainObject, resolveConfig, type CommandFlag, type TrainConfig } from '../../config';
import type { IterationMetrics } from '../../train/types';
import { ProgressBar } from '../progress';
import { resolveEnvArg } from '../env-module';
import { runTraining, resumeCommand, type TrainingResult } from '../run-training';
import { CURVE_FILE, METRICS_FILE, POLICY_DIR } from '../run-files';

export const TRAIN_FLAGS: readonly CommandFlag[] = [
  { flag: 'out', type: '<dir>', description: 'the run directory of a new run (absent or empty); default runs/<env>-<algo>-seed<seed>-<date>', allowed: 'a directory path' },
  { flag: 'resume', type: '<dir>', description: 'continue the run in this directory (other config flags must match it; --iterations sets the new total)', allowed: 'a directory path' },
  { flag: 'config', type: '<file.json>', description: 'config fields as a JSON object (camelCase names); flags win over the file', allowed: 'a JSON file path' },
];

export const TRAIN_USAGE = `Usage:
  dmaml train [--out DIR] [--config file.json] [--<field> value …]
      meta-trains a policy; writes DIR/run.json, DIR/metrics.jsonl, DIR/state.json,
      DIR/policy/ (tfjs LayersModel), DIR/curve.svg.
  dmaml train --env ./my-env.mjs [--<field> value …]
      trains on your own env: a module whose default export is a dm.defineEnv definition (its id
      names the run; README "Your own environment"); run.json keeps the module's path for --resume.
  dmaml train --resume DIR [--iterations N]
      continues the run in DIR until N iterations exist in total (its other settings are kept).
  Ctrl-C or SIGTERM stop after the current iteration (its files written) and print the resume command.
`;

export function trainHelp(): string {
  return `${TRAIN_USAGE}\nFlags:\n${flagsHelp(TRAIN_FLAGS)}\n\nConfig fields (flags; the same names in camelCase in --config file.json):\n${configHelp()}\n\n${memoryLimitsHelp()}\n`;
}

/**
 * The JSON object in the file at `path` (a key given twice is refused, not "last one wins"); any
 * problem is a ConfigError naming `flag` (--config here, --grid for an experiment).
 */
export async function readJsonObjectFile(path: string, flag: string, allowed: string): Promise<object> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(flag, path, `${allowed} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = parseJsonStrict(text);
  } catch (err) {
    throw new ConfigError(flag, path, `${allowed} (${(err as Error).message})`);
  }
  if (!isPlainObject(value)) throw new ConfigError(flag, path, allowed);
  return value;
}

function defaultOutDir(c: TrainConfig): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return join('runs', `${c.env}-${c.algo}-seed${c.seed}-${stamp}`);
}

function summary(r: TrainingResult): string {
  const lines: string[] = [];
  const all = r.metrics;
  if (all.length > 0) {
    const first = all[0], last = all[all.length - 1];
    const steps = all.reduce((s, m) => s + m.envSteps, 0);
    lines.push(`iterations: ${last.iteration} of ${r.target}${r.interrupted ? ' (interrupted)' : ''}; ${r.done} in this run, ${r.seconds.toFixed(1)} s (${(r.seconds / Math.max(1, r.done)).toFixed(2)} s/iteration)`);
    lines.push(`return before adaptation: ${first.preReturn.toFixed(1)} (iteration ${first.iteration}) → ${last.preReturn.toFixed(1)} (iteration ${last.iteration})`);
    lines.push(`return after adaptation:  ${first.postReturn.toFixed(1)} (iteration ${first.iteration}) → ${last.postReturn.toFixed(1)} (iteration ${last.iteration})`);
    lines.push(`env steps: ${steps}`);
  } else {
    lines.push(`no iterations run${r.interrupted ? ' (interrupted)' : ''}`);
  }
  lines.push(`curve:   ${join(r.dir, CURVE_FILE)}`);
  lines.push(`policy:  ${join(r.dir, POLICY_DIR, 'model.json')} (tfjs LayersModel)`);
  lines.push(`metrics: ${join(r.dir, METRICS_FILE)}`);
  if (r.iteration < r.target) lines.push(`continue: ${resumeCommand(r.dir)}`);
  return lines.join('\n');
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export async function trainCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    await loadWasm(); // the memory limits are computed from the module
    process.stdout.write(trainHelp());
    return 0;
  }
  const { flags, config: flagConfig } = parseArgs(argv, { command: 'train', flags: TRAIN_FLAGS, configFields: 'all' });
  const out = flags.out as string | undefined, resumeDir = flags.resume as string | undefined;
  const fileConfig = typeof flags.config === 'string' ? await readJsonObjectFile(flags.config, '--config', 'a readable JSON file holding an object of config fields') : undefined;
  // --env ./my-env.mjs: the module's env is defined, and its id stands for it from here on.
  const given = await resolveEnvArg(configFromFlags(flagConfig, fileConfig));
  if (resumeDir !== undefined && out !== undefined && resolve(out) !== resolve(resumeDir)) {
    throw new ConfigError('--out', out, `omit it with --resume (the run continues in ${resumeDir})`);
  }
  // The edge of `dmaml train`: a new run's flags and file are resolved here, once (a resume's flags
  // are only what the caller expects the saved run to have).
  const config = resumeDir === undefined ? resolveConfig(given) : given;
  const dir = resumeDir ?? out ?? defaultOutDir(resolveConfig(config));

  // Ctrl-C or SIGTERM: finish the current iteration's files, then stop (a second one stops at
  // once; the lock is released by runTraining's exit handler, and the directory holds the last
  // committed iteration).
  const controller = new AbortController();
  let signalled: string | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // The directory holds its last committed iteration (a part-written one is cut on resume).
      process.stderr.write(`\ndmaml train: stopped; continue: ${resumeCommand(dir)}\n`);
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    signalled = signal;
    controller.abort();
    process.stderr.write(`\ndmaml train: stopping after this iteration (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit now)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let progress: ProgressBar | null = null;
  try {
    const result = await runTraining({
      dir, mode: resumeDir !== undefined ? 'resume' : 'new', config, signal: controller.signal,
      flag: resumeDir !== undefined ? '--resume' : '--out',
      onStart(run) {
        const c = run.config;
        console.error(`dmaml train: ${c.env} · ${c.algo} · seed ${c.seed}, ${run.family}; ${run.resumed ? `resuming at iteration ${run.startIteration}, ` : ''}${run.target - run.startIteration} iteration(s) → ${dir}`);
        progress = new ProgressBar(run.target, { start: run.startIteration });
      },
      onIteration(m: IterationMetrics) {
        progress?.update(m);
      },
    });
    (progress as ProgressBar | null)?.finish();
    progress = null;
    console.log(summary(result));
    return result.interrupted && signalled ? SIGNAL_EXIT[signalled] : 0;
  } finally {
    (progress as ProgressBar | null)?.finish();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
