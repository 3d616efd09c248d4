// Every cell's and layer's gradients match central differences, on random shapes and weights (float64). The
// long-sequence claims (vanishing gradients, the LSTM cell state's uninterrupted flow) are in long-sequence.test.ts.
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
