// scan against the loop it replaces: values and gradients.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { expectVjp, rand } from "./util.js";

interface P {
  wx: Tensor;
  wh: Tensor;
  b: Tensor;
}

/** An RNN step: h' = tanh(x Wx + h Wh + b), emitting h'. */
const step = (p: P) => (h: Tensor, x: Tensor): [Tensor, Tensor] => {
  const next = ag.tanh(ag.add(ag.add(ag.matmul(x, p.wx), ag.matmul(h, p.wh)), p.b));
  return [next, next];
};

function unrolled(p: P, h0: Tensor, xs: Tensor): [Tensor, Tensor] {
  let h = h0;
  const ys: Tensor[] = [];
  for (let t = 0; t < (xs.shape[0] as number); t++) {
    [h] = step(p)(h, ag.index0(xs, t));
    ys.push(h);
  }
  return [h, ag.stack(ys)];
}

const loss = ([hT, ys]: [Tensor, Tensor]) => ag.add(ag.sum(ag.mul(hT, hT)), ag.mean(ys));

describe("scan", () => {
  it("equals the unrolled loop in values and gradients", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.nat(1000), (T, B, I, H, seed) => {
        const p: P = { wx: rand([I, H], seed), wh: rand([H, H], seed + 1), b: rand([H], seed + 2) };
        const h0 = rand([B, H], seed + 3);
        const xs = rand([T, B, I], seed + 4);
        const [vs, gs] = ag.valueAndGrad((p: P, h0: Tensor) => loss(ag.scan(step(p), h0, xs)), { argnums: [0, 1] })(p, h0);
        const [vu, gu] = ag.valueAndGrad((p: P, h0: Tensor) => loss(unrolled(p, h0, xs)), { argnums: [0, 1] })(p, h0);
        expect(vs.item()).toBeCloseTo(vu.item(), 12);
        const a = ag.leaves(gs).tensors;
        const b = ag.leaves(gu).tensors;
        expect(a.length).toBe(4);
        a.forEach((t, i) => {
          const u = (b[i] as Tensor).toArray();
          for (const [j, v] of t.toArray().entries()) expect(v).toBeCloseTo(u[j] as number, 12);
        });
      }),
      { numRuns: 60 },
    );
  });

  it("is differentiable with respect to xs, and reverse runs from the end", () => {
    const p: P = { wx: rand([2, 3], 1), wh: rand([3, 3], 2), b: rand([3], 3) };
    const h0 = rand([1, 3], 4);
    expectVjp("scan wrt xs", (xs: Tensor) => loss(ag.scan(step(p), h0, xs)), [rand([5, 1, 2], 5)], 7);
    const cum = (c: Tensor, x: Tensor): [Tensor, Tensor] => {
      const s = ag.add(c, x);
      return [s, s];
    };
    const xs = ag.tensorOrThrow([[1], [2], [3]], undefined, "float64");
    const [total, fwd] = ag.scan(cum, ag.zeros([1], "float64"), xs);
    const [, back] = ag.scan(cum, ag.zeros([1], "float64"), xs, { reverse: true });
    expect(total.item()).toBe(6);
    expect(Array.from(fwd.toArray())).toEqual([1, 3, 6]);
    expect(Array.from(back.toArray())).toEqual([6, 5, 3]);
  });
});

describe("unstack", () => {
  it("splits along the leading axis into rows equal to index0, and its VJP stacks the rows' cotangents (zeros where unused)", () => {
    const x = rand([4, 2, 3], 11);
    const rows = ag.unstack(x);
    expect(rows).toHaveLength(4);
    rows.forEach((r, t) => {
      expect(r.shape).toEqual([2, 3]);
      expect(Array.from(r.toArray())).toEqual(Array.from(ag.index0(x, t).toArray()));
    });
    // rows 1 and 3 unused: their cotangent is zero
    expectVjp("unstack", (v: Tensor) => {
      const [a, , c] = ag.unstack(v) as [Tensor, Tensor, Tensor];
      return ag.sum(ag.mul(ag.tanh(a), c));
    }, [x], 13);
    const g = ag.grad((v: Tensor) => ag.sum(ag.unstack(v)[2] as Tensor))(x).toArray();
    expect(Array.from(g)).toEqual(Array.from({ length: 24 }, (_, i) => (i >= 12 && i < 18 ? 1 : 0)));
    expect(() => ag.unstack(ag.scalar(1))).toThrow(/leading axis/);
  });
});
