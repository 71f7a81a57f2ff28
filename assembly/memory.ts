// Linear-memory buffers for JavaScript. Every buffer is allocated once (per env, per rollout
// workspace) and reused; TLSF from the `minimal` runtime lets `free` return it when the owner is
// disposed. The allocator aligns to 16 bytes, so f32x4 loads on a buffer start are aligned.

import { BLOCK_MAXSIZE } from 'rt/common';

/**
 * The largest buffer `alloc` can return: the allocator's block limit (TLSF's BLOCK_MAXSIZE, just
 * under 1 GiB), whatever the total memory. TypeScript checks sizes against it before allocating
 * (src/rl/memory.ts), so a config that cannot fit is refused instead of aborting here.
 */
export const ALLOC_MAX_BYTES: f64 = <f64>BLOCK_MAXSIZE;

/** Bytes of a buffer as an f64 (sizes are planned before they are allocated; products may pass 2^32). */
@inline export function padLanesF(n: f64): f64 {
  return Math.ceil(n / 4) * 4;
}

export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

export function free(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Lanes rounded up to a multiple of the SIMD width (4 x f32). */
@inline export function padLanes(n: i32): i32 {
  return (n + 3) & ~3;
}
