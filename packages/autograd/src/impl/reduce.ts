// Sums and maxima over axes. A float32 sum over leading axes of a contiguous tensor (a bias gradient) runs on
// the colSum kernel; everything else is a JS loop accumulating in float64.
import { kernels } from "@gated/kernels";
import { stridesOf, type Shape } from "../shape.js";
import { empty, type Tensor } from "../tensor.js";
import { forEachIndex } from "./loops.js";

/** Shape after reducing `axes` (kept as 1 when keepDims). */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepDims) out.push(1);
  });
  return out;
}

export function reduce(x: Tensor, axes: readonly number[], kind: "sum" | "max", keepDims: boolean): Tensor {
  const outShape = reducedShape(x.shape, axes, keepDims);
  const out = empty(outShape, x.dtype);
  const leading = axes.every((a, i) => a === i);
  if (kind === "sum" && x.dtype === "float32" && leading && axes.length > 0 && axes.length < x.rank && x.size > 0) {
    const cols = out.size;
    kernels.colSum(out.storage.wasm(), x.storage.wasm(), x.size / cols, cols);
    return out;
  }
  // Strides of the output, laid over the input's axes: 0 along reduced axes.
  const own = stridesOf(reducedShape(x.shape, axes, true));
  const outStrides = x.shape.map((_, i) => (axes.includes(i) ? 0 : (own[i] as number)));
  const acc = new Float64Array(out.size).fill(kind === "sum" ? 0 : Number.NEGATIVE_INFINITY);
  const v = x.storage.view();
  if (kind === "sum") {
    forEachIndex(x.shape, [outStrides], (i, [o]) => {
      acc[o as number] = (acc[o as number] as number) + (v[i] as number);
    });
  } else {
    forEachIndex(x.shape, [outStrides], (i, [o]) => {
      const val = v[i] as number;
      const cur = acc[o as number] as number;
      if (val > cur || Number.isNaN(val)) acc[o as number] = Number.isNaN(cur) ? cur : val;
    });
  }
  out.storage.view().set(acc);
  return out;
}
