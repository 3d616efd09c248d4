import { mapBinary } from "../impl/elementwise.js";
import { neg } from "../ops.js";
import type { Primitive, Two } from "../primitive.js";
import { sumTo } from "./arith.js";

/** a - b with broadcasting. d/da = g, d/db = -g (each summed to its operand's shape). */
export const sub: Primitive<void, Two> = {
  name: "sub",
  forward: ([a, b]) => mapBinary("sub", a, b, (x, y) => x - y),
  vjp: (g, [a, b]) => [sumTo(g, a.shape), sumTo(neg(g), b.shape)],
};
