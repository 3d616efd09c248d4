// Every bad-shape (or bad-argument) case gives a Left with the right tag, through `attempt` or a constructor.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";

const t = (shape: number[]) => ag.zeros(shape);

const table: { what: string; run: () => unknown; tag: ag.GatedError["_tag"]; message: RegExp }[] = [
  { what: "add of non-broadcastable shapes", run: () => ag.add(t([2, 3]), t([4])), tag: "ShapeMismatch", message: /broadcast.*\[2, 3\] and \[4\]/ },
  { what: "mul of non-broadcastable shapes", run: () => ag.mul(t([2]), t([3])), tag: "ShapeMismatch", message: /\[2\] and \[3\]/ },
  { what: "matmul with mismatched inner sizes", run: () => ag.matmul(t([2, 3]), t([4, 5])), tag: "ShapeMismatch", message: /inner sizes/ },
  { what: "matmul of a 3-D tensor", run: () => ag.matmul(t([2, 3, 4]), t([4, 5])), tag: "InvalidArgument", message: /must be 2-D/ },
  { what: "matmul transB mismatch", run: () => ag.matmul(t([2, 3]), t([3, 4]), { transB: true }), tag: "ShapeMismatch", message: /inner sizes/ },
  { what: "mixed dtypes", run: () => ag.add(t([2]), ag.zeros([2], "float64")), tag: "DtypeMismatch", message: /float32 and float64/ },
  { what: "reshape to a different size", run: () => ag.reshape(t([2, 3]), [4, 2]), tag: "ShapeMismatch", message: /6 elements/ },
  { what: "reshape with two -1", run: () => ag.reshape(t([2, 3]), [-1, -1]), tag: "InvalidArgument", message: /at most one -1/ },
  { what: "slice out of range", run: () => ag.slice(t([4]), [2], [3]), tag: "InvalidArgument", message: /not inside/ },
  { what: "concat of mismatched shapes", run: () => ag.concat([t([2, 3]), t([2, 4])], 0), tag: "ShapeMismatch", message: /except along axis 0/ },
  { what: "gather index out of range", run: () => ag.gather(t([3, 2]), [0, 3]), tag: "InvalidArgument", message: /outside the table's 3 rows/ },
  { what: "gather non-integer index", run: () => ag.gather(t([3, 2]), [0.5]), tag: "InvalidArgument", message: /integers/ },
  { what: "sum over a bad axis", run: () => ag.sum(t([2, 3]), 2), tag: "InvalidArgument", message: /out of range for a tensor of rank 2/ },
  { what: "transpose with a non-permutation", run: () => ag.transpose(t([2, 3]), [0, 0]), tag: "InvalidArgument", message: /permutation/ },
  { what: "broadcastTo a smaller shape", run: () => ag.broadcastTo(t([2, 3]), [3]), tag: "ShapeMismatch", message: /broadcast/ },
  { what: "crossEntropy with a bad target", run: () => ag.crossEntropy(t([2, 3]), [0, 3]), tag: "InvalidArgument", message: /not a class index/ },
  { what: "crossEntropy with too few targets", run: () => ag.crossEntropy(t([2, 3]), [0]), tag: "ShapeMismatch", message: /2 targets/ },
  { what: "item of a non-scalar", run: () => t([2]).item(), tag: "ShapeMismatch", message: /exactly one element/ },
  { what: "grad of a non-scalar function", run: () => ag.grad((x: Tensor) => ag.mul(x, 2))(t([2])), tag: "InvalidFunction", message: /one element/ },
  { what: "valueAndGrad with a bad argnums", run: () => ag.valueAndGrad((x: Tensor) => ag.sum(x), { argnums: 1 })(t([2])), tag: "InvalidArgument", message: /argnums/ },
  { what: "scan over nothing", run: () => ag.scan((c: Tensor, x: Tensor) => [c, x], t([1]), t([0, 2])), tag: "InvalidArgument", message: /length 0/ },
  { what: "vjp with a wrong cotangent shape", run: () => ag.vjp((x: Tensor) => ag.mul(x, 2), t([2]))[1](t([3])), tag: "InvalidArgument", message: /shape \[2\]/ },
];

describe("bad input gives a Left with the right tag and a message that says what was expected", () => {
  for (const row of table) {
    it(row.what, () => {
      const r = ag.attempt(row.run);
      expect(E.isLeft(r), `${row.what} did not fail`).toBe(true);
      if (E.isLeft(r)) {
        expect(r.left._tag).toBe(row.tag);
        expect(r.left.message).toMatch(row.message);
      }
    });
  }

  it("tensor() checks construction and returns Either", () => {
    expect(E.isRight(ag.tensor([[1, 2], [3, 4]]))).toBe(true);
    const cases: [unknown, number[] | undefined, RegExp][] = [
      [[1, 2, 3], [2, 2], /4 values for shape \[2, 2\].*got 3 values/],
      [[[1, 2], [3]], undefined, /ragged/],
      [[1, 2], [-1, -2], /non-negative integers/],
      ["abc", undefined, /must be a number/],
    ];
    for (const [data, shape, message] of cases) {
      const r = ag.tensor(data, shape);
      expect(E.isLeft(r)).toBe(true);
      if (E.isLeft(r)) expect(r.left.message).toMatch(message);
    }
  });

  it("other exceptions are not swallowed by attempt", () => {
    expect(() =>
      ag.attempt(() => {
        throw new TypeError("not ours");
      }),
    ).toThrow(TypeError);
  });
});
