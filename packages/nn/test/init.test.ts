// Initialisers and presets: determinism, ranges, orthogonality, the IRNN preset and the forget-gate bias.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { describe, expect, it } from "vitest";
import { identity, initRecurrent, irnn, orthogonal, pytorchDefault, random, xavierNormal, xavierUniform } from "../src/index.js";

const arr = (t: Tensor) => Array.from(t.toArray());

describe("initialisers", () => {
  it("are deterministic per key and differ between keys", () => {
    const k = random.key(42);
    expect(arr(xavierUniform(k, [5, 7]))).toEqual(arr(xavierUniform(random.key(42), [5, 7])));
    expect(arr(xavierUniform(k, [5, 7]))).not.toEqual(arr(xavierUniform(random.key(43), [5, 7])));
    const [a, b] = random.split(k);
    expect(arr(pytorchDefault(a as random.Key, [9], 4))).not.toEqual(arr(pytorchDefault(b as random.Key, [9], 4)));
  });

  it("respect their ranges and scales", () => {
    const u = arr(pytorchDefault(random.key(1), [64, 64], 16));
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...u.map(Math.abs))).toBeGreaterThan(0.24);
    const x = arr(xavierUniform(random.key(2), [100, 300]));
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 400));
    const n = arr(xavierNormal(random.key(3), [200, 200]));
    const sd = Math.sqrt(n.reduce((s, v) => s + v * v, 0) / n.length);
    expect(sd).toBeGreaterThan(0.9 * Math.sqrt(2 / 400));
    expect(sd).toBeLessThan(1.1 * Math.sqrt(2 / 400));
    expect(arr(identity([2, 3], 0.5))).toEqual([0.5, 0, 0, 0, 0.5, 0]);
  });

  it("orthogonal gives orthonormal rows or columns (square, wide, tall, and 1024 x 1024)", () => {
    // pnpm mutate runs this once per mutant: the 1024 x 1024 case (4 s) only in ordinary runs.
    for (const [r, c] of [[6, 6], [3, 7], [9, 4], ...(process.env.GATED_MUTATION ? [] : [[1024, 1024]])] as const) {
      const q = orthogonal(random.key(r * 31 + c), [r, c], 1, "float64");
      const gram = r <= c ? ag.matmul(q, q, { transB: true }) : ag.matmul(q, q, { transA: true });
      const g = gram.toArray();
      const n = Math.min(r, c);
      let worst = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs((g[i * n + j] as number) - (i === j ? 1 : 0)));
      expect(worst, `${r}x${c}`).toBeLessThan(1e-10);
    }
  });

  it("the IRNN preset: relu, W_hh = gain I, zero biases", () => {
    const { config, params } = irnn(random.key(5), 3, 4, { gain: 0.9 });
    expect(config.mode).toBe("rnn_relu");
    expect(arr(params.weight_hh_l0 as Tensor)).toEqual(arr(identity([4, 4], 0.9)));
    expect(arr(params.bias_ih_l0 as Tensor)).toEqual([0, 0, 0, 0]);
    expect(arr(params.bias_hh_l0 as Tensor)).toEqual([0, 0, 0, 0]);
  });

  it("the LSTM forget-gate bias lands on gate f of bias_ih, with bias_hh's f part zero; names are PyTorch's", () => {
    const p = initRecurrent(random.key(6), { mode: "lstm", inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true }, { forgetBias: 1 });
    expect(Object.keys(p).length).toBe(16);
    expect(p.weight_ih_l1_reverse?.shape).toEqual([12, 6]);
    expect(p.weight_hh_l0?.shape).toEqual([12, 3]);
    expect(arr(p.bias_ih_l0 as Tensor).slice(3, 6)).toEqual([1, 1, 1]);
    expect(arr(p.bias_hh_l0 as Tensor).slice(3, 6)).toEqual([0, 0, 0]);
  });

  it("chrono initialisation: forget biases log U[1, Tmax - 1], input biases their negatives, nothing else changed", () => {
    // H = 1000 gives the mean a standard deviation of 1.8; pnpm mutate uses 250 (deterministic: one key).
    const H = process.env.GATED_MUTATION ? 250 : 1000;
    const config = { mode: "lstm" as const, inputSize: 2, hiddenSize: H, numLayers: 2 };
    const p = initRecurrent(random.key(8), config, { chrono: 200 });
    const plain = initRecurrent(random.key(8), config);
    for (const l of [0, 1]) {
      const bi = arr(p[`bias_ih_l${l}`] as Tensor);
      const bh = arr(p[`bias_hh_l${l}`] as Tensor);
      const f = bi.slice(H, 2 * H);
      expect(bi.slice(0, H)).toEqual(f.map((v) => -v));
      expect(bh.slice(0, 2 * H).every((v) => v === 0)).toBe(true);
      // exp(b_f) is uniform on [1, 199]: its mean is 100 and its range fills the interval
      const e = f.map(Math.exp);
      expect(Math.min(...e)).toBeGreaterThanOrEqual(1 - 1e-4);
      expect(Math.max(...e)).toBeLessThanOrEqual(199 * (1 + 1e-4));
      expect(Math.abs(e.reduce((a, v) => a + v, 0) / H - 100)).toBeLessThan(6); // sd of the mean: 57 / sqrt(1000) = 1.8
      // the g and o biases and every weight are the default initialisation's
      expect(bi.slice(2 * H)).toEqual(arr(plain[`bias_ih_l${l}`] as Tensor).slice(2 * H));
      expect(arr(p[`weight_hh_l${l}`] as Tensor)).toEqual(arr(plain[`weight_hh_l${l}`] as Tensor));
    }
    expect(() => initRecurrent(random.key(8), { mode: "gru", inputSize: 2, hiddenSize: 3 }, { chrono: 10 })).toThrow(/LSTMs only/);
    expect(() => initRecurrent(random.key(8), config, { chrono: 10, forgetBias: 1 })).toThrow(/not both/);
    expect(() => initRecurrent(random.key(8), config, { chrono: 1 })).toThrow(/must be >= 2/);
  });
});
