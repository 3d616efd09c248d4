// Plain-JS twins of the row reductions, in float64, with the same special-value rules as the WASM kernels.
import type { F32 } from "../types.js";
import { data } from "./data.js";

export function colSum(out: F32, x: F32, rows: number, cols: number): void {
  const o = data(out);
  const X = data(x);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += X[r * cols + c] as number;
    o[c] = s;
  }
}

/** max of a row; NaN if any element is NaN (as WebAssembly's f32.max). */
function rowMax(X: Float32Array, start: number, cols: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < cols; c++) {
    const v = X[start + c] as number;
    if (Number.isNaN(v)) return v;
    if (v > m) m = v;
  }
  return m;
}

export function softmaxRows(out: F32, x: F32, rows: number, cols: number): void {
  const o = data(out);
  const X = data(x);
  const e = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const m = rowMax(X, start, cols);
    let s = 0;
    for (let c = 0; c < cols; c++) {
      e[c] = Math.exp((X[start + c] as number) - m);
      s += e[c] as number;
    }
    for (let c = 0; c < cols; c++) o[start + c] = (e[c] as number) / s;
  }
}

export function logSumExpRows(out: F32, x: F32, rows: number, cols: number): void {
  const o = data(out);
  const X = data(x);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const m = rowMax(X, start, cols);
    if (m === Number.POSITIVE_INFINITY || m === Number.NEGATIVE_INFINITY) {
      o[r] = m;
      continue;
    }
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp((X[start + c] as number) - m);
    o[r] = m + Math.log(s);
  }
}

export function crossEntropyBackward(dx: F32, x: F32, lse: F32, targets: F32, g: F32, rows: number, cols: number): void {
  const D = data(dx);
  const X = data(x);
  const L = data(lse);
  const T = data(targets);
  const G = data(g);
  for (let r = 0; r < rows; r++) {
    const t = T[r] as number;
    for (let c = 0; c < cols; c++) D[r * cols + c] = (G[r] as number) * (Math.exp((X[r * cols + c] as number) - (L[r] as number)) - (c === t ? 1 : 0));
  }
}
