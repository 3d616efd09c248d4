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

const f64 = (shape: number[]) => ag.zeros(shape, "float64");
const BROADCAST = "shapes that broadcast (equal sizes or 1, aligned at the right)";
const DTYPES = (op: string, got: string) => `${op}: all tensors must have the same dtype, got ${got}; convert with astype(t, "float32" | "float64")`;

/** Every check of every primitive, with its whole message: the operation's name, the argument, what was wrong. */
const exact: { what: string; run: () => unknown; message: string }[] = [
  ...["add", "sub", "mul", "div"].map((op) => ({ what: `${op} of non-broadcastable shapes`, run: () => (ag as unknown as Record<string, (a: Tensor, b: Tensor) => Tensor>)[op]?.(t([2, 3]), t([4])), message: `${op}: expected ${BROADCAST}, got [2, 3] and [4]` })),
  ...["add", "sub", "mul", "div"].map((op) => ({ what: `${op} of mixed dtypes`, run: () => (ag as unknown as Record<string, (a: Tensor, b: Tensor) => Tensor>)[op]?.(t([2]), f64([2])), message: DTYPES(op, "float32 and float64") })),
  { what: "matmul of mixed dtypes", run: () => ag.matmul(t([2, 2]), f64([2, 2])), message: DTYPES("matmul", "float32 and float64") },
  { what: "concat of mixed dtypes", run: () => ag.concat([t([2]), f64([2])]), message: DTYPES("concat", "float32 and float64") },
  { what: "where of mixed dtypes", run: () => ag.where(t([2]), f64([2]), f64([2])), message: DTYPES("where", "float32 and float64 and float64") },
  { what: "where of non-broadcastable mask", run: () => ag.where(t([2]), t([3]), t([3])), message: `where: expected ${BROADCAST}, got [2] and [3]` },
  { what: "where of non-broadcastable branches", run: () => ag.where(t([3]), t([3]), t([2])), message: `where: expected ${BROADCAST}, got [3] and [2]` },
  { what: "matmul inner sizes", run: () => ag.matmul(t([2, 3]), t([4, 5])), message: "matmul: expected inner sizes to agree (op(a) is [m, 3], so op(b) must be [3, n]), got op(a) [2, 3] and op(b) [4, 5]" },
  { what: "matmul inner sizes with transB", run: () => ag.matmul(t([2, 3]), t([3, 4]), { transB: true }), message: "matmul: expected inner sizes to agree (op(a) is [m, 3], so op(b) must be [3, n]), got op(a) [2, 3] and op(b) [4, 3]" },
  { what: "matmul inner sizes with transA", run: () => ag.matmul(t([3, 2]), t([4, 5]), { transA: true }), message: "matmul: expected inner sizes to agree (op(a) is [m, 3], so op(b) must be [3, n]), got op(a) [2, 3] and op(b) [4, 5]" },
  { what: "matmul of a 3-D a", run: () => ag.matmul(t([2, 3, 4]), t([4, 5])), message: "matmul: argument 'a' must be 2-D, got shape [2, 3, 4] (reshape batched inputs to [rows, features])" },
  { what: "matmul of a 1-D b", run: () => ag.matmul(t([2, 4]), t([4])), message: "matmul: argument 'b' must be 2-D, got shape [4]" },
  { what: "reshape with two -1", run: () => ag.reshape(t([2, 3]), [-1, -1]), message: "reshape: argument 'shape' must hold non-negative integers and at most one -1, got [-1, -1]" },
  { what: "reshape with -2", run: () => ag.reshape(t([2, 3]), [-2, 3]), message: "reshape: argument 'shape' must hold non-negative integers and at most one -1, got [-2, 3]" },
  { what: "reshape with a fraction", run: () => ag.reshape(t([2, 3]), [1.5, 4]), message: "reshape: argument 'shape' must hold non-negative integers and at most one -1, got [1.5, 4]" },
  { what: "reshape to another size", run: () => ag.reshape(t([2, 3]), [4, 2]), message: "reshape: expected a shape with 6 elements, got [4, 2]" },
  { what: "reshape with a -1 that does not divide", run: () => ag.reshape(t([2, 3]), [4, -1]), message: "reshape: expected a shape with 6 elements, got [4, -1]" },
  { what: "slice with too few begins", run: () => ag.slice(t([2, 3]), [0], [1, 1]), message: "slice: argument 'begin/size' need one entry per axis (2), got begin [0] and size [1, 1]" },
  { what: "slice with too few sizes", run: () => ag.slice(t([2, 3]), [0, 0], [1]), message: "slice: argument 'begin/size' need one entry per axis (2), got begin [0, 0] and size [1]" },
  { what: "slice past the end", run: () => ag.slice(t([4]), [2], [3]), message: "slice: argument 'begin/size' axis 0: [2, 5) is not inside [0, 4) of shape [4]" },
  { what: "slice from a negative begin", run: () => ag.slice(t([2, 4]), [0, -1], [1, 1]), message: "slice: argument 'begin/size' axis 1: [-1, 0) is not inside [0, 4) of shape [2, 4]" },
  { what: "slice of a negative size", run: () => ag.slice(t([4]), [2], [-1]), message: "slice: argument 'begin/size' axis 0: [2, 1) is not inside [0, 4) of shape [4]" },
  { what: "slice from a fractional begin", run: () => ag.slice(t([4]), [0.5], [1]), message: "slice: argument 'begin/size' axis 0: [0.5, 1.5) is not inside [0, 4) of shape [4]" },
  { what: "slice of a fractional size", run: () => ag.slice(t([4]), [1], [1.5]), message: "slice: argument 'begin/size' axis 0: [1, 2.5) is not inside [0, 4) of shape [4]" },
  { what: "concat of nothing", run: () => ag.concat([]), message: "concat: argument 'tensors' must hold at least one tensor" },
  { what: "concat of mismatched sizes", run: () => ag.concat([t([2, 3]), t([2, 4])], 0), message: "concat: expected shapes equal except along axis 0, like [2, 3], got [2, 4]" },
  { what: "concat of mismatched ranks", run: () => ag.concat([t([2, 3]), t([3])], 1), message: "concat: expected shapes equal except along axis 1, like [2, 3], got [3]" },
  { what: "concat of a lower rank that matches a prefix", run: () => ag.concat([t([2, 3]), t([2])], 1), message: "concat: expected shapes equal except along axis 1, like [2, 3], got [2]" },
  { what: "concat's primitive with an axis out of range", run: () => ag.primitives.concat.forward([t([2])], { axis: 1 }), message: "concat: argument 'axis' 1 is out of range for rank 1" },
  { what: "concat's primitive with a negative axis", run: () => ag.primitives.concat.forward([t([2])], { axis: -1 }), message: "concat: argument 'axis' -1 is out of range for rank 1" },
  { what: "concat's primitive with a fractional axis", run: () => ag.primitives.concat.forward([t([2])], { axis: 0.5 }), message: "concat: argument 'axis' 0.5 is out of range for rank 1" },
  { what: "gather from a scalar", run: () => ag.gather(t([]), [0]), message: "gather: argument 'table' must have at least one axis (rows)" },
  { what: "gather with an indexShape of another size", run: () => ag.gather(t([3, 2]), [0, 1], [3]), message: "gather: argument 'indices' hold 2 values but indexShape has 3" },
  { what: "gather of a negative index", run: () => ag.gather(t([3, 2]), [1, -1]), message: "gather: argument 'indices' index -1 at position 1 is outside the table's 3 rows" },
  { what: "gather past the last row", run: () => ag.gather(t([3, 2]), [3]), message: "gather: argument 'indices' index 3 at position 0 is outside the table's 3 rows" },
  { what: "transpose with a repeated axis", run: () => ag.transpose(t([2, 3]), [0, 0]), message: "transpose: argument 'perm' must be a permutation of 0..1, got [0,0]" },
  { what: "transpose with too few axes", run: () => ag.transpose(t([2, 3, 4]), [1, 0]), message: "transpose: argument 'perm' must be a permutation of 0..2, got [1,0]" },
  { what: "transpose with an axis past the rank", run: () => ag.transpose(t([2, 3]), [0, 2]), message: "transpose: argument 'perm' must be a permutation of 0..1, got [0,2]" },
  { what: "broadcastTo a shape it does not broadcast with", run: () => ag.broadcastTo(t([2]), [3]), message: `broadcastTo: expected ${BROADCAST}, got [2] and [3]` },
  { what: "broadcastTo a smaller shape", run: () => ag.broadcastTo(t([2, 3]), [3]), message: "broadcastTo: expected a shape that [2, 3] broadcasts to, got [3]" },
  { what: "broadcastTo a shape it broadcasts with but not to", run: () => ag.broadcastTo(t([3]), [2, 1]), message: "broadcastTo: expected a shape that [3] broadcasts to, got [2, 1]" },
];

describe("every primitive's checks: the whole message", () => {
  for (const row of exact) {
    it(row.what, () => {
      const r = ag.attempt(row.run);
      expect(E.isLeft(r) ? r.left.message : "no error").toBe(row.message);
    });
  }

  it("every primitive is named as it is listed", () => {
    const entries = Object.entries(ag.primitives);
    expect(entries.length).toBeGreaterThanOrEqual(24);
    for (const [key, p] of entries) expect(p.name).toBe(key);
  });
});

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
