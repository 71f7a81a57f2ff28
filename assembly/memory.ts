// Linear-memory buffers for JavaScript. Every buffer is allocated once (per env, per rollout
// workspace) and reused; TLSF from the `minimal` runtime lets `free` return it when the owner is
// disposed. The allocator aligns to 16 bytes, so f32x4 loads on a buffer start are aligned.

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
