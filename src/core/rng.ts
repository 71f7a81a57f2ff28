// The TypeScript face of the one counter-based RNG (assembly/rng.ts): draws come from the WASM
// module so that every runtime sees the same numbers.
import { wasm, Scratch, Purpose } from './wasm';
import { ConfigError } from '../errors';

export { Purpose };

const scratch = new Scratch();

/** n uniforms in [0, 1): draws counterStart.. of stream (seed, purpose, task, lane). */
export function uniforms(seed: number, purpose: number, task: number, lane: number, n: number, counterStart = 0): Float32Array {
  const w = wasm();
  const ptr = scratch.ensure(Math.max(1, n) * 4);
  w.fillUniform(seed >>> 0, purpose, task >>> 0, lane >>> 0, BigInt(counterStart), ptr, n);
  return new Float32Array(w.memory.buffer, ptr, n).slice();
}

/** A 32-bit seed for sub-stream (seed, purpose, task, lane), e.g. one iteration's rollouts. */
export function deriveSeed(seed: number, purpose: number, task: number, lane: number): number {
  return wasm().deriveSeed(seed >>> 0, purpose, task >>> 0, lane >>> 0) >>> 0;
}

/** Seeds are 32-bit unsigned integers. */
export function checkSeed(seed: number, field = 'seed'): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ConfigError(field, seed, 'an integer in [0, 4294967295]');
}
