// The cases that random continuous inputs never reach: ties in a reduction, relu at exactly 0, and every branch of
// the float32 fast paths (equal shapes, a bias on either side, other broadcasts), in both dtypes.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { DType, Tensor } from "../src/index.js";

const DTYPES: DType[] = ["float32", "float64"];
const t = (values: number[], shape: number[], dtype: DType) => ag.tensorOrThrow(values, shape, dtype);
const values = (x: Tensor) => Array.from(x.toArray());

describe("max: ties share the gradient evenly (as torch.amax)", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: over all elements, over an axis, with keepDims`, () => {
      const x = t([1, 3, 3, 2, 3, 0], [2, 3], dtype);
      expect(values(ag.grad((x: Tensor) => ag.max(x))(x) as Tensor)).toEqual([0, 1 / 3, 1 / 3, 0, 1 / 3, 0].map((v) => (dtype === "float32" ? Math.fround(v) : v)));
      // Row 0 ties between two elements, row 1 has one maximum; the upstream gradient differs per row.
      const g = ag.grad((x: Tensor) => ag.sum(ag.mul(ag.max(x, 1), t([10, 20], [2], dtype))))(x) as Tensor;
      expect(values(g)).toEqual([0, 5, 5, 0, 20, 0]);
      const k = ag.grad((x: Tensor) => ag.sum(ag.mul(ag.max(x, 0, { keepDims: true }), t([1, 2, 4], [1, 3], dtype))))(x) as Tensor;
      // Column 1 ties (3 and 3): 2 split in halves; column 0's maximum is in row 1, column 2's in row 0.
      expect(values(k)).toEqual([0, 1, 4, 1, 1, 0]);
    });
  }

  it("every tied element gets g / count, whatever the number of ties (float64)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }), (ints) => {
        const x = t(ints, [ints.length], "float64");
        const top = Math.max(...ints);
        const count = ints.filter((v) => v === top).length;
        const g = values(ag.grad((x: Tensor) => ag.mul(ag.max(x), 6))(x) as Tensor);
        for (const [i, v] of ints.entries()) expect(g[i]).toBeCloseTo(v === top ? 6 / count : 0, 12);
      }),
    );
  });
});

describe("relu at exactly 0: derivative 0 (PyTorch's convention)", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: relu'(0) = relu'(-0) = 0, relu'(x > 0) = 1, relu'(x < 0) = 0`, () => {
      const x = t([0, -0, 2, -2, 1e-30, -1e-30], [6], dtype);
      const g = ag.grad((x: Tensor) => ag.sum(ag.mul(ag.relu(x), t([3, 3, 3, 3, 3, 3], [6], dtype))))(x) as Tensor;
      expect(values(g)).toEqual([0, 0, 3, 0, 3, 0]);
    });
  }
});

describe("float32 add and mul: every branch equals float64 rounded once", () => {
  // Shape pairs reaching each branch of mapBinary: equal shapes (kernel), a row bias second or first (addBias),
  // [1, C] and [1, 1, C] biases, a column broadcast and a scalar (the JS loop), both ways round.
  const pairs: [number[], number[]][] = [
    [[3, 4], [3, 4]],
    [[3, 4], [4]],
    [[4], [3, 4]],
    [[3, 4], [1, 4]],
    [[1, 4], [3, 4]],
    [[2, 3, 4], [1, 1, 4]],
    [[1, 1, 4], [2, 3, 4]],
    [[2, 3, 4], [4]],
    [[3, 4], [3, 1]],
    [[3, 1], [3, 4]],
    [[3, 4], []],
    [[], [3, 4]],
    [[2, 1, 4], [3, 1]],
  ];
  const fill = (shape: number[], seed: number) => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.fround(Math.sin(seed * 97 + i * 13.7) * 3));
  for (const [sa, sb] of pairs) {
    it(`[${sa}] with [${sb}]`, () => {
      const [a, b] = [fill(sa, 1), fill(sb, 2)];
      for (const [op, f] of [["add", (x: number, y: number) => x + y], ["mul", (x: number, y: number) => x * y]] as const) {
        const r32 = (op === "add" ? ag.add : ag.mul)(t(a, sa, "float32"), t(b, sb, "float32"));
        const r64 = (op === "add" ? ag.add : ag.mul)(t(a, sa, "float64"), t(b, sb, "float64"));
        expect(r32.shape).toEqual(r64.shape);
        expect(values(r32), op).toEqual(values(r64).map(Math.fround));
        // And against the definition, element by element (broadcast by hand).
        const shape = r64.shape;
        const at = (s: number[], v: number[], idx: number[]) => v[s.reduce((acc, d, k) => acc * d + (d === 1 ? 0 : (idx[idx.length - s.length + k] as number)), 0)] as number;
        const want = Array.from({ length: r64.size }, (_, flat) => {
          const idx = shape.map((_, k) => Math.floor(flat / shape.slice(k + 1).reduce((p, q) => p * q, 1)) % (shape[k] as number));
          return Math.fround(f(at(sa, a, idx), at(sb, b, idx)));
        });
        expect(values(r32), `${op} by definition`).toEqual(want);
      }
    });
  }
});

describe("broadcasting, forward and backward, by value", () => {
  const w = (shape: number[]) => t(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i + 1), shape, "float64");

  it("broadcastTo copies rows and columns; its VJP sums the stretched axes", () => {
    expect(values(ag.broadcastTo(t([1, 2, 3], [3], "float64"), [2, 3]))).toEqual([1, 2, 3, 1, 2, 3]);
    expect(values(ag.broadcastTo(t([1, 2], [2, 1], "float64"), [2, 3]))).toEqual([1, 1, 1, 2, 2, 2]);
    // d/dx sum(broadcastTo(x, [2, 3]) * W) with W = [[1, 2, 3], [4, 5, 6]]: column sums for x [3], row sums for x [2, 1].
    expect(values(ag.grad((x: Tensor) => ag.sum(ag.mul(ag.broadcastTo(x, [2, 3]), w([2, 3]))))(t([0, 0, 0], [3], "float64")) as Tensor)).toEqual([5, 7, 9]);
    expect(values(ag.grad((x: Tensor) => ag.sum(ag.mul(ag.broadcastTo(x, [2, 3]), w([2, 3]))))(t([0, 0], [2, 1], "float64")) as Tensor)).toEqual([6, 15]);
  });

  it("add, sub and mul send each operand the gradient summed over the axes it was stretched along", () => {
    // L = sum(op(a, b) * W), W = 1..6 as [2, 3].
    const W = w([2, 3]);
    const cases: [number[], number[], number[], number[]][] = [
      // shape a, shape b, dL/da for add, dL/db for add
      [[2, 3], [3], [1, 2, 3, 4, 5, 6], [5, 7, 9]],
      [[3], [2, 3], [5, 7, 9], [1, 2, 3, 4, 5, 6]],
      [[2, 1], [1, 3], [6, 15], [5, 7, 9]],
      [[2, 3], [2, 1], [1, 2, 3, 4, 5, 6], [6, 15]],
      [[2, 3], [], [1, 2, 3, 4, 5, 6], [21]],
    ];
    for (const [sa, sb, da, db] of cases) {
      const a = t(new Array(sa.reduce((x, y) => x * y, 1)).fill(0.5), sa, "float64");
      const b = t(new Array(sb.reduce((x, y) => x * y, 1)).fill(2), sb, "float64");
      const g = (op: (x: Tensor, y: Tensor) => Tensor) => ag.grad((x: Tensor, y: Tensor) => ag.sum(ag.mul(op(x, y), W)), { argnums: [0, 1] })(a, b) as unknown as [Tensor, Tensor];
      const [ga, gb] = g(ag.add);
      expect([values(ga), values(gb)], `add [${sa}] [${sb}]`).toEqual([da, db]);
      const [sa2, sb2] = g(ag.sub);
      expect([values(sa2), values(sb2)], `sub [${sa}] [${sb}]`).toEqual([da, db.map((v) => -v)]);
      // mul: dL/da = W b summed likewise (b = 2), dL/db = W a (a = 0.5).
      const [ma, mb] = g(ag.mul);
      expect([values(ma), values(mb)], `mul [${sa}] [${sb}]`).toEqual([da.map((v) => 2 * v), db.map((v) => 0.5 * v)]);
    }
  });

  it("reshape infers a -1 from the other sizes, also when they hold a 0", () => {
    expect(ag.reshape(ag.zeros([2, 6]), [3, -1]).shape).toEqual([3, 4]);
    expect(ag.reshape(ag.zeros([2, 6]), [-1, 2, 2]).shape).toEqual([3, 2, 2]);
    expect(ag.reshape(ag.zeros([0, 3]), [0, -1]).shape).toEqual([0, 0]);
  });
});
