import { mapUnary } from "../impl/elementwise.js";
import { mul } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** x^p for a constant exponent p. dx = g p x^(p-1). */
export const pow: Primitive<{ readonly exponent: number }, One> = {
  name: "pow",
  forward: ([x], { exponent }) => mapUnary(x, (v) => v ** exponent),
  vjp: (g, [x], _out, { exponent }) => [mul(g, mapUnary(x, (v) => exponent * v ** (exponent - 1)))],
};
