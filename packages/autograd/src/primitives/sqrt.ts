import { mapUnary } from "../impl/elementwise.js";
import { div, mul } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** sqrt x. dx = g / (2 sqrt x) = 0.5 g / out. */
export const sqrt: Primitive<void, One> = {
  name: "sqrt",
  forward: ([x]) => mapUnary(x, Math.sqrt),
  vjp: (g, _x, out) => [div(mul(g, 0.5), out)],
};
