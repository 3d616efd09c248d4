// The plain-JS twin of sgemm: the naive triple loop, a float64 accumulator per element, same semantics.
import type { F32 } from "../types.js";
import { data } from "./data.js";

/** C <- alpha * op(A) * op(B) + beta * C; see KernelOps.sgemm. Unchecked: callers go through `checked`. */
export function sgemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: F32, aOffset: number, lda: number,
  b: F32, bOffset: number, ldb: number,
  beta: number, c: F32, cOffset: number, ldc: number,
): void {
  const A = data(a);
  const B = data(b);
  const C = data(c);
  // op(A)[i, p] = A[aOffset + i*sai + p*sap]; op(B)[p, j] = B[bOffset + p*sbp + j*sbj].
  const [sai, sap] = transA ? [1, lda] : [lda, 1];
  const [sbp, sbj] = transB ? [1, ldb] : [ldb, 1];
  const fa = Math.fround(alpha);
  const fb = Math.fround(beta);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const ci = cOffset + i * ldc + j;
      const scaled = fb === 0 ? 0 : fb === 1 ? (C[ci] as number) : fb * (C[ci] as number);
      if (fa === 0 || k === 0) {
        C[ci] = scaled;
        continue;
      }
      let s = 0;
      for (let p = 0; p < k; p++) s += (A[aOffset + i * sai + p * sap] as number) * (B[bOffset + p * sbp + j * sbj] as number);
      C[ci] = fa * s + scaled;
    }
  }
}

// The packed layout of op(B) [k, n], shared with assembly/gemm.ts (packB): K is cut into equal blocks of at
// most KC rows; within a block starting at row pc, kc rows deep, the NR-column panel q holds op(B)[p, q*NR + col]
// at pc * nPad + q * NR * kc + (p - pc) * NR + col, nPad being n rounded up to NR (padding columns are 0).
const KC = 384;
const NR = 8;

/** Floats of a packed [k, n] op(B). */
export const packedBSize = (k: number, n: number): number => k * Math.ceil(n / NR) * NR;

/** Where op(B)[p, j] sits in the packed layout. */
function packedIndex(k: number, n: number, p: number, j: number): number {
  const blocks = Math.ceil(k / KC);
  const kcMax = Math.ceil(k / blocks);
  const pc = Math.floor(p / kcMax) * kcMax;
  const kc = Math.min(kcMax, k - pc);
  return pc * Math.ceil(n / NR) * NR + Math.floor(j / NR) * NR * kc + (p - pc) * NR + (j % NR);
}

/** packed <- op(B) in the packed layout; see KernelOps.packB. */
export function packB(transB: boolean, k: number, n: number, b: F32, bOffset: number, ldb: number, packed: F32): void {
  const B = data(b);
  const P = data(packed);
  P.fill(0, 0, packedBSize(k, n));
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) P[packedIndex(k, n, p, j)] = B[bOffset + (transB ? j * ldb + p : p * ldb + j)] as number;
}

/** C <- alpha * op(A) * B + beta * C with B packed; see KernelOps.sgemmPacked. */
export function sgemmPacked(
  transA: boolean, m: number, n: number, k: number, alpha: number, a: F32, aOffset: number, lda: number,
  packed: F32, beta: number, c: F32, cOffset: number, ldc: number,
): void {
  const P = data(packed);
  // Unpacked into an ordinary [k, n] matrix, then the reference product.
  const B = new Float32Array(k * n);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) B[p * n + j] = P[packedIndex(k, n, p, j)] as number;
  sgemm(transA, false, m, n, k, alpha, a, aOffset, lda, B, 0, Math.max(1, n), beta, c, cOffset, ldc);
}

/** y <- alpha * A x + beta * y; see KernelOps.sgemv. */
export function sgemv(m: number, n: number, alpha: number, a: F32, aOffset: number, lda: number, x: F32, xOffset: number, beta: number, y: F32, yOffset: number): void {
  const X = data(x);
  // The reference product with x as a [n, 1] column.
  sgemm(false, false, m, 1, n, alpha, a, aOffset, lda, X.subarray(xOffset, xOffset + n), 0, 1, beta, y, yOffset, 1);
}
