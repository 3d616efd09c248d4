import { reduce, reducedShape } from "../impl/reduce.js";
import { broadcastTo, reshape } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

export interface ReduceParams {
  /** Normalised, sorted axes. */
  readonly axes: readonly number[];
  readonly keepDims: boolean;
}

/** Sum over axes. dx = g broadcast back over the summed axes. */
export const sum: Primitive<ReduceParams, One> = {
  name: "sum",
  forward: ([x], { axes, keepDims }) => reduce(x, axes, "sum", keepDims),
  vjp: (g, [x], _out, { axes }) => [broadcastTo(reshape(g, reducedShape(x.shape, axes, true)), x.shape)],
};
