// An MLP policy with a categorical head over rows of observations, SIMD over units.
//
// Public (flat) layout, shared with tfjs (DESIGN.md, Dense): for each layer l, the kernel
// W_l [in_l][out_l] row-major, then the bias b_l [out_l]. Inside WASM every layer's out size is
// padded to a multiple of 4 with zero weights, so a row's units are whole f32x4 vectors; padded
// units stay exactly 0 through tanh and relu. A policy may hold several weight sets (one per
// task, e.g. the adapted θ'_i of every task of a meta-batch).

import { alloc, free, padLanes } from './memory';
import { tanh4 } from './simd_math';

export const ACTIVATION_TANH: i32 = 0;
export const ACTIVATION_RELU: i32 = 1;

@unmanaged export class Mlp {
  numLayers: i32;
  activation: i32;
  numSets: i32;
  setFloats: i32;     // padded floats per weight set
  flatFloats: i32;    // floats of the public flat layout
  maxWidth: i32;      // widest padded layer (input included)
  sizes: usize;       // i32 [numLayers + 1]: obsDim, hidden..., numActions
  padded: usize;      // i32 [numLayers + 1]: padded out sizes (input: obsDim unpadded)
  weights: usize;     // f32 [numSets][setFloats]
  activations: usize; // f32 [numLayers + 1][maxWidth]: one row's a_0 .. a_L (a_L = logits)
  gradRow: usize;     // f32 [2][maxWidth]: backward scratch
  grad: usize;        // f32 [setFloats]: gradient of the current block of rows, padded layout
  gradTotal: usize;   // f32 [setFloats]: sum of the blocks
}

/** Rows summed in float32 before joining the total: bounds rounding error growth on big batches. */
const GRAD_BLOCK_ROWS: i32 = 64;

@inline function sizeAt(mlp: Mlp, l: i32): i32 { return load<i32>(mlp.sizes + (<usize>l << 2)); }
@inline function paddedAt(mlp: Mlp, l: i32): i32 { return load<i32>(mlp.padded + (<usize>l << 2)); }

/** sizes: i32 [numLayers + 1] = obsDim, hidden sizes, numActions. */
export function mlpCreate(numLayers: i32, sizesPtr: usize, activation: i32, numSets: i32): usize {
  const mlp = changetype<Mlp>(alloc(offsetof<Mlp>()));
  mlp.numLayers = numLayers;
  mlp.activation = activation;
  mlp.numSets = numSets;
  mlp.sizes = alloc(<usize>(numLayers + 1) << 2);
  mlp.padded = alloc(<usize>(numLayers + 1) << 2);
  memory.copy(mlp.sizes, sizesPtr, <usize>(numLayers + 1) << 2);
  let setFloats = 0, flatFloats = 0;
  let maxWidth = padLanes(load<i32>(sizesPtr));
  store<i32>(mlp.padded, load<i32>(sizesPtr));
  for (let l = 0; l < numLayers; l++) {
    const inSize = sizeAt(mlp, l), outSize = sizeAt(mlp, l + 1);
    const inRows = l == 0 ? inSize : paddedAt(mlp, l);
    const outPad = padLanes(outSize);
    store<i32>(mlp.padded + (<usize>(l + 1) << 2), outPad);
    setFloats += inRows * outPad + outPad;
    flatFloats += inSize * outSize + outSize;
    if (outPad > maxWidth) maxWidth = outPad;
  }
  mlp.setFloats = setFloats;
  mlp.flatFloats = flatFloats;
  mlp.maxWidth = maxWidth;
  mlp.weights = alloc(<usize>numSets * <usize>setFloats << 2);
  mlp.activations = alloc(<usize>(numLayers + 1) * <usize>maxWidth << 2);
  mlp.gradRow = alloc(<usize>(2 * maxWidth) << 2);
  mlp.grad = alloc(<usize>setFloats << 2);
  mlp.gradTotal = alloc(<usize>setFloats << 2);
  return changetype<usize>(mlp);
}

export function mlpFree(ptr: usize): void {
  const mlp = changetype<Mlp>(ptr);
  free(mlp.sizes); free(mlp.padded); free(mlp.weights); free(mlp.activations); free(mlp.gradRow); free(mlp.grad); free(mlp.gradTotal);
  free(ptr);
}

export function mlpFlatFloats(ptr: usize): i32 { return changetype<Mlp>(ptr).flatFloats; }

/** Copies weight set `set` from the public flat layout at `flat` into the padded layout. */
export function mlpSetWeights(ptr: usize, set: i32, flat: usize): void {
  const mlp = changetype<Mlp>(ptr);
  let dst = mlp.weights + (<usize>set * <usize>mlp.setFloats << 2);
  memory.fill(dst, 0, <usize>mlp.setFloats << 2);
  let src = flat;
  for (let l = 0; l < mlp.numLayers; l++) {
    const inSize = sizeAt(mlp, l), outSize = sizeAt(mlp, l + 1);
    const inRows = l == 0 ? inSize : paddedAt(mlp, l);
    const outPad = paddedAt(mlp, l + 1);
    for (let k = 0; k < inSize; k++) {
      memory.copy(dst + (<usize>(k * outPad) << 2), src + (<usize>(k * outSize) << 2), <usize>outSize << 2);
    }
    src += <usize>(inSize * outSize) << 2;
    dst += <usize>(inRows * outPad) << 2;
    memory.copy(dst, src, <usize>outSize << 2);
    src += <usize>outSize << 2;
    dst += <usize>outPad << 2;
  }
}

/**
 * Forward pass of one row: a_{l+1} = act(a_l · W_l + b_l) for hidden layers, logits = a_L.
 * Leaves every activation in mlp.activations (layer l at l·maxWidth) for the backward pass.
 */
export function mlpForwardRow(mlp: Mlp, set: i32, input: usize): usize {
  const width = <usize>mlp.maxWidth << 2;
  memory.copy(mlp.activations, input, <usize>sizeAt(mlp, 0) << 2);
  let w = mlp.weights + (<usize>set * <usize>mlp.setFloats << 2);
  for (let l = 0; l < mlp.numLayers; l++) {
    const inRows = paddedAt(mlp, l);
    const outPad = paddedAt(mlp, l + 1);
    const a = mlp.activations + <usize>l * width;
    const out = a + width;
    const bias = w + (<usize>(inRows * outPad) << 2);
    const hidden = l + 1 < mlp.numLayers;
    for (let j = 0; j < outPad; j += 4) {
      let acc = v128.load(bias + (<usize>j << 2));
      let wk = w + (<usize>j << 2);
      for (let k = 0; k < inRows; k++) {
        acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(a + (<usize>k << 2))), v128.load(wk)));
        wk += <usize>outPad << 2;
      }
      if (hidden) {
        acc = mlp.activation == ACTIVATION_TANH ? tanh4(acc) : f32x4.max(acc, f32x4.splat(0));
      }
      v128.store(out + (<usize>j << 2), acc);
    }
    w = bias + (<usize>outPad << 2);
  }
  return mlp.activations + <usize>mlp.numLayers * width;
}

/** log π(·|s) of the last forward row into out[0..A): logits − logsumexp(logits). */
@inline export function logSoftmaxRow(logits: usize, numActions: i32, out: usize): void {
  let m = load<f32>(logits);
  for (let a = 1; a < numActions; a++) m = max(m, load<f32>(logits + (<usize>a << 2)));
  let sum: f32 = 0;
  for (let a = 0; a < numActions; a++) sum += Mathf.exp(load<f32>(logits + (<usize>a << 2)) - m);
  const logZ = m + Mathf.log(sum);
  for (let a = 0; a < numActions; a++) store<f32>(out + (<usize>a << 2), load<f32>(logits + (<usize>a << 2)) - logZ);
}

function flushBlock(mlp: Mlp): void {
  for (let i = 0; i < mlp.setFloats; i += 4) {
    const off = <usize>i << 2;
    v128.store(mlp.gradTotal + off, f32x4.add(v128.load(mlp.gradTotal + off), v128.load(mlp.grad + off)));
  }
  memory.fill(mlp.grad, 0, <usize>mlp.setFloats << 2);
}

/** Logits and log-probabilities of n rows (cross-checked against tfjs in the tests). */
export function mlpForwardBatch(ptr: usize, set: i32, n: i32, obs: usize, logitsOut: usize, logProbOut: usize): void {
  const mlp = changetype<Mlp>(ptr);
  const obsDim = sizeAt(mlp, 0), numActions = sizeAt(mlp, mlp.numLayers);
  for (let r = 0; r < n; r++) {
    const logits = mlpForwardRow(mlp, set, obs + (<usize>(r * obsDim) << 2));
    memory.copy(logitsOut + (<usize>(r * numActions) << 2), logits, <usize>numActions << 2);
    logSoftmaxRow(logits, numActions, logProbOut + (<usize>(r * numActions) << 2));
  }
}

/**
 * Gradient of the REINFORCE surrogate L(θ) = −Σ_r w_r·log π_θ(a_r|s_r)·A_r / Σ_r w_r over n rows,
 * written into `gradOut` in the public flat layout. Per row, with p = softmax(logits):
 *   ∂L/∂logits = c_r·(p − onehot(a_r)),  c_r = w_r·A_r / Σw
 *   ∂L/∂W_l += a_lᵀ·δ_l,  ∂L/∂b_l += δ_l,  δ_{l−1} = (W_l·δ_l) ⊙ act'(a_l)
 * with tanh' = 1 − a², relu' = [a > 0]. Rows are accumulated in blocks so float32 sums stay accurate.
 */
export function mlpPolicyGradient(ptr: usize, set: i32, n: i32, obs: usize, actions: usize, advantages: usize,
  weights: usize, gradOut: usize): void {
  const mlp = changetype<Mlp>(ptr);
  const obsDim = sizeAt(mlp, 0), numActions = sizeAt(mlp, mlp.numLayers);
  const width = <usize>mlp.maxWidth << 2;
  let weightSum: f64 = 0;
  for (let r = 0; r < n; r++) weightSum += <f64>load<f32>(weights + (<usize>r << 2));
  memory.fill(mlp.grad, 0, <usize>mlp.setFloats << 2);
  memory.fill(mlp.gradTotal, 0, <usize>mlp.setFloats << 2);
  const setBase = mlp.weights + (<usize>set * <usize>mlp.setFloats << 2);
  for (let r = 0; r < n; r++) {
    if (r % GRAD_BLOCK_ROWS == 0 && r > 0) flushBlock(mlp);
    const coef = <f32>(<f64>(load<f32>(weights + (<usize>r << 2)) * load<f32>(advantages + (<usize>r << 2))) / weightSum);
    if (coef == 0) continue;
    const logits = mlpForwardRow(mlp, set, obs + (<usize>(r * obsDim) << 2));
    // δ_L = c·(softmax − onehot), padded units 0.
    let delta = mlp.gradRow;
    let next = mlp.gradRow + width;
    memory.fill(delta, 0, width);
    let m = load<f32>(logits);
    for (let a = 1; a < numActions; a++) m = max(m, load<f32>(logits + (<usize>a << 2)));
    let sum: f32 = 0;
    for (let a = 0; a < numActions; a++) sum += Mathf.exp(load<f32>(logits + (<usize>a << 2)) - m);
    const action = load<i32>(actions + (<usize>r << 2));
    for (let a = 0; a < numActions; a++) {
      const p = Mathf.exp(load<f32>(logits + (<usize>a << 2)) - m) / sum;
      store<f32>(delta + (<usize>a << 2), coef * (p - (a == action ? <f32>1 : <f32>0)));
    }
    // Walk the layers backwards; kernel offsets are recomputed from the top.
    let kernelEnd = mlp.setFloats; // float index just past the last bias
    for (let l = mlp.numLayers - 1; l >= 0; l--) {
      const inRows = paddedAt(mlp, l);
      const outPad = paddedAt(mlp, l + 1);
      const biasAt = kernelEnd - outPad;
      const kernelAt = biasAt - inRows * outPad;
      const gW = mlp.grad + (<usize>kernelAt << 2);
      const gb = mlp.grad + (<usize>biasAt << 2);
      const W = setBase + (<usize>kernelAt << 2);
      const a = mlp.activations + <usize>l * width;
      for (let j = 0; j < outPad; j += 4) {
        const off = <usize>j << 2;
        v128.store(gb + off, f32x4.add(v128.load(gb + off), v128.load(delta + off)));
      }
      for (let k = 0; k < inRows; k++) {
        const ak = f32x4.splat(load<f32>(a + (<usize>k << 2)));
        const row = <usize>(k * outPad) << 2;
        let dot = f32x4.splat(0);
        for (let j = 0; j < outPad; j += 4) {
          const off = <usize>j << 2;
          const d = v128.load(delta + off);
          v128.store(gW + row + off, f32x4.add(v128.load(gW + row + off), f32x4.mul(ak, d)));
          dot = f32x4.add(dot, f32x4.mul(v128.load(W + row + off), d));
        }
        if (l > 0) {
          const s = f32x4.extract_lane(dot, 0) + f32x4.extract_lane(dot, 1) + f32x4.extract_lane(dot, 2) + f32x4.extract_lane(dot, 3);
          const av = load<f32>(a + (<usize>k << 2));
          const slope: f32 = mlp.activation == ACTIVATION_TANH ? 1 - av * av : (av > 0 ? <f32>1 : <f32>0);
          store<f32>(next + (<usize>k << 2), s * slope);
        }
      }
      const swap = delta; delta = next; next = swap;
      kernelEnd = kernelAt;
    }
  }
  flushBlock(mlp);
  // Padded layout → public flat layout.
  let src = mlp.gradTotal, dst = gradOut;
  for (let l = 0; l < mlp.numLayers; l++) {
    const inSize = sizeAt(mlp, l), outSize = sizeAt(mlp, l + 1);
    const inRows = paddedAt(mlp, l), outPad = paddedAt(mlp, l + 1);
    for (let k = 0; k < inSize; k++) {
      memory.copy(dst + (<usize>(k * outSize) << 2), src + (<usize>(k * outPad) << 2), <usize>outSize << 2);
    }
    dst += <usize>(inSize * outSize) << 2;
    src += <usize>(inRows * outPad) << 2;
    memory.copy(dst, src, <usize>outSize << 2);
    dst += <usize>outSize << 2;
    src += <usize>outPad << 2;
  }
}
