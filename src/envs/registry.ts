// The one registry of environment ids. An env is physics in the WASM module, so adding one means
// its kind in assembly/envs/registry.ts (and a rebuild) plus its spec module here: the registry is
// internal, not a public extension point.
import type { EnvSpec } from './spec';
import { cartPoleSpec } from './cartpole';
import { intersectionSpec } from './intersection';
import { lunarLanderSpec } from './lunar-lander';
import { navigation2dSpec } from './navigation2d';
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

register(cartPoleSpec);
register(intersectionSpec);
register(lunarLanderSpec);
register(navigation2dSpec);
