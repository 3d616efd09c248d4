import { astype } from "../ops.js";
import type { One, Primitive } from "../primitive.js";
import type { DType } from "../storage.js";
import { empty } from "../tensor.js";

/** The values in another dtype (rounded to float32 when narrowing). dx = g cast back. */
export const cast: Primitive<{ readonly dtype: DType }, One> = {
  name: "cast",
  forward: ([x], { dtype }) => {
    const out = empty(x.shape, dtype);
    out.storage.view().set(x.storage.view());
    return out;
  },
  vjp: (g, [x]) => [astype(g, x.dtype)],
};
