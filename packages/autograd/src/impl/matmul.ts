// 2-D matrix products C = op(A) op(B): sgemm from @gated/kernels for float32, a JS loop for float64.
import { kernels } from "@gated/kernels";
import { empty, type Tensor } from "../tensor.js";

/** C [m, n] = op(A) [m, k] x op(B) [k, n]; shapes already checked. */
export function matmul2d(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [ar, ac] = a.shape as [number, number];
  const [br, bc] = b.shape as [number, number];
  const m = transA ? ac : ar;
  const k = transA ? ar : ac;
  const n = transB ? br : bc;
  const out = empty([m, n], a.dtype);
  if (a.dtype === "float32") {
    kernels.sgemm(transA, transB, m, n, k, 1, a.storage.wasm(), 0, ac, b.storage.wasm(), 0, bc, 0, out.storage.wasm(), 0, n);
    return out;
  }
  const A = a.storage.view();
  const B = b.storage.view();
  const C = out.storage.view();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? A[p * ac + i] : A[i * ac + p];
        const bv = transB ? B[j * bc + p] : B[p * bc + j];
        s += (av as number) * (bv as number);
      }
      C[i * n + j] = s;
    }
  }
  return out;
}
