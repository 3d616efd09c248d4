// Random compositions of primitives (expression trees over a few inputs), checked like single primitives.
import fc from "fast-check";
import { describe, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { expectVjp, rand, shapeArb } from "./util.js";

type Expr = { op: "input"; k: number } | { op: "unary"; f: string; a: Expr } | { op: "binary"; f: string; a: Expr; b: Expr } | { op: "reduce"; f: string; a: Expr };

const unaries: Record<string, (x: Tensor) => Tensor> = {
  tanh: ag.tanh,
  sigmoid: ag.sigmoid,
  exp: (x) => ag.exp(ag.mul(x, 0.3)),
  neg: ag.neg,
  square: (x) => ag.mul(x, x),
  softplus: (x) => ag.log(ag.add(ag.exp(x), 1)),
  transpose: (x) => ag.transpose(x),
};
const binaries: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: ag.add,
  sub: ag.sub,
  mul: ag.mul,
  div: (a, b) => ag.div(a, ag.add(ag.mul(b, b), 1)),
  matmulT: (a, b) => ag.matmul(a, b, { transB: true }),
};

const exprArb = (inputs: number): fc.Arbitrary<Expr> =>
  fc.letrec<{ e: Expr }>((tie) => ({
    e: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.record({ op: fc.constant("input" as const), k: fc.integer({ min: 0, max: inputs - 1 }) }),
      fc.record({ op: fc.constant("unary" as const), f: fc.constantFrom(...Object.keys(unaries)), a: tie("e") }),
      fc.record({ op: fc.constant("binary" as const), f: fc.constantFrom(...Object.keys(binaries)), a: tie("e"), b: tie("e") }),
    ),
  })).e;

/** Evaluates an expression on square [n, n] inputs (so transposes and matmuls keep the shape). */
function evaluate(e: Expr, xs: readonly Tensor[]): Tensor {
  switch (e.op) {
    case "input":
      return xs[e.k] as Tensor;
    case "unary":
      return (unaries[e.f] as (x: Tensor) => Tensor)(evaluate(e.a, xs));
    case "binary":
      return (binaries[e.f] as (a: Tensor, b: Tensor) => Tensor)(evaluate(e.a, xs), evaluate(e.b, xs));
    default:
      return evaluate(e.a, xs);
  }
}

describe("random compositions of primitives", () => {
  it("have VJPs that match central differences (float64)", () => {
    fc.assert(
      fc.property(exprArb(3), fc.integer({ min: 1, max: 4 }), fc.nat(1000), (e, n, seed) => {
        const xs = [0, 1, 2].map((k) => rand([n, n], seed + k));
        // Sum with a fixed weighting so the output is scalar and every element matters.
        const f = (...ys: Tensor[]) => ag.sum(ag.mul(ag.tanh(evaluate(e, ys)), rand([n, n], seed + 9)));
        expectVjp(JSON.stringify(e), f, xs, seed, { atol: 1e-6, rtol: 1e-4 });
      }),
      { numRuns: 150 },
    );
  });

  it("handle broadcasting inside a composition (bias adds and row sums)", () => {
    fc.assert(
      fc.property(shapeArb(2, 2), fc.nat(1000), ([r, c], seed) => {
        const x = rand([r as number, c as number], seed);
        const w = rand([c as number, 3], seed + 1);
        const bias = rand([3], seed + 2);
        const f = (x: Tensor, w: Tensor, b: Tensor) => ag.sum(ag.logsumexp(ag.tanh(ag.add(ag.matmul(x, w), b)), -1));
        expectVjp("bias MLP", f, [x, w, bias], seed);
      }),
      { numRuns: 80 },
    );
  });
});
