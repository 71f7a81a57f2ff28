// The WASM copy of a policy (assembly/policy.ts). One handle per architecture and number of
// weight sets is created once and reused by every rollout and gradient call; weights are copied
// in (a few thousand floats) once per call, never per step.
import { wasm, wasmConst, Scratch } from '../core/wasm';
import type { Policy } from '../nn/policy';
import { headCode, type PolicyHead } from '../nn/head';

export interface PolicyShape {
  layerSizes: readonly number[];
  activation: 'tanh' | 'relu';
  head: PolicyHead;
}

const handles = new Map<string, number>();
const weightScratch = new Scratch();

/** The WASM MLP for this architecture with room for `numSets` weight sets (created once). */
export function wasmMlp(shape: PolicyShape, numSets: number): number {
  const key = `${shape.layerSizes.join(',')}|${shape.activation}|${shape.head.kind}|${numSets}`;
  let handle = handles.get(key);
  if (handle === undefined) {
    const w = wasm();
    const sizes = Int32Array.from(shape.layerSizes);
    const ptr = w.alloc(sizes.byteLength);
    new Int32Array(w.memory.buffer, ptr, sizes.length).set(sizes);
    handle = w.mlpCreate(sizes.length - 1, ptr, wasmConst(`ACTIVATION_${shape.activation.toUpperCase()}`), numSets, headCode(shape.head));
    w.free(ptr);
    handles.set(key, handle);
  }
  return handle;
}

/**
 * WASM memory of the handle for this architecture with numSets weight sets (assembly/policy.ts),
 * plus the weight-copy scratch (requests of the flat parameters; held up to twice that: it grows by doubling).
 */
export function mlpMemoryBytes(shape: PolicyShape, numSets: number, numParams: number): { total: number; largest: number } {
  const w = wasm();
  const sizes = Int32Array.from(shape.layerSizes);
  const ptr = w.alloc(sizes.byteLength);
  try {
    new Int32Array(w.memory.buffer, ptr, sizes.length).set(sizes);
    const numLayers = sizes.length - 1;
    return {
      total: w.mlpBytes(numLayers, ptr, numSets, false, headCode(shape.head)) + 2 * numParams * 4,
      largest: Math.max(w.mlpBytes(numLayers, ptr, numSets, true, headCode(shape.head)), numParams * 4),
    };
  } finally {
    w.free(ptr);
  }
}

/** Copies flat weight sets (public layout) into the handle. */
export function loadWeights(handle: number, sets: readonly Float32Array[]): void {
  const w = wasm();
  const floats = w.mlpFlatFloats(handle);
  const ptr = weightScratch.ensure(floats * 4);
  sets.forEach((flat, set) => {
    if (flat.length !== floats) throw new Error(`weight set ${set} has ${flat.length} floats, the policy ${floats}`);
    new Float32Array(w.memory.buffer, ptr, floats).set(flat);
    w.mlpSetWeights(handle, set, ptr);
  });
}

export function shapeOf(policy: Policy): PolicyShape {
  return { layerSizes: policy.layerSizes, activation: policy.activation, head: policy.head };
}
