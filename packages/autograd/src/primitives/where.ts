import { broadcastShapes } from "../shape.js";
import { checkDtypes } from "../impl/elementwise.js";
import { whereCopy } from "../impl/layout.js";
import { where as select, zerosLike } from "../ops.js";
import type { Primitive } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { sumTo } from "./arith.js";

/** mask != 0 ? a : b, broadcasting all three. The mask has no gradient; da = g where mask, db = g elsewhere. */
export const where: Primitive<void, readonly [Tensor, Tensor, Tensor]> = {
  name: "where",
  forward: ([mask, a, b]) => {
    checkDtypes("where", [mask, a, b]);
    const shape = broadcastShapes("where", broadcastShapes("where", mask.shape, a.shape), b.shape);
    return whereCopy(mask, a, b, shape);
  },
  vjp: (g, [mask, a, b]) => {
    const zero = zerosLike(g);
    return [undefined, sumTo(select(mask, g, zero), a.shape), sumTo(select(mask, zero, g), b.shape)];
  },
};
