// Short names for the f32x4 operations of the four-world solver, so that each SIMD line reads like
// its scalar twin. Every helper is one IEEE operation per lane, so a lane computes exactly what the
// scalar code computes when the expressions are written in the same order.

@inline export function splat(x: f32): v128 { return f32x4.splat(x); }
@inline export function add(a: v128, b: v128): v128 { return f32x4.add(a, b); }
@inline export function sub(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
@inline export function mul(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
@inline export function div(a: v128, b: v128): v128 { return f32x4.div(a, b); }
@inline export function neg(a: v128): v128 { return f32x4.neg(a); }
/** b2Min(a, b) = a < b ? a : b, per lane (wasm's pseudo-minimum: one minps on x64). */
@inline export function vmin(a: v128, b: v128): v128 { return f32x4.pmin(b, a); }
/** b2Max(a, b) = a > b ? a : b, per lane. */
@inline export function vmax(a: v128, b: v128): v128 { return f32x4.pmax(b, a); }
@inline export function vabs(a: v128): v128 { return f32x4.abs(a); }
@inline export function vsqrt(a: v128): v128 { return f32x4.sqrt(a); }
@inline export function lt(a: v128, b: v128): v128 { return f32x4.lt(a, b); }
@inline export function le(a: v128, b: v128): v128 { return f32x4.le(a, b); }
@inline export function gt(a: v128, b: v128): v128 { return f32x4.gt(a, b); }
@inline export function ge(a: v128, b: v128): v128 { return f32x4.ge(a, b); }
@inline export function ne(a: v128, b: v128): v128 { return f32x4.ne(a, b); }
/** Per lane: a where mask is set, else b. */
@inline export function select(mask: v128, a: v128, b: v128): v128 { return v128.bitselect(a, b, mask); }
@inline export function and(a: v128, b: v128): v128 { return v128.and(a, b); }
@inline export function or(a: v128, b: v128): v128 { return v128.or(a, b); }
/** a and not b */
@inline export function andNot(a: v128, b: v128): v128 { return v128.andnot(a, b); }
@inline export function any(mask: v128): bool { return v128.any_true(mask); }
@inline export function all(mask: v128): bool { return i32x4.all_true(mask); }
@inline export function zero(): v128 { return f32x4.splat(0); }
/** Lanes whose i32 value equals k. */
@inline export function eqi(a: v128, k: i32): v128 { return i32x4.eq(a, i32x4.splat(k)); }
