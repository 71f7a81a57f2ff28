// The identity of a run (Node only): run.json, written once when the run starts, names the env, the
// algorithm, the seed and the config's hash (configHash: every field but iterations); every metrics
// line and the policy carry the hash, so files of another run are told apart.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { configHash, resolveConfig, type TrainConfig } from '../train/config';
import { definedEnv, envIds, importEnv } from '../envs/registry';
import { FileError } from './store';
import { METRICS_FILE, RUN_FILE, STATE_FILE } from './run-files';
import { shellQuote } from './shell';

export const RUN_FORMAT = 'directed-maml-run';
export const RUN_FORMAT_VERSION = 1;

export interface RunIdentity {
  env: string;
  algo: string;
  seed: number;
  /** configHash of the config: the run's id, in every metrics line and in the policy. */
  configHash: string;
}

export function identityOf(config: TrainConfig): RunIdentity {
  return { env: config.env, algo: config.algo, seed: config.seed, configHash: configHash(config) };
}

/** A run's identity as messages name it: env, algo, seed, config hash. */
export function describeIdentity(id: RunIdentity): string {
  return `${id.env}, ${id.algo}, seed ${id.seed}, config ${id.configHash}`;
}

/** The text of run.json for a new run. */
export function runFileText(config: TrainConfig): string {
  const id = identityOf(config);
  // A defined env's module (dm.defineEnv, --env ./file.mjs), so that a resume or an evaluation can define it again.
  const user = definedEnv(config.env);
  const envModule = user?.module ? { envModule: { url: user.module, exportName: user.exportName } } : {};
  return `${JSON.stringify({ format: RUN_FORMAT, formatVersion: RUN_FORMAT_VERSION, ...id, config, ...envModule, createdAt: new Date().toISOString() }, null, 1)}\n`;
}

/** dir/run.json: the run's identity and its config as started; a ConfigError naming `flag` when unusable. */
export async function readRunFile(dir: string, flag: string): Promise<{ identity: RunIdentity; config: TrainConfig }> {
  const path = join(dir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ConfigError(flag, dir, `a run directory written by dmaml train, holding ${RUN_FILE} (${code})${await deadEndAdvice(dir)}`);
    }
    throw FileError.from(err, path, 'read');
  }
  const bad = (why: string) => new ConfigError(flag, path, `the identity file of a run written by dmaml train; ${why}`);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  if (doc?.format !== RUN_FORMAT) throw bad(`format is ${JSON.stringify(doc?.format)}, expected "${RUN_FORMAT}"`);
  if (doc.formatVersion !== RUN_FORMAT_VERSION) throw bad(`formatVersion is ${JSON.stringify(doc.formatVersion)}; this version reads ${RUN_FORMAT_VERSION}`);
  const envModule = doc.envModule as { url?: unknown; exportName?: unknown } | undefined;
  const envId = (doc.config as { env?: unknown } | undefined)?.env;
  if (envModule && typeof envModule.url === 'string' && typeof envId === 'string' && !envIds().includes(envId)) {
    try {
      await importEnv(envModule.url, typeof envModule.exportName === 'string' ? envModule.exportName : 'default', envId);
    } catch (err) {
      throw bad(`its env ${envId} comes from ${envModule.url}, which does not define it: ${(err as Error).message}`);
    }
  }
  let config: TrainConfig;
  try {
    config = resolveConfig(doc.config);
  } catch (err) {
    throw bad(`its config is invalid: ${(err as Error).message}`);
  }
  const identity = identityOf(config);
  if (doc.configHash !== identity.configHash || doc.env !== identity.env || doc.algo !== identity.algo || doc.seed !== identity.seed) {
    throw bad(`it names config ${JSON.stringify(doc.configHash)} but holds config ${identity.configHash} (edited by hand?)`);
  }
  return { identity, config };
}

/** What to tell a user whose directory holds pieces of a run but no run.json. */
async function deadEndAdvice(dir: string): Promise<string> {
  const present: string[] = [];
  for (const name of [STATE_FILE, METRICS_FILE]) if (await stat(join(dir, name)).then(() => true, () => false)) present.push(name);
  if (present.length === 0) return '';
  return `; ${dir} holds ${present.join(' and ')} but no ${RUN_FILE}, so it cannot be resumed: start over in a new directory (dmaml train --out NEW_DIR), or move ${shellQuote(dir)} away first to reuse its name`;
}
