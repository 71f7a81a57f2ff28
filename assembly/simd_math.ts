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

/** sin(x) in the result, cos(x) in `cosOut`: one range reduction for both. */
@inline export function sincos4(x: v128): v128 {
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const ax = f32x4.abs(x);
  // Octant j rounded up to even, so the reduced argument r lies in [-pi/4, pi/4].
  let j = i32x4.trunc_sat_f32x4_s(f32x4.mul(ax, f32x4.splat(FOUR_OVER_PI)));
  j = v128.and(i32x4.add(j, i32x4.splat(1)), i32x4.splat(~1));
  const y = f32x4.convert_i32x4_s(j);
  let r = f32x4.sub(ax, f32x4.mul(y, f32x4.splat(PI4_A)));
  r = f32x4.sub(r, f32x4.mul(y, f32x4.splat(PI4_B)));
  r = f32x4.sub(r, f32x4.mul(y, f32x4.splat(PI4_C)));
  const z = f32x4.mul(r, r);
  // sin(r) = r + r·z·(P2 + z·(P1 + z·P0))
  let ps = f32x4.add(f32x4.mul(f32x4.splat(SIN_P0), z), f32x4.splat(SIN_P1));
  ps = f32x4.add(f32x4.mul(ps, z), f32x4.splat(SIN_P2));
  ps = f32x4.add(f32x4.mul(f32x4.mul(ps, z), r), r);
  // cos(r) = 1 − z/2 + z²·(C2 + z·(C1 + z·C0))
  let pc = f32x4.add(f32x4.mul(f32x4.splat(COS_P0), z), f32x4.splat(COS_P1));
  pc = f32x4.add(f32x4.mul(pc, z), f32x4.splat(COS_P2));
  pc = f32x4.add(f32x4.sub(f32x4.mul(f32x4.mul(pc, z), z), f32x4.mul(z, f32x4.splat(0.5))), f32x4.splat(1.0));
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

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MAX: f32 = 88.72283905206835;
const EXP_MIN: f32 = -87.33654475055310;

/** e^x: x = n·ln2 + r, e^r by a degree-6 polynomial, 2^n through the exponent bits. */
@inline export function exp4(x: v128): v128 {
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(EXP_MAX)), f32x4.splat(EXP_MIN));
  const n = f32x4.floor(f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.add(f32x4.mul(f32x4.splat(1.9875691500e-4), r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1.0));
  // 2^n for n in [-126, 128]: split in two factors so that n = 128 does not overflow the exponent.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const scaleA = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const scaleB = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, scaleA), scaleB);
}

const TANH_SMALL: f32 = 0.625;

/** tanh(x): an odd polynomial below |x| = 0.625, else 1 − 2/(e^{2|x|} + 1), with x's sign. */
@inline export function tanh4(x: v128): v128 {
  const signBit = v128.and(x, i32x4.splat(0x80000000));
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.add(f32x4.mul(f32x4.splat(-5.70498872745e-3), z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const isSmall = f32x4.lt(ax, f32x4.splat(TANH_SMALL));
  // The sign goes in after the select: the polynomial alone turns −0 into +0.
  return v128.or(v128.bitselect(small, large, isSmall), signBit);
}
