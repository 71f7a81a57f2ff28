// `dmaml adapt`: the few-shot curve of a trained run on one task — the mean return after 0, 1, …,
// steps adaptation steps (fresh rollouts after every step), with the run's own inner rate
// (Meta-SGD: its learned rates). Reads the run directory (checked like a resume); --save DIR writes
// the adapted policy (tfjs LayersModel) under DIR's run lock, never into a run directory.
import { readdir, rmdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../../errors';
import { shortestFloat32, shortestRanges } from '../../core/float';
import { flagsHelp, intFlag, parseArgs, parseParamMap, type CommandFlag } from '../../config';
import { adaptPolicy } from '../../meta/evaluate';
import { exportPolicy, POLICY_METADATA_KEY, type PolicyMetadata } from '../../train/export';
import type { Policy } from '../../nn/policy';
import { runDefaultedFlags } from './checkpoint';
import { loadRunPolicy } from '../run-policy';
import { METRICS_FILE, POLICY_DIR, RUN_FILE, STATE_FILE } from '../run-files';
import { acquireRunLock } from '../run-lock';
import { readRun } from '../run-survey';
import { fileSaveHandler, makeDir, onFile, tempFileOwner, FileError } from '../store';

const TASK_ALLOWED = 'name=value pairs separated by commas, each name once, e.g. halfLength=0.7';

export const ADAPT_FLAGS: readonly CommandFlag[] = [
  { flag: 'checkpoint', type: '<dir>', description: 'the run directory written by dmaml train', allowed: 'the directory of a run written by dmaml train' },
  {
    flag: 'task', type: '<name=value,…>', description: "task parameters; the others take the centre of the run's ranges", allowed: TASK_ALLOWED,
    parse: (text) => parseParamMap('--task', text, TASK_ALLOWED, false),
  },
  intFlag('steps', 'inner adaptation steps (the curve has steps + 1 points)', 0, 1000),
  { flag: 'save', type: '<dir>', description: 'write the adapted policy there (model.json + weights, tfjs LayersModel; replaced atomically)', allowed: 'a directory path: absent, empty, or holding only a policy saved by adapt --save' },
  { flag: 'json', type: '', description: 'print one JSON object instead of text', allowed: 'no value (a switch)', isSwitch: true },
];
const ADAPT_CONFIG_FIELDS = ['env', 'episodes', 'seed', 'maxSteps'] as const;

export const ADAPT_USAGE = `Usage:
  dmaml adapt --checkpoint DIR [--env ID] [--task name=value,…] [--steps 3] [--episodes E] [--seed S] [--max-steps T] [--save OUT] [--json]
      the mean return on one task after 0..steps inner adaptation steps of the run saved in DIR
      (DIR/state.json). --task names task parameters; the others take the centre of the run's ranges.
      --env must be the run's env (the default); --episodes, --seed and --max-steps default to the run's.
      --save OUT writes the adapted policy to OUT/model.json + weights (dm.loadPolicy and
      tf.loadLayersModel read it), under OUT's lock; OUT may not be a run directory or hold other files.
`;

/** Files a policy saved by `adapt --save` consists of (fileSaveHandler's names), and its lock. */
const SAVED_POLICY_FILE = /^(model\.json|weights-[0-9a-f]{16}\.bin|run\.lock)$/;

/**
 * --save OUT, checked before anything runs: not the run's own policy/, not a run directory, and
 * nothing in it but an earlier saved policy (the user's files are never replaced).
 */
async function checkSaveDir(out: string, checkpoint: string): Promise<void> {
  const allowed = 'a directory for the adapted policy: absent, empty, or holding only a policy saved by adapt --save';
  if (resolve(out) === resolve(checkpoint, POLICY_DIR)) throw new ConfigError('--save', out, `${allowed} (not the run's own ${POLICY_DIR}/)`);
  const entries = await readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    if (err.code === 'ENOTDIR') throw new ConfigError('--save', out, `${allowed} (this path is a file)`);
    throw FileError.from(err, out, 'read');
  });
  if (entries.some((name) => name === RUN_FILE || name === STATE_FILE || name === METRICS_FILE)) {
    throw new ConfigError('--save', out, `${allowed} (it holds a training run)`);
  }
  const others = entries.filter((name) => !SAVED_POLICY_FILE.test(name) && tempFileOwner(name) === undefined);
  if (others.length > 0) throw new ConfigError('--save', out, `${allowed} (it holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`);
}

/**
 * Writes an adapted policy to `dir` (tfjs LayersModel through the run-directory file handler:
 * weights under a content name, then model.json renamed over the old one) while holding `dir`'s
 * run lock, so two `adapt --save` into one directory cannot interleave.
 */
export async function saveAdaptedPolicy(dir: string, policy: Policy, metadata: PolicyMetadata): Promise<void> {
  const created = await onFile(dir, 'create', () => makeDir(dir));
  const lock = await acquireRunLock(dir, { command: ['dmaml', ...process.argv.slice(2)].join(' '), flag: '--save' }).catch(async (err: unknown) => {
    if (created) await rmdir(dir).catch(() => undefined); // only the directory this call made, still empty
    throw err;
  });
  try {
    // The metadata through the file handler, as dmaml train's policy/ (tfjs's setUserDefinedMetadata
    // would warn on every save of a large Meta-SGD policy, whose learned rates it carries).
    await exportPolicy(policy, fileSaveHandler(dir, { [POLICY_METADATA_KEY]: metadata }));
  } finally {
    lock.release();
  }
}

export function adaptHelp(): string {
  return `${ADAPT_USAGE}\nFlags:\n${flagsHelp([...ADAPT_FLAGS, ...runDefaultedFlags(ADAPT_CONFIG_FIELDS)])}\n`;
}

export async function adaptCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(adaptHelp());
    return 0;
  }
  const { flags, config: given } = parseArgs(argv, { command: 'adapt', flags: ADAPT_FLAGS, configFields: ADAPT_CONFIG_FIELDS });
  const dir = flags.checkpoint as string | undefined;
  if (dir === undefined) throw new ConfigError('--checkpoint', '(missing)', 'the directory of a run written by dmaml train');
  const { state } = await readRun(dir, '--checkpoint');
  if (!state) throw new ConfigError('--checkpoint', dir, 'a run with at least one iteration (this one has no state.json yet)');
  const config = state.config;
  if (given.env !== undefined && given.env !== config.env) {
    throw new ConfigError('--env', given.env, `${config.env} (the env the policy in ${dir} was trained on)`);
  }
  const steps = (flags.steps as number | undefined) ?? 3;
  const episodes = given.episodes ?? config.episodes;
  const seed = given.seed ?? config.seed;
  const maxSteps = given.maxSteps ?? config.maxSteps;
  const taskValues = (flags.task as Record<string, unknown> | undefined) ?? {};
  for (const [name, value] of Object.entries(taskValues)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(`task.${name}`, value, 'a finite number');
  }
  const saveDir = flags.save as string | undefined;
  if (saveDir !== undefined) await checkSaveDir(saveDir, dir);

  const { family, policy, innerLr } = await loadRunPolicy(dir, state, { episodes, maxSteps });
  try {
    const task = family.task(taskValues as Record<string, number>); // validates names and the physical domain
    const { policy: adapted, returns } = await adaptPolicy(policy, family, task, {
      steps, episodes, innerLr, seed, gamma: config.gamma, lambda: config.lambda, maxSteps,
    });
    // float32 task values printed as typed (0.7, not 0.699999988…): the shortest decimal of the float32
    const named = Object.fromEntries(family.paramNames.map((n, k) => [n, shortestFloat32(task[k]!)]));
    // A task outside what the run was trained on is allowed (adaptation is the point) but named.
    const outside = family.paramNames.flatMap((n, k) => (task[k]! < family.low[k]! || task[k]! > family.high[k]!
      ? [`${n}=${named[n]} (trained on [${shortestFloat32(family.low[k]!)}, ${shortestFloat32(family.high[k]!)}])`] : []));
    if (outside.length > 0) console.error(`dmaml adapt: warning: outside the trained ranges: ${outside.join(', ')}`);
    try {
      if (saveDir !== undefined) {
        await saveAdaptedPolicy(saveDir, adapted, {
          env: config.env, ranges: shortestRanges(family.ranges), algo: config.algo, iterations: state.iteration, maxSteps,
          innerLr: typeof innerLr === 'number' ? innerLr : Array.from(innerLr),
          adapted: { task: named, steps, episodes, seed, returns },
        });
      }
    } finally {
      adapted.dispose();
    }
    if (flags.json) {
      const saved = saveDir !== undefined ? { saved: `${saveDir.replace(/\/+$/, '')}/model.json` } : {};
      console.log(JSON.stringify({ env: config.env, algo: config.algo, iteration: state.iteration, task: named, episodes, seed, steps: returns.map((_, j) => j), returns, ...saved }));
    } else {
      const varied = family.paramNames.filter((n, k) => family.low[k] !== family.high[k] || n in taskValues);
      console.log(`${config.env}, ${config.algo} after ${state.iteration} iterations; task ${varied.map((n) => `${n}=${named[n]}`).join(', ') || '(medium)'}`);
      console.log(`mean return over ${episodes} episodes per step (seed ${seed}):`);
      returns.forEach((r, j) => console.log(`  ${`after ${j} step${j === 1 ? '' : 's'}:`.padEnd(16)}${r.toFixed(2)}`));
      if (saveDir !== undefined) console.log(`adapted policy: ${saveDir.replace(/\/+$/, '')}/model.json (tfjs LayersModel)`);
    }
  } finally {
    policy.dispose();
  }
  return 0;
}
