// The second-order gradient fixes (src/nn/gradient-fixes.ts): nested tf.grads of each fixed op
// against float64 central differences of its closed-form first derivative, on wasm and cpu; the
// first-order values equal tfjs's stock gradients; and the stock gradients are shown to be wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';
import type { Tensor } from '@tensorflow/tfjs';
// An app's own tfjs (the umbrella, a dev dependency here): the library's tfjs-core is a peer, so the
// app's tfjs and dm.tf must be one tfjs-core — one engine, one gradient registry.
import * as appTf from '@tensorflow/tfjs';

const tf = dm.tf;

// tfjs's own gradients, captured before dm.init installs the fixes.
const FIXED_OPS = ['Tanh', 'Exp', 'Sigmoid', 'Softmax', 'Elu', 'Pow'];
const STOCK = new Map(FIXED_OPS.map((k) => [k, tf.getGradient(k)]));

before(async () => {
  for (const [k, g] of STOCK) assert.ok(g.outputsToSave?.[0] === true, `${k}: captured the stock (output-saving) gradient`);
  await dm.init({ backend: 'wasm' });
});
after(async () => { await tf.setBackend('wasm'); });

function withStockGradients<T>(fn: () => T): T {
  try {
    for (const g of STOCK.values()) tf.registerGradient(g);
    return fn();
  } finally {
    dm.installGradientFixes();
  }
}

const X = [-2.5, -1.1, -0.3, 0.2, 0.7, 1.9];
const H = 1e-5;

/** Float64 central difference of a closed-form derivative: the second-order reference. */
const fd = (df: (x: number) => number) => (x: number) => (df(x + H) - df(x - H)) / (2 * H);

function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1e-3, Math.abs(want[i])));
  return worst;
}

/** d²/dx² of Σ f(x), elementwise, by nested tf.grad. */
function secondDerivative(f: (x: Tensor) => Tensor, xs: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor1d(xs);
    const df = (y: Tensor) => tf.grad((z: Tensor) => tf.sum(f(z)))(y);
    return tf.grad((y: Tensor) => tf.sum(df(y)))(x).dataSync() as Float32Array;
  });
}

/** Σ c ⊙ softmax(x) over 2 rows: its Hessian-vector product by nested tf.grad, and in float64. */
function softmaxHessianVector(): { got: Float32Array; ref: number[] } {
  const rows = 2, cols = 4;
  const Xs = [0.3, -1.2, 2.0, 0.5, -0.7, 0.1, 0.9, -2.2], C = [1, -2, 0.5, 3, -1, 0.25, 2, -0.5], V = [0.4, -0.3, 1.1, 0.2, -0.8, 0.6, 0.05, 0.9];
  const got = tf.tidy(() => {
    const c = tf.tensor2d(C, [rows, cols]), v = tf.tensor2d(V, [rows, cols]);
    const grad = (y: Tensor) => tf.grad((z: Tensor) => tf.sum(tf.mul(tf.softmax(z), c)))(y);
    return tf.grad((y: Tensor) => tf.sum(tf.mul(grad(y), v)))(tf.tensor2d(Xs, [rows, cols])).dataSync() as Float32Array;
  });
  // ∇ Σ c ⊙ softmax(x) = s ⊙ (c − s·c) per row, in float64; Hv by central differences along v.
  const grad64 = (x: number[]) => {
    const out: number[] = [];
    for (let r = 0; r < rows; r++) {
      const z = x.slice(r * cols, (r + 1) * cols), c = C.slice(r * cols, (r + 1) * cols);
      const m = Math.max(...z), e = z.map((t) => Math.exp(t - m)), sum = e.reduce((a, b) => a + b), s = e.map((t) => t / sum);
      const sc = s.reduce((acc, sj, j) => acc + sj * c[j], 0);
      out.push(...s.map((sj, j) => sj * (c[j] - sc)));
    }
    return out;
  };
  const plus = grad64(Xs.map((x, i) => x + H * V[i])), minus = grad64(Xs.map((x, i) => x - H * V[i]));
  return { got, ref: plus.map((p, i) => (p - minus[i]) / (2 * H)) };
}

const sigmoid64 = (x: number) => 1 / (1 + Math.exp(-x));
const ELEMENTWISE: { name: string; f: (x: Tensor) => Tensor; df: (x: number) => number }[] = [
  { name: 'tanh', f: (x) => tf.tanh(x), df: (x) => 1 - Math.tanh(x) ** 2 },
  { name: 'exp', f: (x) => tf.exp(x), df: (x) => Math.exp(x) },
  { name: 'sigmoid', f: (x) => tf.sigmoid(x), df: (x) => sigmoid64(x) * (1 - sigmoid64(x)) },
  { name: 'elu', f: (x) => tf.elu(x), df: (x) => (x > 0 ? 1 : Math.exp(x)) },
  { name: 'softplus (via sigmoid)', f: (x) => tf.softplus(x), df: sigmoid64 },
  { name: 'relu (step: zero second derivative)', f: (x) => tf.square(tf.relu(x)), df: (x) => 2 * Math.max(x, 0) },
  { name: 'log', f: (x) => tf.log(tf.add(tf.square(x), 1)), df: (x) => (2 * x) / (x * x + 1) },
];

for (const backend of ['wasm', 'cpu'] as const) {
  for (const { name, f, df } of ELEMENTWISE) {
    test(`${name}: d²/dx² by nested tf.grad = float64 finite differences (${backend})`, async () => {
      await tf.setBackend(backend);
      const got = secondDerivative(f, X);
      const err = maxRelError(got, X.map(fd(df)));
      assert.ok(err < 1e-4, `${name}: ${[...got]} vs ${X.map(fd(df))} (error ${err})`);
    });
  }

  test(`tanh third derivative (any order is exact) (${backend})`, async () => {
    await tf.setBackend(backend);
    const third = tf.tidy(() => {
      const d1 = (y: Tensor) => tf.grad((z: Tensor) => tf.sum(tf.tanh(z)))(y);
      const d2 = (y: Tensor) => tf.grad((z: Tensor) => tf.sum(d1(z)))(y);
      return tf.grad((y: Tensor) => tf.sum(d2(y)))(tf.tensor1d(X)).dataSync();
    });
    const d2 = (x: number) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2);
    assert.ok(maxRelError(third, X.map(fd(d2))) < 1e-4);
  });

  test(`pow: second derivatives in base, exponent and mixed (${backend})`, async () => {
    await tf.setBackend(backend);
    const A = [0.5, 1.3, 2.2], B = [1.7, -0.6, 2.4];
    const [daa, dbb, dab] = tf.tidy(() => {
      const a = tf.tensor1d(A), b = tf.tensor1d(B);
      const gradA = (x: Tensor, y: Tensor) => tf.grad((z: Tensor) => tf.sum(tf.pow(z, y)))(x);
      const gradB = (x: Tensor, y: Tensor) => tf.grad((z: Tensor) => tf.sum(tf.pow(x, z)))(y);
      return [
        tf.grad((x: Tensor) => tf.sum(gradA(x, b)))(a).dataSync(),
        tf.grad((y: Tensor) => tf.sum(gradB(a, y)))(b).dataSync(),
        tf.grad((y: Tensor) => tf.sum(gradA(a, y)))(b).dataSync(),
      ];
    });
    const refAA = A.map((a, i) => fd((x) => B[i] * x ** (B[i] - 1))(a));
    const refBB = B.map((b, i) => fd((y) => A[i] ** y * Math.log(A[i]))(b));
    const refAB = B.map((b, i) => fd((y) => y * A[i] ** (y - 1))(b));
    assert.ok(maxRelError(daa, refAA) < 1e-4, `d²/da²: ${[...daa]} vs ${refAA}`);
    assert.ok(maxRelError(dbb, refBB) < 1e-4, `d²/db²: ${[...dbb]} vs ${refBB}`);
    assert.ok(maxRelError(dab, refAB) < 1e-4, `d²/da db: ${[...dab]} vs ${refAB}`);
  });

  test(`softmax: Hessian-vector product = float64 finite differences (${backend})`, async () => {
    await tf.setBackend(backend);
    const { got, ref } = softmaxHessianVector();
    assert.ok(maxRelError(got, ref) < 1e-4, `${[...got]} vs ${ref}`);
  });

  test(`comparisons have zero gradients: max/logSumExp at second order, where(greater) at first (${backend})`, async () => {
    await tf.setBackend(backend);
    const Xs = [0.3, -1.2, 2.0, 0.5], V = [0.4, -0.3, 1.1, 0.2];
    const { hvLse, d2Max, whereGrad } = tf.tidy(() => {
      const x = tf.tensor1d(Xs), v = tf.tensor1d(V);
      const gLse = (y: Tensor) => tf.grad((z: Tensor) => tf.logSumExp(z))(y);
      const gMax = (y: Tensor) => tf.grad((z: Tensor) => tf.mul(tf.max(z), tf.sum(z)))(y);
      return {
        hvLse: tf.grad((y: Tensor) => tf.sum(tf.mul(gLse(y), v)))(x).dataSync(),
        d2Max: tf.grad((y: Tensor) => tf.sum(tf.mul(gMax(y), v)))(x).dataSync(),
        whereGrad: tf.grad((z: Tensor) => tf.sum(tf.add(
          tf.where(tf.greater(z, 0), tf.square(z), tf.where(tf.less(z, 0), tf.neg(z), z)),
          tf.add(tf.mul(tf.cast(tf.equal(z, 0.5), 'float32'), z), tf.mul(tf.cast(tf.notEqual(z, 0.5), 'float32'), z)),
        )))(x).dataSync(),
      };
    });
    // Hessian of logSumExp: diag(s) − s sᵀ.
    const e = Xs.map(Math.exp), sum = e.reduce((a, b) => a + b), s = e.map((t) => t / sum);
    const sv = s.reduce((acc, si, i) => acc + si * V[i], 0);
    const refLse = s.map((si, i) => si * V[i] - si * sv);
    assert.ok(maxRelError(hvLse, refLse) < 1e-4, `logSumExp Hv ${[...hvLse]} vs ${refLse}`);
    // f = max(z)·Σz: ∇f = e_argmax·Σz + max·1; H v = e_argmax (1·v) + 1 (e_argmax·v).
    const k = Xs.indexOf(Math.max(...Xs)), sumV = V.reduce((a, b) => a + b);
    const refMax = Xs.map((_, i) => (i === k ? sumV : 0) + V[k]);
    assert.ok(maxRelError(d2Max, refMax) < 1e-5, `max Hv ${[...d2Max]} vs ${refMax}`);
    const refWhere = Xs.map((x) => (x > 0 ? 2 * x : -1) + 1);
    assert.ok(maxRelError(whereGrad, refWhere) < 1e-6, `where/greater/equal ${[...whereGrad]} vs ${refWhere}`);
  });
}

test('first-order values are those of the stock gradients (the global change only fixes higher orders)', async () => {
  await tf.setBackend('wasm');
  const Xs = [-2.5, -1.1, -0.3, 0.2, 0.7, 1.9], W = [0.3, -1, 2, 0.5, -0.25, 1.5];
  const firstOrder = () => tf.tidy(() => {
    const x = tf.tensor1d(Xs), w = tf.tensor1d(W), pos = tf.tensor1d(Xs.map(Math.abs));
    const weighted = (f: (z: Tensor) => Tensor, at: Tensor) => [...tf.grad((z: Tensor) => tf.sum(tf.mul(f(z), w)))(at).dataSync()];
    return {
      tanh: weighted(tf.tanh, x), exp: weighted(tf.exp, x), sigmoid: weighted(tf.sigmoid, x),
      softmax: weighted((z) => tf.reshape(tf.softmax(tf.reshape(z, [2, 3])), [6]), x), elu: weighted(tf.elu, x),
      powBase: weighted((z) => tf.pow(z, tf.tensor1d(W)), pos), powExp: weighted((z) => tf.pow(pos, z), x),
    };
  });
  const fixed = firstOrder();
  const stock = withStockGradients(firstOrder);
  for (const k of ['tanh', 'exp', 'sigmoid', 'softmax', 'powBase', 'powExp'] as const) {
    assert.deepEqual(fixed[k], stock[k], `${k}: bit-identical to the stock gradient`);
  }
  assert.ok(maxRelError(fixed.elu, stock.elu) < 1e-6, 'elu: stock uses expm1 + 1, the fix exp');
});

test('stock tfjs gradients drop the second-order term (what the fixes remove)', async () => {
  await tf.setBackend('wasm');
  // F(x) = Σ x·f(x): F'' = 2f' + x f''. A stock gradient treats f(x) inside f' as a constant and returns 2f'.
  const cases = ELEMENTWISE.slice(0, 3); // tanh, exp, sigmoid
  for (const { name, f, df } of cases) {
    const g = (x: Tensor) => tf.mul(x, f(x));
    const ref = X.map((x) => 2 * df(x) + x * fd(df)(x));
    const fixed = secondDerivative(g, X);
    const stock = withStockGradients(() => secondDerivative(g, X));
    assert.ok(maxRelError(fixed, ref) < 1e-4, `${name} fixed: ${[...fixed]} vs ${ref}`);
    const stockError = maxRelError(stock, ref);
    assert.ok(stockError > 0.1, `${name}: the stock gradient should be clearly wrong, error ${stockError}`);
    console.log(`${name}: d²/dx² Σ x·f(x) max relative error, stock ${stockError.toExponential(2)}, fixed ${maxRelError(fixed, ref).toExponential(2)}`);
  }
  // Stock softmax: ∇ Σ c ⊙ softmax(x) is built from the disconnected saved output only, so the
  // Hessian-vector product finds no path back to x at all.
  assert.throws(() => withStockGradients(softmaxHessianVector), /Cannot compute gradient/);
  // Stock elu's gradient is the EluGrad kernel, which has no gradient: second order throws.
  assert.throws(() => withStockGradients(() => secondDerivative((x) => tf.mul(x, tf.elu(x)), X)), /EluGrad/);
});

test('installGradientFixes is idempotent and restores a replaced gradient', () => {
  dm.installGradientFixes();
  const ours = FIXED_OPS.map((k) => tf.getGradient(k));
  dm.installGradientFixes();
  FIXED_OPS.forEach((k, i) => assert.equal(tf.getGradient(k), ours[i], `${k} unchanged by a second install`));
  ours.forEach((g, i) => {
    assert.deepEqual(g.outputsToSave ?? [], [], `${FIXED_OPS[i]} saves no output`);
    assert.notEqual(g, STOCK.get(FIXED_OPS[i]));
  });
  tf.registerGradient(STOCK.get('Tanh')!);
  dm.installGradientFixes();
  assert.equal(tf.getGradient('Tanh'), ours[0]);
  for (const k of ['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual']) assert.ok(tf.getGradient(k), `${k} has a gradient`);
});

test("an app's @tensorflow/tfjs is dm.tf's tfjs-core: one engine, and its nested gradients are the fixed ones", () => {
  assert.equal(appTf.engine(), tf.engine(), 'one engine');
  for (const k of FIXED_OPS) assert.equal(appTf.getGradient(k), tf.getGradient(k), `${k}: one registry`);
  assert.deepEqual(appTf.getGradient('Tanh').inputsToSave, ['x'], 'the fixed Tanh gradient (saves its input)');
  // d²/dx² tanh(x) = −2 tanh(x) (1 − tanh²(x)), through the app's own ops and tf.grad.
  const x = 0.7;
  const d2 = appTf.tidy(() => appTf.grad((v: Tensor) => appTf.grad((u: Tensor) => appTf.tanh(u))(v))(appTf.scalar(x)).dataSync()[0]!);
  const t = Math.tanh(x);
  assert.ok(Math.abs(d2 - -2 * t * (1 - t * t)) < 1e-5, `second derivative ${d2}`);
});
