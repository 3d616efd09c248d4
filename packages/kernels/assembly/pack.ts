// The blocking of the GEMM and the packing of its operands (Goto/BLIS): the register tile (MR x NR), the cache
// blocks (KC deep, MC rows), and the copies of op(A) and op(B) into the panel layouts the micro-kernel streams.
// K is always cut into equal blocks of at most KC, so that sgemm, packB and sgemmPacked agree on where each
// element goes.

/** The micro-kernel's tile: MR rows of C by NR columns. */
export const MR: i32 = 4;
export const NR: i32 = 8;
/** Cache blocks: K cut in blocks of at most KC, op(A) in blocks of MC rows. */
export const KC: i32 = 384;
export const MC: i32 = 128;
/** B panels packed together: rows of B are then read 32 floats at a time, which the prefetcher follows. */
export const JB: i32 = 8;

export const PACK_A_BYTES: usize = <usize>(MC * KC) << 2;
export const PACK_B_BYTES: usize = <usize>(KC * NR * JB) << 2;
export const TILE_BYTES: usize = <usize>(MR * NR) << 2;

/**
 * The depth of K's blocks: equal blocks of at most KC (320 = 160 + 160, not 256 + 64) keep every micro-kernel
 * call long.
 */
// @ts-ignore: decorator
@inline
export function kBlockDepth(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

/** Columns of op(B) rounded up to whole NR-column panels. */
// @ts-ignore: decorator
@inline
export function paddedCols(n: i32): i32 {
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
  const kcMax = kBlockDepth(k);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    for (let j = 0; j < n; j += NR * JB) packBPanels(transB, b, ldb, pc, j, kc, min(NR * JB, n - j), dst + ((<usize>pc * nPad + <usize>j * kc) << 2));
  }
}

/** Packs alpha * op(A)[ic.., pc..] (mc x kc) into MR-row panels laid out [panel][p][r], zero-padded rows. */
export function packAPanels(transA: i32, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, alpha: f32, dst: usize): void {
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
export function packBPanels(transB: i32, b: usize, ldb: i32, pc: i32, j: i32, kc: i32, cols: i32, dst: usize): void {
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
