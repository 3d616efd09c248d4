import type { One, Primitive } from "../primitive.js";
import { Tensor } from "../tensor.js";

/** The same values, seen as a constant by every transform: its VJP is zero. */
export const stopGradient: Primitive<void, One> = {
  name: "stopGradient",
  forward: ([x]) => new Tensor(x.storage, x.shape),
  vjp: () => [undefined],
};
