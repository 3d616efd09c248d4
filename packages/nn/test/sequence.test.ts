// Sequence losses (sum, mean, last; mask-aware), MSE, dropout, and truncated BPTT.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { describe, expect, it } from "vitest";
import { adam, dropout, initRecurrent, linear, linearSequenceCrossEntropy, mse, random, recurrent, sequenceCrossEntropy, sgd, tbptt, timeSlice, windows } from "../src/index.js";
import { rand } from "@gated/autograd/testing";

describe("sequenceCrossEntropy", () => {
  const B = 2;
  const T = 4;
  const C = 3;
  const logits = rand([B, T, C], 1, -2, 2);
  const targets = [0, 1, 2, 1, 2, 2, 0, 0];
  const lengths = [4, 2];
  const perStep = (b: number, t: number) => ag.crossEntropy(ag.reshape(ag.slice(logits, [b, t, 0], [1, 1, C]), [1, C]), [targets[b * T + t] as number]).item();

  it("sum, mean and last follow their definitions over valid steps only", () => {
    let sum = 0;
    let count = 0;
    for (let b = 0; b < B; b++) for (let t = 0; t < (lengths[b] as number); t++) {
      sum += perStep(b, t);
      count++;
    }
    const last = (perStep(0, 3) + perStep(1, 1)) / 2;
    expect(sequenceCrossEntropy(logits, targets, { reduction: "sum", lengths }).item()).toBeCloseTo(sum, 12);
    expect(sequenceCrossEntropy(logits, targets, { reduction: "mean", lengths }).item()).toBeCloseTo(sum / count, 12);
    expect(sequenceCrossEntropy(logits, targets, { reduction: "last", lengths }).item()).toBeCloseTo(last, 12);
  });

  it("ignores targets at padded steps, and rejects bad ones at valid steps", () => {
    const padded = [...targets];
    padded[6] = -1;
    padded[7] = 99;
    expect(sequenceCrossEntropy(logits, padded, { lengths }).item()).toBeCloseTo(sequenceCrossEntropy(logits, targets, { lengths }).item(), 12);
    expect(ag.attempt(() => sequenceCrossEntropy(logits, padded))._tag).toBe("Left");
  });

  it("mse", () => {
    expect(mse(ag.tensorOrThrow([1, 2]), ag.tensorOrThrow([0, 4])).item()).toBe(2.5);
    expect(mse(ag.tensorOrThrow([1, 2]), ag.tensorOrThrow([0, 4]), "sum").item()).toBe(5);
  });
});

describe("linearSequenceCrossEntropy", () => {
  it("equals sequenceCrossEntropy(linear(head, h)) in value and gradients, for every reduction, with lengths (float32 and float64)", () => {
    const B = 3;
    const T = 5;
    const H = 6;
    const C = 7;
    const targets = Array.from({ length: B * T }, (_, i) => (i * 5) % C);
    targets[14] = 99; // a padded step: ignored by both
    for (const dtype of ["float32", "float64"] as const) {
      const h = ag.astype(rand([B, T, H], 1, -2, 2), dtype);
      const head = { weight: ag.astype(rand([C, H], 2), dtype), bias: ag.astype(rand([C], 3), dtype) };
      for (const reduction of ["sum", "mean", "last"] as const) {
        const options = { reduction, lengths: [5, 2, 4] };
        const run = (f: (p: typeof head, h: Tensor) => Tensor) => ag.valueAndGrad(f, { argnums: [0, 1] })(head, h);
        const [vf, [gp, gh]] = run((p, h) => linearSequenceCrossEntropy(p, h, targets, options));
        const [vc, [cp, ch]] = run((p, h) => sequenceCrossEntropy(linear(p, h), targets, options));
        const tol = dtype === "float32" ? 1e-5 : 1e-12;
        expect(Math.abs(vf.item() - vc.item())).toBeLessThan(tol * Math.max(1, Math.abs(vc.item())));
        const pairs: [Tensor, Tensor][] = [[gh as Tensor, ch as Tensor], [(gp as typeof head).weight, (cp as typeof head).weight], [(gp as typeof head).bias, (cp as typeof head).bias]];
        for (const [a, b] of pairs) {
          const x = a.toArray();
          const y = b.toArray();
          const scale = Math.max(...Array.from(y, Math.abs));
          for (let i = 0; i < y.length; i++) expect(Math.abs((x[i] as number) - (y[i] as number))).toBeLessThan(tol * scale + 1e-30);
        }
      }
    }
  });

  it("refuses bad targets at valid steps, bad lengths and a head that does not fit, naming them", () => {
    const h = rand([1, 2, 3], 1);
    const head = { weight: rand([4, 3], 2), bias: rand([4], 3) };
    for (const [dtype, t, p] of [["float64", h, head], ["float32", ag.astype(h, "float32"), { weight: ag.astype(head.weight, "float32"), bias: ag.astype(head.bias, "float32") }]] as const) {
      for (const bad of [4, -1, 1.5]) {
        expect(() => linearSequenceCrossEntropy(p, t, [0, bad]), `${dtype} ${bad}`).toThrow(`linearSequenceCrossEntropy: argument 'targets' target ${bad} at position 1 is not a class index in [0, 4)`);
      }
      expect(() => linearSequenceCrossEntropy(p, t, [0])).toThrow("linearSequenceCrossEntropy: expected 2 targets (B*T), got 1");
      for (const lengths of [[3], [0], [1.5], [1, 1]]) {
        expect(() => linearSequenceCrossEntropy(p, t, [0, 1], { lengths }), JSON.stringify(lengths)).toThrow("linearSequenceCrossEntropy: argument 'lengths' must give 1 lengths in [1, 2]");
      }
      // One bad length among good ones.
      const t2 = ag.concat([t, t], 0);
      expect(() => linearSequenceCrossEntropy(p, t2, [0, 1, 0, 1], { lengths: [2, 3] })).toThrow("linearSequenceCrossEntropy: argument 'lengths' must give 2 lengths in [1, 2]");
      // A bad target at a padded step is ignored.
      expect(Number.isFinite(linearSequenceCrossEntropy(p, t, [0, 99], { lengths: [1] }).item())).toBe(true);
    }
    expect(() => sequenceCrossEntropy(rand([2, 3], 1), [0, 1])).toThrow("sequenceCrossEntropy: argument 'logits' must be [B, T, C], got [2, 3]");
    expect(() => sequenceCrossEntropy(rand([1, 2, 4], 1), [0, -1])).toThrow("sequenceCrossEntropy: argument 'targets' target -1 at position 1");
    expect(() => linearSequenceCrossEntropy(head, h, [0, 4])).toThrow(/target 4 at position 1 is not a class index in \[0, 4\)/);
    expect(() => linearSequenceCrossEntropy({ weight: rand([4, 2], 2) }, h, [0, 1])).toThrow(/weight of shape \[C, 3\]/);
    expect(() => linearSequenceCrossEntropy(head, rand([2, 3], 1), [0, 1])).toThrow("linearSequenceCrossEntropy: argument 'h' must be [B, T, H], got [2, 3]");
  });
});

describe("dropout", () => {
  it("is seeded, keeps the mean, and zeroes about `rate` of the elements", () => {
    const x = ag.ones([10_000]);
    const a = dropout(x, 0.3, random.key(1)).toArray();
    expect(Array.from(a)).toEqual(Array.from(dropout(x, 0.3, random.key(1)).toArray()));
    const zeros = a.filter((v) => v === 0).length;
    expect(zeros / a.length).toBeGreaterThan(0.27);
    expect(zeros / a.length).toBeLessThan(0.33);
    expect(Array.from(a).reduce((s, v) => s + v, 0) / a.length).toBeCloseTo(1, 1);
  });
});

describe("truncated BPTT", () => {
  const config = { mode: "lstm" as const, inputSize: 3, hiddenSize: 4 };
  const xs = rand([2, 7, 3], 3);
  const head = { weight: rand([1, 4], 4) };
  const lossFn = (p: Record<string, Tensor>, state: { h: Tensor; c: Tensor }, x: Tensor): [Tensor, { h: Tensor; c: Tensor }] => {
    const out = recurrent(p, config, x, { h0: state.h, c0: state.c });
    return [ag.mean(ag.mul(linear(head, out.output), linear(head, out.output))), { h: out.h, c: out.c as Tensor }];
  };

  it("windows cover the sequence", () => {
    expect(windows(7, 3)).toEqual([[0, 3], [3, 3], [6, 1]]);
    expect(ag.attempt(() => windows(7, 0))._tag).toBe("Left");
  });

  it("equals the hand-written loop: carried state, gradient stopped at window boundaries", () => {
    const params = initRecurrent(random.key(1), config, { dtype: "float64" });
    const opt = sgd({ lr: 0.1, momentum: 0.5 });
    const zero = { h: ag.zeros([1, 2, 4], "float64"), c: ag.zeros([1, 2, 4], "float64") };
    const run = tbptt(lossFn, opt, { params, optState: opt.init(params), state: zero }, xs, { window: 3 });
    // By hand: the state entering each window is a constant for that window's gradient.
    let p = params;
    let s = zero;
    let o = opt.init(params);
    const losses: number[] = [];
    for (const [start, len] of windows(7, 3)) {
      const xw = timeSlice(xs, start, len);
      const frozen = { h: ag.stopGradient(s.h), c: ag.stopGradient(s.c) };
      const [loss, g] = ag.valueAndGrad((q: typeof p) => lossFn(q, frozen, xw)[0])(p);
      const next = lossFn(p, s, xw)[1];
      [o, p] = opt.update(o, p, g);
      s = next;
      losses.push(loss.item());
    }
    expect(run.losses.length).toBe(3);
    run.losses.forEach((l, i) => {
      expect(l).toBeCloseTo(losses[i] as number, 12);
    });
    for (const k of Object.keys(params)) {
      const a = (run.params[k] as Tensor).toArray();
      const b = (p[k] as Tensor).toArray();
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i] as number, 12);
    }
    expect(Array.from(run.state.h.toArray())).toEqual(Array.from(s.h.toArray()));
    // Full BPTT over the same steps gives a different first update: the stop matters.
    const full = ag.grad((q: typeof params) => lossFn(q, zero, xs)[0])(params);
    const windowed = ag.grad((q: typeof params) => lossFn(q, zero, timeSlice(xs, 0, 3))[0])(params);
    expect(Array.from((full.weight_hh_l0 as Tensor).toArray())).not.toEqual(Array.from((windowed.weight_hh_l0 as Tensor).toArray()));
  });

  it("training with Adam lowers the loss", () => {
    const params = initRecurrent(random.key(2), config, { dtype: "float64" });
    const opt = adam({ lr: 0.05 });
    let state = { params, optState: opt.init(params), state: { h: ag.zeros([1, 2, 4], "float64"), c: ag.zeros([1, 2, 4], "float64") } };
    const first: number[] = [];
    let last: number[] = [];
    for (let epoch = 0; epoch < 30; epoch++) {
      const r = tbptt(lossFn, opt, { ...state, state: state.state }, xs, { window: 3 });
      state = { params: r.params, optState: r.optState, state: { h: ag.zeros([1, 2, 4], "float64"), c: ag.zeros([1, 2, 4], "float64") } };
      if (epoch === 0) first.push(...r.losses);
      last = r.losses;
    }
    expect(last.reduce((a, b) => a + b, 0)).toBeLessThan(0.5 * first.reduce((a, b) => a + b, 0));
  });
});
