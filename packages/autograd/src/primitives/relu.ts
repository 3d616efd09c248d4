import { mapUnary } from "../impl/elementwise.js";
import type { One, Primitive } from "../primitive.js";
import { pointwiseBackward } from "./pointwise-backward.js";

/** max(x, 0). dx = g where x > 0, else 0 (PyTorch's convention at 0). */
export const relu: Primitive<void, One> = {
  name: "relu",
  forward: ([x]) => mapUnary(x, (v) => Math.max(v, 0), "relu"),
  vjp: (g, [x]) => [pointwiseBackward("reluBackward", x, g, (v, d) => (v <= 0 ? 0 : d))],
};
