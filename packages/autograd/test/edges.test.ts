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
