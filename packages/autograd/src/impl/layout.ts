// Copies that rearrange elements: transpose, slice (and its adjoint, pad-into-zeros), concat, gather (and its
// adjoint, scatter-add), where.
import { broadcastStrides, type Shape, sizeOf, stridesOf } from "../shape.js";
import { empty, type Tensor, zeros } from "../tensor.js";
import { forEachIndex } from "./loops.js";

type Arr = Float32Array | Float64Array;

/**
 * Copies runs of `run` contiguous elements: for each index of `outer` (row-major), src[srcBase + offset] ->
 * dst[dstBase + offset'] where the offsets follow the given strides. Arrays are copied run by run with
 * `subarray` + `set` (per-element callbacks made slices and transposes the slowest part of a training step),
 * short runs element by element.
 */
function copyRuns(outer: Shape, srcStrides: readonly number[], dstStrides: readonly number[], run: number, src: Arr, srcBase: number, dst: Arr, dstBase: number): void {
  const rank = outer.length;
  const count = sizeOf(outer);
  if (count === 0 || run === 0) return;
  const counter = new Array<number>(rank).fill(0);
  let so = srcBase;
  let d = dstBase;
  for (let n = 0; n < count; n++) {
    // Short runs element by element: a subarray per run costs more than the copy below about 16 elements.
    if (run < 16) for (let k = 0; k < run; k++) dst[d + k] = src[so + k] as number;
    else dst.set(src.subarray(so, so + run), d);
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis] = (counter[axis] as number) + 1;
      so += srcStrides[axis] as number;
      d += dstStrides[axis] as number;
      if ((counter[axis] as number) < (outer[axis] as number)) break;
      so -= (srcStrides[axis] as number) * (outer[axis] as number);
      d -= (dstStrides[axis] as number) * (outer[axis] as number);
      counter[axis] = 0;
    }
  }
}

/** The first axis j such that `sub` covers every axis after j completely in `full` (a contiguous run from j). */
function runStart(sub: Shape, full: Shape): number {
  let j = full.length - 1;
  while (j > 0 && sub[j] === full[j]) j--;
  return j;
}

/** out = x with axes permuted: out.shape[i] = x.shape[perm[i]]. */
export function transposeCopy(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p] as number);
  const out = empty(shape, x.dtype);
  const xs = stridesOf(x.shape);
  const src = x.storage.view();
  const dst = out.storage.view();
  let j = perm.length; // axes j.. keep their place: whole runs
  while (j > 0 && perm[j - 1] === j - 1) j--;
  if (j < perm.length) {
    const run = sizeOf(shape.slice(j));
    copyRuns(shape.slice(0, j), perm.slice(0, j).map((p) => xs[p] as number), stridesOf(shape.slice(0, j)).map((s) => s * run), run, src, 0, dst, 0);
    return out;
  }
  forEachIndex(shape, [perm.map((p) => xs[p] as number)], (i, [o]) => {
    dst[i] = src[o as number] as number;
  });
  return out;
}

/** out = x[begin[0]:begin[0]+size[0], ...]. */
export function sliceCopy(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const out = empty(size, x.dtype);
  if (size.length === 0) {
    out.storage.view()[0] = x.storage.view()[0] as number;
    return out;
  }
  const xs = stridesOf(x.shape);
  const base = begin.reduce((acc, b, i) => acc + b * (xs[i] as number), 0);
  const j = runStart(size, x.shape);
  const run = sizeOf(size.slice(j));
  copyRuns(size.slice(0, j), xs.slice(0, j), stridesOf(size.slice(0, j)).map((s) => s * run), run, x.storage.view(), base, out.storage.view(), 0);
  return out;
}

/** The adjoint of slice: zeros of `shape` with g written at `begin`. */
export function padInto(g: Tensor, shape: Shape, begin: readonly number[]): Tensor {
  const out = zeros([...shape], g.dtype);
  if (shape.length === 0) {
    out.storage.view()[0] = g.storage.view()[0] as number;
    return out;
  }
  const os = stridesOf(shape);
  const base = begin.reduce((acc, b, i) => acc + b * (os[i] as number), 0);
  const j = runStart(g.shape, shape);
  const run = sizeOf(g.shape.slice(j));
  copyRuns(g.shape.slice(0, j), stridesOf(g.shape.slice(0, j)).map((s) => s * run), os.slice(0, j), run, g.storage.view(), 0, out.storage.view(), base);
  return out;
}

/** Joins tensors along `axis` (shapes already checked). */
export function concatCopy(xs: readonly Tensor[], axis: number, shape: Shape): Tensor {
  const out = empty(shape, (xs[0] as Tensor).dtype);
  const outer = sizeOf(shape.slice(0, axis));
  const rowOut = sizeOf(shape.slice(axis));
  const dst = out.storage.view();
  let offset = 0;
  for (const x of xs) {
    const row = sizeOf(x.shape.slice(axis));
    const src = x.storage.view();
    for (let o = 0; o < outer; o++) dst.set(src.subarray(o * row, (o + 1) * row), o * rowOut + offset);
    offset += row;
  }
  return out;
}

/** out[..., :] = table[indices[...], :]: rows of a [V, D...] table (indices checked). */
export function gatherRows(table: Tensor, indices: Int32Array, indexShape: Shape): Tensor {
  const row = sizeOf(table.shape.slice(1));
  const out = empty([...indexShape, ...table.shape.slice(1)], table.dtype);
  const src = table.storage.view();
  const dst = out.storage.view();
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i] as number;
    dst.set(src.subarray(r * row, (r + 1) * row), i * row);
  }
  return out;
}

/** The adjoint of gatherRows: zeros of the table's shape, each g row added into its index's row. */
export function scatterAddRows(g: Tensor, indices: Int32Array, tableShape: Shape): Tensor {
  const row = sizeOf(tableShape.slice(1));
  const out = zeros([...tableShape], g.dtype);
  const src = g.storage.view();
  const dst = out.storage.view();
  for (let i = 0; i < indices.length; i++) {
    const base = (indices[i] as number) * row;
    for (let j = 0; j < row; j++) dst[base + j] = (dst[base + j] as number) + (src[i * row + j] as number);
  }
  return out;
}

/** out = mask != 0 ? a : b, all broadcast to `shape`. */
export function whereCopy(mask: Tensor, a: Tensor, b: Tensor, shape: Shape): Tensor {
  const out = empty(shape, a.dtype);
  const m = mask.storage.view();
  const va = a.storage.view();
  const vb = b.storage.view();
  const dst = out.storage.view();
  forEachIndex(shape, [broadcastStrides(mask.shape, shape), broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)], (i, [om, oa, ob]) => {
    dst[i] = (m[om as number] as number) !== 0 ? (va[oa as number] as number) : (vb[ob as number] as number);
  });
  return out;
}
