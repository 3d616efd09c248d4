// sgemm: C <- alpha * op(A) * op(B) + beta * C, row-major, f32.
//
// Shapes: op(A) is [M, K], op(B) is [K, N], C is [M, N]. A stored row-major with leading dimension lda
// ([M, K] when transA == 0, [K, M] when transA != 0); likewise B with ldb and C with ldc.
// Pointers are byte addresses in this module's memory; the caller (the TypeScript layer) has checked every
// size, stride and range. `work` points at GEMM_WORK_BYTES of scratch memory this call may overwrite.
//
// Semantics follow the reference BLAS: beta == 0 means C is not read (NaN in C does not propagate);
// alpha == 0 or K == 0 means A and B are not read.
//
// Method (Goto/BLIS): blocks of KC x NC of op(B), MC x KC of op(A) packed into MR-row panels scaled by alpha,
// and a 4 x 8 register-tiled SIMD micro-kernel (8 accumulators). op(B) is read in place when it is not
// transposed (its rows are contiguous), and packed into 8-column panels otherwise or at a ragged right edge.
// Fewer than MR rows take a streaming path (vecmat) that reads B once.
import { madd } from "./simd";

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 512;

const PACK_A_BYTES: usize = <usize>(MC * KC) << 2;
const PACK_B_BYTES: usize = <usize>(KC * NC) << 2;
const TILE_BYTES: usize = <usize>(MR * NR) << 2;

/** Scratch bytes that sgemm needs at `work`. */
export const GEMM_WORK_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;

export function sgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  scaleC(m, n, beta, c, ldc);
  if (alpha == 0 || k <= 0) return;
  if (m < MR) {
    if (transB) smallDot(transA, m, n, k, alpha, a, lda, b, ldb, c, ldc, work);
    else smallRows(transA, m, n, k, alpha, a, lda, b, ldb, c, ldc);
    return;
  }
  const packA = work;
  const packB = work + PACK_A_BYTES;
  const tile = packB + PACK_B_BYTES;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (transB) packBT(b, ldb, pc, jc, kc, nc, packB);
      else packBEdge(b, ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packAPanels(transA, a, lda, ic, pc, mc, kc, alpha, packA);
        macroKernel(transB, mc, nc, kc, packA, b, ldb, pc, jc, packB, c + ((<usize>ic * ldc + jc) << 2), ldc, tile);
      }
    }
  }
}

/** C <- beta * C (beta == 0 writes zeros without reading C). */
function scaleC(m: i32, n: i32, beta: f32, c: usize, ldc: i32): void {
  if (beta == 1) return;
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < m; i++) {
    const row = c + ((<usize>i * ldc) << 2);
    if (beta == 0) { memory.fill(row, 0, rowBytes); continue; }
    const vb = f32x4.splat(beta);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const p = row + (<usize>j << 2);
      v128.store(p, f32x4.mul(v128.load(p), vb));
    }
    for (; j < n; j++) {
      const p = row + (<usize>j << 2);
      store<f32>(p, load<f32>(p) * beta);
    }
  }
}

/** Packs alpha * op(A)[ic.., pc..] (mc x kc) into MR-row panels laid out [panel][p][r], zero-padded rows. */
function packAPanels(transA: i32, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, alpha: f32, dst: usize): void {
  const va = f32x4.splat(alpha);
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const panel = dst + ((<usize>ir * kc) << 2);
    if (transA) {
      // op(A)[i, p] = A[p * lda + i]: MR consecutive floats per p.
      const base = a + ((<usize>pc * lda + ic + ir) << 2);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(panel + (<usize>p << 4), f32x4.mul(v128.load(base + ((<usize>p * lda) << 2)), va));
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const src = base + ((<usize>p * lda) << 2);
          const out = panel + (<usize>p << 4);
          for (let r = 0; r < MR; r++) store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) * alpha : 0);
        }
      }
    } else {
      // op(A)[i, p] = A[i * lda + p]: gather one float from each of MR rows per p.
      const base = a + ((<usize>(ic + ir) * lda + pc) << 2);
      const rowBytes = <usize>lda << 2;
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          const src = base + (<usize>p << 2);
          const out = panel + (<usize>p << 4);
          store<f32>(out, load<f32>(src) * alpha);
          store<f32>(out, load<f32>(src + rowBytes) * alpha, 4);
          store<f32>(out, load<f32>(src + 2 * rowBytes) * alpha, 8);
          store<f32>(out, load<f32>(src + 3 * rowBytes) * alpha, 12);
        }
      } else {
        for (let p = 0; p < kc; p++) {
          const src = base + (<usize>p << 2);
          const out = panel + (<usize>p << 4);
          for (let r = 0; r < MR; r++) store<f32>(out + (<usize>r << 2), r < rows ? load<f32>(src + <usize>r * rowBytes) * alpha : 0);
        }
      }
    }
  }
}

/** Packs op(B) = B^T block (kc x nc) into NR-column panels [panel][p][col], zero-padded columns. */
function packBT(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    const panel = dst + ((<usize>jr * kc) << 2);
    for (let col = 0; col < NR; col++) {
      if (col < cols) {
        // op(B)[p, j] = B[j * ldb + p]: a contiguous run of kc floats, scattered with stride NR.
        const src = b + ((<usize>(jc + jr + col) * ldb + pc) << 2);
        for (let p = 0; p < kc; p++) store<f32>(panel + ((<usize>(p * NR + col)) << 2), load<f32>(src + (<usize>p << 2)));
      } else {
        for (let p = 0; p < kc; p++) store<f32>(panel + ((<usize>(p * NR + col)) << 2), 0);
      }
    }
  }
}

/** For B read in place, packs only the ragged right-edge panel (fewer than NR columns), zero-padded. */
function packBEdge(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  const cols = nc % NR;
  if (cols == 0) return;
  const jr = nc - cols;
  const panel = dst + ((<usize>jr * kc) << 2);
  for (let p = 0; p < kc; p++) {
    const src = b + ((<usize>(pc + p) * ldb + jc + jr) << 2);
    const out = panel + (<usize>(p * NR) << 2);
    for (let col = 0; col < NR; col++) store<f32>(out + (<usize>col << 2), col < cols ? load<f32>(src + (<usize>col << 2)) : 0);
  }
}

function macroKernel(
  transB: i32, mc: i32, nc: i32, kc: i32, packA: usize,
  b: usize, ldb: i32, pc: i32, jc: i32, packB: usize, c: usize, ldc: i32, tile: usize,
): void {
  const ldcBytes = <usize>ldc << 2;
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = min(NR, nc - jr);
    let bPanel: usize;
    let bStride: usize;
    if (transB || cols < NR) {
      bPanel = packB + ((<usize>jr * kc) << 2);
      bStride = <usize>NR << 2;
    } else {
      bPanel = b + ((<usize>pc * ldb + jc + jr) << 2);
      bStride = <usize>ldb << 2;
    }
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const aPanel = packA + ((<usize>ir * kc) << 2);
      const cTile = c + <usize>ir * ldcBytes + (<usize>jr << 2);
      if (rows == MR && cols == NR) {
        kernel4x8(aPanel, bPanel, bStride, kc, cTile, ldcBytes);
      } else {
        memory.fill(tile, 0, TILE_BYTES);
        kernel4x8(aPanel, bPanel, bStride, kc, tile, <usize>NR << 2);
        for (let r = 0; r < rows; r++) {
          for (let col = 0; col < cols; col++) {
            const p = cTile + <usize>r * ldcBytes + (<usize>col << 2);
            store<f32>(p, load<f32>(p) + load<f32>(tile + (<usize>(r * NR + col) << 2)));
          }
        }
      }
    }
  }
}

/** C[4 x 8] += Apanel[kc][4] * B[kc rows of 8, stride bStride bytes]. */
// @ts-ignore: decorator
@inline
function kernel4x8(pa: usize, pb: usize, bStride: usize, kc: i32, pc: usize, ldcBytes: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    pa += 16;
    pb += bStride;
  }
  v128.store(pc, f32x4.add(v128.load(pc), c00));
  v128.store(pc, f32x4.add(v128.load(pc, 16), c01), 16);
  pc += ldcBytes;
  v128.store(pc, f32x4.add(v128.load(pc), c10));
  v128.store(pc, f32x4.add(v128.load(pc, 16), c11), 16);
  pc += ldcBytes;
  v128.store(pc, f32x4.add(v128.load(pc), c20));
  v128.store(pc, f32x4.add(v128.load(pc, 16), c21), 16);
  pc += ldcBytes;
  v128.store(pc, f32x4.add(v128.load(pc), c30));
  v128.store(pc, f32x4.add(v128.load(pc, 16), c31), 16);
}

// @ts-ignore: decorator
@inline
function opA(transA: i32, a: usize, lda: i32, i: i32, p: i32): f32 {
  return transA ? load<f32>(a + ((<usize>p * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + p) << 2));
}

/** Fewer than MR rows, B not transposed: each C row += sum_p alpha*A[i,p] * B[p,:], streaming B rows. */
function smallRows(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
  const bStride = <usize>ldb << 2;
  for (let i = 0; i < m; i++) {
    const cRow = c + ((<usize>i * ldc) << 2);
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
      let pb = b + (<usize>j << 2);
      let p = 0;
      for (; p + 2 <= k; p += 2) {
        const x = f32x4.splat(opA(transA, a, lda, i, p) * alpha);
        s0 = madd(x, v128.load(pb), s0); s1 = madd(x, v128.load(pb, 16), s1);
        s2 = madd(x, v128.load(pb, 32), s2); s3 = madd(x, v128.load(pb, 48), s3);
        const pb2 = pb + bStride;
        const y = f32x4.splat(opA(transA, a, lda, i, p + 1) * alpha);
        t0 = madd(y, v128.load(pb2), t0); t1 = madd(y, v128.load(pb2, 16), t1);
        t2 = madd(y, v128.load(pb2, 32), t2); t3 = madd(y, v128.load(pb2, 48), t3);
        pb = pb2 + bStride;
      }
      if (p < k) {
        const x = f32x4.splat(opA(transA, a, lda, i, p) * alpha);
        s0 = madd(x, v128.load(pb), s0); s1 = madd(x, v128.load(pb, 16), s1);
        s2 = madd(x, v128.load(pb, 32), s2); s3 = madd(x, v128.load(pb, 48), s3);
      }
      const pc = cRow + (<usize>j << 2);
      v128.store(pc, f32x4.add(v128.load(pc), f32x4.add(s0, t0)));
      v128.store(pc, f32x4.add(v128.load(pc, 16), f32x4.add(s1, t1)), 16);
      v128.store(pc, f32x4.add(v128.load(pc, 32), f32x4.add(s2, t2)), 32);
      v128.store(pc, f32x4.add(v128.load(pc, 48), f32x4.add(s3, t3)), 48);
    }
    for (; j + 4 <= n; j += 4) {
      let s = f32x4.splat(0);
      let pb = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        s = madd(f32x4.splat(opA(transA, a, lda, i, p) * alpha), v128.load(pb), s);
        pb += bStride;
      }
      const pc = cRow + (<usize>j << 2);
      v128.store(pc, f32x4.add(v128.load(pc), s));
    }
    for (; j < n; j++) {
      let s: f32 = 0;
      for (let p = 0; p < k; p++) s += opA(transA, a, lda, i, p) * alpha * load<f32>(b + ((<usize>p * ldb + j) << 2));
      const pc = cRow + (<usize>j << 2);
      store<f32>(pc, load<f32>(pc) + s);
    }
  }
}

/** Fewer than MR rows, B transposed: C[i, j] += alpha * dot(op(A)[i, :], B[j, :]), K in chunks copied to `work`. */
function smallDot(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, work: usize): void {
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
