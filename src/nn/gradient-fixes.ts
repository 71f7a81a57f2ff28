// Gradients that make nested tf.grads (exact second-order MAML) correct on tfjs 4.22.
//
// Why stock tfjs is wrong: when an op's gradient is registered with `outputsToSave`, the engine
// saves a clone of the op's OUTPUT y. That clone is pushed onto the tape before the op's own node,
// so when an enclosing tf.grads walks the tape forward from x, the clone (input y, not yet known to
// depend on x) is pruned: the gradient dy·f'(y) treats y as a constant and the term
// dy·f''(x)·dx is silently dropped (tanh, exp, sigmoid, softmax, elu, and pow's exponent branch).
// Saved INPUTS do not have this problem (x is on the tape before its clone), so every gradient
// below saves the input and recomputes the output inside the gradient function; that
// recomputation is itself a differentiable op, so any order of differentiation is exact.
// Comparisons (Equal, Greater, ...) have no gradient at all, so second-order max/min/logSumExp
// (whose first-order gradient is dy·[x == max]) and first-order `where(greater(x, 0), ...)` throw;
// a comparison is piecewise constant, so its derivative is zero wherever it exists.
//
// GLOBAL EFFECT: tf.registerGradient changes the gradient registry of the whole tfjs instance
// (`dm.tf`), so every user of that instance — this library, the application, other libraries —
// gets these gradients. That is safe: each replacement returns the same first-order values as the
// stock gradient (same formula, output recomputed from the same input, bit-identical kernels),
// the comparisons' zero gradients only replace a thrown error, and the only behavioural change is
// that higher-order gradients become correct. The cost is one recomputation of f(x) per backward
// pass through the op. Not fixable by registration: tf.logSoftmax (a customGrad op that saves its
// output; use logSoftmax from ./ops) and gradients built on *Grad kernels (pooling, EluGrad
// itself), which are outside what this library differentiates.
import * as tf from '@tensorflow/tfjs-core';

type Tensor = tf.Tensor;

/** d tanh(x) = (1 − tanh²(x)) dx, with tanh recomputed from x. */
const tanhGrad: tf.GradConfig = {
  kernelName: 'Tanh',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(dy as Tensor, tf.sub(1, tf.square(tf.tanh(x)))) };
  },
};

/** d exp(x) = exp(x) dx. */
const expGrad: tf.GradConfig = {
  kernelName: 'Exp',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return { x: () => tf.mul(dy as Tensor, tf.exp(x)) };
  },
};

/** d σ(x) = σ(x)(1 − σ(x)) dx. */
const sigmoidGrad: tf.GradConfig = {
  kernelName: 'Sigmoid',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const s = tf.sigmoid(x);
        return tf.mul(dy as Tensor, tf.mul(s, tf.sub(1, s)));
      },
    };
  },
};

/** Softmax s = softmax(z): dz = s ⊙ dy − s · Σ(s ⊙ dy) along the softmax axis. */
const softmaxGrad: tf.GradConfig = {
  kernelName: 'Softmax',
  inputsToSave: ['logits'],
  gradFunc: (dy, saved, attrs) => {
    const [logits] = saved;
    const dim = attrs.dim as number;
    return {
      logits: () => {
        const s = tf.softmax(logits, dim);
        const sDy = tf.mul(s, dy as Tensor);
        return tf.sub(sDy, tf.mul(s, tf.sum(sDy, dim, true)));
      },
    };
  },
};

/**
 * elu(x) = x (x > 0), exp(x) − 1 (x ≤ 0); elu'(x) = m + (1 − m)·exp(x − relu(x)) with m = step(x).
 * Written without comparisons so that it stays differentiable, and with exp(min(x, 0)) so that a
 * large positive x cannot overflow into Inf·0.
 */
const eluGrad: tf.GradConfig = {
  kernelName: 'Elu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    return {
      x: () => {
        const m = tf.step(x);
        const negativeBranch = tf.exp(tf.sub(x, tf.relu(x)));
        return tf.mul(dy as Tensor, tf.add(m, tf.mul(tf.sub(1, m), negativeBranch)));
      },
    };
  },
};

/** Sums a broadcast gradient back to the shape of the input it belongs to. */
function reduceToShape(grad: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

/**
 * y = a^b: da = dy·b·a^(b−1); db = dy·y·log(a) for a > 0, else 0 (tfjs's convention), with y
 * recomputed from (a, b) instead of the saved output.
 */
const powGrad: tf.GradConfig = {
  kernelName: 'Pow',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    return {
      a: () => {
        const bFloat = tf.cast(b, 'float32');
        const d = tf.mul(dy as Tensor, tf.mul(bFloat, tf.pow(a, tf.sub(bFloat, 1))));
        return reduceToShape(d, a.shape, outShape);
      },
      b: () => {
        const positive = tf.greater(a, 0);
        const logA = tf.where(positive, tf.log(a), tf.zerosLike(a));
        const d = tf.mul(dy as Tensor, tf.mul(tf.pow(a, b), logA));
        return reduceToShape(d, b.shape, outShape);
      },
    };
  },
};

/** Comparisons are piecewise constant: zero gradient for both operands. */
function zeroComparisonGrad(kernelName: string): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved;
      return { a: () => tf.zeros(a.shape, 'float32'), b: () => tf.zeros(b.shape, 'float32') };
    },
  };
}

/** Every gradient this module registers, by kernel name. */
export const FIXED_GRADIENTS: readonly tf.GradConfig[] = [
  tanhGrad,
  expGrad,
  sigmoidGrad,
  softmaxGrad,
  eluGrad,
  powGrad,
  ...['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual'].map(zeroComparisonGrad),
];

/**
 * Registers the second-order-correct gradients above in tfjs's global gradient registry.
 * Idempotent (a gradient already ours is left alone, one replaced since is put back); `dm.init`
 * calls it. See the header comment for why the global change is safe.
 */
export function installGradientFixes(): void {
  for (const config of FIXED_GRADIENTS) {
    if (tf.getGradient(config.kernelName) !== config) tf.registerGradient(config);
  }
}
