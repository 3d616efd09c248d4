import { mapBinary } from "../impl/elementwise.js";
import type { Primitive, Two } from "../primitive.js";
import { sumTo } from "./arith.js";

/** a + b with broadcasting. d/da = g summed to a's shape; d/db likewise. */
export const add: Primitive<void, Two> = {
  name: "add",
  forward: ([a, b]) => mapBinary("add", a, b, (x, y) => x + y, "add"),
  vjp: (g, [a, b]) => [sumTo(g, a.shape), sumTo(g, b.shape)],
};
