import { invalidArgument, raise } from "../errors.js";
import { padInto, sliceCopy } from "../impl/layout.js";
import type { One, Primitive } from "../primitive.js";
import { showShape } from "../shape.js";

export interface SliceParams {
  readonly begin: readonly number[];
  readonly size: readonly number[];
}

/** out = x[begin : begin + size] along every axis. dx = zeros of x's shape with g at begin. */
export const slice: Primitive<SliceParams, One> = {
  name: "slice",
  forward: ([x], { begin, size }) => {
    if (begin.length !== x.rank || size.length !== x.rank) {
      raise(invalidArgument("slice", "begin/size", `need one entry per axis (${x.rank}), got begin ${showShape(begin)} and size ${showShape(size)}`));
    }
    x.shape.forEach((d, i) => {
      const b = begin[i] as number;
      const s = size[i] as number;
      if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > d) {
        raise(invalidArgument("slice", "begin/size", `axis ${i}: [${b}, ${b + s}) is not inside [0, ${d}) of shape ${showShape(x.shape)}`));
      }
    });
    return sliceCopy(x, begin, size);
  },
  vjp: (g, [x], _out, { begin }) => [padInto(g, x.shape, begin)],
};
