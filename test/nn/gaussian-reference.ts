// A float64 re-derivation of the Gaussian policy head (pytorch-maml-rl's NormalMLPPolicy): the
// MLP's outputs are the means μ, a state-independent log-std s follows the MLP's parameters
// ([W1, b1, …, WL, bL, s]); log π(a|s) = Σ_j −½((a_j − μ_j)/σ_j)² − log σ_j − ½ log 2π, σ = e^s.
// The REINFORCE loss and its gradient (reverse mode by hand), written independently of src/.
import { logits64, testRandom, type Act, type Params64 } from './mlp-reference';

export interface GaussBatch64 {
  n: number;
  obs: Float64Array; // n x obsDim
  actions: Float64Array; // n x actionSize
  advantages: Float64Array;
  weights?: Float64Array;
}

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** A batch of float32-exact values; actions spread around ±1.5. */
export function randomGaussBatch(seed: number, n: number, obsDim: number, actionSize: number, withWeights = false): GaussBatch64 {
  const r = testRandom(seed);
  const obs = Float64Array.from({ length: n * obsDim }, () => Math.fround(4 * r() - 2));
  const actions = Float64Array.from({ length: n * actionSize }, () => Math.fround(3 * r() - 1.5));
  const advantages = Float64Array.from({ length: n }, () => Math.fround(4 * r() - 2));
  const weights = withWeights ? Float64Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : Math.fround(0.5 + r()))) : undefined;
  return { n, obs, actions, advantages, weights };
}

const layersOf = (params: Params64) => params.slice(0, -1);
const logStdOf = (params: Params64) => params[params.length - 1];

/** log π(a_i|s_i) per row. */
export function gaussLogProb64(params: Params64, obs: Float64Array, actions: Float64Array, n: number, act: Act): Float64Array {
  const mu = logits64(layersOf(params), obs, n, act);
  const s = logStdOf(params), D = s.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lp = 0;
    for (let j = 0; j < D; j++) {
      const z = (actions[i * D + j] - mu[i * D + j]) / Math.exp(s[j]);
      lp += -0.5 * z * z - s[j] - HALF_LOG_TWO_PI;
    }
    out[i] = lp;
  }
  return out;
}

function rowWeights(batch: GaussBatch64): { w: Float64Array; total: number } {
  const w = batch.weights ?? new Float64Array(batch.n).fill(1);
  return { w, total: w.reduce((a, b) => a + b, 0) };
}

/** L = −Σ w·log π(a|s)·A / Σ w. */
export function gaussLoss64(params: Params64, batch: GaussBatch64, act: Act): number {
  const lp = gaussLogProb64(params, batch.obs, batch.actions, batch.n, act);
  const { w, total } = rowWeights(batch);
  let sum = 0;
  for (let i = 0; i < batch.n; i++) sum += w[i] * lp[i] * batch.advantages[i];
  return -sum / total;
}

/** ∇L by hand: ∂L/∂μ = −c·(a − μ)/σ², ∂L/∂s = −c·((a − μ)²/σ² − 1), c = w·A/Σw; back through the layers. */
export function gaussLossGrad64(params: Params64, batch: GaussBatch64, act: Act): Params64 {
  const { n } = batch;
  const layers = layersOf(params), s = logStdOf(params), D = s.length;
  const L = layers.length / 2;
  const obsDim = batch.obs.length / n;
  // forward, keeping pre-activations
  const sizes = [obsDim, ...Array.from({ length: L }, (_, l) => layers[2 * l + 1].length)];
  const hs: Float64Array[] = [batch.obs], zs: Float64Array[] = [];
  for (let l = 0; l < L; l++) {
    const W = layers[2 * l], b = layers[2 * l + 1], inDim = sizes[l], outDim = sizes[l + 1];
    const z = new Float64Array(n * outDim);
    for (let i = 0; i < n; i++) for (let j = 0; j < outDim; j++) {
      let v = b[j];
      for (let k = 0; k < inDim; k++) v += hs[l][i * inDim + k] * W[k * outDim + j];
      z[i * outDim + j] = v;
    }
    zs.push(z);
    hs.push(l === L - 1 ? z : z.map((v) => (act === 'tanh' ? Math.tanh(v) : Math.max(v, 0))));
  }
  const mu = hs[L];
  const { w, total } = rowWeights(batch);
  const grads: Params64 = params.map((p) => new Float64Array(p.length));
  const gs = grads[grads.length - 1];
  let delta = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const c = (w[i] * batch.advantages[i]) / total;
    for (let j = 0; j < D; j++) {
      const inv = Math.exp(-2 * s[j]), d = batch.actions[i * D + j] - mu[i * D + j];
      delta[i * D + j] = -c * d * inv;
      gs[j] += -c * (d * d * inv - 1);
    }
  }
  for (let l = L - 1; l >= 0; l--) {
    const inDim = sizes[l], outDim = sizes[l + 1], W = layers[2 * l];
    const gW = grads[2 * l], gb = grads[2 * l + 1];
    for (let i = 0; i < n; i++) for (let j = 0; j < outDim; j++) {
      const d = delta[i * outDim + j];
      gb[j] += d;
      for (let k = 0; k < inDim; k++) gW[k * outDim + j] += hs[l][i * inDim + k] * d;
    }
    if (l > 0) {
      const prev = new Float64Array(n * inDim);
      for (let i = 0; i < n; i++) for (let k = 0; k < inDim; k++) {
        let v = 0;
        for (let j = 0; j < outDim; j++) v += delta[i * outDim + j] * W[k * outDim + j];
        const z = zs[l - 1][i * inDim + k];
        prev[i * inDim + k] = v * (act === 'tanh' ? 1 - Math.tanh(z) ** 2 : z > 0 ? 1 : 0);
      }
      delta = prev;
    }
  }
  return grads;
}

/** k steps of θ ← θ − α ⊙ ∇L(θ) (α a number or one array per param, the log-std's included). */
export function gaussAdapt64(params: Params64, batch: GaussBatch64, act: Act, lr: number | Params64, steps: number): Params64 {
  let theta = params.map((p) => Float64Array.from(p));
  for (let k = 0; k < steps; k++) {
    const g = gaussLossGrad64(theta, batch, act);
    theta = theta.map((p, i) => p.map((v, m) => v - (typeof lr === 'number' ? lr : lr[i][m]) * g[i][m]));
  }
  return theta;
}
