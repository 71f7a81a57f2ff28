// The one registry of environment ids. A built-in env is physics in the WASM module, so adding one
// means its kind in assembly/envs/registry.ts (and a rebuild) plus its spec module here. Users'
// own envs (dm.defineEnv, src/envs/user-env.ts) are registered beside them under their ids.
import type { EnvSpec } from './spec';
import { cartPoleSpec, cartPoleFlipSpec } from './cartpole';
import { intersectionSpec, intersectionOccludedSpec } from './intersection';
import { lunarLanderSpec, lunarLanderContinuousSpec, lunarLanderWindSpec, lunarLanderPadSpec } from './lunar-lander';
import { navigation2dSpec } from './navigation2d';
import { DefinedEnv, definitionOf, type DefineEnvOptions, type EnvDefinition } from './user-env';
import { ConfigError } from '../errors';

const registry = new Map<string, EnvSpec>();

function register(spec: EnvSpec): void {
  if (registry.has(spec.id)) throw new Error(`env id ${spec.id} is registered twice`);
  for (const other of registry.values()) {
    if (other.wasmKind === spec.wasmKind) throw new Error(`env kind ${spec.wasmKind} is used by ${other.id} and ${spec.id}`);
  }
  registry.set(spec.id, spec);
}

export function envIds(): string[] {
  return [...registry.keys()];
}

export function envSpec(id: string): EnvSpec {
  const spec = registry.get(id);
  if (!spec) throw new ConfigError('env', id, envIds().join(' | '));
  return spec;
}

/**
 * Validates a user's env definition and registers it under its id (see src/envs/user-env.ts).
 * Defining the same definition object again returns its env (with the module, when the new call
 * gives one); another definition under a registered id is a ConfigError.
 */
export function defineEnv(definition: EnvDefinition, options: DefineEnvOptions = {}): DefinedEnv {
  const env = new DefinedEnv(definition, options);
  const existing = registry.get(env.id);
  if (existing) {
    if (!existing.user) throw new ConfigError('defineEnv(definition).id', env.id, `an id that no built-in env has (${envIds().filter((id) => !registry.get(id)!.user).join(', ')})`);
    if (existing.user.definition !== definition) {
      throw new ConfigError('defineEnv(definition).id', env.id, `an id not defined yet: ${env.id} is another definition's (one definition per id in a thread)`);
    }
    if (existing.user.module !== null && env.module === null) return existing.user;
  }
  registry.set(env.id, env.spec);
  return env;
}

/** A defined env by id, or null (a built-in or unknown id). */
export function definedEnv(id: string): DefinedEnv | null {
  return registry.get(id)?.user ?? null;
}

/**
 * Imports `url` and defines the env its `exportName` export holds (pool workers, `dmaml train
 * --env ./file.mjs`); `expectedId`, when given, must be its id.
 */
export async function importEnv(url: string, exportName = 'default', expectedId?: string): Promise<DefinedEnv> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError('env module', url, `a module that loads (${(err as Error)?.message ?? err})`);
  }
  const def = definitionOf(mod[exportName]);
  if (!def) {
    throw new ConfigError(`env module ${url}: export ${exportName}`, mod[exportName], 'an env definition { id, observationSize, maxSteps, action, params, create } (or dm.defineEnv(...) of one)');
  }
  const env = defineEnv(def, { module: url, exportName });
  if (expectedId !== undefined && env.id !== expectedId) throw new ConfigError(`env module ${url}: id`, env.id, `${expectedId} (the env this run was made with)`);
  return env;
}

register(cartPoleSpec);
register(intersectionSpec);
register(lunarLanderSpec);
register(navigation2dSpec);
register(lunarLanderContinuousSpec);
register(cartPoleFlipSpec);
register(lunarLanderWindSpec);
register(lunarLanderPadSpec);
register(intersectionOccludedSpec);
