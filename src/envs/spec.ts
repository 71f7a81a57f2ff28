// What the TypeScript side knows of an environment kind: its id, the WASM export naming its kind, and the
// names and physical domains of its task parameters. Dimensions and default values live once, in
// the WASM module (assembly/envs/*.ts), and are read from it.

export interface ParamSpec {
  name: string;
  /** Physical domain: values must satisfy min < v (or min <= v when minInclusive) and v <= max. */
  min: number;
  minInclusive: boolean;
  max: number;
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
}

export function describeDomain(p: ParamSpec): string {
  return `${p.minInclusive ? '[' : '('}${p.min}, ${p.max}]`;
}

export function inDomain(p: ParamSpec, v: number): boolean {
  return Number.isFinite(v) && (p.minInclusive ? v >= p.min : v > p.min) && v <= p.max;
}
