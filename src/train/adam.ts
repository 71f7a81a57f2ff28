// Adam (Kingma & Ba 2015) on flat Float32Arrays, so that its whole state (m, v, step) is plain
// data: saved in state.json and restored bit-identically. Arithmetic in float64, stored float32.
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m / (1−β1^t), v̂ = v / (1−β2^t)

export interface AdamState {
  m: Float32Array;
  v: Float32Array;
  step: number;
}

export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-8;

export function adamInit(size: number): AdamState {
  return { m: new Float32Array(size), v: new Float32Array(size), step: 0 };
}

/** One Adam step of `params` (in place) along the gradient `grad`. */
export function adamStep(state: AdamState, params: Float32Array, grad: Float32Array, lr: number): void {
  if (grad.length !== params.length || state.m.length !== params.length) throw new Error('adamStep: size mismatch');
  state.step += 1;
  const correction1 = 1 - ADAM_BETA1 ** state.step;
  const correction2 = 1 - ADAM_BETA2 ** state.step;
  for (let i = 0; i < params.length; i++) {
    const g = grad[i];
    const m = ADAM_BETA1 * state.m[i] + (1 - ADAM_BETA1) * g;
    const v = ADAM_BETA2 * state.v[i] + (1 - ADAM_BETA2) * g * g;
    state.m[i] = m;
    state.v[i] = v;
    params[i] = params[i] - (lr * (m / correction1)) / (Math.sqrt(v / correction2) + ADAM_EPSILON);
  }
}
