// Reductions over a row-major [rows, cols] matrix: column sums (bias gradients), and the numerically stable
// row-wise softmax and log-sum-exp (the row maximum is subtracted before exp).
//
// Special rows follow PyTorch: a row holding NaN gives NaN; log-sum-exp of a row whose maximum is +-Inf is
// that maximum (so an all -Inf row gives -Inf), and softmax of such a row is NaN; an empty row has
// log-sum-exp -Inf.
import { exp4 } from "./simd";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** out[c] = sum over r of x[r, c]. */
export function colSum(out: usize, x: usize, rows: i32, cols: i32): void {
  memory.fill(out, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(out, c), f32x4.add(v128.load(at(out, c)), v128.load(at(xr, c))));
    for (; c < cols; c++) store<f32>(at(out, c), load<f32>(at(out, c)) + load<f32>(at(xr, c)));
  }
}

function rowMax(xr: usize, cols: i32): f32 {
  let m4 = f32x4.splat(-Infinity);
  let c = 0;
  for (; c + 4 <= cols; c += 4) m4 = f32x4.max(m4, v128.load(at(xr, c)));
  let m = max<f32>(max<f32>(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max<f32>(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)));
  for (; c < cols; c++) m = max<f32>(m, load<f32>(at(xr, c)));
  return m;
}

/** Writes exp(x - m) to `dst` (which may be 0 to skip writing) and returns the sum. */
function expShiftSum(dst: usize, xr: usize, cols: i32, m: f32): f32 {
  const vm = f32x4.splat(m);
  let s4 = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    const e = exp4(f32x4.sub(v128.load(at(xr, c)), vm));
    if (dst) v128.store(at(dst, c), e);
    s4 = f32x4.add(s4, e);
  }
  let s: f32 = (f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1)) + (f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3));
  for (; c < cols; c++) {
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(xr, c)) - m)), 0);
    if (dst) store<f32>(at(dst, c), e);
    s += e;
  }
  return s;
}

/** out[r, :] = softmax(x[r, :]). */
export function softmaxRows(out: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const o = at(out, r * cols);
    const s = expShiftSum(o, xr, cols, rowMax(xr, cols));
    const vs = f32x4.splat(s);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(o, c), f32x4.div(v128.load(at(o, c)), vs));
    for (; c < cols; c++) store<f32>(at(o, c), load<f32>(at(o, c)) / s);
  }
}

/** out[r] = log(sum over c of exp(x[r, c])). */
export function logSumExpRows(out: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const m = rowMax(xr, cols);
    let v: f32;
    if (m == Infinity || m == -Infinity) v = m;
    else v = m + Mathf.log(expShiftSum(0, xr, cols, m));
    store<f32>(at(out, r), v);
  }
}

/**
 * The gradient of row-wise cross-entropy loss[r] = lse[r] - x[r, t_r] with respect to the logits, scaled by the
 * loss's cotangent: dx[r, c] = g[r] * (exp(x[r, c] - lse[r]) - [c == t_r]). lse = logSumExpRows(x); targets are
 * class indices stored as floats. The softmax is never stored: each element is made and used once.
 */
export function crossEntropyBackward(dx: usize, x: usize, lse: usize, targets: usize, g: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols);
    const dr = at(dx, r * cols);
    const l = load<f32>(at(lse, r));
    const gr = load<f32>(at(g, r));
    const vl = f32x4.splat(l);
    const vg = f32x4.splat(gr);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(dr, c), f32x4.mul(vg, exp4(f32x4.sub(v128.load(at(xr, c)), vl))));
    for (; c < cols; c++) store<f32>(at(dr, c), gr * f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(xr, c)) - l)), 0));
    const t = <i32>load<f32>(at(targets, r));
    if (t >= 0 && t < cols) store<f32>(at(dr, t), gr * (f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(xr, t)) - l)), 0) - 1));
  }
}
