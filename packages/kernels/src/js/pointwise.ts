// Plain-JS twins of the pointwise kernels: float64 math (Math.exp, Math.tanh), rounded once on store.
import type { F32 } from "../types.js";
import { data } from "./data.js";

function map2(out: F32, a: F32, b: F32, n: number, f: (x: number, y: number) => number): void {
  const o = data(out);
  const x = data(a);
  const y = data(b);
  for (let i = 0; i < n; i++) o[i] = f(x[i] as number, y[i] as number);
}

function map1(out: F32, a: F32, n: number, f: (x: number) => number): void {
  const o = data(out);
  const x = data(a);
  for (let i = 0; i < n; i++) o[i] = f(x[i] as number);
}

const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));
const reluOf = (x: number): number => Math.max(x, 0);

export const add = (out: F32, a: F32, b: F32, n: number): void => map2(out, a, b, n, (x, y) => x + y);
export const mul = (out: F32, a: F32, b: F32, n: number): void => map2(out, a, b, n, (x, y) => x * y);
export const exp = (out: F32, x: F32, n: number): void => map1(out, x, n, Math.exp);
export const sigmoid = (out: F32, x: F32, n: number): void => map1(out, x, n, sigmoidOf);
export const tanh = (out: F32, x: F32, n: number): void => map1(out, x, n, Math.tanh);
export const relu = (out: F32, x: F32, n: number): void => map1(out, x, n, reluOf);

export function addBias(out: F32, x: F32, bias: F32, rows: number, cols: number): void {
  const o = data(out);
  const X = data(x);
  const b = data(bias);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) o[r * cols + c] = (X[r * cols + c] as number) + (b[c] as number);
}

function backward(dx: F32, v: F32, dy: F32, n: number, f: (v: number, g: number) => number): void {
  const o = data(dx);
  const V = data(v);
  const G = data(dy);
  for (let i = 0; i < n; i++) o[i] = f(V[i] as number, G[i] as number);
}

export const sigmoidBackward = (dx: F32, y: F32, dy: F32, n: number): void => backward(dx, y, dy, n, (v, g) => g * v * (1 - v));
export const tanhBackward = (dx: F32, y: F32, dy: F32, n: number): void => backward(dx, y, dy, n, (v, g) => g * (1 - v * v));
export const reluBackward = (dx: F32, x: F32, dy: F32, n: number): void => backward(dx, x, dy, n, (v, g) => (v <= 0 ? 0 : g));
