// The lecture's claims as properties, on random shapes and weights (float64):
// - every cell's and layer's gradients match central differences;
// - vanishing gradients: a tanh RNN with the loss read at step T only has ||dL/dh0|| <= s_max(W_hh)^T ||dL/dhT||;
// - the LSTM cell state carries gradients without a matrix product on the path.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CellParams, gruCell, initRecurrent, lstmCell, type Mode, random, recurrent, rnnCell } from "../src/index.js";
import { expectVjp, rand } from "@gated/autograd/testing";

const cellParamsArb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.nat(10_000));

function randomCell(G: number, I: number, H: number, seed: number): CellParams {
  return { weight_ih: rand([G * H, I], seed), weight_hh: rand([G * H, H], seed + 1), bias_ih: rand([G * H], seed + 2), bias_hh: rand([G * H], seed + 3) };
}

describe("cells and layers: gradients match central differences (float64)", () => {
  it("rnnCell (tanh and relu), lstmCell, gruCell", () => {
    fc.assert(
      fc.property(cellParamsArb, fc.constantFrom("tanh", "relu", "lstm", "gru"), ([B, I, H, seed], kind) => {
        const G = kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
        const p = randomCell(G, I, H, seed);
        const x = rand([B, I], seed + 4);
        const h = rand([B, H], seed + 5);
        const c = rand([B, H], seed + 6);
        const f = (wih: Tensor, whh: Tensor, bih: Tensor, bhh: Tensor, x: Tensor, h: Tensor, c: Tensor) => {
          const q = { weight_ih: wih, weight_hh: whh, bias_ih: bih, bias_hh: bhh };
          if (kind === "lstm") {
            const s = lstmCell(q, { h, c }, x);
            return ag.add(ag.sum(ag.mul(s.h, s.h)), ag.sum(s.c));
          }
          const out = kind === "gru" ? gruCell(q, h, x) : rnnCell(q, h, x, kind as "tanh" | "relu");
          return ag.sum(ag.mul(out, out));
        };
        expectVjp(`${kind} cell`, f, [p.weight_ih, p.weight_hh, p.bias_ih, p.bias_hh, x, h, c], seed);
      }),
      { numRuns: 60 },
    );
  });

  it("recurrent layers: stacked, bidirectional, with lengths and initial states", () => {
    fc.assert(
      fc.property(
        fc.record({
          mode: fc.constantFrom<Mode>("rnn_tanh", "rnn_relu", "lstm", "gru"),
          B: fc.integer({ min: 1, max: 3 }),
          T: fc.integer({ min: 1, max: 5 }),
          I: fc.integer({ min: 1, max: 3 }),
          H: fc.integer({ min: 1, max: 3 }),
          L: fc.integer({ min: 1, max: 2 }),
          bidirectional: fc.boolean(),
          withLengths: fc.boolean(),
          seed: fc.nat(10_000),
        }),
        ({ mode, B, T, I, H, L, bidirectional, withLengths, seed }) => {
          const config = { mode, inputSize: I, hiddenSize: H, numLayers: L, bidirectional };
          const params = initRecurrent(random.key(seed), config, { dtype: "float64" });
          const names = Object.keys(params).sort();
          const D = bidirectional ? 2 : 1;
          const x = rand([B, T, I], seed + 1);
          const h0 = rand([L * D, B, H], seed + 2);
          const lengths = withLengths ? Array.from({ length: B }, (_, b) => 1 + ((seed + b) % T)) : undefined;
          const f = (x: Tensor, h0: Tensor, ...ws: Tensor[]) => {
            const p = Object.fromEntries(names.map((n, i) => [n, ws[i] as Tensor]));
            const out = recurrent(p, config, x, { h0, ...(mode === "lstm" ? { c0: ag.mul(h0, 0.5) } : {}), ...(lengths ? { lengths } : {}) });
            const w = rand(out.output.shape, seed + 3);
            return ag.add(ag.add(ag.sum(ag.mul(out.output, w)), ag.sum(ag.mul(out.h, out.h))), ag.sum(ag.tanh(out.last)));
          };
          expectVjp(`${mode} layer`, f, [x, h0, ...names.map((n) => params[n] as Tensor)], seed);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** Largest singular value by power iteration on W^T W (float64). */
function sigmaMax(w: Tensor): number {
  const n = w.shape[1] as number;
  let v = ag.tensorOrThrow(Array.from({ length: n }, (_, i) => 1 + i / n), [n, 1], "float64");
  let s = 0;
  for (let it = 0; it < 500; it++) {
    const u = ag.matmul(w, ag.matmul(w, v), { transA: true });
    const norm = Math.sqrt(ag.sum(ag.mul(u, u)).item());
    v = ag.div(u, norm);
    s = Math.sqrt(norm);
  }
  return s;
}

const norm = (t: Tensor) => Math.sqrt(ag.sum(ag.mul(t, t)).item());

describe("vanishing gradients, as the lecture says", () => {
  it("tanh RNN, loss at step T only: ||dL/dh0|| <= s_max(W_hh)^T ||dL/dhT||, T up to 200", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0.2, max: 1.5, noNaN: true }), fc.nat(10_000), (T, H, I, scale, seed) => {
        const p: CellParams = { weight_ih: rand([H, I], seed), weight_hh: ag.mul(rand([H, H], seed + 1), scale), bias_ih: rand([H], seed + 2), bias_hh: rand([H], seed + 3) };
        const xs = rand([T, 1, I], seed + 4);
        const v = rand([1, H], seed + 5);
        // L = <v, h_T>: dL/dh_T = v, so ||dL/dh_T|| = ||v||.
        const loss = (h0: Tensor) => ag.sum(ag.mul(ag.scan((h: Tensor, x: Tensor): [Tensor, Tensor] => [rnnCell(p, h, x), h], h0, xs)[0], v));
        const g = ag.grad(loss)(rand([1, H], seed + 6)) as Tensor;
        const bound = sigmaMax(p.weight_hh) ** T * norm(v);
        expect(norm(g)).toBeLessThanOrEqual(bound * (1 + 1e-9) + 1e-300);
      }),
      { numRuns: 40 },
    );
  });
});

describe("uninterrupted gradient flow through the LSTM cell state", () => {
  /** Runs T LSTM steps from (h0, c0) and returns the gradient of <v, c_T> with respect to c0, and the forget gates. */
  function cellStateGrad(p: CellParams, xs: Tensor, h0: Tensor, c0: Tensor, v: Tensor) {
    const H = h0.shape[1] as number;
    const step = (s: { h: Tensor; c: Tensor }, x: Tensor): [{ h: Tensor; c: Tensor }, Tensor] => {
      const n = lstmCell(p, s, x);
      // The forget gate of this step, recomputed for the check: sigmoid of gate 1.
      const pre = ag.add(ag.add(ag.matmul(x, p.weight_ih, { transB: true }), p.bias_ih), ag.add(ag.matmul(s.h, p.weight_hh, { transB: true }), p.bias_hh));
      return [n, ag.sigmoid(ag.slice(pre, [0, H], [1, H]))];
    };
    const [, fs] = ag.scan(step, { h: h0, c: c0 }, xs);
    const g = ag.grad((c0: Tensor) => ag.sum(ag.mul(ag.scan(step, { h: h0, c: c0 }, xs)[0].c, v)))(c0) as Tensor;
    return { g, fs };
  }

  it("(a) with W_hh = 0, dL/dc0 = dL/dcT * prod_t f_t elementwise, T up to 1000", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 4 }), fc.nat(10_000), (T, H, seed) => {
        const I = 2;
        const p: CellParams = { weight_ih: rand([4 * H, I], seed), weight_hh: ag.zeros([4 * H, H], "float64"), bias_ih: ag.add(rand([4 * H], seed + 1), 3), bias_hh: rand([4 * H], seed + 2) };
        const xs = rand([T, 1, I], seed + 3);
        const v = rand([1, H], seed + 4);
        const { g, fs } = cellStateGrad(p, xs, rand([1, H], seed + 5), rand([1, H], seed + 6), v);
        const f = fs.toArray();
        const want = Array.from(v.toArray());
        for (let t = 0; t < T; t++) for (let j = 0; j < H; j++) want[j] = (want[j] as number) * (f[t * H + j] as number);
        const got = g.toArray();
        for (let j = 0; j < H; j++) expect(got[j]).toBeCloseTo(want[j] as number, 10);
      }),
      { numRuns: 12 },
    );
  });

  it("(b) forget gates above 0.9999 keep ||dL/dc0|| / ||dL/dcT|| >= 0.1 at T = 1000, where a tanh RNN falls below 1e-6", () => {
    // Set-up: H = 8, I = 4, B = 1, T = 1000, inputs U(-1, 1), seed 3. LSTM: PyTorch's default U(-1/sqrt(H), 1/sqrt(H))
    // for every weight and bias, then the forget gate's bias raised to 12, so f_t = sigmoid(12 + w.x + u.h) >= sigmoid(12 - 1.42 * 2 - ...)
    // stays above 0.9999 (checked below). Loss L = <v, c_T>. RNN: the same width, PyTorch's default initialisation,
    // tanh, loss L = <v, h_T>. Ratios are ||dL/d(state_0)|| / ||dL/d(state_T)|| = ||grad|| / ||v||.
    const T = 1000;
    const H = 8;
    const I = 4;
    const k = random.key(3);
    const lstm = initRecurrent(k, { mode: "lstm", inputSize: I, hiddenSize: H }, { dtype: "float64", forgetBias: 12 });
    const p: CellParams = { weight_ih: lstm.weight_ih_l0 as Tensor, weight_hh: lstm.weight_hh_l0 as Tensor, bias_ih: lstm.bias_ih_l0 as Tensor, bias_hh: lstm.bias_hh_l0 as Tensor };
    const xs = rand([T, 1, I], 11);
    const v = rand([1, H], 12);
    const { g, fs } = cellStateGrad(p, xs, ag.zeros([1, H], "float64"), ag.zeros([1, H], "float64"), v);
    expect(Math.min(...fs.toArray())).toBeGreaterThan(0.9999);
    const lstmRatio = norm(g) / norm(v);
    expect(lstmRatio).toBeGreaterThanOrEqual(0.1);

    const rnn = initRecurrent(k, { mode: "rnn_tanh", inputSize: I, hiddenSize: H }, { dtype: "float64" });
    const q: CellParams = { weight_ih: rnn.weight_ih_l0 as Tensor, weight_hh: rnn.weight_hh_l0 as Tensor, bias_ih: rnn.bias_ih_l0 as Tensor, bias_hh: rnn.bias_hh_l0 as Tensor };
    const grnn = ag.grad((h0: Tensor) => ag.sum(ag.mul(ag.scan((h: Tensor, x: Tensor): [Tensor, Tensor] => [rnnCell(q, h, x), h], h0, xs)[0], v)))(ag.zeros([1, H], "float64")) as Tensor;
    const rnnRatio = norm(grnn) / norm(v);
    expect(rnnRatio).toBeLessThan(1e-6);
  });
});
