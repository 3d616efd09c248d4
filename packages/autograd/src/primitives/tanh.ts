import { mapUnary } from "../impl/elementwise.js";
import type { One, Primitive } from "../primitive.js";
import { pointwiseBackward } from "./pointwise-backward.js";

/** tanh x. dx = g (1 - tanh^2 x), from the output. */
export const tanh: Primitive<void, One> = {
  name: "tanh",
  forward: ([x]) => mapUnary(x, Math.tanh, "tanh"),
  vjp: (g, _x, out) => [pointwiseBackward("tanhBackward", out, g, (y, d) => d * (1 - y * y))],
};
