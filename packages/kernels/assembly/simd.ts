// SIMD building blocks shared by the kernels: a multiply-add that is fused in the relaxed-SIMD build, and
// f32x4 versions of exp, tanh and sigmoid.
//
// The math functions use plain (unfused) SIMD in both builds, so that their results are the same on every
// engine: only GEMM uses relaxed_madd, whose rounding may differ between CPUs. Coefficients are the Cephes
// single-precision ones (expf, tanhf); special values follow IEEE: NaN in, NaN out; exp(+Inf) = +Inf,
// exp(-Inf) = 0, tanh(+-Inf) = +-1, sigmoid(+Inf) = 1, sigmoid(-Inf) = 0.

/** a * b + c: fused in the relaxed-SIMD build, a multiply then an add otherwise. */
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline
function mulAdd(a: v128, b: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(a, b), f32x4.splat(c));
}

/** exp(x) lane-wise; relative error about 2 ulp; overflows to +Inf and underflows gracefully to 0. */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  // min/max propagate NaN; the bounds keep 2^n in two normal factors.
  const xc = f32x4.max(f32x4.min(x, f32x4.splat(89.0)), f32x4.splat(-104.0));
  const fx = f32x4.nearest(f32x4.mul(xc, f32x4.splat(1.44269504088896341)));
  // r = x - n*ln2, with ln2 split in two for accuracy.
  let r = f32x4.sub(xc, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  let p = mulAdd(f32x4.splat(1.9875691500e-4), r, 1.3981999507e-3);
  p = mulAdd(p, r, 8.3334519073e-3);
  p = mulAdd(p, r, 4.1665795894e-2);
  p = mulAdd(p, r, 1.6666665459e-1);
  p = mulAdd(p, r, 5.0000001201e-1);
  const y = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  // 2^n as 2^(n >> 1) * 2^(n - (n >> 1)): both factors stay normal for n in [-150, 128].
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** tanh(x) lane-wise: an odd polynomial below |x| = 0.625, 1 - 2 / (exp(2|x|) + 1) above. */
// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const e = exp4(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = mulAdd(f32x4.splat(-5.70498872745e-3), z, 2.06390887954e-2);
  p = mulAdd(p, z, -5.37397155531e-2);
  p = mulAdd(p, z, 1.33314422036e-1);
  p = mulAdd(p, z, -3.33332819422e-1);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** sigmoid(x) = 1 / (1 + exp(-x)) lane-wise. */
// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), exp4(f32x4.neg(x))));
}
