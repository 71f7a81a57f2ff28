// runTraining: one training run into one run directory (Node only). `dmaml train` is a thin face
// over it; the experiment runner and queue workers call it the same way.
//
// Order of work: everything the caller gave is validated and the trainer is built (config, ranges
// against the physics, WASM memory, the run directory's files) before anything is written; then
// the directory is created if needed, locked, checked again under the lock, and each iteration is
// committed in this order:
//   1. its metrics line is appended to metrics.jsonl and flushed;
//   2. state.json is replaced (atomically): the commit point;
//   3. policy/ and curve.svg are replaced (atomically).
// A crash after 1 leaves one metrics line (or a torn part of one) past the state: a resume cuts it.
// A crash after 2 leaves the policy and curve one iteration behind: the next iteration (or a resume
// with nothing left to run) rewrites them. The lock is released on every exit path, and a lock left
// by a killed process is stale and taken over.
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { init } from '../init';
import { ConfigError } from '../errors';
import { canonicalJson, configField, resolveConfig, RESUMABLE_FIELDS, type TrainConfig } from '../train/config';
import { Trainer, checkTrainingConfig } from '../train/trainer';
import { serializeState } from '../train/checkpoint';
import { exportPolicy } from '../train/export';
import type { IterationMetrics } from '../train/types';
import { FileError, appendMetrics, fileSaveHandler, writeFileAtomic, writeMetrics } from './store';
import { curveSvg } from './plot';
import { CURVE_FILE, METRICS_FILE, POLICY_DIR, RUN_FILE, STATE_FILE } from './run-files';
import { shellQuote } from './shell';
import { acquireRunLock, type RunLock } from './run-lock';
import { identityOf, runFileText, type RunIdentity } from './run-identity';
import { createRunDir, holdsRunError, inspectRunDir, readRun, type RunContents } from './run-survey';

export interface RunTrainingOptions {
  dir: string;
  /**
   * 'new': dir must be absent or empty (nothing of a user's in it); 'resume': dir must hold a run;
   * 'auto': a new run, or the resume of the run in dir when it has this config (another run is refused).
   */
  mode: 'new' | 'resume' | 'auto';
  /**
   * new/auto: the run's config (validated and completed here). resume: values the caller expects
   * the run to have (e.g. flags given with --resume): any that differ are refused, except
   * RESUMABLE_FIELDS — `iterations` sets the new total.
   */
  config?: Partial<TrainConfig>;
  /** Iterations in total; overrides config.iterations. */
  iterations?: number;
  /** Called once the directory is locked and checked, before the first iteration. */
  onStart?(run: StartedRun): void;
  /** Called after each iteration's files are committed. */
  onIteration?(metrics: IterationMetrics, run: StartedRun): void | Promise<void>;
  /** Aborting stops the run after the current iteration's files are committed. */
  signal?: AbortSignal;
  /** What the lock file says holds the directory (default: this process's command line). */
  command?: string;
  /** The name errors about `dir` give it (default '--out' for new runs, '--resume' otherwise). */
  flag?: string;
}

export interface StartedRun {
  dir: string;
  /** The run's config, iterations = the target. */
  config: TrainConfig;
  identity: RunIdentity;
  /** Iterations already in the directory when this call started. */
  startIteration: number;
  target: number;
  resumed: boolean;
  /** The task family, described (for a start line). */
  family: string;
}

export interface TrainingResult extends StartedRun {
  /** Metrics of iterations 1..iteration (all of the run's, not just this call's). */
  metrics: IterationMetrics[];
  /** Iterations completed in total. */
  iteration: number;
  /** Iterations run by this call. */
  done: number;
  interrupted: boolean;
  seconds: number;
}

/** The resume command of a run directory, quoted for a shell. */
export function resumeCommand(dir: string): string {
  return `dmaml train --resume ${shellQuote(dir)}`;
}

interface Plan {
  config: TrainConfig;
  target: number;
  /** The directory's contents when resuming; null for a new run. */
  existing: RunContents | null;
}

/** Compares what the caller expects with the run's config; only RESUMABLE_FIELDS may differ. */
function checkExpected(expected: Partial<TrainConfig>, saved: TrainConfig, dir: string): void {
  for (const [key, value] of Object.entries(expected)) {
    if ((RESUMABLE_FIELDS as readonly string[]).includes(key)) continue;
    const field = configField(key);
    const normalised = field ? field.check(value) : value;
    const kept = (saved as unknown as Record<string, unknown>)[key];
    if (canonicalJson(normalised) !== canonicalJson(kept)) {
      throw new ConfigError(key, value, `${kept === undefined ? 'nothing' : JSON.stringify(kept)} (the run in ${dir} keeps its settings; only ${RESUMABLE_FIELDS.map((f) => `--${f}`).join(', ')} may change)`);
    }
  }
}

/**
 * What the directory holds and what to run; reads, never writes. `newConfig`: the resolved config
 * of a new run (null for a resume).
 */
async function planRun(o: RunTrainingOptions, flag: string, newConfig: TrainConfig | null): Promise<Plan> {
  const requested = o.iterations ?? o.config?.iterations;
  if (newConfig) {
    const kind = await inspectRunDir(o.dir, flag);
    if (kind !== 'run') return { config: newConfig, target: newConfig.iterations, existing: null };
    if (o.mode === 'new') throw await holdsRunError(o.dir, flag, newConfig);
  }
  const existing = await readRun(o.dir, flag);
  const saved = existing.state?.config ?? existing.config;
  if (newConfig && identityOf(newConfig).configHash !== existing.identity.configHash) {
    const theirs = existing.identity;
    throw new ConfigError(flag, o.dir, `a directory holding this run or none (it holds another run: ${theirs.env}, ${theirs.algo}, seed ${theirs.seed}, config ${theirs.configHash}; this one is config ${identityOf(newConfig).configHash})`);
  }
  if (o.mode === 'resume' && o.config) checkExpected(o.config, saved, o.dir);
  const target = requested !== undefined ? configField('iterations')!.check(requested) as number : saved.iterations;
  const done = existing.state?.iteration ?? 0;
  if (target < done) throw new ConfigError('iterations', target, `an integer >= ${done} (the iterations already in ${o.dir})`);
  // The other resumable fields the caller gave (workers) apply to this call: they are not the run's.
  const given: Record<string, unknown> = {};
  for (const key of RESUMABLE_FIELDS) if (key !== 'iterations' && o.config?.[key] !== undefined) given[key] = o.config[key];
  return { config: resolveConfig({ ...saved, ...given, iterations: target }), target, existing };
}

/**
 * Runs (or continues) the training run in `dir` to its target number of iterations, committing
 * each iteration's files as described at the top of this file. Refuses, before writing anything,
 * with a ConfigError (bad values, a directory that is not this run's or is locked by a live
 * process) or a FileError (the file system). A FileError during the run says which iteration the
 * directory holds intact and how to resume.
 */
export async function runTraining(o: RunTrainingOptions): Promise<TrainingResult> {
  const flag = o.flag ?? (o.mode === 'new' ? '--out' : '--resume');
  const { dir } = o;
  // A new run's config is resolved once, here, and its values are checked first, whatever the
  // directory holds (the ranges against the physics, the medium task, the WASM memory).
  const newConfig = o.mode === 'resume' ? null : resolveConfig(o.iterations !== undefined ? { ...o.config, iterations: o.iterations } : o.config ?? {});
  if (newConfig) {
    await init({ backend: newConfig.backend });
    checkTrainingConfig(newConfig);
  }
  const first = await planRun(o, flag, newConfig);
  if (first.existing) {
    // A resume: validate what will run (the saved config, against this version's limits).
    await init({ backend: first.config.backend });
    checkTrainingConfig(first.config);
  }

  const removeCreated = first.existing ? async () => undefined : await createRunDir(dir, flag);
  let lock: RunLock;
  try {
    lock = await acquireRunLock(dir, { command: o.command ?? ['dmaml', ...process.argv.slice(2)].join(' '), flag });
  } catch (err) {
    await removeCreated();
    throw err;
  }
  const releaseOnExit = () => lock.release();
  process.on('exit', releaseOnExit);
  let trainer: Trainer | null = null;
  // Whether the directory holds a run that must stay if this call fails: a resumed one, or a new
  // one once its first iteration is committed. Otherwise a failure removes what this call wrote
  // (only if it wrote run.json: a run another process finished meanwhile is not this call's).
  let committed = false;
  let wroteRunFile = false;
  try {
    // Under the lock, the directory is ours: look again (another process may have written it
    // between the first look and the lock).
    const plan = await planRun(o, flag, newConfig);
    const existing = plan.existing;
    const identity = identityOf(plan.config);
    const id = identity.configHash;
    trainer = existing?.state ? Trainer.fromState({ ...existing.state, config: plan.config }) : new Trainer(plan.config);
    if (!existing) {
      wroteRunFile = true;
      await writeFileAtomic(join(dir, RUN_FILE), runFileText(plan.config));
    } else if (existing.metricsNeedCut) {
      // Lines past the checkpoint and any torn tail go before anything is appended.
      await writeMetrics(dir, existing.metrics, { run: id });
    }
    committed = existing !== null;
    const metrics = [...(existing?.metrics ?? [])];
    const started: StartedRun = {
      dir, config: plan.config, identity, startIteration: trainer.iteration, target: plan.target, resumed: existing !== null,
      family: String(trainer.family),
    };
    o.onStart?.(started);

    const title = `${plan.config.env} · ${plan.config.algo} · seed ${plan.config.seed}`;
    const saveDerived = async () => {
      // With what a loader needs to adapt the policy (dm.loadPolicy, the page) and the run it belongs to.
      await exportPolicy(trainer!.policy, fileSaveHandler(join(dir, POLICY_DIR), trainer!.policyMetadata(id)));
      await writeFileAtomic(join(dir, CURVE_FILE), curveSvg(metrics, { title }));
    };
    const metricsPath = join(dir, METRICS_FILE);
    const metricsSize = async () => {
      const handle = await open(metricsPath, 'r').catch(() => null);
      if (!handle) return 0;
      try { return (await handle.stat()).size; } finally { await handle.close(); }
    };
    let committedBytes = await metricsSize();

    const remaining = plan.target - trainer.iteration;
    if (remaining === 0) {
      // Nothing to run: bring the derived files (and the recorded target) up to the state.
      if (existing?.state && existing.state.config.iterations !== plan.target) await writeFileAtomic(join(dir, STATE_FILE), serializeState(trainer.getState()));
      if (existing?.policyIteration !== trainer.iteration) await saveDerived();
    }
    const t0 = performance.now();
    let done = 0;
    let interrupted = o.signal?.aborted ?? false;
    try {
      if (!interrupted) {
        for await (const m of trainer.run(remaining)) {
          await appendMetrics(dir, m, { run: id });
          await writeFileAtomic(join(dir, STATE_FILE), serializeState(trainer.getState()));
          committed = true;
          committedBytes = await metricsSize();
          metrics.push(m);
          await saveDerived();
          done++;
          await o.onIteration?.(m, started);
          if (o.signal?.aborted) {
            interrupted = trainer.iteration < plan.target;
            break;
          }
        }
      }
    } catch (err) {
      if (err instanceof FileError) {
        // Leave the directory exactly at its last committed iteration (truncating needs no space).
        const handle = await open(metricsPath, 'r+').catch(() => null);
        if (handle) await handle.truncate(committedBytes).catch(() => undefined).finally(() => handle.close());
        throw committed
          ? err.withHint(`${dir} holds iteration ${metrics.length} intact; once the cause is fixed, continue with: ${resumeCommand(dir)}`)
          : err;
      }
      throw err;
    }
    return { ...started, metrics, iteration: trainer.iteration, done, interrupted, seconds: (performance.now() - t0) / 1000 };
  } catch (err) {
    if (!committed) {
      // A new run that never committed an iteration: remove what this call wrote.
      if (wroteRunFile) for (const name of [STATE_FILE, METRICS_FILE, RUN_FILE, CURVE_FILE]) await unlink(join(dir, name)).catch(() => undefined);
      lock.release();
      await removeCreated();
    }
    throw err;
  } finally {
    trainer?.dispose();
    lock.release();
    process.off('exit', releaseOnExit);
  }
}
