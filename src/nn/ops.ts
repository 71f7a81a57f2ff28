// Small ops that stay correct under nested tf.grads (see ./gradient-fixes.ts for why tfjs's own
// tf.logSoftmax does not: it is a customGrad op that saves its output).
import * as tf from '@tensorflow/tfjs-core';

/**
 * The value of x with a zero gradient at every order. Built with tf.customGrad: the forward runs
 * as one opaque kernel (nothing inside is recorded on the tape) and the backward returns zeros.
 * The forward returns a clone, never x itself, so the tape never sees a node whose output is its
 * own input.
 */
const stopGradientOp = tf.customGrad((x, _save) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

/**
 * log softmax over the last axis: x − (m + log Σ exp(x − m)), m = stopGradient(max(x)).
 * Subtracting m keeps exp from overflowing; the value does not depend on m, so holding it constant
 * leaves every derivative exact, and it keeps max's gradient (dy·[x == max]) off the tape.
 */
export function logSoftmax<T extends tf.Tensor>(logits: T): T {
  return tf.tidy(() => {
    const m = stopGradient(tf.max(logits, -1, true));
    const logSumExp = tf.add(m, tf.log(tf.sum(tf.exp(tf.sub(logits, m)), -1, true)));
    return tf.sub(logits, logSumExp) as T;
  });
}
