// The float32 path (WebAssembly kernels) against the float64 reference: same function, same inputs.
// Stated tolerance: relative error <= 1e-4 of each tensor's largest magnitude (float32 has 2^-24 = 6e-8 per
// rounding; these functions chain a few dozen roundings and sums of up to a few hundred terms).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { rand } from "./util.js";

const TOLERANCE = 1e-4;

function expectClose(f32: Tensor, f64: Tensor, what: string): void {
  expect(f32.dtype).toBe("float32");
  const a = f32.toArray();
  const b = f64.toArray();
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs((a[i] as number) - (b[i] as number));
    if (!(err <= TOLERANCE * Math.max(scale, 1e-3))) expect.fail(`${what}: element ${i} float32 ${a[i]} vs float64 ${b[i]} (scale ${scale})`);
  }
}

interface Lstm {
  wih: Tensor;
  whh: Tensor;
  b: Tensor;
}

/** One LSTM step (gate order i, f, g, o), then a loss: the shape of the work the float32 path must get right. */
function lstmLoss(p: Lstm, x: Tensor, h: Tensor, c: Tensor): Tensor {
  const H = h.shape[1] as number;
  const B = h.shape[0] as number;
  const gates = ag.add(ag.add(ag.matmul(x, p.wih, { transB: true }), ag.matmul(h, p.whh, { transB: true })), p.b);
  const gate = (k: number) => ag.slice(gates, [0, k * H], [B, H]);
  const i = ag.sigmoid(gate(0));
  const f = ag.sigmoid(gate(1));
  const g = ag.tanh(gate(2));
  const o = ag.sigmoid(gate(3));
  const c2 = ag.add(ag.mul(f, c), ag.mul(i, g));
  const h2 = ag.mul(o, ag.tanh(c2));
  return ag.add(ag.crossEntropy(h2, Array.from({ length: B }, (_, r) => r % H)), ag.mean(ag.mul(c2, c2)));
}

describe("float32 (WebAssembly) against float64", () => {
  it("an LSTM step: value and every gradient agree within 1e-4 relative", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 17 }), fc.nat(1000), (B, I, H, seed) => {
        const make = (dtype: ag.DType) => {
          const cast = (t: Tensor) => ag.astype(t, dtype);
          const p = { wih: cast(rand([4 * H, I], seed)), whh: cast(rand([4 * H, H], seed + 1)), b: cast(rand([4 * H], seed + 2)) };
          return [p, cast(rand([B, I], seed + 3)), cast(rand([B, H], seed + 4)), cast(rand([B, H], seed + 5))] as const;
        };
        const vg = ag.valueAndGrad(lstmLoss, { argnums: [0, 1, 2, 3] });
        const [v32, g32] = vg(...make("float32"));
        const [v64, g64] = vg(...make("float64"));
        expectClose(v32, v64, "loss");
        const a = ag.leaves(g32).tensors;
        const b = ag.leaves(g64).tensors;
        for (const [k, t] of a.entries()) expectClose(t, b[k] as Tensor, `gradient ${ag.leaves(g32).paths[k]}`);
      }),
      { numRuns: 40 },
    );
  });

  it("reductions, softmax and broadcasting agree too", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.nat(1000), (r, c, seed) => {
        const f = (x: Tensor, b: Tensor) => ag.sum(ag.mul(ag.softmax(ag.add(x, b)), ag.max(x, 0, { keepDims: true })));
        const x = rand([r, c], seed, -3, 3);
        const b = rand([c], seed + 1);
        const [v32, g32] = ag.valueAndGrad(f, { argnums: [0, 1] })(ag.astype(x, "float32"), ag.astype(b, "float32"));
        const [v64, g64] = ag.valueAndGrad(f, { argnums: [0, 1] })(x, b);
        expectClose(v32, v64, "value");
        for (const [k, t] of g32.entries()) expectClose(t, g64[k] as Tensor, `gradient ${k}`);
      }),
      { numRuns: 40 },
    );
  });
});
