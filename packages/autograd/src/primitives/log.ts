import { mapUnary } from "../impl/elementwise.js";
import { div } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** ln x. dx = g / x. */
export const log: Primitive<void, One> = {
  name: "log",
  forward: ([x]) => mapUnary(x, Math.log),
  vjp: (g, [x]) => [div(g, x)],
};
