import { invalidArgument, raise, shapeMismatch } from "../errors.js";
import { checkDtypes } from "../impl/elementwise.js";
import { concatCopy } from "../impl/layout.js";
import { slice } from "../ops.js";
import type { Primitive } from "../primitive.js";
import { showShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Joins tensors along an axis (all other sizes equal). d(input k) = the slice of g that input k filled. */
export const concat: Primitive<{ readonly axis: number }, readonly Tensor[]> = {
  name: "concat",
  forward: (xs, { axis }) => {
    const first = xs[0];
    if (first === undefined) raise(invalidArgument("concat", "tensors", "must hold at least one tensor"));
    checkDtypes("concat", xs);
    if (!Number.isInteger(axis) || axis < 0 || axis >= first.rank) raise(invalidArgument("concat", "axis", `${axis} is out of range for rank ${first.rank}`));
    for (const x of xs) {
      if (x.rank !== first.rank || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        raise(shapeMismatch("concat", `shapes equal except along axis ${axis}, like ${showShape(first.shape)}`, showShape(x.shape)));
      }
    }
    const shape = [...first.shape];
    shape[axis] = xs.reduce((s, x) => s + (x.shape[axis] as number), 0);
    return concatCopy(xs, axis, shape);
  },
  vjp: (g, xs, _out, { axis }) => {
    let offset = 0;
    return xs.map((x) => {
      const begin = g.shape.map((_, i) => (i === axis ? offset : 0));
      offset += x.shape[axis] as number;
      return slice(g, begin, x.shape);
    });
  },
};
