import { reduce, reducedShape } from "../impl/reduce.js";
import { broadcastTo, div, mul, reshape, sum } from "../ops.js";
import type { One, Primitive } from "../primitive.js";
import { broadcastStrides } from "../shape.js";
import { empty, type Tensor } from "../tensor.js";
import { forEachIndex } from "../impl/loops.js";
import type { ReduceParams } from "./sum.js";

/** 1 where x equals its (broadcast) maximum, else 0: a constant mask. */
function argmaxMask(x: Tensor, maxKeep: Tensor): Tensor {
  const out = empty(x.shape, x.dtype);
  const o = out.storage.view();
  const v = x.storage.view();
  const m = maxKeep.storage.view();
  forEachIndex(x.shape, [broadcastStrides(maxKeep.shape, x.shape)], (i, [k]) => {
    o[i] = v[i] === m[k as number] ? 1 : 0;
  });
  return out;
}

/** Maximum over axes (NaN if any element is NaN). dx = g shared evenly among the elements equal to the max. */
export const max: Primitive<ReduceParams, One> = {
  name: "max",
  forward: ([x], { axes, keepDims }) => reduce(x, axes, "max", keepDims),
  vjp: (g, [x], out, { axes }) => {
    const kept = reducedShape(x.shape, axes, true);
    const mask = argmaxMask(x, reshape(out, kept));
    const share = div(mask, sum(mask, axes, { keepDims: true }));
    return [mul(broadcastTo(reshape(g, kept), x.shape), share)];
  },
};
