// The one registry of environment ids. Adding an env: its spec module here and its kind in
// assembly/envs/registry.ts.
import type { EnvSpec } from './spec';
import { cartPoleSpec } from './cartpole';
import { intersectionSpec } from './intersection';
import { ConfigError } from '../errors';

const registry = new Map<string, EnvSpec>();

export function registerEnv(spec: EnvSpec): void {
  if (registry.has(spec.id)) throw new Error(`env id ${spec.id} is registered twice`);
  for (const other of registry.values()) {
    if (other.kind === spec.kind) throw new Error(`env kind ${spec.kind} is used by ${other.id} and ${spec.id}`);
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

registerEnv(cartPoleSpec);
registerEnv(intersectionSpec);
