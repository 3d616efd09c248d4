import { raise, shapeMismatch } from "../errors.js";
import { binaryLoop } from "../impl/loops.js";
import type { One, Primitive } from "../primitive.js";
import { broadcastShapes, broadcastStrides, sameShape, showShape } from "../shape.js";
import { empty } from "../tensor.js";
import { sumTo } from "./arith.js";

/** x stretched to `shape` by broadcasting (a copy). dx = g summed over the stretched axes. */
export const broadcastTo: Primitive<{ readonly shape: readonly number[] }, One> = {
  name: "broadcastTo",
  forward: ([x], { shape }) => {
    if (!sameShape(broadcastShapes("broadcastTo", x.shape, shape), shape)) {
      raise(shapeMismatch("broadcastTo", `a shape that ${showShape(x.shape)} broadcasts to`, showShape(shape)));
    }
    const out = empty(shape, x.dtype);
    const src = x.storage.view();
    binaryLoop(shape, broadcastStrides(x.shape, shape), new Array<number>(shape.length).fill(0), out.storage.view(), src, src, (v) => v);
    return out;
  },
  vjp: (g, [x]) => [sumTo(g, x.shape)],
};
