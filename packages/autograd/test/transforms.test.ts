// The transforms over parameter trees: argnums, hasAux, nested records and arrays, vjp with tree outputs,
// customVjp against its oracle, and gradcheck catching a wrong gradient.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { expectVjp, rand } from "./util.js";

const arr = (t: Tensor) => Array.from(t.toArray());

describe("transforms", () => {
  it("valueAndGrad over a nested parameter tree keeps its structure; non-tensor leaves pass through", () => {
    const params = { layers: [{ w: rand([2, 3], 1), b: rand([3], 2) }, { w: rand([3, 1], 3), b: rand([1], 4) }], name: "mlp", scale: 2 };
    const x = rand([4, 2], 5);
    const f = (p: typeof params, x: Tensor) => {
      let h = x;
      for (const l of p.layers) h = ag.tanh(ag.add(ag.matmul(h, l.w), l.b));
      return ag.mul(ag.sum(h), p.scale);
    };
    const [value, grads] = ag.valueAndGrad(f)(params, x);
    expect(value.item()).toBeCloseTo(f(params, x).item(), 12);
    expect(grads.name).toBe("mlp");
    expect(grads.scale).toBe(2);
    expect(grads.layers[1]?.w.shape).toEqual([3, 1]);
    for (const [k, l] of grads.layers.entries()) {
      const res = ag.gradcheck((w: Tensor, b: Tensor) => f({ ...params, layers: params.layers.map((q, j) => (j === k ? { w, b } : q)) }, x), [params.layers[k]?.w as Tensor, params.layers[k]?.b as Tensor]);
      expect(E.isRight(res) && res.right.ok).toBe(true);
      const [gw, gb] = ag.grad((w: Tensor, b: Tensor) => f({ ...params, layers: params.layers.map((q, j) => (j === k ? { w, b } : q)) }, x), { argnums: [0, 1] })(params.layers[k]?.w as Tensor, params.layers[k]?.b as Tensor);
      expect(arr(l.w)).toEqual(arr(gw as Tensor));
      expect(arr(l.b)).toEqual(arr(gb as Tensor));
    }
  });

  it("argnums picks arguments; hasAux returns aux untouched; unused inputs get zero gradients", () => {
    const a = rand([3], 1);
    const b = rand([3], 2);
    const f = (a: Tensor, b: Tensor, _unused: Tensor) => [ag.sum(ag.mul(a, b)), { note: "aux", prod: ag.mul(a, b) }] as const;
    const [v, [ga, gb, gu], aux] = ag.valueAndGrad(f, { argnums: [0, 1, 2], hasAux: true })(a, b, rand([2], 3));
    expect(v.item()).toBeCloseTo(arr(a).reduce((s, x, i) => s + x * (arr(b)[i] as number), 0), 12);
    expect(arr(ga as Tensor)).toEqual(arr(b));
    expect(arr(gb as Tensor)).toEqual(arr(a));
    expect(arr(gu as Tensor)).toEqual([0, 0]);
    expect((aux as { note: string }).note).toBe("aux");
    expect(arr((aux as { prod: Tensor }).prod)).toEqual(arr(ag.mul(a, b)));
  });

  it("a function that ignores its input has a zero gradient; a constant closure is not differentiated", () => {
    const c = rand([2], 9);
    expect(arr(ag.grad((_x: Tensor) => ag.sum(c))(rand([2], 1)) as Tensor)).toEqual([0, 0]);
    expect(arr(ag.grad((x: Tensor) => ag.sum(ag.mul(x, c)))(rand([2], 1)) as Tensor)).toEqual(arr(c));
  });

  it("vjp handles tree outputs and can pull back several cotangents", () => {
    const x = rand([3], 1);
    const [out, pullback] = ag.vjp((x: Tensor) => ({ sq: ag.mul(x, x), neg: ag.neg(x) }), x);
    expect(arr(out.sq)).toEqual(arr(ag.mul(x, x)));
    const ones = ag.ones([3], "float64");
    const zeros = ag.zeros([3], "float64");
    const [g1] = pullback({ sq: ones, neg: zeros });
    const [g2] = pullback({ sq: zeros, neg: ones });
    expect(arr(g1 as Tensor)).toEqual(arr(ag.mul(x, 2)));
    expect(arr(g2 as Tensor)).toEqual([-1, -1, -1]);
  });

  it("customVjp: uses its own rule under transforms, and equals its oracle", () => {
    // A fused, stable softplus with a hand-written VJP: d/dx log(1 + e^x) = sigmoid(x).
    const softplus = ag.customVjp(
      (x: Tensor) => ag.log(ag.add(ag.exp(x), 1)),
      // max(x, 0) + log(1 + e^-|x|), with |x| = relu(x) + relu(-x): no overflow for large x.
      (x: Tensor) => [ag.add(ag.relu(x), ag.log(ag.add(ag.exp(ag.neg(ag.add(ag.relu(x), ag.relu(ag.neg(x))))), 1))), x] as const,
      (x: Tensor, g: Tensor) => [ag.mul(g, ag.sigmoid(x))],
    );
    const x = rand([5], 3, -4, 4);
    expectVjp("custom softplus", (x: Tensor) => softplus(x), [x], 1);
    const oracle = ag.grad((x: Tensor) => ag.sum(ag.log(ag.add(ag.exp(x), 1))))(x) as Tensor;
    const mine = ag.grad((x: Tensor) => ag.sum(softplus(x)))(x) as Tensor;
    for (const [i, v] of arr(mine).entries()) expect(v).toBeCloseTo(arr(oracle)[i] as number, 12);
    expect(softplus(ag.tensorOrThrow([1000], undefined, "float64")).item()).toBe(Number.POSITIVE_INFINITY);
    const [stable] = ag.vjp((x: Tensor) => softplus(x), ag.tensorOrThrow([1000], undefined, "float64"));
    expect(stable.item()).toBe(1000);
  });

  it("gradcheck reports the worst element and catches a wrong gradient", () => {
    const wrong = ag.customVjp(
      (x: Tensor) => ag.mul(x, x),
      (x: Tensor) => [ag.mul(x, x), x] as const,
      (x: Tensor, g: Tensor) => [ag.mul(g, ag.mul(x, 2.01))],
    );
    const x = rand([4], 2, 0.5, 1);
    const bad = ag.gradcheck((x: Tensor) => ag.sum(wrong(x)), [x]);
    expect(E.isRight(bad)).toBe(true);
    if (E.isRight(bad)) {
      expect(bad.right.ok).toBe(false);
      const w = bad.right.inputs[0];
      expect(w?.absError).toBeGreaterThan(1e-3);
      expect(w?.analytic).toBeCloseTo((w?.numeric ?? 0) * 1.005, 6);
    }
    const good = ag.gradcheck((x: Tensor) => ag.sum(ag.mul(x, x)), [x]);
    expect(ag.isOk(good)).toBe(true);
  });

  it("the documented examples run", () => {
    const [loss, g] = ag.valueAndGrad((w: Tensor) => ag.sum(ag.mul(w, w)))(ag.tensorOrThrow([1, 2, 3]));
    expect(loss.item()).toBe(14);
    expect(arr(g as Tensor)).toEqual([2, 4, 6]);
    const [v, gp] = ag.valueAndGrad((p: { w: Tensor }) => ag.sum(ag.mul(p.w, p.w)))({ w: ag.tensorOrThrow([1, 2]) });
    expect(v.item()).toBe(5);
    expect(arr(gp.w)).toEqual([2, 4]);
    expect(ag.isOk(ag.gradcheck((x: Tensor) => ag.sum(ag.tanh(x)), [ag.tensorOrThrow([0.1, -0.4])]))).toBe(true);
    const [total, running] = ag.scan((c: Tensor, x: Tensor): [Tensor, Tensor] => {
      const s = ag.add(c, x);
      return [s, s];
    }, ag.zeros([2]), ag.tensorOrThrow([[1, 2], [3, 4]]));
    expect(arr(total)).toEqual([4, 6]);
    expect(arr(running)).toEqual([1, 2, 4, 6]);
    expect(E.isLeft(ag.attempt(() => ag.add(ag.ones([2]), ag.ones([3]))))).toBe(true);
  });

  it("the README example runs", () => {
    const params = { w: ag.tensorOrThrow([[0.1, -0.2], [0.3, 0.4]]), b: ag.tensorOrThrow([0, 0]) };
    const x = ag.tensorOrThrow([[1, 2], [3, 4]]);
    const loss = (p: typeof params, x: Tensor) => ag.crossEntropy(ag.tanh(ag.add(ag.matmul(x, p.w), p.b)), [0, 1]);
    const [value, grads] = ag.valueAndGrad(loss)(params, x);
    expect(value.item()).toBeCloseTo(loss(params, x).item(), 6);
    expect(grads.w.shape).toEqual([2, 2]);
    expect(grads.b.shape).toEqual([2]);
    const bad = ag.attempt(() => ag.matmul(x, ag.tensorOrThrow([1, 2, 3], [3, 1])));
    expect(E.isLeft(bad) && bad.left._tag === "ShapeMismatch" && bad.left.message.startsWith("matmul: expected inner sizes to agree")).toBe(true);
  });
});
