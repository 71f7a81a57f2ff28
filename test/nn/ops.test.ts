// dm.stopGradient and dm.logSoftmax (src/nn/ops.ts) against float64 references, at first and
// second order, on wasm and cpu; and why tf.logSoftmax itself cannot be used at second order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor } from '@tensorflow/tfjs';
import { logSoftmax64 } from './mlp-reference';

const tf = dm.tf;

before(async () => { await dm.init({ backend: 'wasm' }); });
after(async () => { await tf.setBackend('wasm'); });

const ROWS = 3, COLS = 4;
const XS = [0.3, -1.2, 2.0, 0.5, -0.7, 0.1, 0.9, -2.2, 1.5, 1.4, -0.2, 0.05];
const VS = [0.4, -0.3, 1.1, 0.2, -0.8, 0.6, 0.05, 0.9, -0.1, 0.7, 0.3, -0.6];
const H = 1e-5;

function maxAbsError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  return worst;
}

/**
 * F(x) = Σ x ⊙ logSoftmax(x) (the weight depends on x, so a gradient that drops its second-order
 * term still finds a path back to x and is silently wrong instead of failing).
 * Float64: ∇F = ls + x − s·Σx per row; its Hessian-vector product by central differences along v.
 */
function referenceHessianVector(): number[] {
  const grad64 = (x: number[]) => {
    const ls = logSoftmax64(Float64Array.from(x), ROWS, COLS);
    const out: number[] = [];
    for (let r = 0; r < ROWS; r++) {
      let sumX = 0;
      for (let j = 0; j < COLS; j++) sumX += x[r * COLS + j];
      for (let j = 0; j < COLS; j++) {
        const k = r * COLS + j;
        out.push(ls[k] + x[k] - Math.exp(ls[k]) * sumX);
      }
    }
    return out;
  };
  const plus = grad64(XS.map((x, i) => x + H * VS[i])), minus = grad64(XS.map((x, i) => x - H * VS[i]));
  return plus.map((p, i) => (p - minus[i]) / (2 * H));
}

function hessianVector(logSoftmax: (x: Tensor) => Tensor): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor2d(XS, [ROWS, COLS]), v = tf.tensor2d(VS, [ROWS, COLS]);
    const grad = (y: Tensor) => tf.grad((z: Tensor) => tf.sum(tf.mul(z, logSoftmax(z))))(y);
    return tf.grad((y: Tensor) => tf.sum(tf.mul(grad(y), v)))(x).dataSync() as Float32Array;
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`logSoftmax values = float64, stable for large logits, rank 1 and 2 (${backend})`, async () => {
    await tf.setBackend(backend);
    const got = tf.tidy(() => dm.logSoftmax(tf.tensor2d(XS, [ROWS, COLS])).dataSync());
    assert.ok(maxAbsError(got, logSoftmax64(Float64Array.from(XS), ROWS, COLS)) < 1e-6);
    const big = [1000, 0, -1000, 999];
    const gotBig = tf.tidy(() => dm.logSoftmax(tf.tensor1d(big)).dataSync());
    const refBig = logSoftmax64(Float64Array.from(big), 1, 4);
    assert.ok([...gotBig].every(Number.isFinite), `finite: ${[...gotBig]}`);
    assert.ok(maxAbsError(gotBig, refBig) < 1e-3, `${[...gotBig]} vs ${[...refBig]}`);
  });

  test(`logSoftmax: first-order gradient = tf.logSoftmax's, Hessian-vector product = float64 (${backend})`, async () => {
    await tf.setBackend(backend);
    const [ours, theirs] = tf.tidy(() => {
      const x = tf.tensor2d(XS, [ROWS, COLS]), c = tf.tensor2d(VS, [ROWS, COLS]);
      return [dm.logSoftmax, tf.logSoftmax].map((f) => tf.grad((z: Tensor) => tf.sum(tf.mul(f(z), c)))(x).dataSync());
    });
    assert.ok(maxAbsError(ours, theirs) < 1e-6);
    const got = hessianVector(dm.logSoftmax);
    const ref = referenceHessianVector();
    assert.ok(maxAbsError(got, ref) < 1e-4, `${[...got]} vs ${ref}`);
  });

  test(`stopGradient: same values, zero gradient at first and second order (${backend})`, async () => {
    await tf.setBackend(backend);
    const xs = [0.5, -1.5, 2.5];
    const { value, isCopy, g1, g2 } = tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const y = dm.stopGradient(x);
      // f(x) = Σ x² · sg(x): f' = 2x·sg(x) (the sg factor is constant), f'' = 2·sg(x).
      const f = (z: Tensor) => tf.sum(tf.mul(tf.square(z), dm.stopGradient(z)));
      const df = (z: Tensor) => tf.grad(f)(z);
      return {
        value: y.dataSync(), isCopy: y !== x,
        g1: df(x).dataSync(),
        g2: tf.grad((z: Tensor) => tf.sum(df(z)))(x).dataSync(),
      };
    });
    assert.deepEqual([...value], xs);
    assert.ok(isCopy, 'returns a new tensor');
    assert.deepEqual([...g1], xs.map((x) => 2 * x * x));
    assert.deepEqual([...g2], xs.map((x) => 2 * x));
  });
}

test("tf.logSoftmax (a customGrad op that saves its output) is wrong at second order: why dm.logSoftmax exists", async () => {
  await tf.setBackend('wasm');
  const ref = referenceHessianVector();
  const stockError = maxAbsError(hessianVector(tf.logSoftmax), ref);
  const oursError = maxAbsError(hessianVector(dm.logSoftmax), ref);
  console.log(`Hessian-vector product max abs error: tf.logSoftmax ${stockError.toExponential(2)}, dm.logSoftmax ${oursError.toExponential(2)}`);
  assert.ok(stockError > 0.1 && oursError < 1e-4);
});

test('no tensors left behind by logSoftmax / stopGradient inside tf.tidy', async () => {
  await tf.setBackend('wasm');
  const x = tf.tensor2d(XS, [ROWS, COLS]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    tf.dispose(tf.tidy(() => tf.grad((z: Tensor) => tf.sum(tf.grad((y: Tensor) => tf.sum(tf.mul(y, dm.logSoftmax(y))))(z)))(x)));
    tf.dispose(dm.logSoftmax(x));
    tf.dispose(dm.stopGradient(x));
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
