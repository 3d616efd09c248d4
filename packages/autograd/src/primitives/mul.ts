import { mapBinary } from "../impl/elementwise.js";
import { mul as times } from "../ops.js";
import type { Primitive, Two } from "../primitive.js";
import { sumTo } from "./arith.js";

/** a * b with broadcasting. d/da = g b, d/db = g a (each summed to its operand's shape). */
export const mul: Primitive<void, Two> = {
  name: "mul",
  forward: ([a, b]) => mapBinary("mul", a, b, (x, y) => x * y, "mul"),
  vjp: (g, [a, b]) => [sumTo(times(g, b), a.shape), sumTo(times(g, a), b.shape)],
};
