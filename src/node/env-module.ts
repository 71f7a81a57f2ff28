// `--env ./my-env.mjs` (dmaml train, experiment grids): an env given as a module path. The module's
// default export is a dm.defineEnv definition (or the env defineEnv made of one); it is imported and
// defined here, and its id stands for it in the config, the metrics and the run's identity. Its file
// URL goes with the env, so pool workers import the same module (src/envs/user-env.ts).
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors';
import { importEnv } from '../envs/registry';

/** Whether an env value names a module file rather than an env id (ids have no path separator). */
export function isEnvModulePath(value: unknown): value is string {
  return typeof value === 'string' && (/[\\/]/.test(value) || /\.(m|c)?[jt]s$/.test(value) || value.startsWith('file:'));
}

/**
 * Imports the env module at `value` (a path relative to `base`, or a file: URL), defines its env,
 * and returns the env's id. `field`: how errors name the value (--env, grid.envs[0]).
 */
export async function loadEnvModule(value: string, base = process.cwd(), field = '--env'): Promise<string> {
  const url = value.startsWith('file:') ? value : pathToFileURL(resolve(base, value)).href;
  try {
    await access(new URL(url));
  } catch (err) {
    throw new ConfigError(field, value, `an env id, or the path of a module whose default export is a dm.defineEnv definition (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return (await importEnv(url)).id;
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${field} ${value}: ${err.field}`, err.value, err.allowed);
    throw err;
  }
}

/** config.env as given (an id or a module path) → the env id, defining the module's env. */
export async function resolveEnvArg<T extends { env?: unknown }>(config: T, base?: string, field = '--env'): Promise<T> {
  if (!isEnvModulePath(config.env)) return config;
  return { ...config, env: await loadEnvModule(config.env, base, field) };
}
