// The exact meta-gradient of one task for the MLP policies of policy.ts, by forward-over-reverse
// Hessian-vector products (Pearlmutter 1994: R{f} = d/dr f(θ + r·u) at r = 0, pushed through the
// forward pass and then through the backward pass).
//
// The task: inner rows D (the loss L_in, surrogate 'naive' or 'lvc'), outer rows D′ (L_out, naive),
// k ≥ 1 inner steps with rates α (one number, or one per parameter: Meta-SGD):
//   (1) θ_0 = θ,  θ_{j+1} = θ_j − α ⊙ g_j,  g_j = ∇L_in(θ_j; D)                 j = 0 … k−1
//   (2) v_k = ∇L_out(θ_k; D′)
//   (3) v_j = v_{j+1} − H_in(θ_j)·(α ⊙ v_{j+1})                                   j = k−1 … 0
//   (4) ∇_θ = v_0,   ∇_α = −Σ_j g_j ⊙ v_{j+1}
// (3) is the chain rule through (1): ∂θ_{j+1}/∂θ_j = I − diag(α)·H_in(θ_j), H symmetric. First
// order (FOMAML) drops the Hessian term: v_j = v_k for every j.
//
// Everything runs in the padded layout of policy.ts (padding stays exactly 0: padded units have
// zero weights, so their gradients and R-terms are 0). Rows go through in tiles of TILE_ROWS, the
// same register tiles as the forward and backward passes; every per-call buffer is a workspace
// allocated once (metaGradCreate) and reused.
import { alloc, free } from './memory';
import { exp4 } from './simd_math';
import {
  Mlp, TILE_ROWS, TILE_UNIT_BYTES, ACTIVATION_TANH, sizeAt, paddedAt, copyLayout, denseTile, storeTransposed, lanesSum,
  mlpLogSoftmaxTile, gradientAt, sweepRows, HEAD_GAUSSIAN,
} from './policy';

export const INNER_LOSS_NAIVE: i32 = 0;
export const INNER_LOSS_LVC: i32 = 1;

@unmanaged class MetaGrad {
  mlp: Mlp;
  capacity: i32;   // inner steps the buffers hold
  innerLoss: i32;  // INNER_LOSS_NAIVE | INNER_LOSS_LVC, for the current call
  thetas: usize;   // f32 [capacity + 1][setFloats]: θ_0 … θ_k
  grads: usize;    // f32 [capacity][setFloats]: g_0 … g_{k−1}
  alpha: usize;    // f32 [setFloats]: α (a scalar rate fills it)
  v: usize;        // f32 [setFloats]: v_j
  u: usize;        // f32 [setFloats]: the direction α ⊙ v_{j+1} of the Hessian-vector product
  alphaGrad: usize; // f32 [setFloats]: ∇_α
  rTile: usize;    // f32 [numLayers + 1][maxWidth][TILE_ROWS]: R{a_l} of a tile, laid out like mlp.tile
  rDelta: usize;   // f32 [2][TILE_ROWS][maxWidth]: R{δ_l} of a tile, laid out like mlp.gradRows
}

/** A workspace for meta-gradients of `mlpPtr`'s architecture with up to `capacity` inner steps. */
export function metaGradCreate(mlpPtr: usize, capacity: i32): usize {
  const mlp = changetype<Mlp>(mlpPtr);
  const ws = changetype<MetaGrad>(alloc(offsetof<MetaGrad>()));
  const setBytes = <usize>mlp.setFloats << 2;
  ws.mlp = mlp;
  ws.capacity = capacity;
  ws.thetas = alloc(<usize>(capacity + 1) * setBytes);
  ws.grads = alloc(<usize>capacity * setBytes);
  ws.alpha = alloc(setBytes);
  ws.v = alloc(setBytes);
  ws.u = alloc(setBytes);
  ws.alphaGrad = alloc(setBytes);
  ws.rTile = alloc(<usize>((mlp.numLayers + 1) * TILE_ROWS) * <usize>mlp.maxWidth << 2);
  ws.rDelta = alloc(<usize>(2 * TILE_ROWS * mlp.maxWidth) << 2);
  return changetype<usize>(ws);
}

export function metaGradFree(ptr: usize): void {
  const ws = changetype<MetaGrad>(ptr);
  free(ws.thetas); free(ws.grads); free(ws.alpha); free(ws.v); free(ws.u); free(ws.alphaGrad); free(ws.rTile); free(ws.rDelta);
  free(ptr);
}

/**
 * R-forward of one Dense layer over a tile (tile layouts as in policy.ts denseTile):
 *   R{z} = R{a}·W + a·U + u_b     (U, u_b: the direction's kernel and bias)
 * Register tile: 4 rows × 8 units, each pair of W and U vectors loaded serves the 4 rows.
 */
function denseTileR(ra: usize, a: usize, out: usize, w: usize, u: usize, inRows: i32, outPad: i32): void {
  const stride = <usize>outPad << 2;
  const uBias = u + <usize>inRows * stride;
  const inBytes = <usize>inRows << 4;
  let j = 0;
  for (; j + 8 <= outPad; j += 8) {
    const jb = <usize>j << 2;
    const bA = v128.load(uBias + jb), bB = v128.load(uBias + jb, 16);
    let r0A = bA, r0B = bB, r1A = bA, r1B = bB, r2A = bA, r2B = bB, r3A = bA, r3B = bB;
    let wk = w + jb, uk = u + jb;
    for (let k: usize = 0; k < inBytes; k += 16) {
      const wA = v128.load(wk), wB = v128.load(wk, 16), uA = v128.load(uk), uB = v128.load(uk, 16);
      let s = v128.load32_splat(ra + k);
      r0A = f32x4.add(r0A, f32x4.mul(s, wA)); r0B = f32x4.add(r0B, f32x4.mul(s, wB));
      s = v128.load32_splat(a + k);
      r0A = f32x4.add(r0A, f32x4.mul(s, uA)); r0B = f32x4.add(r0B, f32x4.mul(s, uB));
      s = v128.load32_splat(ra + k, 4);
      r1A = f32x4.add(r1A, f32x4.mul(s, wA)); r1B = f32x4.add(r1B, f32x4.mul(s, wB));
      s = v128.load32_splat(a + k, 4);
      r1A = f32x4.add(r1A, f32x4.mul(s, uA)); r1B = f32x4.add(r1B, f32x4.mul(s, uB));
      s = v128.load32_splat(ra + k, 8);
      r2A = f32x4.add(r2A, f32x4.mul(s, wA)); r2B = f32x4.add(r2B, f32x4.mul(s, wB));
      s = v128.load32_splat(a + k, 8);
      r2A = f32x4.add(r2A, f32x4.mul(s, uA)); r2B = f32x4.add(r2B, f32x4.mul(s, uB));
      s = v128.load32_splat(ra + k, 12);
      r3A = f32x4.add(r3A, f32x4.mul(s, wA)); r3B = f32x4.add(r3B, f32x4.mul(s, wB));
      s = v128.load32_splat(a + k, 12);
      r3A = f32x4.add(r3A, f32x4.mul(s, uA)); r3B = f32x4.add(r3B, f32x4.mul(s, uB));
      wk += stride; uk += stride;
    }
    storeTransposed(out + (<usize>j << 4), r0A, r1A, r2A, r3A);
    storeTransposed(out + (<usize>j << 4) + 64, r0B, r1B, r2B, r3B);
  }
  if (j < outPad) {
    const jb = <usize>j << 2;
    let r0 = v128.load(uBias + jb), r1 = r0, r2 = r0, r3 = r0;
    let wk = w + jb, uk = u + jb;
    for (let k: usize = 0; k < inBytes; k += 16) {
      const wv = v128.load(wk), uv = v128.load(uk);
      r0 = f32x4.add(f32x4.add(r0, f32x4.mul(v128.load32_splat(ra + k), wv)), f32x4.mul(v128.load32_splat(a + k), uv));
      r1 = f32x4.add(f32x4.add(r1, f32x4.mul(v128.load32_splat(ra + k, 4), wv)), f32x4.mul(v128.load32_splat(a + k, 4), uv));
      r2 = f32x4.add(f32x4.add(r2, f32x4.mul(v128.load32_splat(ra + k, 8), wv)), f32x4.mul(v128.load32_splat(a + k, 8), uv));
      r3 = f32x4.add(f32x4.add(r3, f32x4.mul(v128.load32_splat(ra + k, 12), wv)), f32x4.mul(v128.load32_splat(a + k, 12), uv));
      wk += stride; uk += stride;
    }
    storeTransposed(out + (<usize>j << 4), r0, r1, r2, r3);
  }
}

/**
 * R{a} = act'(z) ⊙ R{z} of a hidden layer, in place, act' read from the forward's output a:
 * tanh' = 1 − a², relu' = [a > 0].
 */
function slopeTile(rz: usize, a: usize, units: i32, activation: i32): void {
  const bytes = <usize>units << 4;
  if (activation == ACTIVATION_TANH) {
    const one = f32x4.splat(1);
    for (let o: usize = 0; o < bytes; o += 16) {
      const av = v128.load(a + o);
      v128.store(rz + o, f32x4.mul(v128.load(rz + o), f32x4.sub(one, f32x4.mul(av, av))));
    }
  } else {
    for (let o: usize = 0; o < bytes; o += 16) {
      v128.store(rz + o, v128.and(v128.load(rz + o), f32x4.gt(v128.load(a + o), f32x4.splat(0))));
    }
  }
}

/** Stores the 4 lanes (rows) of v at row-major δ rows: lane r at at + r·width. */
@inline function storeRows(at: usize, width: usize, v: v128): void {
  store<f32>(at, f32x4.extract_lane(v, 0));
  store<f32>(at + width, f32x4.extract_lane(v, 1));
  store<f32>(at + 2 * width, f32x4.extract_lane(v, 2));
  store<f32>(at + 3 * width, f32x4.extract_lane(v, 3));
}

/**
 * The Hessian-vector product terms H_in(θ)·u of the tile's rows (after forwardTileAt), added to
 * mlp.grad; u = ws.u. Per row with coefficient c (L_row = −c·log π(a|s)):
 *   R-forward:  R{a_0} = 0;  R{z_l} = R{a_{l−1}}·W_l + a_{l−1}·U_l + u_bl;  R{a_l} = act'(z_l) ⊙ R{z_l}
 *   head:       δ_L = c·(p − onehot(a)),  R{δ_L} = c·p ⊙ (R{z_L} − pᵀR{z_L})
 *               'lvc' adds −c·(∇log π·u)·∇log π, i.e. R{δ_L} += R{log π(a|s)}·δ_L with
 *               R{log π(a|s)} = R{z_L}[a] − pᵀR{z_L} (ProMP's surrogate π/⊥π: dropping ⊥ gives this term)
 *   backward:   R{∂L/∂W_l} = R{a_{l−1}}ᵀ·δ_l + a_{l−1}ᵀ·R{δ_l},  R{∂L/∂b_l} = R{δ_l}
 *               δ_{l−1}    = (δ_l·W_lᵀ) ⊙ act'
 *               R{δ_{l−1}} = (R{δ_l}·W_lᵀ + δ_l·U_lᵀ) ⊙ act' + (δ_l·W_lᵀ) ⊙ R{act'}
 *               with R{act'} = R{1 − a²} = −2a ⊙ R{a} for tanh, 0 for relu.
 */
function hvpPass(mlp: Mlp, weightsBase: usize, context: usize): void {
  const ws = changetype<MetaGrad>(context);
  const L = mlp.numLayers;
  const activation = mlp.activation;
  const layerBytes = <usize>mlp.maxWidth << 4;
  const width = <usize>mlp.maxWidth << 2;

  // R-forward, layer by layer (layer 0 reads obs, whose R{·} is 0: R{z_1} = a_0·U_1 + u_b1).
  let w = weightsBase, u = ws.u;
  for (let l = 0; l < L; l++) {
    const inRows = paddedAt(mlp, l), outPad = paddedAt(mlp, l + 1);
    const a = mlp.tile + <usize>l * layerBytes;
    const ra = ws.rTile + <usize>l * layerBytes, rOut = ra + layerBytes;
    if (l == 0) denseTile(a, rOut, u, inRows, outPad, false, activation);
    else denseTileR(ra, a, rOut, w, u, inRows, outPad);
    if (l + 1 < L) slopeTile(rOut, a + layerBytes, outPad, activation);
    const layerFloats = <usize>(inRows * outPad + outPad) << 2;
    w += layerFloats; u += layerFloats;
  }

  // The head: δ_L and R{δ_L}, the rows in lanes, written row-major (padded units stay 0).
  let delta = mlp.gradRows, deltaNext = delta + <usize>TILE_ROWS * width;
  let rDelta = ws.rDelta, rDeltaNext = rDelta + <usize>TILE_ROWS * width;
  memory.fill(delta, 0, <usize>TILE_ROWS * width);
  memory.fill(rDelta, 0, <usize>TILE_ROWS * width);
  if (mlp.head == HEAD_GAUSSIAN) gaussianHeadR(ws, mlp, weightsBase, delta, rDelta, width);
  else categoricalHeadR(ws, mlp, delta, rDelta, width);
  backwardR(ws, mlp, weightsBase, delta, deltaNext, rDelta, rDeltaNext, width);
}

/**
 * The categorical head's δ_L and R{δ_L} (see hvpPass), the rows in lanes, written row-major.
 */
function categoricalHeadR(ws: MetaGrad, mlp: Mlp, delta: usize, rDelta: usize, width: usize): void {
  const L = mlp.numLayers;
  const layerBytes = <usize>mlp.maxWidth << 4;
  const numActions = sizeAt(mlp, L);
  const logProbs = mlpLogSoftmaxTile(mlp);
  const rLogits = ws.rTile + <usize>L * layerBytes;
  const coef = v128.load(mlp.tileCoef), action = v128.load(mlp.tileAction);
  let pDotR = f32x4.splat(0), rChosen = f32x4.splat(0); // pᵀR{z_L}, R{z_L}[a]
  for (let b = 0; b < numActions; b++) {
    const rz = v128.load(rLogits + <usize>b * TILE_UNIT_BYTES);
    pDotR = f32x4.add(pDotR, f32x4.mul(exp4(v128.load(logProbs + <usize>b * TILE_UNIT_BYTES)), rz));
    rChosen = v128.bitselect(rz, rChosen, i32x4.eq(action, i32x4.splat(b)));
  }
  const rLogProb = f32x4.sub(rChosen, pDotR); // R{log π(a|s)}
  const lvc = ws.innerLoss == INNER_LOSS_LVC;
  for (let b = 0; b < numActions; b++) {
    const p = exp4(v128.load(logProbs + <usize>b * TILE_UNIT_BYTES));
    const onehot = v128.and(i32x4.eq(action, i32x4.splat(b)), f32x4.splat(1));
    const d = f32x4.mul(coef, f32x4.sub(p, onehot));
    let rd = f32x4.mul(f32x4.mul(coef, p), f32x4.sub(v128.load(rLogits + <usize>b * TILE_UNIT_BYTES), pDotR));
    if (lvc) rd = f32x4.add(rd, f32x4.mul(rLogProb, d));
    storeRows(delta + (<usize>b << 2), width, d);
    storeRows(rDelta + (<usize>b << 2), width, rd);
  }
}

/**
 * The Gaussian head's terms of H·u, row by row (policy.ts gaussianHeadBackward for δ_L and ∂/∂s).
 * With d = a − μ, e = e^{−2s}, R{μ} from the R-forward and u_s the direction's log-std part:
 *   δ_L[j] = −c·d_j·e_j                     R{δ_L}[j] = c·e_j·(R{μ_j} + 2·d_j·u_sj)
 *   ∂L/∂s_j = −c·(d_j²·e_j − 1)             R{∂L/∂s_j} = 2c·e_j·d_j·(R{μ_j} + d_j·u_sj)
 * 'lvc' adds R{log π(a|s)} times each first derivative, R{log π} = Σ_j d_j·e_j·R{μ_j} + (d_j²·e_j − 1)·u_sj.
 * R{∂L/∂s} is added to mlp.grad at the log-std; δ_L and R{δ_L} go on through the layers.
 */
function gaussianHeadR(ws: MetaGrad, mlp: Mlp, weightsBase: usize, delta: usize, rDelta: usize, width: usize): void {
  const L = mlp.numLayers;
  const layerBytes = <usize>mlp.maxWidth << 4;
  const size = sizeAt(mlp, L);
  const means = mlp.tile + <usize>L * layerBytes, rMeans = ws.rTile + <usize>L * layerBytes;
  const logStd = weightsBase + (<usize>mlp.mlpFloats << 2), uStd = ws.u + (<usize>mlp.mlpFloats << 2);
  const hStd = mlp.grad + (<usize>mlp.mlpFloats << 2);
  const rowBytes = <usize>size << 2;
  const lvc = ws.innerLoss == INNER_LOSS_LVC;
  for (let r = 0; r < TILE_ROWS; r++) {
    const c = load<f32>(mlp.tileCoef + (<usize>r << 2));
    const action = mlp.rowActions + <usize>load<i32>(mlp.tileRow + (<usize>r << 2)) * rowBytes;
    let rLogProb: f32 = 0;
    if (lvc) {
      for (let j = 0; j < size; j++) {
        const at = <usize>j << 2, tileAt = (<usize>j << 4) + (<usize>r << 2);
        const e = Mathf.exp(<f32>-2 * load<f32>(logStd + at));
        const d = load<f32>(action + at) - load<f32>(means + tileAt);
        rLogProb += d * e * load<f32>(rMeans + tileAt) + (d * d * e - 1) * load<f32>(uStd + at);
      }
    }
    for (let j = 0; j < size; j++) {
      const at = <usize>j << 2, tileAt = (<usize>j << 4) + (<usize>r << 2);
      const e = Mathf.exp(<f32>-2 * load<f32>(logStd + at));
      const d = load<f32>(action + at) - load<f32>(means + tileAt);
      const rMu = load<f32>(rMeans + tileAt), us = load<f32>(uStd + at);
      const delta_j = -c * d * e;
      let rDelta_j = c * e * (rMu + <f32>2 * d * us);
      let rStd = <f32>2 * c * e * d * (rMu + d * us);
      if (lvc) {
        rDelta_j += rLogProb * delta_j;
        rStd += rLogProb * (-c * (d * d * e - 1));
      }
      store<f32>(delta + <usize>r * width + at, delta_j);
      store<f32>(rDelta + <usize>r * width + at, rDelta_j);
      store<f32>(hStd + at, load<f32>(hStd + at) + rStd);
    }
  }
}

/** The backward half of hvpPass: from δ_L and R{δ_L} down through the layers into mlp.grad. */
function backwardR(ws: MetaGrad, mlp: Mlp, weightsBase: usize, delta: usize, deltaNext: usize, rDelta: usize, rDeltaNext: usize, width: usize): void {
  const L = mlp.numLayers;
  const activation = mlp.activation;
  const layerBytes = <usize>mlp.maxWidth << 4;

  // Backward, top layer first; kernel offsets recomputed from the end of the layers.
  let kernelEnd = mlp.mlpFloats;
  for (let l = L - 1; l >= 0; l--) {
    const inRows = paddedAt(mlp, l), outPad = paddedAt(mlp, l + 1);
    const biasAt = kernelEnd - outPad;
    const kernelAt = biasAt - inRows * outPad;
    const hW = mlp.grad + (<usize>kernelAt << 2), hb = mlp.grad + (<usize>biasAt << 2);
    const W = weightsBase + (<usize>kernelAt << 2), U = ws.u + (<usize>kernelAt << 2);
    const a = mlp.tile + <usize>l * layerBytes, ra = ws.rTile + <usize>l * layerBytes;
    const rowBytes = <usize>outPad << 2;
    const d1 = delta + width, d2 = delta + 2 * width, d3 = delta + 3 * width;
    const e1 = rDelta + width, e2 = rDelta + 2 * width, e3 = rDelta + 3 * width;
    // R{∂L/∂b_l} += Σ_r R{δ_r}
    for (let j: usize = 0; j < rowBytes; j += 16) {
      let h = f32x4.add(v128.load(hb + j), v128.load(rDelta + j));
      h = f32x4.add(h, v128.load(e1 + j));
      h = f32x4.add(h, v128.load(e2 + j));
      v128.store(hb + j, f32x4.add(h, v128.load(e3 + j)));
    }
    for (let k = 0; k < inRows; k++) {
      const ak = a + (<usize>k << 4), rak = ra + (<usize>k << 4);
      const a0 = v128.load32_splat(ak), a1 = v128.load32_splat(ak, 4), a2 = v128.load32_splat(ak, 8), a3 = v128.load32_splat(ak, 12);
      const hk = hW + <usize>k * rowBytes;
      if (l == 0) {
        // R{a_0} = 0: R{∂L/∂W_0} = a_0ᵀ·R{δ_1}; no δ for the observations.
        for (let j: usize = 0; j < rowBytes; j += 16) {
          let h = f32x4.add(v128.load(hk + j), f32x4.mul(a0, v128.load(rDelta + j)));
          h = f32x4.add(h, f32x4.mul(a1, v128.load(e1 + j)));
          h = f32x4.add(h, f32x4.mul(a2, v128.load(e2 + j)));
          v128.store(hk + j, f32x4.add(h, f32x4.mul(a3, v128.load(e3 + j))));
        }
        continue;
      }
      // R{∂L/∂W_l}[k] += R{a_k}·δ + a_k·R{δ}, the 4 rows in order
      const q0 = v128.load32_splat(rak), q1 = v128.load32_splat(rak, 4), q2 = v128.load32_splat(rak, 8), q3 = v128.load32_splat(rak, 12);
      for (let j: usize = 0; j < rowBytes; j += 16) {
        let h = v128.load(hk + j);
        h = f32x4.add(h, f32x4.add(f32x4.mul(q0, v128.load(delta + j)), f32x4.mul(a0, v128.load(rDelta + j))));
        h = f32x4.add(h, f32x4.add(f32x4.mul(q1, v128.load(d1 + j)), f32x4.mul(a1, v128.load(e1 + j))));
        h = f32x4.add(h, f32x4.add(f32x4.mul(q2, v128.load(d2 + j)), f32x4.mul(a2, v128.load(e2 + j))));
        v128.store(hk + j, f32x4.add(h, f32x4.add(f32x4.mul(q3, v128.load(d3 + j)), f32x4.mul(a3, v128.load(e3 + j)))));
      }
      // δ·W_kᵀ and R{δ}·W_kᵀ + δ·U_kᵀ of the 4 rows
      const wk = W + <usize>k * rowBytes, uk = U + <usize>k * rowBytes;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
      for (let j: usize = 0; j < rowBytes; j += 16) {
        const wv = v128.load(wk + j), uv = v128.load(uk + j);
        let d = v128.load(delta + j);
        s0 = f32x4.add(s0, f32x4.mul(wv, d)); t0 = f32x4.add(t0, f32x4.add(f32x4.mul(wv, v128.load(rDelta + j)), f32x4.mul(uv, d)));
        d = v128.load(d1 + j);
        s1 = f32x4.add(s1, f32x4.mul(wv, d)); t1 = f32x4.add(t1, f32x4.add(f32x4.mul(wv, v128.load(e1 + j)), f32x4.mul(uv, d)));
        d = v128.load(d2 + j);
        s2 = f32x4.add(s2, f32x4.mul(wv, d)); t2 = f32x4.add(t2, f32x4.add(f32x4.mul(wv, v128.load(e2 + j)), f32x4.mul(uv, d)));
        d = v128.load(d3 + j);
        s3 = f32x4.add(s3, f32x4.mul(wv, d)); t3 = f32x4.add(t3, f32x4.add(f32x4.mul(wv, v128.load(e3 + j)), f32x4.mul(uv, d)));
      }
      // δ_{l−1} and R{δ_{l−1}} at unit k, row by row
      const at = <usize>k << 2;
      backUnit(deltaNext + at, rDeltaNext + at, lanesSum(s0), lanesSum(t0), load<f32>(ak), load<f32>(rak), activation);
      backUnit(deltaNext + width + at, rDeltaNext + width + at, lanesSum(s1), lanesSum(t1), load<f32>(ak, 4), load<f32>(rak, 4), activation);
      backUnit(deltaNext + 2 * width + at, rDeltaNext + 2 * width + at, lanesSum(s2), lanesSum(t2), load<f32>(ak, 8), load<f32>(rak, 8), activation);
      backUnit(deltaNext + 3 * width + at, rDeltaNext + 3 * width + at, lanesSum(s3), lanesSum(t3), load<f32>(ak, 12), load<f32>(rak, 12), activation);
    }
    let swap = delta; delta = deltaNext; deltaNext = swap;
    swap = rDelta; rDelta = rDeltaNext; rDeltaNext = swap;
    kernelEnd = kernelAt;
  }
}

/**
 * One hidden unit of one row: δ = s·act', R{δ} = t·act' + s·R{act'}, from s = (δ·Wᵀ)_k,
 * t = (R{δ}·Wᵀ + δ·Uᵀ)_k, the unit's output a and R{a}.
 */
@inline function backUnit(deltaAt: usize, rDeltaAt: usize, s: f32, t: f32, a: f32, ra: f32, activation: i32): void {
  if (activation == ACTIVATION_TANH) {
    const slope: f32 = 1 - a * a;
    store<f32>(deltaAt, s * slope);
    store<f32>(rDeltaAt, t * slope - <f32>2 * a * ra * s);
  } else {
    const on: f32 = a > 0 ? 1 : 0;
    store<f32>(deltaAt, s * on);
    store<f32>(rDeltaAt, t * on);
  }
}

/** out = x − y ⊙ z over n floats (n a multiple of 4). */
@inline function subMul(out: usize, x: usize, y: usize, z: usize, n: i32): void {
  const bytes = <usize>n << 2;
  for (let o: usize = 0; o < bytes; o += 16) {
    v128.store(out + o, f32x4.sub(v128.load(x + o), f32x4.mul(v128.load(y + o), v128.load(z + o))));
  }
}

/**
 * The meta-gradient of one task (equations (1)–(4) above). Rows: n, obs [n·obsDim], actions
 * (i32), advantages, weights, for the inner set D and the outer set D′. θ in the public flat
 * layout; α: `alphaFlat` (flat layout, Meta-SGD) or, when it is 0, the scalar `alphaScalar`.
 * `thetaKFlat` ≠ 0: θ_k as the caller computed it (the θ′ that sampled D′); its inner gradient
 * g_{k−1} is then computed only for ∇_α. `order` 2: exact; 1: first order. Writes ∇_θ to
 * thetaGradOut and, when alphaGradOut ≠ 0, ∇_α.
 */
export function metaGradRun(wsPtr: usize,
  nIn: i32, obsIn: usize, actionsIn: usize, advantagesIn: usize, weightsIn: usize,
  nOut: i32, obsOut: usize, actionsOut: usize, advantagesOut: usize, weightsOut: usize,
  thetaFlat: usize, alphaFlat: usize, alphaScalar: f32, thetaKFlat: usize, steps: i32, order: i32, innerLoss: i32,
  thetaGradOut: usize, alphaGradOut: usize): void {
  const ws = changetype<MetaGrad>(wsPtr);
  const mlp = ws.mlp;
  const P = mlp.setFloats;
  const setBytes = <usize>P << 2;
  ws.innerLoss = innerLoss;
  // θ_0 and α in the padded layout
  memory.fill(ws.thetas, 0, setBytes);
  copyLayout(mlp, ws.thetas, thetaFlat, true);
  if (alphaFlat != 0) {
    memory.fill(ws.alpha, 0, setBytes);
    copyLayout(mlp, ws.alpha, alphaFlat, true);
  } else {
    for (let o: usize = 0; o < setBytes; o += 16) v128.store(ws.alpha + o, f32x4.splat(alphaScalar));
  }
  // (1) the inner steps: g_j = ∇L_in(θ_j), θ_{j+1} = θ_j − α ⊙ g_j
  for (let j = 0; j < steps; j++) {
    const theta = ws.thetas + <usize>j * setBytes, g = ws.grads + <usize>j * setBytes;
    const given = j == steps - 1 && thetaKFlat != 0;
    if (given && alphaGradOut == 0) break; // only ∇_α needs g_{k−1}
    gradientAt(mlp, theta, nIn, obsIn, actionsIn, advantagesIn, weightsIn);
    memory.copy(g, mlp.gradTotal, setBytes);
    if (!given) subMul(theta + setBytes, theta, ws.alpha, g, P);
  }
  if (thetaKFlat != 0) {
    const thetaK = ws.thetas + <usize>steps * setBytes;
    memory.fill(thetaK, 0, setBytes);
    copyLayout(mlp, thetaK, thetaKFlat, true);
  }
  // (2) v_k = ∇L_out(θ_k)
  gradientAt(mlp, ws.thetas + <usize>steps * setBytes, nOut, obsOut, actionsOut, advantagesOut, weightsOut);
  memory.copy(ws.v, mlp.gradTotal, setBytes);
  // (3), (4) back through the inner steps (first order without ∇_α: v_0 = v_k, nothing to do)
  const wantAlpha = alphaGradOut != 0;
  if (wantAlpha) memory.fill(ws.alphaGrad, 0, setBytes);
  for (let j = steps - 1; j >= 0 && (wantAlpha || order == 2); j--) {
    // ∇_α −= g_j ⊙ v_{j+1} (g_{k−1} exists only when ∇_α is wanted or θ_k was not given)
    if (wantAlpha) subMul(ws.alphaGrad, ws.alphaGrad, ws.grads + <usize>j * setBytes, ws.v, P);
    if (order == 2) {
      // v_j = v_{j+1} − H_in(θ_j)·(α ⊙ v_{j+1})
      for (let o: usize = 0; o < setBytes; o += 16) v128.store(ws.u + o, f32x4.mul(v128.load(ws.alpha + o), v128.load(ws.v + o)));
      sweepRows(mlp, ws.thetas + <usize>j * setBytes, nIn, obsIn, actionsIn, advantagesIn, weightsIn, hvpPass, wsPtr);
      for (let o: usize = 0; o < setBytes; o += 16) v128.store(ws.v + o, f32x4.sub(v128.load(ws.v + o), v128.load(mlp.gradTotal + o)));
    }
  }
  copyLayout(mlp, ws.v, thetaGradOut, false);
  if (wantAlpha) copyLayout(mlp, ws.alphaGrad, alphaGradOut, false);
}
