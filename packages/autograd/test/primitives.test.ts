// Every primitive's VJP against central differences in float64, on random shapes and values (broadcasting
// included). One table row per operation: how to build its inputs from a random case, and how to apply it.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { broadcastableArb, expectVjp, rand, randAway, shapeArb } from "./util.js";

interface Row {
  readonly name: string;
  /** Random inputs (and parameters, closed over by `apply`). */
  readonly arb: fc.Arbitrary<{ inputs: Tensor[]; apply: (...xs: Tensor[]) => Tensor }>;
}

const seedArb = fc.nat({ max: 1_000_000 });

function unary(name: string, f: (x: Tensor) => Tensor, lo = -2, hi = 2, away = false): Row {
  return {
    name,
    arb: fc.tuple(shapeArb(0, 4), seedArb).map(([s, seed]) => ({ inputs: [away ? randAway(s, seed, lo, hi) : rand(s, seed, lo, hi)], apply: f })),
  };
}

function binary(name: string, f: (a: Tensor, b: Tensor) => Tensor, bAway = false): Row {
  return {
    name,
    arb: shapeArb(0, 4)
      .chain((s) => fc.tuple(fc.constant(s), broadcastableArb(s), fc.boolean(), seedArb))
      .map(([s, t, swap, seed]) => {
        const [sa, sb] = swap ? [t, s] : [s, t];
        return { inputs: [rand(sa, seed), bAway ? randAway(sb, seed + 1, 0.5, 2) : rand(sb, seed + 1)], apply: f };
      }),
  };
}

const reducers = { sum: ag.sum, mean: ag.mean, max: ag.max };

const axesArb = (rank: number) => fc.subarray(Array.from({ length: rank }, (_, i) => i));

const table: Row[] = [
  binary("add", ag.add),
  binary("sub", ag.sub),
  binary("mul", ag.mul),
  binary("div", ag.div, true),
  unary("neg", ag.neg),
  unary("exp", ag.exp),
  unary("log", ag.log, 0.3, 3),
  unary("sqrt", ag.sqrt, 0.3, 3),
  ...[2, 3, 0.5, -1.5].map((p) => unary(`pow ${p}`, (x) => ag.pow(x, p), 0.3, 2)),
  unary("tanh", ag.tanh, -3, 3),
  unary("sigmoid", ag.sigmoid, -5, 5),
  unary("relu (away from the kink)", ag.relu, 0.05, 2, true),
  {
    name: "matmul (all transposes)",
    arb: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean(), seedArb).map(([m, k, n, transA, transB, seed]) => ({
      inputs: [rand(transA ? [k, m] : [m, k], seed), rand(transB ? [n, k] : [k, n], seed + 1)],
      apply: (a: Tensor, b: Tensor) => ag.matmul(a, b, { transA, transB }),
    })),
  },
  {
    name: "transpose",
    arb: shapeArb(1, 4).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }), seedArb)).map(([s, perm, seed]) => ({
      inputs: [rand(s, seed)],
      apply: (x: Tensor) => ag.transpose(x, perm),
    })),
  },
  {
    name: "reshape",
    arb: fc.tuple(shapeArb(1, 4), seedArb).map(([s, seed]) => {
      const n = s.reduce((a, b) => a * b, 1);
      return { inputs: [rand(s, seed)], apply: (x: Tensor) => ag.mul(ag.reshape(x, [n]), ag.reshape(x, [-1])) };
    }),
  },
  {
    name: "slice",
    arb: shapeArb(1, 4).chain((s) =>
      fc.tuple(fc.constant(s), fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))), seedArb),
    ).map(([s, bs, seed]) => ({
      inputs: [rand(s, seed)],
      apply: (x: Tensor) => ag.slice(x, bs.map(([b]) => b), bs.map(([, z]) => z)),
    })),
  },
  {
    name: "concat",
    arb: shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }), seedArb)).map(([s, axis, sizes, seed]) => ({
      inputs: sizes.map((z, i) => rand(s.map((d, j) => (j === axis ? z : d)), seed + i)),
      apply: (...xs: Tensor[]) => ag.concat(xs, axis),
    })),
  },
  {
    name: "stack",
    arb: fc.tuple(shapeArb(0, 3), fc.integer({ min: 1, max: 3 }), seedArb).chain(([s, count, seed]) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length }), fc.constant(count), fc.constant(seed))).map(([s, axis, count, seed]) => ({
      inputs: Array.from({ length: count }, (_, i) => rand(s, seed + i)),
      apply: (...xs: Tensor[]) => ag.stack(xs, axis),
    })),
  },
  {
    name: "gather (repeated indices scatter-add)",
    arb: fc.tuple(fc.integer({ min: 1, max: 6 }), shapeArb(0, 2), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), seedArb).map(([v, rest, idx, seed]) => ({
      inputs: [rand([v, ...rest], seed)],
      apply: (t: Tensor) => ag.gather(t, idx.map((i) => i % v), [idx.length]),
    })),
  },
  {
    name: "broadcastTo",
    arb: shapeArb(0, 3).chain((s) => fc.tuple(fc.constant(s), broadcastableArb(s), seedArb)).map(([s, small, seed]) => ({
      inputs: [rand(small, seed)],
      apply: (x: Tensor) => ag.broadcastTo(x, s),
    })),
  },
  ...(["sum", "mean", "max"] as const).map(
    (op): Row => ({
      name: `${op} over axes`,
      arb: shapeArb(1, 4).chain((s) => fc.tuple(fc.constant(s), axesArb(s.length), fc.boolean(), seedArb)).map(([s, axes, keepDims, seed]) => ({
        inputs: [rand(s, seed)],
        apply: (x: Tensor) => reducers[op](x, axes.length === 0 ? undefined : axes, { keepDims }),
      })),
    }),
  ),
  {
    name: "where (broadcast mask)",
    arb: shapeArb(1, 3).chain((s) => fc.tuple(fc.constant(s), broadcastableArb(s), broadcastableArb(s), seedArb)).map(([s, ms, bs, seed]) => {
      const mask = ag.tensorOrThrow(rand(ms, seed + 7).toArray().map((v) => (v > 0 ? 1 : 0)), ms, "float64");
      return { inputs: [rand(s, seed), rand(bs, seed + 1)], apply: (a: Tensor, b: Tensor) => ag.where(mask, a, b) };
    }),
  },
  unary("softmax", (x) => (x.rank === 0 ? ag.softmax(ag.reshape(x, [1])) : ag.softmax(x)), -3, 3),
  unary("logSoftmax", (x) => (x.rank === 0 ? ag.logSoftmax(ag.reshape(x, [1])) : ag.logSoftmax(x, 0)), -3, 3),
  unary("logsumexp", (x) => (x.rank === 0 ? ag.logsumexp(ag.reshape(x, [1])) : ag.logsumexp(x)), -3, 3),
  {
    name: "crossEntropy (mean, sum, none)",
    arb: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.array(fc.nat(), { minLength: 5, maxLength: 5 }), fc.constantFrom("mean", "sum", "none" as const), seedArb).map(([n, c, ts, red, seed]) => ({
      inputs: [rand([n, c], seed, -3, 3)],
      apply: (x: Tensor) => ag.crossEntropy(x, ts.slice(0, n).map((t) => t % c), red),
    })),
  },
];

describe("every primitive's VJP matches central differences (float64)", () => {
  for (const row of table) {
    it(row.name, () => {
      fc.assert(
        fc.property(row.arb, seedArb, ({ inputs, apply }, seed) => expectVjp(row.name, apply, inputs, seed)),
        { numRuns: 60 },
      );
    });
  }

  it("stopGradient has a zero VJP, and cast a VJP that casts back", () => {
    const x = rand([3], 1);
    const g = ag.grad((x: Tensor) => ag.sum(ag.mul(ag.stopGradient(x), x)))(x) as Tensor;
    const xv = x.toArray();
    const gv = g.toArray();
    for (let i = 0; i < 3; i++) if (gv[i] !== xv[i]) throw new Error(`stopGradient: grad ${gv[i]} should be x ${xv[i]} (only the unstopped factor)`);
    const h = ag.grad((x: Tensor) => ag.sum(ag.astype(x, "float32")))(x) as Tensor;
    if (h.dtype !== "float64" || Array.from(h.toArray()).some((v) => v !== 1)) throw new Error("cast: gradient must be ones in the input's dtype");
  });
});

describe("layout copies against element-by-element references", () => {
  const strides = (s: readonly number[]) => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
  const unravel = (i: number, s: readonly number[]) => strides(s).map((st, k) => Math.floor(i / st) % (s[k] as number));

  it("slice and transpose copy the right elements for any shape, in both dtypes", () => {
    fc.assert(
      fc.property(
        shapeArb(1, 4).chain((s) => fc.tuple(fc.constant(s), fc.tuple(...s.map((d) => fc.integer({ min: 0, max: d - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))), fc.shuffledSubarray(s.map((_, i) => i), { minLength: s.length, maxLength: s.length }), fc.constantFrom("float32" as const, "float64" as const))),
        ([s, bs, perm, dtype]) => {
          const n = s.reduce((a, b) => a * b, 1);
          const data = Float64Array.from({ length: n }, (_, i) => i + 1);
          const x = ag.tensorFromArray(dtype === "float32" ? Float32Array.from(data) : data, s);
          const xs = strides(s);
          const begin = bs.map(([b]) => b);
          const size = bs.map(([, z]) => z);
          const sl = ag.slice(x, begin, size).toArray();
          for (let i = 0; i < sl.length; i++) {
            const idx = unravel(i, size);
            expect(sl[i]).toBe(idx.reduce((acc, v, k) => acc + (v + (begin[k] as number)) * (xs[k] as number), 0) + 1);
          }
          const outShape = perm.map((p) => s[p] as number);
          const tr = ag.transpose(x, perm).toArray();
          for (let i = 0; i < tr.length; i++) {
            const idx = unravel(i, outShape);
            expect(tr[i]).toBe(idx.reduce((acc, v, k) => acc + v * (xs[perm[k] as number] as number), 0) + 1);
          }
          // slice's VJP writes g back where the slice came from, zeros elsewhere
          const g = ag.grad((v: ag.Tensor) => ag.sum(ag.mul(ag.slice(v, begin, size), ag.slice(x, begin, size))))(x).toArray();
          let nonzero = 0;
          for (let i = 0; i < n; i++) {
            const idx = unravel(i, s);
            const inside = idx.every((v, k) => v >= (begin[k] as number) && v < (begin[k] as number) + (size[k] as number));
            expect(g[i]).toBe(inside ? i + 1 : 0);
            if (inside) nonzero++;
          }
          expect(nonzero).toBe(sl.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});
