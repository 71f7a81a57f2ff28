// f32x4 approximations of sin, cos, exp and tanh, four lanes at a time.
// Polynomials and reduction constants are those of the Cephes single-precision library
// (S. L. Moshier, sinf.c / cosf.c / expf.c / tanhf.c); each is tested against Math over a dense
// grid in assembly/__tests__/simd_math.spec.ts. Valid for |x| < 8192 (sin/cos) and all finite x
// (exp saturates outside [-87.3, 88.7], tanh to ±1).

const FOUR_OVER_PI: f32 = 1.2732395447351628;
// pi/4 split in three parts so that j·PI4_A is exact in float32 (Cody-Waite reduction).
const PI4_A: f32 = 0.78515625;
const PI4_B: f32 = 2.4187564849853515625e-4;
const PI4_C: f32 = 3.77489497744594108e-8;
const SIN_P0: f32 = -1.9515295891e-4;
const SIN_P1: f32 = 8.3321608736e-3;
const SIN_P2: f32 = -1.6666654611e-1;
const COS_P0: f32 = 2.443315711809948e-5;
const COS_P1: f32 = -1.388731625493765e-3;
const COS_P2: f32 = 4.166664568298827e-2;

/** cos of the last sincos4 argument (AssemblyScript functions return one value). */
export let cosOut: v128 = f32x4.splat(0);

/** sin(r) = r + r·z·(P2 + z·(P1 + z·P0)), z = r², for |r| ≤ π/4. */
@inline function sinPoly(r: v128, z: v128): v128 {
  let ps = f32x4.add(f32x4.mul(f32x4.splat(SIN_P0), z), f32x4.splat(SIN_P1));
  ps = f32x4.add(f32x4.mul(ps, z), f32x4.splat(SIN_P2));
  return f32x4.add(f32x4.mul(f32x4.mul(ps, z), r), r);
}

/** cos(r) = 1 − z/2 + z²·(C2 + z·(C1 + z·C0)), z = r², for |r| ≤ π/4. */
@inline function cosPoly(z: v128): v128 {
  let pc = f32x4.add(f32x4.mul(f32x4.splat(COS_P0), z), f32x4.splat(COS_P1));
  pc = f32x4.add(f32x4.mul(pc, z), f32x4.splat(COS_P2));
  return f32x4.add(f32x4.sub(f32x4.mul(f32x4.mul(pc, z), z), f32x4.mul(z, f32x4.splat(0.5))), f32x4.splat(1.0));
}

/** sin(x) in the result, cos(x) in `cosOut`: one range reduction for both. */
@inline export function sincos4(x: v128): v128 {
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const ax = f32x4.abs(x);
  const scaled = f32x4.mul(ax, f32x4.splat(FOUR_OVER_PI));
  if (v128.all_true<i32>(f32x4.lt(scaled, f32x4.splat(1.0)))) {
    // Every lane in octant 0 (|x| < π/4, e.g. a balanced pole): no reduction and no quadrant
    // fix-up, bit-identical to the general path below with j = 0.
    const z0 = f32x4.mul(ax, ax);
    cosOut = cosPoly(z0);
    return v128.xor(sinPoly(ax, z0), signBit);
  }
  // Octant j rounded up to even, so the reduced argument r lies in [-pi/4, pi/4].
  let j = i32x4.trunc_sat_f32x4_s(scaled);
  j = v128.and(i32x4.add(j, i32x4.splat(1)), i32x4.splat(~1));
  const y = f32x4.convert_i32x4_s(j);
  let r = f32x4.sub(ax, f32x4.mul(y, f32x4.splat(PI4_A)));
  r = f32x4.sub(r, f32x4.mul(y, f32x4.splat(PI4_B)));
  r = f32x4.sub(r, f32x4.mul(y, f32x4.splat(PI4_C)));
  const z = f32x4.mul(r, r);
  const ps = sinPoly(r, z);
  const pc = cosPoly(z);
  // Octants 2 and 6 swap the polynomials; sin flips sign in octants 4, 6; cos in 2, 4.
  const swap = i32x4.ne(v128.and(j, i32x4.splat(2)), i32x4.splat(0));
  const sinAbs = v128.bitselect(pc, ps, swap);
  const cosAbs = v128.bitselect(ps, pc, swap);
  const sinFlip = i32x4.shl(v128.and(j, i32x4.splat(4)), 29);
  const cosFlip = i32x4.shl(v128.and(i32x4.add(j, i32x4.splat(2)), i32x4.splat(4)), 29);
  cosOut = v128.xor(cosAbs, cosFlip);
  return v128.xor(sinAbs, v128.xor(sinFlip, signBit));
}

export function sin4(x: v128): v128 {
  return sincos4(x);
}

export function cos4(x: v128): v128 {
  sincos4(x);
  return cosOut;
}

/**
 * A float32 constant splat to all four lanes, read from linear memory. V8 builds a v128.const
 * from a general register with three instructions at each use inside a loop, and keeps few of them
 * in registers; a splat load is a single instruction on a load port. The constants of exp4 and
 * tanh4 (which run inside the policy's loops) are therefore stored once each in a data segment.
 */
@inline function splatAt(at: usize): v128 {
  return v128.load32_splat(at);
}

const LOG2E = memory.data<f32>([1.44269504088896341]);
const HALF = memory.data<f32>([0.5]);
const ONE = memory.data<f32>([1.0]);
const TWO = memory.data<f32>([2.0]);
const LN2_HI = memory.data<f32>([0.693359375]);
const LN2_LO = memory.data<f32>([-2.12194440e-4]);
const EXP_MAX = memory.data<f32>([88.72283905206835]);
const EXP_MIN = memory.data<f32>([-87.33654475055310]);
// e^r ≈ 1 + r + r²·(P0·r⁵ + … + P5) on |r| ≤ ln2/2 (Cephes expf).
const EXP_P0 = memory.data<f32>([1.9875691500e-4]);
const EXP_P1 = memory.data<f32>([1.3981999507e-3]);
const EXP_P2 = memory.data<f32>([8.3334519073e-3]);
const EXP_P3 = memory.data<f32>([4.1665795894e-2]);
const EXP_P4 = memory.data<f32>([1.6666665459e-1]);
const EXP_P5 = memory.data<f32>([5.0000001201e-1]);
// Adding 1.5·2^23 to an integral float n with |n| < 2^22 leaves n in the low mantissa bits.
const ROUND_MAGIC = memory.data<f32>([12582912.0]);
const ROUND_MAGIC_BITS = memory.data<i32>([0x4b400000]);
const EXPONENT_BIAS = memory.data<i32>([127]);

/** n = round(x·log2 e) as a float, half up (floor(x·log2 e + 1/2)). */
@inline function expExponent(x: v128): v128 {
  return f32x4.floor(f32x4.add(f32x4.mul(x, splatAt(LOG2E)), splatAt(HALF)));
}

/** e^r for r = x − n·ln2 (Cody–Waite, ln2 in two parts), |r| ≤ ln2/2, by the polynomial above. */
@inline function expReduced(x: v128, n: v128): v128 {
  let r = f32x4.sub(x, f32x4.mul(n, splatAt(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, splatAt(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(splatAt(EXP_P0), r), splatAt(EXP_P1));
  p = f32x4.add(f32x4.mul(p, r), splatAt(EXP_P2));
  p = f32x4.add(f32x4.mul(p, r), splatAt(EXP_P3));
  p = f32x4.add(f32x4.mul(p, r), splatAt(EXP_P4));
  p = f32x4.add(f32x4.mul(p, r), splatAt(EXP_P5));
  return f32x4.add(f32x4.add(f32x4.mul(p, z), r), splatAt(ONE));
}

/** n + 127 as an i32 for an integral float n with |n| < 2^22: a biased float32 exponent. */
@inline function biasedExponent(n: v128): v128 {
  return i32x4.add(i32x4.sub(f32x4.add(n, splatAt(ROUND_MAGIC)), splatAt(ROUND_MAGIC_BITS)), splatAt(EXPONENT_BIAS));
}

/** e^x: x = n·ln2 + r, e^r by a degree-6 polynomial, 2^n through the exponent bits. */
@inline export function exp4(x: v128): v128 {
  // pmin/pmax (one instruction each) return x itself when it is NaN: the comparisons are false.
  const xc = f32x4.pmax(f32x4.pmin(x, splatAt(EXP_MAX)), splatAt(EXP_MIN));
  const n = expExponent(xc);
  const p = expReduced(xc, n);
  // 2^n for n in [-126, 128]: split in two factors so that n = 128 does not overflow the exponent.
  const half = f32x4.floor(f32x4.mul(n, splatAt(HALF)));
  const scaleA = i32x4.shl(biasedExponent(half), 23);
  const scaleB = i32x4.shl(biasedExponent(f32x4.sub(n, half)), 23);
  return f32x4.mul(f32x4.mul(p, scaleA), scaleB);
}

// |x| < 0.625 exactly when x² < 0.390625 in float32 (0.625² is exact; the float below 0.625 squares
// to at least two float spacings below it).
const TANH_SMALL_SQUARED = memory.data<f32>([0.390625]);
const SIGN_BIT = memory.data<i32>([0x80000000]);
// Odd polynomial of tanh below |x| = 0.625: x + x·z·(T0·z⁴ + … + T4), z = x² (Cephes tanhf).
const TANH_T0 = memory.data<f32>([-5.70498872745e-3]);
const TANH_T1 = memory.data<f32>([2.06390887954e-2]);
const TANH_T2 = memory.data<f32>([-5.37397155531e-2]);
const TANH_T3 = memory.data<f32>([1.33314422036e-1]);
const TANH_T4 = memory.data<f32>([-3.33332819422e-1]);
// Beyond |x| = 10, 2/(e^{2|x|} + 1) < 2^-25 and 1 − it rounds to 1 in float32: the exponential is
// taken of min(2|x|, 20), so 2^n ≤ 2^29 is a single exponent factor.
const TANH_EXP_ARG_MAX = memory.data<f32>([20.0]);

/** tanh(x): an odd polynomial below |x| = 0.625, else 1 − 2/(e^{2|x|} + 1), with x's sign. */
@inline export function tanh4(x: v128): v128 {
  const signBit = v128.and(x, splatAt(SIGN_BIT));
  const z = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(splatAt(TANH_T0), z), splatAt(TANH_T1));
  p = f32x4.add(f32x4.mul(p, z), splatAt(TANH_T2));
  p = f32x4.add(f32x4.mul(p, z), splatAt(TANH_T3));
  p = f32x4.add(f32x4.mul(p, z), splatAt(TANH_T4));
  let t = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const isSmall = f32x4.lt(z, splatAt(TANH_SMALL_SQUARED));
  // The exponential branch costs most: it is skipped when no lane needs it (a NaN lane does).
  if (i32x4.bitmask(isSmall) != 0xf) {
    const ax = v128.xor(x, signBit);
    const y = f32x4.pmin(f32x4.add(ax, ax), splatAt(TANH_EXP_ARG_MAX));
    const n = expExponent(y);
    const e = f32x4.mul(expReduced(y, n), i32x4.shl(biasedExponent(n), 23));
    const large = f32x4.sub(splatAt(ONE), f32x4.div(splatAt(TWO), f32x4.add(e, splatAt(ONE))));
    t = v128.bitselect(t, large, isSmall);
  }
  // The sign goes in after the select: the polynomial alone turns −0 into +0.
  return v128.or(t, signBit);
}

/** Four i32 lane masks (−1 or 0) as four bytes (1 or 0), lane 0 in the lowest byte: flags for a u8 buffer. */
@inline export function maskToBytes4(mask: v128): u32 {
  const narrowed16 = i16x8.narrow_i32x4_s(mask, mask);
  const narrowed8 = i8x16.narrow_i16x8_s(narrowed16, narrowed16);
  return i32x4.extract_lane(v128.and(narrowed8, i8x16.splat(1)), 0);
}
