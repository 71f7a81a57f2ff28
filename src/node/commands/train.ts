// `dmaml train`: meta-trains from flags / --config, or continues a run with --resume. Everything
// the user gave is validated (config, ranges against the physics, the checkpoint) before the run
// directory is touched; afterwards each iteration leaves a consistent directory:
//   metrics.jsonl  one JSON line per iteration, appended
//   state.json     the trainer state (atomic; bit-identical resume)
//   policy/        the policy as a tfjs LayersModel (atomic, see fileSaveHandler)
//   curve.svg      pre/post-adaptation return per iteration (atomic)
// Order per iteration: metrics line, then state.json. A crash in between leaves one metrics line
// more than the state has; --resume cuts metrics.jsonl back to the state's iteration first.
import { readFile, stat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { init } from '../../init';
import { ConfigError } from '../../errors';
import { configFromFlags, configHelp, readFlags, resolveConfig, NO_VALUE, type TrainConfig } from '../../config';
import { Trainer, type TrainerState } from '../../train/trainer';
import { serializeState, deserializeState } from '../../train/checkpoint';
import { exportPolicy } from '../../train/export';
import type { IterationMetrics } from '../../train/types';
import { writeFileAtomic, fileSaveHandler, appendMetrics, readMetrics, writeMetrics, METRICS_FILE } from '../store';
import { curveSvg } from '../plot';
import { ProgressBar } from '../progress';
import { nodeWorkerFactory } from '../pool';

export const STATE_FILE = 'state.json';
export const POLICY_DIR = 'policy';
export const CURVE_FILE = 'curve.svg';

export const TRAIN_USAGE = `Usage:
  dmaml train [--out DIR] [--config file.json] [--<field> value …]
      meta-trains a policy; writes DIR/metrics.jsonl, DIR/state.json, DIR/policy/ (tfjs LayersModel),
      DIR/curve.svg. DIR defaults to runs/<env>-<algo>-seed<seed>-<date>.
  dmaml train --resume DIR [--iterations N] [--workers N]
      continues the run in DIR until N iterations exist in total (its other settings are kept;
      --workers may differ: results are identical for every worker count).

Config fields (flags; the same names in camelCase in --config file.json; flags win over the file):
`;

export function trainHelp(): string {
  return `${TRAIN_USAGE}${configHelp()}\n`;
}

async function pathKind(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
}

/** The --config file as an object; any problem is a ConfigError naming --config. */
export async function readConfigFile(path: string): Promise<object> {
  const allowed = 'a readable JSON file holding an object of config fields';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('--config', path, `${allowed} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('--config', path, `${allowed} (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('--config', path, allowed);
  return value;
}

/** DIR/state.json as a trainer state; a missing or corrupt file is a ConfigError naming `flag`. */
export async function readStateFile(dir: string, flag: string): Promise<TrainerState> {
  const path = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(flag, dir, `a run directory written by dmaml train, holding ${STATE_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let state: Record<string, unknown>;
  try {
    state = deserializeState(text);
  } catch (err) {
    throw new ConfigError(flag, path, `an intact checkpoint written by dmaml train; ${(err as Error).message}`);
  }
  // The config inside is validated like any other config (a hand-edited file could break it).
  try {
    state.config = resolveConfig(state.config);
  } catch (err) {
    throw new ConfigError(flag, path, `a checkpoint with a valid config; ${(err as Error).message}`);
  }
  if (!Number.isInteger(state.iteration) || (state.iteration as number) < 0 || !(state.theta instanceof Float32Array)) {
    throw new ConfigError(flag, path, 'a checkpoint with iteration and theta');
  }
  return state as unknown as TrainerState;
}

function defaultOutDir(c: TrainConfig): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
  return join('runs', `${c.env}-${c.algo}-seed${c.seed}-${stamp}`);
}

interface Plan {
  dir: string;
  trainer: Trainer;
  /** Metrics of the iterations already done (resume), cut to the state's iteration. */
  previous: IterationMetrics[];
  /** Whether metrics.jsonl holds lines past the state (a crash between the two writes). */
  truncateMetrics: boolean;
  target: number;
}

/** Validates everything and builds the trainer; touches no file. */
async function plan(argv: string[]): Promise<Plan> {
  const { out, config: configPath, resume, ...configFlags } = readFlags(argv);
  for (const [name, value] of Object.entries({ out, config: configPath, resume })) {
    if (value === NO_VALUE) throw new ConfigError(`--${name}`, '(no value)', name === 'config' ? 'a JSON file path' : 'a directory path');
  }
  const fileConfig = typeof configPath === 'string' ? await readConfigFile(configPath) : undefined;
  const partial = configFromFlags(configFlags, fileConfig) as Record<string, unknown>;

  if (typeof resume === 'string') {
    if (typeof out === 'string' && resolve(out) !== resolve(resume)) {
      throw new ConfigError('--out', out, `omit it with --resume (the run continues in ${resume})`);
    }
    const state = await readStateFile(resume, '--resume');
    const saved = state.config as unknown as Record<string, unknown>;
    // Only the length of the run and the worker count may change: any other field would make the
    // continuation differ from an uninterrupted run (the worker count does not change results).
    for (const [key, value] of Object.entries(partial)) {
      if (key === 'iterations' || key === 'workers') continue;
      const normalised = resolveConfig({ ...saved, [key]: value })[key as keyof TrainConfig];
      if (JSON.stringify(normalised) !== JSON.stringify(saved[key])) {
        throw new ConfigError(key, value, `${JSON.stringify(saved[key])} (the run in ${resume} keeps its settings; only --iterations may change)`);
      }
    }
    const target = partial.iterations !== undefined ? resolveConfig({ ...saved, iterations: partial.iterations }).iterations : state.config.iterations;
    if (target < state.iteration) {
      throw new ConfigError('iterations', target, `an integer >= ${state.iteration} (the iterations already in ${resume})`);
    }
    const lines = await readMetricsChecked(resume);
    if (lines.length < state.iteration) {
      throw new ConfigError('--resume', join(resume, METRICS_FILE), `a metrics file with at least the ${state.iteration} iterations of ${STATE_FILE} (it has ${lines.length})`);
    }
    await init({ backend: state.config.backend });
    const workers = resolveConfig({ ...saved, workers: partial.workers }).workers;
    const trainer = Trainer.fromState({ ...state, config: { ...state.config, iterations: target } }, { workers, workerFactory: nodeWorkerFactory() });
    return { dir: resume, trainer, previous: lines.slice(0, state.iteration), truncateMetrics: lines.length > state.iteration, target };
  }

  const config = resolveConfig(partial);
  const dir = typeof out === 'string' ? out : defaultOutDir(config);
  const kind = await pathKind(dir);
  if (kind === 'file') throw new ConfigError('--out', dir, 'a directory (this path is a file)');
  if (kind === 'dir') {
    for (const name of [STATE_FILE, METRICS_FILE]) {
      if ((await pathKind(join(dir, name))) !== 'none') {
        throw new ConfigError('--out', dir, `a directory without a run in it (it holds ${name}: continue it with --resume ${dir}, or choose another --out)`);
      }
    }
  }
  await init({ backend: config.backend });
  // Builds the task family (ranges against the physics' domain), the medium task and the policy.
  const trainer = new Trainer({ ...config, workerFactory: nodeWorkerFactory() });
  return { dir, trainer, previous: [], truncateMetrics: false, target: config.iterations };
}

async function readMetricsChecked(dir: string): Promise<IterationMetrics[]> {
  try {
    return await readMetrics(dir);
  } catch (err) {
    throw new ConfigError('--resume', join(dir, METRICS_FILE), `a metrics file of JSON lines; ${(err as Error).message}`);
  }
}

function titleOf(c: TrainConfig): string {
  return `${c.env} · ${c.algo} · seed ${c.seed}`;
}

async function saveIteration(dir: string, trainer: Trainer, all: IterationMetrics[]): Promise<void> {
  await writeFileAtomic(join(dir, STATE_FILE), serializeState(trainer.getState()));
  await exportPolicy(trainer.policy, fileSaveHandler(join(dir, POLICY_DIR)));
  await writeFileAtomic(join(dir, CURVE_FILE), curveSvg(all, { title: titleOf(trainer.config) }));
}

function summary(dir: string, all: IterationMetrics[], seconds: number, done: number, target: number, interrupted: boolean): string {
  const lines: string[] = [];
  if (all.length > 0) {
    const first = all[0], last = all[all.length - 1];
    const steps = all.reduce((s, m) => s + m.envSteps, 0);
    lines.push(`iterations: ${last.iteration} of ${target}${interrupted ? ' (interrupted)' : ''}; ${done} in this run, ${seconds.toFixed(1)} s (${(seconds / Math.max(1, done)).toFixed(2)} s/iteration)`);
    lines.push(`return before adaptation: ${first.preReturn.toFixed(1)} (iteration ${first.iteration}) → ${last.preReturn.toFixed(1)} (iteration ${last.iteration})`);
    lines.push(`return after adaptation:  ${first.postReturn.toFixed(1)} (iteration ${first.iteration}) → ${last.postReturn.toFixed(1)} (iteration ${last.iteration})`);
    lines.push(`env steps: ${steps}`);
  } else {
    lines.push('no iterations run');
  }
  lines.push(`curve:   ${join(dir, CURVE_FILE)}`);
  lines.push(`policy:  ${join(dir, POLICY_DIR, 'model.json')} (tfjs LayersModel)`);
  lines.push(`metrics: ${join(dir, METRICS_FILE)}`);
  if (interrupted || (all.length && all[all.length - 1].iteration < target)) lines.push(`continue: dmaml train --resume ${dir}`);
  return lines.join('\n');
}

export async function trainCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(trainHelp());
    return 0;
  }
  const { dir, trainer, previous, truncateMetrics, target } = await plan(argv);
  // From here on the input is valid: create or update the run directory.
  await mkdir(dir, { recursive: true });
  if (truncateMetrics) await writeMetrics(dir, previous);
  const all = [...previous];
  const remaining = target - trainer.iteration;
  console.error(`dmaml train: ${titleOf(trainer.config)}, ${trainer.family}; ${previous.length ? `resuming at iteration ${trainer.iteration}, ` : ''}${remaining} iteration(s) → ${dir}`);

  // Ctrl-C: finish the current iteration's files, then stop (a second Ctrl-C stops at once).
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ndmaml train: stopping after this iteration (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSignal);
  const progress = new ProgressBar(target, { start: trainer.iteration });
  const t0 = performance.now();
  let done = 0;
  try {
    if (remaining === 0) await saveIteration(dir, trainer, all);
    for await (const m of trainer.run(remaining)) {
      await appendMetrics(dir, m);
      all.push(m);
      await saveIteration(dir, trainer, all);
      done++;
      progress.update(m);
      if (interrupted) break;
    }
  } finally {
    progress.finish();
    process.off('SIGINT', onSignal);
    trainer.dispose();
  }
  console.log(summary(dir, all, (performance.now() - t0) / 1000, done, target, interrupted));
  return interrupted ? 130 : 0;
}
