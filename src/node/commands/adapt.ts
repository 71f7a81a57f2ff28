// `dmaml adapt`: the few-shot curve of a trained run on one task — the mean return after 0, 1, …,
// steps adaptation steps (fresh rollouts after every step), with the run's own inner rate
// (Meta-SGD: its learned rates). --save DIR writes the adapted policy (tfjs LayersModel).
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../errors';
import { readFlags, NO_VALUE, type FlagValues } from '../../config';
import { init } from '../../init';
import { taskFamily } from '../../envs/task-family';
import { createPolicy } from '../../nn/policy';
import { adaptPolicy } from '../../meta/evaluate';
import { exportPolicy, POLICY_METADATA_KEY, type PolicyMetadata } from '../../train/export';
import type { Policy } from '../../nn/policy';
import { fileSaveHandler, METRICS_FILE } from '../store';
import { readStateFile, POLICY_DIR, STATE_FILE } from './train';

export const ADAPT_USAGE = `Usage:
  dmaml adapt --checkpoint DIR [--env ID] [--task name=value,…] [--steps 3] [--episodes E] [--seed S] [--max-steps T] [--save OUT] [--json]
      the mean return on one task after 0..steps inner adaptation steps of the run saved in DIR
      (DIR/state.json). --task names task parameters; the others take the centre of the run's ranges.
      --env must be the run's env (the default); --episodes, --seed and --max-steps default to the run's.
      --save OUT writes the adapted policy to OUT/model.json + weights (tfjs LayersModel, replaced
      atomically; dm.loadPolicy and tf.loadLayersModel read it). OUT may not be a run directory.
`;

const ADAPT_FLAGS = ['checkpoint', 'env', 'task', 'steps', 'episodes', 'seed', 'max-steps', 'save', 'json'];

function intFlag(flags: FlagValues, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const v = text === NO_VALUE || text.trim() === '' ? NaN : Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`--${name}`, text === NO_VALUE ? '(no value)' : text, `an integer in [${min}, ${max}]`);
  return v;
}

/** 'halfLength=0.7,massPole=0.2' → {halfLength: 0.7, massPole: 0.2}. */
function parseTask(text: string): Record<string, number> {
  const allowed = 'name=value pairs separated by commas, e.g. halfLength=0.7';
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new ConfigError('--task', text, allowed);
    const name = part.slice(0, eq).trim();
    const valueText = part.slice(eq + 1).trim();
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(value)) throw new ConfigError(`task.${name}`, valueText, 'a finite number');
    out[name] = value;
  }
  return out;
}

async function exists(path: string): Promise<'file' | 'dir' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'none';
  }
}

/** --save OUT: a directory that is not a run (its policy/ belongs to its state.json), nor the checkpoint's policy/. */
async function checkSaveDir(out: string, checkpoint: string): Promise<void> {
  const allowed = `a directory for the adapted policy, outside the run's own files (not ${join(checkpoint, POLICY_DIR)}, not a run directory)`;
  if (resolve(out) === resolve(checkpoint, POLICY_DIR)) throw new ConfigError('--save', out, allowed);
  const kind = await exists(out);
  if (kind === 'file') throw new ConfigError('--save', out, `${allowed}; this path is a file`);
  if (kind === 'dir') {
    for (const name of [STATE_FILE, METRICS_FILE]) {
      if ((await exists(join(out, name))) !== 'none') throw new ConfigError('--save', out, `${allowed}; it holds ${name}`);
    }
  }
}

/**
 * Writes an adapted policy to `dir` as a tfjs LayersModel through the run-directory file handler
 * (weights under a content name, then model.json renamed over the old one): a crash leaves the
 * previous model or the new one. The one call `dmaml adapt --save` makes to write files.
 */
export async function saveAdaptedPolicy(dir: string, policy: Policy, metadata: PolicyMetadata): Promise<void> {
  await exportPolicy(policy, fileSaveHandler(dir), { metadata: { [POLICY_METADATA_KEY]: metadata } });
}

export async function adaptCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(ADAPT_USAGE);
    return 0;
  }
  const flags = readFlags(argv);
  for (const name of Object.keys(flags)) {
    if (!ADAPT_FLAGS.includes(name)) throw new ConfigError(`--${name}`, flags[name], ADAPT_FLAGS.map((f) => `--${f}`).join(', '));
  }
  const dir = flags.checkpoint;
  if (typeof dir !== 'string') throw new ConfigError('--checkpoint', dir === undefined ? '(missing)' : '(no value)', 'the directory of a run written by dmaml train');
  const state = await readStateFile(dir, '--checkpoint');
  const config = state.config;
  if (flags.env !== undefined && flags.env !== config.env) {
    throw new ConfigError('--env', flags.env === NO_VALUE ? '(no value)' : flags.env, `${config.env} (the env the policy in ${dir} was trained on)`);
  }
  const steps = intFlag(flags, 'steps', 3, 0, 1000);
  const episodes = intFlag(flags, 'episodes', config.episodes, 1, 1e6);
  const seed = intFlag(flags, 'seed', config.seed, 0, 2 ** 32 - 1);
  const maxSteps = intFlag(flags, 'max-steps', config.maxSteps, 1, 1e7);
  if (flags.task === NO_VALUE) throw new ConfigError('--task', '(no value)', 'name=value pairs, e.g. halfLength=0.7');
  const taskValues = typeof flags.task === 'string' ? parseTask(flags.task) : {};
  if (flags.save === NO_VALUE) throw new ConfigError('--save', '(no value)', 'a directory path');
  const saveDir = flags.save;
  if (saveDir !== undefined) await checkSaveDir(saveDir, dir);

  await init({ backend: config.backend });
  const family = taskFamily(config.env, config.ranges);
  const task = family.task(taskValues); // validates names and the physical domain
  const policy = createPolicy({ obsDim: family.obsDim, numActions: family.numActions, hidden: config.hidden, activation: config.activation, seed: config.seed });
  try {
    if (state.theta.length !== policy.numParams) {
      throw new ConfigError('--checkpoint', dir, `a checkpoint whose θ has ${policy.numParams} values for its config (it has ${state.theta.length})`);
    }
    policy.setFlat(state.theta);
    const innerLr = state.innerLr ?? config.innerLr;
    const { policy: adapted, returns } = await adaptPolicy(policy, family, task, {
      steps, episodes, innerLr, seed, gamma: config.gamma, lambda: config.lambda, maxSteps,
    });
    // float32 task values printed at float32 precision (0.7, not 0.699999988…)
    const named = Object.fromEntries(family.paramNames.map((n, k) => [n, Number(task[k].toPrecision(7))]));
    try {
      if (saveDir !== undefined) {
        await saveAdaptedPolicy(saveDir, adapted, {
          env: config.env, ranges: family.ranges, algo: config.algo, iterations: state.iteration,
          innerLr: typeof innerLr === 'number' ? innerLr : Array.from(innerLr),
          adapted: { task: named, steps, episodes, seed, returns },
        });
      }
    } finally {
      adapted.dispose();
    }
    if (flags.json !== undefined && flags.json !== 'false') {
      const saved = saveDir !== undefined ? { saved: join(saveDir, 'model.json') } : {};
      console.log(JSON.stringify({ env: config.env, algo: config.algo, iteration: state.iteration, task: named, episodes, seed, steps: returns.map((_, j) => j), returns, ...saved }));
    } else {
      const varied = family.paramNames.filter((n, k) => family.low[k] !== family.high[k] || n in taskValues);
      console.log(`${config.env}, ${config.algo} after ${state.iteration} iterations; task ${varied.map((n) => `${n}=${named[n]}`).join(', ') || '(medium)'}`);
      console.log(`mean return over ${episodes} episodes per step (seed ${seed}):`);
      returns.forEach((r, j) => console.log(`  ${`after ${j} step${j === 1 ? '' : 's'}:`.padEnd(16)}${r.toFixed(2)}`));
      if (saveDir !== undefined) console.log(`adapted policy: ${join(saveDir, 'model.json')} (tfjs LayersModel)`);
    }
  } finally {
    policy.dispose();
  }
  return 0;
}
