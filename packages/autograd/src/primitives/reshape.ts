import { invalidArgument, raise, shapeMismatch } from "../errors.js";
import { reshape as reshapeOp } from "../ops.js";
import type { One, Primitive } from "../primitive.js";
import { showShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";

/** The sizes a reshape resolves to: one -1 stands for what the others leave. */
export function resolveShape(size: number, shape: readonly number[]): number[] {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    raise(invalidArgument("reshape", "shape", `must hold non-negative integers and at most one -1, got ${showShape(shape)}`));
  }
  const known = sizeOf(shape.filter((d) => d !== -1));
  const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : size / known) : d));
  if (sizeOf(out) !== size || !out.every(Number.isInteger)) raise(shapeMismatch("reshape", `a shape with ${size} elements`, showShape(shape)));
  return out;
}

/** The same numbers under another shape (no copy). dx = g reshaped back. */
export const reshape: Primitive<{ readonly shape: readonly number[] }, One> = {
  name: "reshape",
  forward: ([x], { shape }) => new Tensor(x.storage, resolveShape(x.size, shape)),
  vjp: (g, [x]) => [reshapeOp(g, x.shape)],
};
