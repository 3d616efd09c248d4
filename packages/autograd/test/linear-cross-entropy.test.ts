// linearCrossEntropy against the composed linear + crossEntropy: float32 values and gradients (x, weight, bias)
// as close to the float64 truth as the composed float32 path is; float64 is the composed path itself.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, astype, crossEntropy, linearCrossEntropy, matmul, mul, sum, type Tensor, valueAndGrad } from "../src/index.js";
import { expectVjp, rand, relError } from "../src/testing.js";


const composed = (x: Tensor, w: Tensor, b: Tensor | undefined, t: ArrayLike<number>) => {
  const logits = matmul(x, w, { transB: true });
  return crossEntropy(b ? add(logits, b) : logits, t, "none");
};

describe("linearCrossEntropy", () => {
  it("float32: losses and the gradients of x, weight and bias agree with the composed operations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.nat(100_000), (N, D, C, withBias, seed) => {
        const targets = Array.from({ length: N }, (_, i) => (seed + 7 * i) % C);
        const inputs64 = [rand([N, D], seed, -2, 2), rand([C, D], seed + 1), rand([C], seed + 2), rand([N], seed + 3)];
        const grads = (f: typeof composed, dtype: "float32" | "float64") => {
          const [x, w, b, g] = inputs64.map((t) => astype(t, dtype)) as [Tensor, Tensor, Tensor, Tensor];
          // A random cotangent for every row: sum(loss * g).
          const loss = (x: Tensor, w: Tensor, b: Tensor) => {
            const l = f(x, w, withBias ? b : undefined, targets);
            return [sum(mul(l, g)), l] as const;
          };
          const [, gs, l] = valueAndGrad(loss, { argnums: [0, 1, 2], hasAux: true })(x, w, b);
          return [l as Tensor, ...(gs as Tensor[]).slice(0, withBias ? 3 : 2)];
        };
        const fused = grads(linearCrossEntropy, "float32");
        const plain = grads(composed, "float32");
        const truth = grads(composed, "float64");
        for (const [i, got] of fused.entries()) {
          const ef = relError(got, truth[i] as Tensor);
          const ec = relError(plain[i] as Tensor, truth[i] as Tensor);
          if (!(ef <= Math.max(8 * ec, 1e-5))) expect.fail(`output ${i}: fused error ${ef}, composed ${ec}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("float64 is the composed operations themselves (non-square weights: W is used transposed)", () => {
    const x = rand([4, 3], 5);
    const w = rand([6, 3], 6);
    const b = rand([6], 7);
    const t = [5, 0, 2, 3];
    expect(Array.from(linearCrossEntropy(x, w, b, t).toArray())).toEqual(Array.from(composed(x, w, b, t).toArray()));
    expect(Array.from(linearCrossEntropy(x, w, undefined, t).toArray())).toEqual(Array.from(composed(x, w, undefined, t).toArray()));
  });

  it("float64 gradients match central differences", () => {
    const targets = [2, 0, 1, 2];
    expectVjp("linearCrossEntropy", (x, w, b) => sum(linearCrossEntropy(x, w, b, targets)), [rand([4, 3], 1), rand([3, 3], 2), rand([3], 3)], 4);
  });

  it("gives the known value log(C) for zero weights, outside any transform too", () => {
    const l = linearCrossEntropy(astype(rand([5, 4], 1), "float32"), astype(mul(rand([7, 4], 2), 0), "float32"), undefined, [0, 1, 2, 3, 6]);
    for (const v of l.toArray()) expect(v).toBeCloseTo(Math.log(7), 6);
  });

  it("names wrong shapes, dtypes and targets", () => {
    const x = astype(rand([3, 4], 1), "float32");
    const w = astype(rand([5, 4], 2), "float32");
    const b = astype(rand([5], 3), "float32");
    expect(() => linearCrossEntropy(astype(rand([3], 1), "float32"), w, b, [0, 1, 2])).toThrow(/argument 'x' must be \[N, D\]/);
    expect(() => linearCrossEntropy(x, astype(rand([5, 3], 2), "float32"), b, [0, 1, 2])).toThrow(/weight of shape \[C, 4\]/);
    expect(() => linearCrossEntropy(x, w, astype(rand([4], 3), "float32"), [0, 1, 2])).toThrow(/bias of shape \[5\]/);
    expect(() => linearCrossEntropy(x, w, b, [0, 1])).toThrow("linearCrossEntropy: expected 3 targets (one per row of x), got 2");
    for (const bad of [5, -1, 1.5]) expect(() => linearCrossEntropy(x, w, b, [0, bad, 1])).toThrow(`linearCrossEntropy: argument 'targets' target ${bad} at row 1 is not a class index in [0, 5)`);
    expect(() => linearCrossEntropy(x, rand([5, 4], 2), b, [0, 1, 2])).toThrow("linearCrossEntropy: argument 'dtype' x, weight and bias must share a dtype, got float32, float64, float32");
    expect(() => linearCrossEntropy(x, w, rand([5], 3), [0, 1, 2])).toThrow("must share a dtype, got float32, float32, float64");
    // Higher ranks whose leading sizes would fit are refused too, not read as matrices.
    expect(() => linearCrossEntropy(x, astype(rand([5, 4, 1], 2), "float32"), b, [0, 1, 2])).toThrow(/weight of shape \[C, 4\]/);
    expect(() => linearCrossEntropy(x, w, astype(rand([5, 1], 3), "float32"), [0, 1, 2])).toThrow(/bias of shape \[5\]/);
  });
});
