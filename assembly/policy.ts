// An MLP policy over rows of observations, SIMD over units, with one of two heads (Mlp.head, the
// one place the WASM side knows which): categorical (the MLP's outputs are logits) or Gaussian (the
// outputs are the mean μ of a diagonal Gaussian whose log-std s is a state-independent parameter
// vector, stored after the MLP's weights: pytorch-maml-rl's NormalMLPPolicy).
//
// Public (flat) layout, shared with tfjs (DESIGN.md, Dense): for each layer l, the kernel
// W_l [in_l][out_l] row-major, then the bias b_l [out_l]. Inside WASM every layer's out size is
// padded to a multiple of 4 with zero weights, so a row's units are whole f32x4 vectors; padded
// units stay exactly 0 through tanh and relu. A Gaussian head appends its log-std s [out_L] to the
// flat layout, and padLanes(out_L) floats (at Mlp.mlpFloats) to the padded one. A policy may hold several weight sets (one per
// task, e.g. the adapted θ'_i of every task of a meta-batch).
//
// Rows go through the network in tiles of TILE_ROWS: each weight vector loaded serves every row
// of the tile, and the tile's accumulators are independent, so the adds do not wait on each other.
// Every output unit of every row is still summed as b_j + Σ_k a_k·W_kj in the order k = 0, 1, …,
// whatever the tile and whichever rows share it: a row's result is bit-identical however it is
// batched (the rollout's determinism across lane counts rests on this).

import { alloc, free, padLanes } from './memory';
import { slotCount, planBegin, planBuffer, plannedBytes, allocPlanned, freeSlots } from './buffers';
import { exp4, tanh4 } from './simd_math';

export const ACTIVATION_TANH: i32 = 0;
export const ACTIVATION_RELU: i32 = 1;

/** Policy heads: the MLP's outputs are logits of a categorical distribution, or the mean of a Gaussian. */
export const HEAD_CATEGORICAL: i32 = 0;
export const HEAD_GAUSSIAN: i32 = 1;

/**
 * Rows per forward tile: 4 rows × 8 units of accumulators, the two weight vectors and the splats
 * fit the 16 SIMD registers of x64. mlpForwardTile takes exactly this many input rows.
 */
export const TILE_ROWS: i32 = 4;
/** Bytes from one unit to the next of a row in mlp.tile (units are TILE_ROWS floats apart). */
export const TILE_UNIT_BYTES: usize = <usize>TILE_ROWS << 2;

@unmanaged export class Mlp {
  numLayers: i32;
  activation: i32;
  numSets: i32;
  setFloats: i32;     // padded floats per weight set
  flatFloats: i32;    // floats of the public flat layout
  maxWidth: i32;      // widest padded layer (input included)
  // The buffer slots (buffers.ts): consecutive pointer fields sizes .. gradTotal.
  sizes: usize;       // i32 [numLayers + 1]: obsDim, hidden..., numActions
  padded: usize;      // i32 [numLayers + 1]: padded out sizes (input: obsDim unpadded)
  weights: usize;     // f32 [numSets][setFloats]
  tile: usize;        // f32 [numLayers + 1][maxWidth][TILE_ROWS]: a_0 .. a_L of a tile's rows (a_L = logits)
  tileLogProb: usize; // f32 [numActions][TILE_ROWS]: log π(·|s) of a tile's rows (mlpLogSoftmaxTile)
  gradRows: usize;    // f32 [2][TILE_ROWS][maxWidth]: δ of a tile's rows (backward scratch)
  tileCoef: usize;    // f32 [TILE_ROWS]: c_r of the tile's rows (backward)
  tileAction: usize;  // i32 [TILE_ROWS]: a_r of the tile's rows (backward)
  tileRow: usize;     // i32 [TILE_ROWS]: batch row of each of the tile's rows (backward)
  grad: usize;        // f32 [setFloats]: gradient of the current block of rows, padded layout
  gradTotal: usize;   // f32 [setFloats]: sum of the blocks
  tileCount: i32;     // rows of the tile that are real (the rest are fillers with c = 0)
  head: i32;          // HEAD_CATEGORICAL | HEAD_GAUSSIAN
  mlpFloats: i32;     // padded floats of the layers; a Gaussian head's log-std follows them
  rowActions: usize;  // the actions of the rows being swept (i32 [n] categorical, f32 [n][out_L] Gaussian)
}

/** Rows summed in float32 before joining the total: bounds rounding error growth on big batches. */
const GRAD_BLOCK_ROWS: i32 = 64;

@inline export function sizeAt(mlp: Mlp, l: i32): i32 { return load<i32>(mlp.sizes + (<usize>l << 2)); }
@inline export function paddedAt(mlp: Mlp, l: i32): i32 { return load<i32>(mlp.padded + (<usize>l << 2)); }

/** Floats of the layers of one weight set in the padded layout (see the file's header). */
function paddedLayerFloats(numLayers: i32, sizesPtr: usize): f64 {
  let floats: f64 = 0;
  for (let l = 0; l < numLayers; l++) {
    const inSize = load<i32>(sizesPtr + (<usize>l << 2)), outSize = load<i32>(sizesPtr + (<usize>(l + 1) << 2));
    const inRows = l == 0 ? inSize : padLanes(inSize);
    const outPad = padLanes(outSize);
    floats += <f64>inRows * <f64>outPad + <f64>outPad;
  }
  return floats;
}

/** Floats of one weight set in the padded layout: the layers, then a Gaussian head's log-std. */
function paddedSetFloats(numLayers: i32, sizesPtr: usize, head: i32): f64 {
  const extra = head == HEAD_GAUSSIAN ? padLanes(load<i32>(sizesPtr + (<usize>numLayers << 2))) : 0;
  return paddedLayerFloats(numLayers, sizesPtr) + <f64>extra;
}

/** The widest padded layer, the input included. */
function paddedMaxWidth(numLayers: i32, sizesPtr: usize): i32 {
  let width = padLanes(load<i32>(sizesPtr));
  for (let l = 1; l <= numLayers; l++) width = max(width, padLanes(load<i32>(sizesPtr + (<usize>l << 2))));
  return width;
}

// The MLP's buffer slots: its fields sizes .. gradTotal.
const MLP_SLOTS = slotCount(offsetof<Mlp>('sizes'), offsetof<Mlp>('gradTotal'));

/** Plans (buffers.ts) the MLP's buffers in slot order; mlpCreate allocates exactly these and mlpBytes sums them. */
function planMlp(numLayers: i32, sizesPtr: usize, numSets: f64, head: i32): void {
  const maxWidth = <f64>paddedMaxWidth(numLayers, sizesPtr);
  const setBytes = paddedSetFloats(numLayers, sizesPtr, head) * 4;
  planBuffer(<f64>(numLayers + 1) * 4);                                            // sizes
  planBuffer(<f64>(numLayers + 1) * 4);                                            // padded
  planBuffer(numSets * setBytes);                                                  // weights
  planBuffer(<f64>((numLayers + 1) * TILE_ROWS) * maxWidth * 4);                  // tile
  planBuffer(<f64>load<i32>(sizesPtr + (<usize>numLayers << 2)) * <f64>TILE_UNIT_BYTES); // tileLogProb
  planBuffer(<f64>(2 * TILE_ROWS) * maxWidth * 4);                                // gradRows
  planBuffer(<f64>TILE_ROWS * 4);                                                  // tileCoef
  planBuffer(<f64>TILE_ROWS * 4);                                                  // tileAction
  planBuffer(<f64>TILE_ROWS * 4);                                                  // tileRow
  planBuffer(setBytes);                                                            // grad
  planBuffer(setBytes);                                                            // gradTotal
}

/**
 * Bytes mlpCreate(numLayers, sizesPtr, ·, numSets) allocates: in all, or (largest) its largest
 * single buffer, which must fit one allocator block (ALLOC_MAX_BYTES).
 */
export function mlpBytes(numLayers: i32, sizesPtr: usize, numSets: f64, largest: bool, head: i32): f64 {
  planBegin();
  planMlp(numLayers, sizesPtr, numSets, head);
  return plannedBytes(<f64>offsetof<Mlp>(), largest);
}

/** sizes: i32 [numLayers + 1] = obsDim, hidden sizes, outputs (numActions, or the Gaussian's action size). */
export function mlpCreate(numLayers: i32, sizesPtr: usize, activation: i32, numSets: i32, head: i32): usize {
  const mlp = changetype<Mlp>(alloc(offsetof<Mlp>()));
  mlp.numLayers = numLayers;
  mlp.activation = activation;
  mlp.numSets = numSets;
  mlp.head = head;
  planBegin();
  planMlp(numLayers, sizesPtr, <f64>numSets, head);
  allocPlanned(changetype<usize>(mlp) + offsetof<Mlp>('sizes'), MLP_SLOTS);
  memory.copy(mlp.sizes, sizesPtr, <usize>(numLayers + 1) << 2);
  let flatFloats = 0;
  store<i32>(mlp.padded, load<i32>(sizesPtr));
  for (let l = 0; l < numLayers; l++) {
    const inSize = sizeAt(mlp, l), outSize = sizeAt(mlp, l + 1);
    store<i32>(mlp.padded + (<usize>(l + 1) << 2), padLanes(outSize));
    flatFloats += inSize * outSize + outSize;
  }
  if (head == HEAD_GAUSSIAN) flatFloats += sizeAt(mlp, numLayers); // the log-std
  mlp.mlpFloats = <i32>paddedLayerFloats(numLayers, sizesPtr);
  mlp.setFloats = <i32>paddedSetFloats(numLayers, sizesPtr, head);
  mlp.flatFloats = flatFloats;
  mlp.maxWidth = paddedMaxWidth(numLayers, sizesPtr);
  return changetype<usize>(mlp);
}

export function mlpFree(ptr: usize): void {
  freeSlots(ptr + offsetof<Mlp>('sizes'), MLP_SLOTS);
  free(ptr);
}

export function mlpFlatFloats(ptr: usize): i32 { return changetype<Mlp>(ptr).flatFloats; }

/**
 * Copies one set of floats between the public flat layout and the padded layout, either way
 * (weights in, gradients out). Per layer, each kernel row k < in_l and then the bias (one more row,
 * at padded row inRows) move out_l floats; the padding is left as it is.
 */
export function copyLayout(mlp: Mlp, padded: usize, flat: usize, toPadded: bool): void {
  for (let l = 0; l < mlp.numLayers; l++) {
    const inSize = sizeAt(mlp, l), outSize = sizeAt(mlp, l + 1);
    const inRows = paddedAt(mlp, l), outPad = paddedAt(mlp, l + 1);
    const rowBytes = <usize>outSize << 2;
    for (let k = 0; k <= inSize; k++) {
      const p = padded + (<usize>((k < inSize ? k : inRows) * outPad) << 2);
      const f = flat + (<usize>(k * outSize) << 2);
      if (toPadded) memory.copy(p, f, rowBytes);
      else memory.copy(f, p, rowBytes);
    }
    padded += <usize>(inRows * outPad + outPad) << 2;
    flat += <usize>(inSize * outSize + outSize) << 2;
  }
  if (mlp.head == HEAD_GAUSSIAN) {
    const bytes = <usize>sizeAt(mlp, mlp.numLayers) << 2; // the log-std, at padded float mlpFloats
    if (toPadded) memory.copy(padded, flat, bytes);
    else memory.copy(flat, padded, bytes);
  }
}

/** Copies weight set `set` from the public flat layout at `flat` into the padded layout. */
export function mlpSetWeights(ptr: usize, set: i32, flat: usize): void {
  const mlp = changetype<Mlp>(ptr);
  const dst = mlp.weights + (<usize>set * <usize>mlp.setFloats << 2);
  memory.fill(dst, 0, <usize>mlp.setFloats << 2);
  copyLayout(mlp, dst, flat, true);
}

/** Stores rows r0..r3 of 4 units (one f32x4 per row) as 4 units of rows 0..3 (one f32x4 per unit). */
@inline export function storeTransposed(out: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(out, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(out, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 16);
  v128.store(out, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 32);
  v128.store(out, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 48);
}

/**
 * One Dense layer over a tile: out = act(a · W + b) (act only if hidden). Tile layout: unit k of
 * the TILE_ROWS rows is one f32x4 at a + 16·k (so a_k of every row is one splat load away, at a
 * constant offset). Register tile: 4 rows × 2 output vectors (8 units): each weight vector loaded
 * serves the 4 rows, and the 8 accumulators are independent. Unit j of row r sums
 * b_j + a_0·W_0j + a_1·W_1j + … in this order, as a one-row loop would.
 */
@inline export function denseTile(a: usize, out: usize, w: usize, inRows: i32, outPad: i32, hidden: bool, activation: i32): void {
  const stride = <usize>outPad << 2;
  const bias = w + <usize>inRows * stride;
  const aEnd = a + (<usize>inRows << 4);
  let j = 0;
  for (; j + 8 <= outPad; j += 8) {
    const bj = bias + (<usize>j << 2);
    const bA = v128.load(bj), bB = v128.load(bj, 16);
    let r0A = bA, r0B = bB, r1A = bA, r1B = bB, r2A = bA, r2B = bB, r3A = bA, r3B = bB;
    let wk = w + (<usize>j << 2);
    for (let ak = a; ak < aEnd; ak += 16) {
      const wA = v128.load(wk), wB = v128.load(wk, 16);
      let s = v128.load32_splat(ak);
      r0A = f32x4.add(r0A, f32x4.mul(s, wA)); r0B = f32x4.add(r0B, f32x4.mul(s, wB));
      s = v128.load32_splat(ak, 4);
      r1A = f32x4.add(r1A, f32x4.mul(s, wA)); r1B = f32x4.add(r1B, f32x4.mul(s, wB));
      s = v128.load32_splat(ak, 8);
      r2A = f32x4.add(r2A, f32x4.mul(s, wA)); r2B = f32x4.add(r2B, f32x4.mul(s, wB));
      s = v128.load32_splat(ak, 12);
      r3A = f32x4.add(r3A, f32x4.mul(s, wA)); r3B = f32x4.add(r3B, f32x4.mul(s, wB));
      wk += stride;
    }
    const o = out + (<usize>j << 4);
    storeTransposed(o, r0A, r1A, r2A, r3A);
    storeTransposed(o + 64, r0B, r1B, r2B, r3B);
  }
  if (j < outPad) {
    let r0 = v128.load(bias + (<usize>j << 2)), r1 = r0, r2 = r0, r3 = r0;
    let wk = w + (<usize>j << 2);
    for (let ak = a; ak < aEnd; ak += 16) {
      const wv = v128.load(wk);
      r0 = f32x4.add(r0, f32x4.mul(v128.load32_splat(ak), wv));
      r1 = f32x4.add(r1, f32x4.mul(v128.load32_splat(ak, 4), wv));
      r2 = f32x4.add(r2, f32x4.mul(v128.load32_splat(ak, 8), wv));
      r3 = f32x4.add(r3, f32x4.mul(v128.load32_splat(ak, 12), wv));
      wk += stride;
    }
    storeTransposed(out + (<usize>j << 4), r0, r1, r2, r3);
  }
  // The activation in a pass of its own (measured faster than applying it to the accumulators,
  // whose registers it would have to share).
  if (hidden) {
    const outEnd = out + (<usize>outPad << 4);
    if (activation == ACTIVATION_TANH) {
      for (let o = out; o < outEnd; o += 16) v128.store(o, tanh4(v128.load(o)));
    } else {
      for (let o = out; o < outEnd; o += 16) v128.store(o, f32x4.max(v128.load(o), f32x4.splat(0)));
    }
  }
}

/**
 * Forward pass of a tile of TILE_ROWS rows, read from in0..in3 (obsDim floats each; pass one row
 * several times to fill a short tile): a_{l+1} = act(a_l · W_l + b_l) for hidden layers, logits = a_L.
 * Leaves every activation in mlp.tile (unit k of row r of layer l at tile + l·16·maxWidth + 16·k + 4·r)
 * for the backward pass; returns the address of the logits (logit a of row r at + 16·a + 4·r).
 */
export function mlpForwardTile(mlp: Mlp, set: i32, in0: usize, in1: usize, in2: usize, in3: usize): usize {
  return forwardTileAt(mlp, mlp.weights + (<usize>set * <usize>mlp.setFloats << 2), in0, in1, in2, in3);
}

/** mlpForwardTile with the weights (padded layout) at `weightsBase` instead of a weight set. */
export function forwardTileAt(mlp: Mlp, weightsBase: usize, in0: usize, in1: usize, in2: usize, in3: usize): usize {
  const layerBytes = <usize>mlp.maxWidth << 4;
  const obsDim = sizeAt(mlp, 0);
  const t = mlp.tile;
  for (let k = 0; k < obsDim; k++) {
    const off = <usize>k << 2;
    v128.store(t + (<usize>k << 4),
      f32x4(load<f32>(in0 + off), load<f32>(in1 + off), load<f32>(in2 + off), load<f32>(in3 + off)));
  }
  let w = weightsBase;
  let a = t;
  for (let l = 0; l < mlp.numLayers; l++) {
    const inRows = paddedAt(mlp, l);
    const outPad = paddedAt(mlp, l + 1);
    denseTile(a, a + layerBytes, w, inRows, outPad, l + 1 < mlp.numLayers, mlp.activation);
    w += <usize>(inRows * outPad + outPad) << 2;
    a += layerBytes;
  }
  return a;
}

/**
 * log π(·|s) of the rows of the last forward tile: l_a − m − log Σ_b exp(l_b − m), m = max_b l_b,
 * into mlp.tileLogProb (action a of row r at + a·TILE_UNIT_BYTES + 4·r). The rows are the lanes:
 * one exp4 per action serves the whole tile. Returns mlp.tileLogProb.
 */
export function mlpLogSoftmaxTile(mlp: Mlp): usize {
  const numActions = sizeAt(mlp, mlp.numLayers);
  const logits = mlp.tile + <usize>mlp.numLayers * (<usize>mlp.maxWidth << 4);
  let m = v128.load(logits);
  for (let a = 1; a < numActions; a++) m = f32x4.max(m, v128.load(logits + <usize>a * TILE_UNIT_BYTES));
  let sum = f32x4.splat(0);
  for (let a = 0; a < numActions; a++) sum = f32x4.add(sum, exp4(f32x4.sub(v128.load(logits + <usize>a * TILE_UNIT_BYTES), m)));
  const logZ = f32x4.add(m, f32x4(Mathf.log(f32x4.extract_lane(sum, 0)), Mathf.log(f32x4.extract_lane(sum, 1)),
    Mathf.log(f32x4.extract_lane(sum, 2)), Mathf.log(f32x4.extract_lane(sum, 3))));
  const out = mlp.tileLogProb;
  for (let a = 0; a < numActions; a++) {
    const at = <usize>a * TILE_UNIT_BYTES;
    v128.store(out + at, f32x4.sub(v128.load(logits + at), logZ));
  }
  return out;
}

export function flushBlock(mlp: Mlp): void {
  for (let i = 0; i < mlp.setFloats; i += 4) {
    const off = <usize>i << 2;
    v128.store(mlp.gradTotal + off, f32x4.add(v128.load(mlp.gradTotal + off), v128.load(mlp.grad + off)));
  }
  memory.fill(mlp.grad, 0, <usize>mlp.setFloats << 2);
}

/** Logits (a Gaussian head's means) and, for a categorical head, log-probabilities of n rows (cross-checked against tfjs in the tests). */
export function mlpForwardBatch(ptr: usize, set: i32, n: i32, obs: usize, logitsOut: usize, logProbOut: usize): void {
  const mlp = changetype<Mlp>(ptr);
  const obsDim = sizeAt(mlp, 0), numActions = sizeAt(mlp, mlp.numLayers);
  const rowBytes = <usize>obsDim << 2;
  for (let r = 0; r < n; r += TILE_ROWS) {
    const count = min(TILE_ROWS, n - r);
    // A short last tile repeats its last row.
    const row0 = obs + <usize>r * rowBytes;
    const logits = mlpForwardTile(mlp, set, row0, row0 + <usize>min(1, count - 1) * rowBytes,
      row0 + <usize>min(2, count - 1) * rowBytes, row0 + <usize>min(3, count - 1) * rowBytes);
    // A Gaussian head has no per-row distribution over actions to write: its outputs are the means.
    const withLogProbs = mlp.head == HEAD_CATEGORICAL && logProbOut != 0;
    const logProbs = withLogProbs ? mlpLogSoftmaxTile(mlp) : 0;
    for (let i = 0; i < count; i++) {
      const at = <usize>((r + i) * numActions) << 2;
      for (let a = 0; a < numActions; a++) {
        const tileAt = <usize>a * TILE_UNIT_BYTES + (<usize>i << 2);
        store<f32>(logitsOut + at + (<usize>a << 2), load<f32>(logits + tileAt));
        if (withLogProbs) store<f32>(logProbOut + at + (<usize>a << 2), load<f32>(logProbs + tileAt));
      }
    }
  }
}

/** Sum of the four lanes, left to right. */
@inline export function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** act'(a) from the activation's output a: tanh' = 1 − a², relu' = [a > 0]. */
@inline function slopeAt(a: f32, activation: i32): f32 {
  return activation == ACTIVATION_TANH ? 1 - a * a : (a > 0 ? <f32>1 : <f32>0);
}

/**
 * Backward of the rows of the last forward tile (activations in mlp.tile), accumulated into mlp.grad.
 * Row r has coefficient c_r and action a_r in mlp.tileCoef / mlp.tileAction (a filler row has
 * c_r = 0: its δ are zeros and add nothing). Per row:
 *   δ_L = c·(p − onehot(a)),  p = exp(log π(·|s)) (mlpLogSoftmaxTile)
 *   ∂L/∂W_l += a_lᵀ·δ_l,  ∂L/∂b_l += δ_l,  δ_{l−1} = (W_l·δ_l) ⊙ act'(a_l)
 * Each gradient element receives the rows' terms in row order, as row-by-row back-propagation
 * would add them; the four rows share every load and store of the gradient and of W_l.
 */
export function backwardTile(mlp: Mlp, setBase: usize): void {
  const numActions = sizeAt(mlp, mlp.numLayers);
  const width = <usize>mlp.maxWidth << 2;
  const layerBytes = <usize>mlp.maxWidth << 4;
  const activation = mlp.activation;
  // δ of row r at delta + r·width (row-major), padded units 0.
  let delta = mlp.gradRows;
  let next = mlp.gradRows + <usize>TILE_ROWS * width;
  memory.fill(delta, 0, <usize>TILE_ROWS * width);
  if (mlp.head == HEAD_GAUSSIAN) {
    gaussianHeadBackward(mlp, setBase, delta, width);
  } else {
    // δ_L, the 4 rows at once (rows in lanes), then written row by row.
    const logProbs = mlpLogSoftmaxTile(mlp);
    const coef = v128.load(mlp.tileCoef), action = v128.load(mlp.tileAction);
    for (let a = 0; a < numActions; a++) {
      const p = exp4(v128.load(logProbs + <usize>a * TILE_UNIT_BYTES));
      const onehot = v128.and(i32x4.eq(action, i32x4.splat(a)), f32x4.splat(1));
      const d = f32x4.mul(coef, f32x4.sub(p, onehot));
      const at = delta + (<usize>a << 2);
      store<f32>(at, f32x4.extract_lane(d, 0));
      store<f32>(at + width, f32x4.extract_lane(d, 1));
      store<f32>(at + 2 * width, f32x4.extract_lane(d, 2));
      store<f32>(at + 3 * width, f32x4.extract_lane(d, 3));
    }
  }
  // Walk the layers backwards; kernel offsets are recomputed from the top.
  let kernelEnd = mlp.mlpFloats; // float index just past the last bias
  for (let l = mlp.numLayers - 1; l >= 0; l--) {
    const inRows = paddedAt(mlp, l);
    const outPad = paddedAt(mlp, l + 1);
    const biasAt = kernelEnd - outPad;
    const kernelAt = biasAt - inRows * outPad;
    const gW = mlp.grad + (<usize>kernelAt << 2);
    const gb = mlp.grad + (<usize>biasAt << 2);
    const W = setBase + (<usize>kernelAt << 2);
    const a = mlp.tile + <usize>l * layerBytes; // a_k of row r at a + 16·k + 4·r
    const d1 = delta + width, d2 = delta + 2 * width, d3 = delta + 3 * width;
    const rowBytes = <usize>outPad << 2;
    for (let j: usize = 0; j < rowBytes; j += 16) {
      let g = f32x4.add(v128.load(gb + j), v128.load(delta + j));
      g = f32x4.add(g, v128.load(d1 + j));
      g = f32x4.add(g, v128.load(d2 + j));
      v128.store(gb + j, f32x4.add(g, v128.load(d3 + j)));
    }
    for (let k = 0; k < inRows; k++) {
      const ak = a + (<usize>k << 4);
      const a0 = v128.load32_splat(ak), a1 = v128.load32_splat(ak, 4);
      const a2 = v128.load32_splat(ak, 8), a3 = v128.load32_splat(ak, 12);
      const gk = gW + <usize>k * rowBytes;
      if (l == 0) {
        // The input layer: its δ would be the observations' and nobody needs it, so no W·δ.
        for (let j: usize = 0; j < rowBytes; j += 16) {
          let g = f32x4.add(v128.load(gk + j), f32x4.mul(a0, v128.load(delta + j)));
          g = f32x4.add(g, f32x4.mul(a1, v128.load(d1 + j)));
          g = f32x4.add(g, f32x4.mul(a2, v128.load(d2 + j)));
          v128.store(gk + j, f32x4.add(g, f32x4.mul(a3, v128.load(d3 + j))));
        }
        continue;
      }
      const wk = W + <usize>k * rowBytes;
      let dot0 = f32x4.splat(0), dot1 = dot0, dot2 = dot0, dot3 = dot0;
      for (let j: usize = 0; j < rowBytes; j += 16) {
        const w = v128.load(wk + j);
        const e0 = v128.load(delta + j), e1 = v128.load(d1 + j), e2 = v128.load(d2 + j), e3 = v128.load(d3 + j);
        let g = f32x4.add(v128.load(gk + j), f32x4.mul(a0, e0));
        g = f32x4.add(g, f32x4.mul(a1, e1));
        g = f32x4.add(g, f32x4.mul(a2, e2));
        v128.store(gk + j, f32x4.add(g, f32x4.mul(a3, e3)));
        dot0 = f32x4.add(dot0, f32x4.mul(w, e0));
        dot1 = f32x4.add(dot1, f32x4.mul(w, e1));
        dot2 = f32x4.add(dot2, f32x4.mul(w, e2));
        dot3 = f32x4.add(dot3, f32x4.mul(w, e3));
      }
      const nk = next + (<usize>k << 2);
      store<f32>(nk, lanesSum(dot0) * slopeAt(load<f32>(ak), activation));
      store<f32>(nk + width, lanesSum(dot1) * slopeAt(load<f32>(ak, 4), activation));
      store<f32>(nk + 2 * width, lanesSum(dot2) * slopeAt(load<f32>(ak, 8), activation));
      store<f32>(nk + 3 * width, lanesSum(dot3) * slopeAt(load<f32>(ak, 12), activation));
    }
    const swap = delta; delta = next; next = swap;
    kernelEnd = kernelAt;
  }
}

/**
 * The Gaussian head of backwardTile: per row r (coefficient c, action a, mean μ = the MLP's outputs,
 * log-std s, σ = e^s) of L_row = −c·log π(a|s) with log π = Σ_j −½((a_j − μ_j)/σ_j)² − s_j − ½log 2π:
 *   δ_L[j] = ∂L_row/∂μ_j = −c·(a_j − μ_j)·e^{−2s_j}       (row-major into `delta`)
 *   ∂L_row/∂s_j = −c·((a_j − μ_j)²·e^{−2s_j} − 1)          (added to mlp.grad at the log-std)
 * A filler row (c = 0) adds zeros. The rows' terms join each gradient element in row order.
 */
export function gaussianHeadBackward(mlp: Mlp, setBase: usize, delta: usize, width: usize): void {
  const size = sizeAt(mlp, mlp.numLayers);
  const means = mlp.tile + <usize>mlp.numLayers * (<usize>mlp.maxWidth << 4);
  const logStd = setBase + (<usize>mlp.mlpFloats << 2), gradStd = mlp.grad + (<usize>mlp.mlpFloats << 2);
  const rowBytes = <usize>size << 2;
  for (let r = 0; r < TILE_ROWS; r++) {
    const c = load<f32>(mlp.tileCoef + (<usize>r << 2));
    const action = mlp.rowActions + <usize>load<i32>(mlp.tileRow + (<usize>r << 2)) * rowBytes;
    for (let j = 0; j < size; j++) {
      const at = <usize>j << 2;
      const inv = Mathf.exp(<f32>-2 * load<f32>(logStd + at));
      const diff = load<f32>(action + at) - load<f32>(means + (<usize>j << 4) + (<usize>r << 2));
      store<f32>(delta + <usize>r * width + at, -c * diff * inv);
      store<f32>(gradStd + at, load<f32>(gradStd + at) - c * (diff * diff * inv - 1));
    }
  }
}

/** A pass over the rows of the last forward tile (see sweepRows), e.g. backwardTile. */
export type TilePass = (mlp: Mlp, weightsBase: usize, context: usize) => void;

function gradientPass(mlp: Mlp, weightsBase: usize, context: usize): void {
  backwardTile(mlp, weightsBase);
}

/**
 * Fills the tile (mlp.tileCoef / tileAction / tileRow) with the next rows of [r, end) whose
 * coefficient c_r = w_r·A_r / Σw is non-zero (rows with c_r = 0 add nothing to a gradient or a
 * Hessian-vector product of L), then filler rows (c = 0, repeating the tile's first row).
 * Returns the row to continue from; mlp.tileCount rows were taken (0: none left before `end`).
 */
function gatherTile(mlp: Mlp, r: i32, end: i32, actions: usize, advantages: usize, weights: usize, weightSum: f64): i32 {
  let count = 0;
  while (r < end && count < TILE_ROWS) {
    const coef = <f32>(<f64>(load<f32>(weights + (<usize>r << 2)) * load<f32>(advantages + (<usize>r << 2))) / weightSum);
    if (coef != 0) {
      const at = <usize>count << 2;
      store<f32>(mlp.tileCoef + at, coef);
      // A Gaussian head reads its rows' action vectors through tileRow (mlp.rowActions).
      if (mlp.head == HEAD_CATEGORICAL) store<i32>(mlp.tileAction + at, load<i32>(actions + (<usize>r << 2)));
      store<i32>(mlp.tileRow + at, r);
      count++;
    }
    r++;
  }
  for (let i = count; i < TILE_ROWS; i++) {
    const at = <usize>i << 2;
    store<f32>(mlp.tileCoef + at, 0);
    store<i32>(mlp.tileAction + at, 0);
    store<i32>(mlp.tileRow + at, load<i32>(mlp.tileRow));
  }
  mlp.tileCount = count;
  return r;
}

/**
 * Sums a per-row quantity of the surrogate L(θ) = −Σ_r w_r·log π_θ(a_r|s_r)·A_r / Σ_r w_r over n
 * rows into mlp.gradTotal (padded layout): the rows with c_r = w_r·A_r / Σw ≠ 0 go forward in
 * tiles at the weights at `weightsBase` (padded layout), then `pass` adds the tile's terms to
 * mlp.grad. Rows are summed in blocks of GRAD_BLOCK_ROWS so float32 sums stay accurate.
 */
export function sweepRows(mlp: Mlp, weightsBase: usize, n: i32, obs: usize, actions: usize, advantages: usize, weights: usize,
  pass: TilePass, context: usize): void {
  const rowBytes = <usize>sizeAt(mlp, 0) << 2;
  let weightSum: f64 = 0;
  for (let r = 0; r < n; r++) weightSum += <f64>load<f32>(weights + (<usize>r << 2));
  mlp.rowActions = actions;
  memory.fill(mlp.grad, 0, <usize>mlp.setFloats << 2);
  memory.fill(mlp.gradTotal, 0, <usize>mlp.setFloats << 2);
  for (let block = 0; block < n; block += GRAD_BLOCK_ROWS) {
    if (block > 0) flushBlock(mlp);
    const end = min(n, block + GRAD_BLOCK_ROWS);
    let r = block;
    while (r < end) {
      r = gatherTile(mlp, r, end, actions, advantages, weights, weightSum);
      if (mlp.tileCount == 0) break;
      const rows = mlp.tileRow;
      forwardTileAt(mlp, weightsBase, obs + <usize>load<i32>(rows) * rowBytes, obs + <usize>load<i32>(rows, 4) * rowBytes,
        obs + <usize>load<i32>(rows, 8) * rowBytes, obs + <usize>load<i32>(rows, 12) * rowBytes);
      pass(mlp, weightsBase, context);
    }
  }
  flushBlock(mlp);
}

/** ∇L(θ) of the weights at `weightsBase` (padded) over n rows, left in mlp.gradTotal (padded). */
export function gradientAt(mlp: Mlp, weightsBase: usize, n: i32, obs: usize, actions: usize, advantages: usize, weights: usize): void {
  sweepRows(mlp, weightsBase, n, obs, actions, advantages, weights, gradientPass, 0);
}

/**
 * Gradient of the REINFORCE surrogate L(θ) = −Σ_r w_r·log π_θ(a_r|s_r)·A_r / Σ_r w_r over n rows,
 * written into `gradOut` in the public flat layout (sweepRows with backwardTile).
 */
export function mlpPolicyGradient(ptr: usize, set: i32, n: i32, obs: usize, actions: usize, advantages: usize,
  weights: usize, gradOut: usize): void {
  const mlp = changetype<Mlp>(ptr);
  gradientAt(mlp, mlp.weights + (<usize>set * <usize>mlp.setFloats << 2), n, obs, actions, advantages, weights);
  copyLayout(mlp, mlp.gradTotal, gradOut, false);
}
