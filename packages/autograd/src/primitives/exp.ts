import { mapUnary } from "../impl/elementwise.js";
import { mul } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** e^x. dx = g e^x (the output). */
export const exp: Primitive<void, One> = {
  name: "exp",
  forward: ([x]) => mapUnary(x, Math.exp, "exp"),
  vjp: (g, _x, out) => [mul(g, out)],
};
