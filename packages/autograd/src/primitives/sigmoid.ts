import { mapUnary } from "../impl/elementwise.js";
import type { One, Primitive } from "../primitive.js";
import { pointwiseBackward } from "./pointwise-backward.js";

/** 1 / (1 + e^-x). dx = g s (1 - s), from the output s. */
export const sigmoid: Primitive<void, One> = {
  name: "sigmoid",
  forward: ([x]) => mapUnary(x, (v) => 1 / (1 + Math.exp(-v)), "sigmoid"),
  vjp: (g, _x, out) => [pointwiseBackward("sigmoidBackward", out, g, (s, d) => d * s * (1 - s))],
};
