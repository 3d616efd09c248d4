// Copies that rearrange elements: transpose, slice (and its adjoint, pad-into-zeros), concat, gather (and its
// adjoint, scatter-add), where.
import { broadcastStrides, type Shape, sizeOf, stridesOf } from "../shape.js";
import { empty, type Tensor, zeros } from "../tensor.js";
import { forEachIndex } from "./loops.js";

/** out = x with axes permuted: out.shape[i] = x.shape[perm[i]]. */
export function transposeCopy(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p] as number);
  const out = empty(shape, x.dtype);
  const xs = stridesOf(x.shape);
  const src = x.storage.view();
  const dst = out.storage.view();
  forEachIndex(shape, [perm.map((p) => xs[p] as number)], (i, [o]) => {
    dst[i] = src[o as number] as number;
  });
  return out;
}

/** out = x[begin[0]:begin[0]+size[0], ...]. */
export function sliceCopy(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const out = empty(size, x.dtype);
  const xs = stridesOf(x.shape);
  const base = begin.reduce((acc, b, i) => acc + b * (xs[i] as number), 0);
  const src = x.storage.view();
  const dst = out.storage.view();
  forEachIndex(size, [xs], (i, [o]) => {
    dst[i] = src[base + (o as number)] as number;
  });
  return out;
}

/** The adjoint of slice: zeros of `shape` with g written at `begin`. */
export function padInto(g: Tensor, shape: Shape, begin: readonly number[]): Tensor {
  const out = zeros([...shape], g.dtype);
  const os = stridesOf(shape);
  const base = begin.reduce((acc, b, i) => acc + b * (os[i] as number), 0);
  const src = g.storage.view();
  const dst = out.storage.view();
  forEachIndex(g.shape, [os], (i, [o]) => {
    dst[base + (o as number)] = src[i] as number;
  });
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
