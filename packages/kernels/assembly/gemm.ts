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
// Method (Goto/BLIS): K is cut in blocks of at most KC; an MC x KC block of op(A) is packed into MR-row panels
// (scaled by alpha; a row-major A with alpha = 1 is read in place instead, four row streams); then for each
// NR-column panel of op(B), that KC x NR panel is packed into an 8 KB buffer that stays in L1 while a 4 x 8
// register-tiled SIMD micro-kernel (8 accumulators) sweeps it down the A block.
// Packing B panel by panel keeps its rows contiguous (B's rows may be a multiple of 4 KB apart, which maps them
// all to one L1 set) without a pass over all of B. Fewer than MR rows take streaming paths that read B once.
// The blocking and packing are in pack.ts, the few-row and matrix-vector paths in small.ts.
import { JB, KC, kBlockDepth, MC, MR, NR, PACK_A_BYTES, PACK_B_BYTES, packAPanels, packBPanels, paddedCols, TILE_BYTES } from "./pack";
import { madd } from "./simd";
import { smallDot, smallRows } from "./small";

/** Scratch bytes that sgemm needs at `work`. */
export const GEMM_WORK_BYTES: usize = PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;

export function sgemm(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0 || k <= 0 || m < MR) {
    scaleC(m, n, beta, c, ldc);
    if (alpha == 0 || k <= 0) return;
    if (transB) smallDot(transA, m, n, k, alpha, a, lda, b, ldb, c, ldc, work);
    else smallRows(transA, m, n, k, alpha, a, lda, b, ldb, c, ldc);
    return;
  }
  // beta == 0: the first K block writes C instead of adding to it (no pass to zero C first).
  if (beta != 0) scaleC(m, n, beta, c, ldc);
  blocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0, 0, 0, beta == 0, c, ldc, work);
}

/**
 * The blocked product C (+)= alpha op(A) op(B) for m >= 1: K in equal blocks, A in MC-row blocks (packed, or read
 * in place when it is stored row-major with alpha = 1 and whole MR-row panels: then packing would only copy
 * it), B packed panel by panel or prepacked (then `packedPad` is the padded width of the packed matrix and `j0`, a
 * multiple of NR, the first of its columns this product computes). `overwrite`: the first K block stores into C
 * instead of adding.
 */
function blocked(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  prepacked: usize, packedPad: i32, j0: i32, overwrite: bool, c: usize, ldc: i32, work: usize,
): void {
  const packA = work;
  const packB = work + PACK_A_BYTES;
  const tile = packB + PACK_B_BYTES;
  const kcMax = kBlockDepth(k);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    const bBlock = prepacked == 0 ? <usize>0 : prepacked + ((<usize>pc * packedPad + <usize>j0 * kc) << 2);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      const direct = !transA && alpha == 1 && mc % MR == 0;
      if (!direct) packAPanels(transA, a, lda, ic, pc, mc, kc, alpha, packA);
      const aRows = direct ? a + ((<usize>ic * lda + pc) << 2) : 0;
      macroKernel(transB, mc, n, kc, packA, aRows, <usize>lda << 2, b, ldb, pc, packB, bBlock, overwrite && pc == 0, c + ((<usize>ic * ldc) << 2), ldc, tile);
    }
  }
}

/**
 * C <- alpha * op(A) * B[:, j0 : j0 + n] + beta * C with B ([k, packedN]) packed by packB; j0 is a multiple of NR
 * (a thread computes a block of columns: 0 and packedN = n for the whole product). C points at column j0's block.
 */
export function sgemmPacked(
  transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, packed: usize, packedN: i32, j0: i32,
  beta: f32, c: usize, ldc: i32, work: usize,
): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0 || k <= 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (beta != 0) scaleC(m, n, beta, c, ldc);
  blocked(transA, 0, m, n, k, alpha, a, lda, 0, 0, packed, paddedCols(packedN), j0, beta == 0, c, ldc, work);
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


/**
 * C[mc x n] (+)= A block x op(B) block (kc deep). A is packed at packA, or, when aRows is not 0, read in place
 * (row-major rows aRowBytes apart; mc is then a multiple of MR). B panels are packed here JB at a time into
 * packB, or, when `prepacked` is not 0, read from a block that packB prepared (panel jr / NR at jr * kc floats).
 * `overwrite`: write the products into C instead of adding them.
 */
function macroKernel(
  transB: i32, mc: i32, n: i32, kc: i32, packA: usize, aRows: usize, aRowBytes: usize, b: usize, ldb: i32, pc: i32,
  packB: usize, prepacked: usize, overwrite: bool, c: usize, ldc: i32, tile: usize,
): void {
  const ldcBytes = <usize>ldc << 2;
  for (let jr = 0; jr < n; jr += NR) {
    const cols = min(NR, n - jr);
    let bPanel: usize;
    if (prepacked != 0) bPanel = prepacked + ((<usize>jr * kc) << 2);
    else {
      const q = (jr / NR) % JB;
      if (q == 0) packBPanels(transB, b, ldb, pc, jr, kc, min(NR * JB, n - jr), packB);
      bPanel = packB + ((<usize>(q * kc * NR)) << 2);
    }
    for (let ir = 0; ir < mc; ir += MR) {
      const rows = min(MR, mc - ir);
      const cTile = c + <usize>ir * ldcBytes + (<usize>jr << 2);
      const full = rows == MR && cols == NR;
      const out = full ? cTile : tile;
      const outStride = full ? ldcBytes : <usize>NR << 2;
      if (!full) memory.fill(tile, 0, TILE_BYTES);
      if (aRows != 0) kernel4x8Rows(aRows + <usize>ir * aRowBytes, aRowBytes, bPanel, kc, out, outStride, overwrite && full);
      else kernel4x8(packA + ((<usize>ir * kc) << 2), bPanel, kc, out, outStride, overwrite && full);
      if (!full) {
        for (let r = 0; r < rows; r++) {
          for (let col = 0; col < cols; col++) {
            const p = cTile + <usize>r * ldcBytes + (<usize>col << 2);
            store<f32>(p, (overwrite ? <f32>0 : load<f32>(p)) + load<f32>(tile + (<usize>(r * NR + col) << 2)));
          }
        }
      }
    }
  }
}

/** Adds (or, with `overwrite`, stores) a 4 x 8 tile of accumulators into C. */
// @ts-ignore: decorator
@inline
function putTile(pc: usize, ldcBytes: usize, overwrite: bool, c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128): void {
  if (overwrite) {
    v128.store(pc, c00);
    v128.store(pc, c01, 16);
    v128.store(pc + ldcBytes, c10);
    v128.store(pc + ldcBytes, c11, 16);
    v128.store(pc + 2 * ldcBytes, c20);
    v128.store(pc + 2 * ldcBytes, c21, 16);
    v128.store(pc + 3 * ldcBytes, c30);
    v128.store(pc + 3 * ldcBytes, c31, 16);
    return;
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

/** C[4 x 8] (+)= A[4 rows, kc] read in place (rows rowBytes apart) * Bpanel[kc][8]. */
// @ts-ignore: decorator
@inline
function kernel4x8Rows(a0: usize, rowBytes: usize, pb: usize, kc: i32, pc: usize, ldcBytes: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let a1 = a0 + rowBytes;
  let a2 = a1 + rowBytes;
  let a3 = a2 + rowBytes;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(a0);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load32_splat(a1);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load32_splat(a2);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load32_splat(a3);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
    a0 += 4;
    a1 += 4;
    a2 += 4;
    a3 += 4;
    pb += 32;
  }
  putTile(pc, ldcBytes, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** C[4 x 8] (+)= Apanel[kc][4] * Bpanel[kc][8]. */
// @ts-ignore: decorator
@inline
function kernel4x8(pa: usize, pb: usize, kc: i32, pc: usize, ldcBytes: usize, overwrite: bool): void {
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
    pb += 32;
  }
  putTile(pc, ldcBytes, overwrite, c00, c01, c10, c11, c20, c21, c30, c31);
}
