// A float64 re-derivation of the MLP policy, the REINFORCE loss, its gradient (reverse mode by
// hand) and the inner adaptation loop, written independently of src/ for the tests to compare with.
// Parameters are a list of Float64Arrays in the library's layout [W1, b1, W2, b2, …], W row-major [in, out].

export type Act = 'tanh' | 'relu';
export type Params64 = Float64Array[];

export interface Batch64 {
  n: number;
  obs: Float64Array; // n x obsDim, row-major
  actions: Int32Array; // n
  advantages: Float64Array; // n
  weights?: Float64Array; // n (default 1)
}

/** Deterministic uniforms in [0, 1) for test data (mulberry32). */
export function testRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A batch whose values are exactly representable in float32 (so tfjs sees the same numbers). */
export function randomBatch(seed: number, n: number, obsDim: number, numActions: number, withWeights = false): Batch64 {
  const r = testRandom(seed);
  const obs = Float64Array.from({ length: n * obsDim }, () => Math.fround(4 * r() - 2));
  const actions = Int32Array.from({ length: n }, () => Math.floor(r() * numActions));
  const advantages = Float64Array.from({ length: n }, () => Math.fround(4 * r() - 2));
  const weights = withWeights ? Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : Math.fround(0.5 + r()))) : undefined;
  return { n, obs, actions, advantages, weights };
}

export function layerSizes64(params: Params64, obsDim: number): number[] {
  const sizes = [obsDim];
  for (let l = 0; l < params.length / 2; l++) sizes.push(params[2 * l + 1].length);
  return sizes;
}

function activate(z: number, act: Act): number {
  return act === 'tanh' ? Math.tanh(z) : Math.max(z, 0);
}

function activateDerivative(z: number, act: Act): number {
  return act === 'tanh' ? 1 - Math.tanh(z) ** 2 : z > 0 ? 1 : 0;
}

interface Forward { sizes: number[]; zs: Float64Array[]; hs: Float64Array[] }

/** Layer by layer: z_l = h_{l−1} W_l + b_l, h_l = act(z_l) (the last layer stays linear: logits). */
function forward(params: Params64, obs: Float64Array, n: number, act: Act): Forward {
  const sizes = layerSizes64(params, obs.length / n);
  const L = params.length / 2;
  const hs: Float64Array[] = [obs];
  const zs: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const W = params[2 * l], b = params[2 * l + 1];
    const inDim = sizes[l], outDim = sizes[l + 1];
    const h = hs[l];
    const z = new Float64Array(n * outDim);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outDim; j++) {
        let s = b[j];
        for (let k = 0; k < inDim; k++) s += h[i * inDim + k] * W[k * outDim + j];
        z[i * outDim + j] = s;
      }
    }
    zs.push(z);
    hs.push(l === L - 1 ? z : z.map((v) => activate(v, act)));
  }
  return { sizes, zs, hs };
}

export function logits64(params: Params64, obs: Float64Array, n: number, act: Act): Float64Array {
  const f = forward(params, obs, n, act);
  return f.hs[f.hs.length - 1];
}

/** log softmax of each row of x [n, A]. */
export function logSoftmax64(x: Float64Array, n: number, A: number): Float64Array {
  const out = new Float64Array(n * A);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let a = 0; a < A; a++) m = Math.max(m, x[i * A + a]);
    let s = 0;
    for (let a = 0; a < A; a++) s += Math.exp(x[i * A + a] - m);
    const lse = m + Math.log(s);
    for (let a = 0; a < A; a++) out[i * A + a] = x[i * A + a] - lse;
  }
  return out;
}

function rowWeights(batch: Batch64): { w: Float64Array; total: number } {
  const w = batch.weights ?? new Float64Array(batch.n).fill(1);
  return { w, total: w.reduce((s, v) => s + v, 0) };
}

/** L = −Σ w·log π(a|s)·A / Σ w. */
export function loss64(params: Params64, batch: Batch64, act: Act): number {
  const { n } = batch;
  const z = logits64(params, batch.obs, n, act);
  const A = z.length / n;
  const lp = logSoftmax64(z, n, A);
  const { w, total } = rowWeights(batch);
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i] * lp[i * A + batch.actions[i]] * batch.advantages[i];
  return -s / total;
}

/** ∇_θ L by reverse mode: δ_L = ∂L/∂logits = −(w A / Σw)(onehot − softmax), then back through the layers. */
export function lossGrad64(params: Params64, batch: Batch64, act: Act): Params64 {
  const { n } = batch;
  const f = forward(params, batch.obs, n, act);
  const L = params.length / 2;
  const A = f.sizes[L];
  const lp = logSoftmax64(f.hs[L], n, A);
  const { w, total } = rowWeights(batch);
  let delta = new Float64Array(n * A);
  for (let i = 0; i < n; i++) {
    const c = -(w[i] * batch.advantages[i]) / total;
    for (let a = 0; a < A; a++) delta[i * A + a] = c * ((a === batch.actions[i] ? 1 : 0) - Math.exp(lp[i * A + a]));
  }
  const grads: Params64 = params.map((p) => new Float64Array(p.length));
  for (let l = L - 1; l >= 0; l--) {
    const inDim = f.sizes[l], outDim = f.sizes[l + 1];
    const h = f.hs[l], W = params[2 * l];
    const gW = grads[2 * l], gb = grads[2 * l + 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < outDim; j++) {
        const d = delta[i * outDim + j];
        gb[j] += d;
        for (let k = 0; k < inDim; k++) gW[k * outDim + j] += h[i * inDim + k] * d;
      }
    }
    if (l > 0) {
      const prev = new Float64Array(n * inDim);
      const zPrev = f.zs[l - 1];
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < inDim; k++) {
          let s = 0;
          for (let j = 0; j < outDim; j++) s += delta[i * outDim + j] * W[k * outDim + j];
          prev[i * inDim + k] = s * activateDerivative(zPrev[i * inDim + k], act);
        }
      }
      delta = prev;
    }
  }
  return grads;
}

/** k steps of θ ← θ − α ⊙ ∇L(θ); α one number or one array per param (Meta-SGD). */
export function adapt64(params: Params64, batch: Batch64, act: Act, lr: number | Params64, steps: number): Params64 {
  let theta = params.map((p) => Float64Array.from(p));
  for (let s = 0; s < steps; s++) {
    const g = lossGrad64(theta, batch, act);
    theta = theta.map((p, i) => p.map((v, k) => v - (typeof lr === 'number' ? lr : lr[i][k]) * g[i][k]));
  }
  return theta;
}

/** Central differences of a scalar function of a list of arrays, over every element, in float64. */
export function finiteDifferenceGrad(f: (x: Params64) => number, x: Params64, h: number): Params64 {
  return x.map((p, i) => {
    const g = new Float64Array(p.length);
    for (let k = 0; k < p.length; k++) {
      const plus = x.map((q) => Float64Array.from(q));
      const minus = x.map((q) => Float64Array.from(q));
      plus[i][k] += h;
      minus[i][k] -= h;
      g[k] = (f(plus) - f(minus)) / (2 * h);
    }
    return g;
  });
}

/** ‖a − b‖₂ / ‖b‖₂ over all elements of two lists of arrays. */
export function relativeError(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let num = 0, den = 0;
  a.forEach((ai, i) => {
    for (let k = 0; k < ai.length; k++) {
      num += (ai[k] - b[i][k]) ** 2;
      den += b[i][k] ** 2;
    }
  });
  return Math.sqrt(num / den);
}

/** Splits a flat array into the library's layout for widths `sizes`. */
export function splitFlat(flat: ArrayLike<number>, sizes: readonly number[]): Params64 {
  const out: Params64 = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nW = sizes[l] * sizes[l + 1], nb = sizes[l + 1];
    out.push(Float64Array.from({ length: nW }, (_, k) => flat[o + k]));
    o += nW;
    out.push(Float64Array.from({ length: nb }, (_, k) => flat[o + k]));
    o += nb;
  }
  return out;
}
