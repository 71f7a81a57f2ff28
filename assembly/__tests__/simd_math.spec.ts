// f32x4 sin/cos/exp/tanh (assembly/simd_math.ts) against the float64 Math of the AssemblyScript
// standard library over dense grids of float32 inputs. Bounds are absolute where the function
// crosses zero (sin, cos) and relative where it does not (exp; tanh with a tiny floor). The unit
// is ULP_AT_ONE = 2^-23, the float32 spacing in [1, 2): a correctly rounded float32 result is
// within 0.5 of it. Measured maxima (when the bounds were set): sin/cos 0.64, exp 0.65 (relative),
// tanh 0.63 (absolute) and 1.12 (relative, just above the branch point |x| = 0.625).
import { sincos4, cosOut, sin4, cos4, exp4, tanh4 } from '../simd_math';

const ULP_AT_ONE: f64 = 1.1920928955078125e-7; // 2^-23

/** The largest errors seen over a grid, and where. */
class ErrorStats {
  maxAbs: f64 = 0;
  maxRel: f64 = 0;
  worstAbsAt: f64 = 0;
  worstRelAt: f64 = 0;
  count: i32 = 0;

  add(x: f64, approx: f64, exact: f64, relFloor: f64): void {
    const abs = Math.abs(approx - exact);
    const rel = abs / Math.max(Math.abs(exact), relFloor);
    if (!(abs <= this.maxAbs)) { this.maxAbs = abs; this.worstAbsAt = x; }
    if (!(rel <= this.maxRel)) { this.maxRel = rel; this.worstRelAt = x; }
    this.count++;
  }
}

// Four inputs go in as one f32x4; the outputs are read back lane by lane through memory.
const lanesIn = new StaticArray<f32>(4);
const lanesOut = new StaticArray<f32>(4);

function apply4(f: (x: v128) => v128, a: f32, b: f32, c: f32, d: f32): void {
  lanesIn[0] = a; lanesIn[1] = b; lanesIn[2] = c; lanesIn[3] = d;
  v128.store(changetype<usize>(lanesOut), f(v128.load(changetype<usize>(lanesIn))));
}

/** f on n float32 points evenly spaced over [lo, hi], compared with ref in float64. */
function measure(f: (x: v128) => v128, ref: (x: f64) => f64, lo: f64, hi: f64, n: i32, relFloor: f64): ErrorStats {
  const stats = new ErrorStats();
  const step = (hi - lo) / <f64>(n - 1);
  for (let k = 0; k < n; k += 4) {
    const a = <f32>(lo + step * <f64>k);
    const b = <f32>(lo + step * <f64>min(k + 1, n - 1));
    const c = <f32>(lo + step * <f64>min(k + 2, n - 1));
    const d = <f32>(lo + step * <f64>min(k + 3, n - 1));
    apply4(f, a, b, c, d);
    stats.add(<f64>a, <f64>lanesOut[0], ref(<f64>a), relFloor);
    stats.add(<f64>b, <f64>lanesOut[1], ref(<f64>b), relFloor);
    stats.add(<f64>c, <f64>lanesOut[2], ref(<f64>c), relFloor);
    stats.add(<f64>d, <f64>lanesOut[3], ref(<f64>d), relFloor);
  }
  return stats;
}

function report(name: string, s: ErrorStats): void {
  log<string>(name + ': max abs ' + s.maxAbs.toString() + ' at ' + s.worstAbsAt.toString()
    + ', max rel ' + s.maxRel.toString() + ' at ' + s.worstRelAt.toString() + ' (' + s.count.toString() + ' points)');
}

function sinViaSincos(x: v128): v128 { return sincos4(x); }
function cosViaSincos(x: v128): v128 { sincos4(x); return cosOut; }
function sinFn(x: v128): v128 { return sin4(x); }
function cosFn(x: v128): v128 { return cos4(x); }
function expFn(x: v128): v128 { return exp4(x); }
function tanhFn(x: v128): v128 { return tanh4(x); }
function mathSin(x: f64): f64 { return Math.sin(x); }
function mathCos(x: f64): f64 { return Math.cos(x); }
function mathExp(x: f64): f64 { return Math.exp(x); }
function mathTanh(x: f64): f64 { return Math.tanh(x); }

/** One lane of f(x) (the other three get the same input). */
function at(f: (x: v128) => v128, x: f32): f32 {
  apply4(f, x, x, x, x);
  return lanesOut[0];
}

function isNegativeZero(x: f32): bool {
  return x == 0 && reinterpret<u32>(x) == 0x80000000;
}

describe('sincos4', () => {
  it('sin and cos are within 1 ulp (absolute) of Math on [-pi, pi]', () => {
    const s = measure(sinViaSincos, mathSin, -Math.PI, Math.PI, 200000, 1.0);
    const c = measure(cosViaSincos, mathCos, -Math.PI, Math.PI, 200000, 1.0);
    report('sin [-pi, pi]', s);
    report('cos [-pi, pi]', c);
    expect(s.maxAbs).toBeLessThan(ULP_AT_ONE);
    expect(c.maxAbs).toBeLessThan(ULP_AT_ONE);
  });

  it('sin and cos are within 1 ulp (absolute) of Math on [-100, 100]', () => {
    const s = measure(sinViaSincos, mathSin, -100, 100, 400000, 1.0);
    const c = measure(cosViaSincos, mathCos, -100, 100, 400000, 1.0);
    report('sin [-100, 100]', s);
    report('cos [-100, 100]', c);
    expect(s.maxAbs).toBeLessThan(ULP_AT_ONE);
    expect(c.maxAbs).toBeLessThan(ULP_AT_ONE);
  });

  it('sin and cos are within 1 ulp (relative) of Math where no reduction happens, |x| <= pi/4', () => {
    // relFloor 1e-30: a true relative error, also for the smallest inputs on the grid
    const s = measure(sinViaSincos, mathSin, -Math.PI / 4, Math.PI / 4, 100001, 1e-30);
    const c = measure(cosViaSincos, mathCos, -Math.PI / 4, Math.PI / 4, 100001, 1e-30);
    report('sin rel [-pi/4, pi/4]', s);
    report('cos rel [-pi/4, pi/4]', c);
    expect(s.maxRel).toBeLessThan(ULP_AT_ONE);
    expect(c.maxRel).toBeLessThan(ULP_AT_ONE);
  });

  it('stays within 1 ulp (absolute) up to the documented validity limit |x| < 8192', () => {
    const s = measure(sinViaSincos, mathSin, -8191, 8191, 200000, 1.0);
    const c = measure(cosViaSincos, mathCos, -8191, 8191, 200000, 1.0);
    report('sin [-8191, 8191]', s);
    report('cos [-8191, 8191]', c);
    expect(s.maxAbs).toBeLessThan(ULP_AT_ONE);
    expect(c.maxAbs).toBeLessThan(ULP_AT_ONE);
  });

  it('sin4 and cos4 equal the two outputs of sincos4', () => {
    for (let k = -1000; k <= 1000; k++) {
      const x = <f32>k * 0.0137;
      expect(at(sinFn, x)).toBe(at(sinViaSincos, x));
      expect(at(cosFn, x)).toBe(at(cosViaSincos, x));
    }
  });

  it('keeps the lanes apart: four different inputs give each its own result', () => {
    apply4(sinViaSincos, 0.5, -1.25, 3.0, -20.0);
    const s0 = lanesOut[0], s1 = lanesOut[1], s2 = lanesOut[2], s3 = lanesOut[3];
    apply4(cosViaSincos, 0.5, -1.25, 3.0, -20.0);
    const c0 = lanesOut[0], c1 = lanesOut[1], c2 = lanesOut[2], c3 = lanesOut[3];
    expect(s0).toBe(at(sinViaSincos, 0.5));
    expect(s1).toBe(at(sinViaSincos, -1.25));
    expect(s2).toBe(at(sinViaSincos, 3.0));
    expect(s3).toBe(at(sinViaSincos, -20.0));
    expect(c0).toBe(at(cosViaSincos, 0.5));
    expect(c1).toBe(at(cosViaSincos, -1.25));
    expect(c2).toBe(at(cosViaSincos, 3.0));
    expect(c3).toBe(at(cosViaSincos, -20.0));
  });

  it('edge cases: sin(±0) = ±0, cos(±0) = 1, odd and even symmetry, NaN and ±Infinity give NaN', () => {
    expect(at(sinViaSincos, 0.0)).toBe(0.0);
    expect(isNegativeZero(at(sinViaSincos, 0.0))).toBe(false);
    expect(isNegativeZero(at(sinViaSincos, -0.0))).toBe(true);
    expect(at(cosViaSincos, 0.0)).toBe(1.0);
    expect(at(cosViaSincos, -0.0)).toBe(1.0);
    for (let k = 1; k <= 2000; k++) {
      const x = <f32>k * 0.173;
      expect(at(sinViaSincos, -x)).toBe(-at(sinViaSincos, x));
      expect(at(cosViaSincos, -x)).toBe(at(cosViaSincos, x));
    }
    expect(isNaN(at(sinViaSincos, NaN))).toBe(true);
    expect(isNaN(at(cosViaSincos, NaN))).toBe(true);
    expect(isNaN(at(sinViaSincos, Infinity))).toBe(true);
    expect(isNaN(at(cosViaSincos, -Infinity))).toBe(true);
  });
});

describe('exp4', () => {
  it('is within 1 ulp (relative) of Math.exp on [-87, 88]', () => {
    const s = measure(expFn, mathExp, -87, 88, 400000, 0.0);
    report('exp [-87, 88]', s);
    expect(s.maxRel).toBeLessThan(ULP_AT_ONE);
  });

  it('edge cases: exp(±0) = 1 exactly; overflow to +Infinity and underflow to the smallest normal, as float32 does; NaN propagates', () => {
    expect(at(expFn, 0.0)).toBe(1.0);
    expect(at(expFn, -0.0)).toBe(1.0);
    expect(Math.abs(<f64>at(expFn, 1.0) - Math.E) / Math.E).toBeLessThan(ULP_AT_ONE);
    // ln(FLT_MAX) = 88.7228391: just below it exp is finite, above it float32 overflows
    const nearMax: f32 = 88.72;
    expect(Math.abs(<f64>at(expFn, nearMax) - Math.exp(<f64>nearMax)) / Math.exp(<f64>nearMax)).toBeLessThan(ULP_AT_ONE);
    expect(at(expFn, 89.0)).toBe(Infinity);
    expect(at(expFn, 1000.0)).toBe(Infinity);
    expect(at(expFn, Infinity)).toBe(Infinity);
    // below ln(FLT_MIN) = -87.3365 the input is clamped: the result stays a positive number
    // no larger than FLT_MIN = 1.1754944e-38 (absolute error below 1.2e-38)
    const tiny = at(expFn, -1000.0);
    expect(tiny > 0).toBe(true);
    expect(<f64>tiny <= 1.1754944e-38).toBe(true);
    expect(at(expFn, -Infinity)).toBe(tiny);
    expect(at(expFn, -88.0)).toBe(tiny);
    expect(isNaN(at(expFn, NaN))).toBe(true);
  });
});

describe('tanh4', () => {
  it('is within 1 ulp (absolute) and 1.5 ulp (relative) of Math.tanh on [-20, 20]', () => {
    const s = measure(tanhFn, mathTanh, -20, 20, 400000, 1e-30);
    report('tanh [-20, 20]', s);
    expect(s.maxAbs).toBeLessThan(ULP_AT_ONE);
    expect(s.maxRel).toBeLessThan(1.5 * ULP_AT_ONE);
  });

  it('is as accurate on both sides of the branch point |x| = 0.625', () => {
    const s = measure(tanhFn, mathTanh, 0.6, 0.65, 10001, 1e-30);
    const n = measure(tanhFn, mathTanh, -0.65, -0.6, 10001, 1e-30);
    report('tanh [0.6, 0.65]', s);
    expect(s.maxRel).toBeLessThan(1.5 * ULP_AT_ONE);
    expect(n.maxRel).toBeLessThan(1.5 * ULP_AT_ONE);
  });

  it('is within 1 ulp (relative) near 0, where the odd polynomial is used', () => {
    const s = measure(tanhFn, mathTanh, -0.001, 0.001, 10001, 1e-30);
    expect(s.maxRel).toBeLessThan(ULP_AT_ONE);
  });

  it('edge cases: tanh(±0) = ±0, odd symmetry, saturation to ±1, NaN propagates', () => {
    expect(at(tanhFn, 0.0)).toBe(0.0);
    expect(isNegativeZero(at(tanhFn, 0.0))).toBe(false);
    expect(isNegativeZero(at(tanhFn, -0.0))).toBe(true);
    for (let k = 1; k <= 2000; k++) {
      const x = <f32>k * 0.0113;
      expect(at(tanhFn, -x)).toBe(-at(tanhFn, x));
    }
    expect(at(tanhFn, 50.0)).toBe(1.0);
    expect(at(tanhFn, -50.0)).toBe(-1.0);
    expect(at(tanhFn, 1e30)).toBe(1.0);
    expect(at(tanhFn, Infinity)).toBe(1.0);
    expect(at(tanhFn, -Infinity)).toBe(-1.0);
    expect(isNaN(at(tanhFn, NaN))).toBe(true);
  });
});
