// Elementwise maps: WebAssembly kernels for float32 where one applies (same shapes; a row-broadcast bias),
// JS loops otherwise.
import { kernels } from "@gated/kernels";
import { dtypeMismatch, raise } from "../errors.js";
import { broadcastShapes, broadcastStrides, sameShape, type Shape } from "../shape.js";
import { empty, type Tensor } from "../tensor.js";
import { binaryLoop } from "./loops.js";

export type UnaryKernel = "exp" | "tanh" | "sigmoid" | "relu";
export type BinaryKernel = "add" | "mul";

export function checkDtypes(op: string, ts: readonly Tensor[]): void {
  const first = ts[0];
  if (first && ts.some((t) => t.dtype !== first.dtype)) raise(dtypeMismatch(op, ts.map((t) => t.dtype).join(" and ")));
}

/** out = f(x) elementwise, with a float32 kernel when given. */
export function mapUnary(x: Tensor, f: (v: number) => number, kernel?: UnaryKernel): Tensor {
  const out = empty(x.shape, x.dtype);
  if (kernel !== undefined && x.dtype === "float32") {
    kernels[kernel](out.storage.wasm(), x.storage.wasm(), x.size);
    return out;
  }
  const o = out.storage.view();
  const v = x.storage.view();
  for (let i = 0; i < x.size; i++) o[i] = f(v[i] as number);
  return out;
}

/** Is `bias` a row vector ([C] or [1, ..., 1, C]) that broadcasts over the last axis of `full`? */
function isRowBias(full: Shape, bias: Shape): boolean {
  const c = full[full.length - 1];
  return full.length >= 1 && bias.length >= 1 && bias[bias.length - 1] === c && bias.slice(0, -1).every((d) => d === 1) && bias.length <= full.length;
}

/** out = f(a, b) with NumPy broadcasting; float32 kernels for equal shapes and for a row-bias add. */
export function mapBinary(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number, kernel?: BinaryKernel): Tensor {
  checkDtypes(op, [a, b]);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = empty(shape, a.dtype);
  if (a.dtype === "float32" && kernel !== undefined) {
    if (sameShape(a.shape, b.shape)) {
      kernels[kernel](out.storage.wasm(), a.storage.wasm(), b.storage.wasm(), out.size);
      return out;
    }
    if (kernel === "add" && out.size > 0) {
      const cols = shape[shape.length - 1] as number;
      if (sameShape(a.shape, shape) && isRowBias(shape, b.shape)) {
        kernels.addBias(out.storage.wasm(), a.storage.wasm(), b.storage.wasm(), out.size / cols, cols);
        return out;
      }
      if (sameShape(b.shape, shape) && isRowBias(shape, a.shape)) {
        kernels.addBias(out.storage.wasm(), b.storage.wasm(), a.storage.wasm(), out.size / cols, cols);
        return out;
      }
    }
  }
  binaryLoop(shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape), out.storage.view(), a.storage.view(), b.storage.view(), f);
  return out;
}
