// Products with fewer than MR rows of C, which the blocked GEMM would pad to a whole tile: streaming paths that
// read B once (sgemm's m < MR cases), and the matrix-vector product of one-token steps (sgemv).
import { KC, MC } from "./pack";
import { madd } from "./simd";

// @ts-ignore: decorator
@inline
function opA(transA: i32, a: usize, lda: i32, i: i32, p: i32): f32 {
  return transA ? load<f32>(a + ((<usize>p * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + p) << 2));
}

/**
 * Fewer than MR rows, B not transposed: C[i, :] += sum_p alpha * op(A)[i, p] * B[p, :]. Rows of B are streamed
 * front to back four at a time (prefetch-friendly), with the C row held in L1 between groups.
 */
export function smallRows(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
  const rowB = <usize>ldb << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const cRow = c + ((<usize>i * ldc) << 2);
    let p = 0;
    for (; p + 4 <= k; p += 4) {
      const s0 = opA(transA, a, lda, i, p) * alpha;
      const s1 = opA(transA, a, lda, i, p + 1) * alpha;
      const s2 = opA(transA, a, lda, i, p + 2) * alpha;
      const s3 = opA(transA, a, lda, i, p + 3) * alpha;
      const x0 = f32x4.splat(s0), x1 = f32x4.splat(s1), x2 = f32x4.splat(s2), x3 = f32x4.splat(s3);
      const b0 = b + <usize>p * rowB;
      const b1 = b0 + rowB, b2 = b1 + rowB, b3 = b2 + rowB;
      for (let j = 0; j < n4; j += 4) {
        const off = <usize>j << 2;
        let acc = v128.load(cRow + off);
        acc = madd(x0, v128.load(b0 + off), acc);
        acc = madd(x1, v128.load(b1 + off), acc);
        acc = madd(x2, v128.load(b2 + off), acc);
        acc = madd(x3, v128.load(b3 + off), acc);
        v128.store(cRow + off, acc);
      }
      for (let j = n4; j < n; j++) {
        const off = <usize>j << 2;
        store<f32>(cRow + off, load<f32>(cRow + off) + s0 * load<f32>(b0 + off) + s1 * load<f32>(b1 + off) + s2 * load<f32>(b2 + off) + s3 * load<f32>(b3 + off));
      }
    }
    for (; p < k; p++) {
      const s0 = opA(transA, a, lda, i, p) * alpha;
      const x0 = f32x4.splat(s0);
      const b0 = b + <usize>p * rowB;
      for (let j = 0; j < n4; j += 4) {
        const off = <usize>j << 2;
        v128.store(cRow + off, madd(x0, v128.load(b0 + off), v128.load(cRow + off)));
      }
      for (let j = n4; j < n; j++) {
        const off = <usize>j << 2;
        store<f32>(cRow + off, load<f32>(cRow + off) + s0 * load<f32>(b0 + off));
      }
    }
  }
}

/** Fewer than MR rows, B transposed: C[i, j] += alpha * dot(op(A)[i, :], B[j, :]), K in chunks copied to `work`. */
export function smallDot(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
  const chunk = MC * KC;
  for (let i = 0; i < m; i++) {
    for (let pc = 0; pc < k; pc += chunk) {
      const kc = min(chunk, k - pc);
      for (let p = 0; p < kc; p++) store<f32>(work + (<usize>p << 2), opA(transA, a, lda, i, pc + p) * alpha);
      dotChunk(n, kc, work, b + (<usize>pc << 2), ldb, c + ((<usize>i * ldc) << 2));
    }
  }
}

/** cRow[j] += dot(x[0..kc), B[j, 0..kc)) for j < n. */
function dotChunk(n: i32, kc: i32, x: usize, b: usize, ldb: i32, cRow: usize): void {
  const rowB = <usize>ldb << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * rowB;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = 0;
    for (; p + 4 <= kc; p += 4) {
      const off = <usize>p << 2;
      const v = v128.load(x + off);
      s0 = madd(v, v128.load(b0 + off), s0);
      s1 = madd(v, v128.load(b0 + rowB + off), s1);
      s2 = madd(v, v128.load(b0 + 2 * rowB + off), s2);
      s3 = madd(v, v128.load(b0 + 3 * rowB + off), s3);
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3);
    for (; p < kc; p++) {
      const off = <usize>p << 2;
      const v = load<f32>(x + off);
      d0 += v * load<f32>(b0 + off);
      d1 += v * load<f32>(b0 + rowB + off);
      d2 += v * load<f32>(b0 + 2 * rowB + off);
      d3 += v * load<f32>(b0 + 3 * rowB + off);
    }
    const pc = cRow + (<usize>j << 2);
    v128.store(pc, f32x4.add(v128.load(pc), f32x4(d0, d1, d2, d3)));
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * rowB;
    let s: f32 = 0;
    for (let p = 0; p < kc; p++) s += load<f32>(x + (<usize>p << 2)) * load<f32>(bj + (<usize>p << 2));
    const pc = cRow + (<usize>j << 2);
    store<f32>(pc, load<f32>(pc) + s);
  }
}

// @ts-ignore: decorator
@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/**
 * y <- alpha * A x + beta * y for a row-major A [m, n] (row stride lda): the matrix-vector product of one-token
 * steps. Eight rows at a time, one accumulator each (eight independent multiply-add chains, enough to hide
 * their latency), A streamed once front to back. beta == 0 does not read y.
 */
export function sgemv(m: i32, n: i32, alpha: f32, a: usize, lda: i32, x: usize, beta: f32, y: usize): void {
  const rowBytes = <usize>lda << 2;
  const n8 = n & ~7;
  const n4 = n & ~3;
  let i = 0;
  for (; i + 8 <= m; i += 8) {
    const a0 = a + <usize>i * rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let s4 = f32x4.splat(0), s5 = f32x4.splat(0), s6 = f32x4.splat(0), s7 = f32x4.splat(0);
    for (let j = 0; j < n4; j += 4) {
      const off = <usize>j << 2;
      const xv = v128.load(x + off);
      const r = a0 + off;
      s0 = madd(v128.load(r), xv, s0);
      s1 = madd(v128.load(r + rowBytes), xv, s1);
      s2 = madd(v128.load(r + 2 * rowBytes), xv, s2);
      s3 = madd(v128.load(r + 3 * rowBytes), xv, s3);
      s4 = madd(v128.load(r + 4 * rowBytes), xv, s4);
      s5 = madd(v128.load(r + 5 * rowBytes), xv, s5);
      s6 = madd(v128.load(r + 6 * rowBytes), xv, s6);
      s7 = madd(v128.load(r + 7 * rowBytes), xv, s7);
    }
    let d0 = hsum(s0), d1 = hsum(s1), d2 = hsum(s2), d3 = hsum(s3), d4 = hsum(s4), d5 = hsum(s5), d6 = hsum(s6), d7 = hsum(s7);
    for (let j = n4; j < n; j++) {
      const off = <usize>j << 2;
      const xv = load<f32>(x + off);
      const r = a0 + off;
      d0 += load<f32>(r) * xv;
      d1 += load<f32>(r + rowBytes) * xv;
      d2 += load<f32>(r + 2 * rowBytes) * xv;
      d3 += load<f32>(r + 3 * rowBytes) * xv;
      d4 += load<f32>(r + 4 * rowBytes) * xv;
      d5 += load<f32>(r + 5 * rowBytes) * xv;
      d6 += load<f32>(r + 6 * rowBytes) * xv;
      d7 += load<f32>(r + 7 * rowBytes) * xv;
    }
    const py = y + (<usize>i << 2);
    const va = f32x4.splat(alpha);
    const r0 = f32x4.mul(f32x4(d0, d1, d2, d3), va);
    const r1 = f32x4.mul(f32x4(d4, d5, d6, d7), va);
    if (beta == 0) {
      v128.store(py, r0);
      v128.store(py, r1, 16);
    } else {
      const vb = f32x4.splat(beta);
      v128.store(py, f32x4.add(r0, f32x4.mul(v128.load(py), vb)));
      v128.store(py, f32x4.add(r1, f32x4.mul(v128.load(py, 16), vb)), 16);
    }
  }
  for (; i < m; i++) {
    const ai = a + <usize>i * rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    for (let j = 0; j < n8; j += 8) {
      const off = <usize>j << 2;
      s0 = madd(v128.load(ai + off), v128.load(x + off), s0);
      s1 = madd(v128.load(ai + off, 16), v128.load(x + off, 16), s1);
    }
    let d = hsum(f32x4.add(s0, s1));
    for (let j = n8; j < n; j++) d += load<f32>(ai + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    const py = y + (<usize>i << 2);
    store<f32>(py, beta == 0 ? alpha * d : alpha * d + beta * load<f32>(py));
  }
}
