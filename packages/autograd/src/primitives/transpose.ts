import { invalidArgument, raise } from "../errors.js";
import { transposeCopy } from "../impl/layout.js";
import { transpose as permute } from "../ops.js";
import type { One, Primitive } from "../primitive.js";

/** Permutes axes: out.shape[i] = x.shape[perm[i]]. dx = g permuted by the inverse permutation. */
export const transpose: Primitive<{ readonly perm: readonly number[] }, One> = {
  name: "transpose",
  forward: ([x], { perm }) => {
    const ok = perm.length === x.rank && [...perm].sort((p, q) => p - q).every((p, i) => p === i);
    if (!ok) raise(invalidArgument("transpose", "perm", `must be a permutation of 0..${x.rank - 1}, got ${JSON.stringify(perm)}`));
    return transposeCopy(x, perm);
  },
  vjp: (g, _x, _out, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [permute(g, inverse)];
  },
};
