import { mapUnary } from "../impl/elementwise.js";
import { neg as negate } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** -x. dx = -g. */
export const neg: Primitive<void, One> = {
  name: "neg",
  forward: ([x]) => mapUnary(x, (v) => -v),
  vjp: (g) => [negate(g)],
};
