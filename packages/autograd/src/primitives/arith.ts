// Shared by the broadcasting binary primitives: reduce a cotangent back to an operand's (pre-broadcast) shape.
import { reshape, sum } from "../ops.js";
import { sameShape, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Sums g over the axes that broadcasting stretched, so that it has `shape` again. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  return reshape(axes.length > 0 ? sum(g, axes, { keepDims: true }) : g, shape);
}
