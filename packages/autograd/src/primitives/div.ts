import { mapBinary } from "../impl/elementwise.js";
import { div as over, mul, neg } from "../ops.js";
import type { Primitive, Two } from "../primitive.js";
import { sumTo } from "./arith.js";

/** a / b with broadcasting. d/da = g / b, d/db = -g a / b^2 = -(g / b) * out. */
export const div: Primitive<void, Two> = {
  name: "div",
  forward: ([a, b]) => mapBinary("div", a, b, (x, y) => x / y),
  vjp: (g, [a, b], out) => {
    const gb = over(g, b);
    return [sumTo(gb, a.shape), sumTo(neg(mul(gb, out)), b.shape)];
  },
};
