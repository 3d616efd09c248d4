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
// (scaled by alpha; a row-major A with alpha = 1 is read in place instead, four row streams); then for each NR-column panel of op(B), that KC x NR panel is packed into an 8 KB buffer
// that stays in L1 while a 4 x 8 register-tiled SIMD micro-kernel (8 accumulators) sweeps it down the A block.
// Packing B panel by panel keeps its rows contiguous (B's rows may be a multiple of 4 KB apart, which maps them
// all to one L1 set) without a pass over all of B. Fewer than MR rows take streaming paths that read B once.
import { madd } from "./simd";

const MR: i32 = 4;
const NR: i32 = 8;
const KC: i32 = 384;
const MC: i32 = 128;
/** B panels packed together: rows of B are then read 32 floats at a time, which the prefetcher follows. */
const JB: i32 = 8;

const PACK_A_BYTES: usize = <usize>(MC * KC) << 2;
const PACK_B_BYTES: usize = <usize>(KC * NR * JB) << 2;
const TILE_BYTES: usize = <usize>(MR * NR) << 2;

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
  blocked(transA, transB, m, n, k, alpha, a, lda, b, ldb, 0, beta == 0, c, ldc, work);
}

/**
 * The blocked product C (+)= alpha op(A) op(B) for m >= 1: K in equal blocks, A in MC-row blocks (packed, or read
 * in place when it is stored row-major with alpha = 1 and whole MR-row panels: then packing would only copy
 * it), B packed panel by panel or prepacked. `overwrite`: the first K block stores into C instead of adding.
 */
function blocked(
  transA: i32, transB: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32,
  prepacked: usize, overwrite: bool, c: usize, ldc: i32, work: usize,
): void {
  const packA = work;
  const packB = work + PACK_A_BYTES;
  const tile = packB + PACK_B_BYTES;
  const nPad = paddedCols(n);
  // Equal K blocks (e.g. 320 = 160 + 160, not 256 + 64) keep every micro-kernel call long.
  const kBlocks = (k + KC - 1) / KC;
  const kcMax = (k + kBlocks - 1) / kBlocks;
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    const bBlock = prepacked == 0 ? <usize>0 : prepacked + ((<usize>pc * nPad) << 2);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      const direct = !transA && alpha == 1 && mc % MR == 0;
      if (!direct) packAPanels(transA, a, lda, ic, pc, mc, kc, alpha, packA);
      const aRows = direct ? a + ((<usize>ic * lda + pc) << 2) : 0;
      macroKernel(transB, mc, n, kc, packA, aRows, <usize>lda << 2, b, ldb, pc, packB, bBlock, overwrite && pc == 0, c + ((<usize>ic * ldc) << 2), ldc, tile);
    }
  }
}

/** Columns of op(B) rounded up to whole NR-column panels. */
// @ts-ignore: decorator
@inline
function paddedCols(n: i32): i32 {
  return (n + NR - 1) / NR * NR;
}

/** Floats that packB writes for a [k, n] op(B). */
export function packedBSize(k: i32, n: i32): i32 {
  return k * paddedCols(n);
}

/**
 * Packs all of op(B) ([k, n]) once, in the layout sgemm builds panel by panel: for each K block (the same blocks
 * sgemm cuts), NR-column panels [p][col] one after another, zero-padded. A matrix used by many products (a
 * recurrent weight, used once per time step) is then packed once instead of once per product.
 */
export function packB(transB: i32, k: i32, n: i32, b: usize, ldb: i32, dst: usize): void {
  if (k <= 0 || n <= 0) return;
  const nPad = paddedCols(n);
  const kBlocks = (k + KC - 1) / KC;
  const kcMax = (k + kBlocks - 1) / kBlocks;
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    for (let j = 0; j < n; j += NR * JB) packBPanels(transB, b, ldb, pc, j, kc, min(NR * JB, n - j), dst + ((<usize>pc * nPad + <usize>j * kc) << 2));
  }
}

/** C <- alpha * op(A) * B + beta * C with B packed by packB (same k and n). */
export function sgemmPacked(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, packed: usize, beta: f32, c: usize, ldc: i32, work: usize): void {
  if (m <= 0 || n <= 0) return;
  if (alpha == 0 || k <= 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (beta != 0) scaleC(m, n, beta, c, ldc);
  blocked(transA, 0, m, n, k, alpha, a, lda, 0, 0, packed, beta == 0, c, ldc, work);
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
  if (transA && mc % MR == 0) {
    // op(A) = A^T: row p of A holds element p of every op(A) row, so read A row by row (contiguous) and scatter
    // MR floats into each panel. Panel by panel instead would step through A's rows lda floats apart, rows that
    // (for lda a multiple of 1024) all map to one L1 set and evict each other before the next panel reuses them.
    const panelBytes = <usize>kc << 4;
    for (let p = 0; p < kc; p++) {
      const src = a + ((<usize>(pc + p) * lda + ic) << 2);
      let out = dst + (<usize>p << 4);
      for (let ir = 0; ir < mc; ir += MR) {
        v128.store(out, f32x4.mul(v128.load(src + (<usize>ir << 2)), va));
        out += panelBytes;
      }
    }
    return;
  }
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

/**
 * Packs the kc x cols block of op(B) at (pc, j), cols <= JB * NR, into NR-column panels [panel][p][col] at
 * dst, zero-padding the last panel's missing columns.
 */
function packBPanels(transB: i32, b: usize, ldb: i32, pc: i32, j: i32, kc: i32, cols: i32, dst: usize): void {
  const panelBytes = <usize>(kc * NR) << 2;
  if (!transB) {
    // op(B)[p, j] = B[p * ldb + j]: a contiguous run of `cols` floats per p.
    const full = cols / NR;
    const rest = cols % NR;
    let src = b + ((<usize>pc * ldb + j) << 2);
    const rowBytes = <usize>ldb << 2;
    for (let p = 0; p < kc; p++) {
      let out = dst + (<usize>p << 5);
      let from = src;
      for (let q = 0; q < full; q++) {
        v128.store(out, v128.load(from));
        v128.store(out, v128.load(from, 16), 16);
        out += panelBytes;
        from += 32;
      }
      if (rest) for (let col = 0; col < NR; col++) store<f32>(out + (<usize>col << 2), col < rest ? load<f32>(from + (<usize>col << 2)) : 0);
      src += rowBytes;
    }
  } else {
    // op(B)[p, j] = B[j * ldb + p]: one contiguous run of kc floats per column, scattered with stride NR.
    const padded = (cols + NR - 1) / NR * NR;
    for (let col = 0; col < padded; col++) {
      const out = dst + <usize>(col / NR) * panelBytes + (<usize>(col % NR) << 2);
      if (col < cols) {
        const src = b + ((<usize>(j + col) * ldb + pc) << 2);
        for (let p = 0; p < kc; p++) store<f32>(out + (<usize>p << 5), load<f32>(src + (<usize>p << 2)));
      } else {
        for (let p = 0; p < kc; p++) store<f32>(out + (<usize>p << 5), 0);
      }
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

// @ts-ignore: decorator
@inline
function opA(transA: i32, a: usize, lda: i32, i: i32, p: i32): f32 {
  return transA ? load<f32>(a + ((<usize>p * lda + i) << 2)) : load<f32>(a + ((<usize>i * lda + p) << 2));
}

/**
 * Fewer than MR rows, B not transposed: C[i, :] += sum_p alpha * op(A)[i, p] * B[p, :]. Rows of B are streamed
 * front to back four at a time (prefetch-friendly), with the C row held in L1 between groups.
 */
function smallRows(transA: i32, m: i32, n: i32, k: i32, alpha: f32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32): void {
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
