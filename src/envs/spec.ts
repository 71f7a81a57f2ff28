// What the TypeScript side knows of an environment kind: its id, the WASM export naming its kind, and the
// names and physical domains of its task parameters. Dimensions and default values live once, in
// the WASM module (assembly/envs/*.ts), and are read from it.
import type { DefinedEnv } from './user-env';

export interface ParamSpec {
  name: string;
  /** Physical domain: values must satisfy min < v (or min <= v when minInclusive) and v <= max (v < max when maxInclusive is false). */
  min: number;
  minInclusive: boolean;
  max: number;
  maxInclusive?: boolean;
  description: string;
}

export interface EnvSpec {
  id: string;
  /** The name of the module's export holding this env's kind number (assembly/envs/registry.ts). */
  wasmKind: string;
  params: readonly ParamSpec[];
  /** The ranges a family varies when the user gives none. */
  defaultRanges: Readonly<Record<string, readonly [number, number]>>;
  description: string;
  /** A user's env (dm.defineEnv): stepped in JavaScript, wasmKind ''. */
  user?: DefinedEnv;
}

export function describeDomain(p: ParamSpec): string {
  if (p.min === -Infinity && p.max === Infinity) return 'a finite number';
  return `${p.minInclusive ? '[' : '('}${p.min}, ${p.max}${p.maxInclusive === false ? ')' : ']'}`;
}

export function inDomain(p: ParamSpec, v: number): boolean {
  return Number.isFinite(v) && (p.minInclusive ? v >= p.min : v > p.min) && (p.maxInclusive === false ? v < p.max : v <= p.max);
}
