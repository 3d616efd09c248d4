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
