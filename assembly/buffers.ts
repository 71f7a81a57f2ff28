// The buffers an owner keeps in linear memory (a VecEnv, a rollout workspace, an MLP), sized,
// allocated and freed in one way. The owner's buffer pointers are consecutive usize fields (its
// slots); the owner writes a plan, the bytes of each buffer in slot order (f64: a size is planned
// before it is known to fit). One plan serves three uses:
//   plannedBytes — what TypeScript checks before creating the owner (src/rl/memory.ts): the bytes
//                  in all, or the largest single buffer, which must fit one allocator block;
//   allocPlanned — the allocation: exactly the planned sizes, in slot order, into the slots;
//   freeSlots    — the release.
// There is one plan at a time: it is begun, written and used before another is begun (WASM runs
// one call at a time, and nothing between planBegin and the plan's use plans anything else).

import { alloc, free } from './memory';

/** The most buffers one plan holds: a rollout workspace plans its VecEnv's 11 and its own 11. */
const PLAN_CAPACITY: i32 = 24;
const SLOT_BYTES: usize = sizeof<usize>();

const planSizes: usize = memory.data(PLAN_CAPACITY << 3); // f64 [PLAN_CAPACITY]
let planLength: i32 = 0;

/** Slots from the field at offset `first` to the field at offset `last` of an owner, both included. */
@inline export function slotCount(first: usize, last: usize): i32 {
  return <i32>((last - first) / SLOT_BYTES) + 1;
}

/** Starts an empty plan. */
export function planBegin(): void {
  planLength = 0;
}

/** Appends a buffer of `bytes` to the plan (the next slot). */
export function planBuffer(bytes: f64): void {
  assert(planLength < PLAN_CAPACITY, 'buffer plan full');
  store<f64>(planSizes + (<usize>planLength << 3), bytes);
  planLength++;
}

/** The plan's bytes plus `headers` (the owners' own structs): in all, or (largest) its largest buffer. */
export function plannedBytes(headers: f64, largest: bool): f64 {
  let total = headers, biggest: f64 = 0;
  for (let i = 0; i < planLength; i++) {
    const bytes = load<f64>(planSizes + (<usize>i << 3));
    total += bytes;
    biggest = max(biggest, bytes);
  }
  return largest ? biggest : total;
}

/** Allocates the planned buffers, in order, into the `count` consecutive slots from `slots`. */
export function allocPlanned(slots: usize, count: i32): void {
  assert(planLength == count, 'buffer plan does not match the slots');
  for (let i = 0; i < count; i++) {
    store<usize>(slots + <usize>i * SLOT_BYTES, alloc(<usize>load<f64>(planSizes + (<usize>i << 3))));
  }
}

/** Frees the buffers in the `count` consecutive slots from `slots` (empty slots, 0, are skipped). */
export function freeSlots(slots: usize, count: i32): void {
  for (let i = 0; i < count; i++) free(load<usize>(slots + <usize>i * SLOT_BYTES));
}
