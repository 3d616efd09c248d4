// The token-by-token stepper against the sequence path: the logits after each token equal those of running
// the whole sequence through `recurrent` (composed cells) and the head, for every cell, one and two layers,
// one and several rows; its state can be read, set, reset and reordered (beam search).
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initRecurrent, linear, type Mode, random, recurrent, recurrentStepper, xavierUniform } from "../src/index.js";

function rand32(shape: readonly number[], seed: number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return ag.tensorFromArray(Float32Array.from(random.uniform(random.key(seed), n), (u) => scale * (2 * u - 1)), shape);
}

interface Model {
  readonly config: { mode: Mode; inputSize: number; hiddenSize: number; numLayers: number };
  readonly params: Record<string, Tensor>;
  readonly embedding: Tensor;
  readonly head: { weight: Tensor; bias: Tensor };
  readonly V: number;
}

function model(mode: Mode, V: number, E: number, H: number, L: number, seed: number): Model {
  const config = { mode, inputSize: E, hiddenSize: H, numLayers: L };
  return {
    config,
    params: initRecurrent(random.key(seed), config),
    embedding: rand32([V, E], seed + 1, 1.5),
    head: { weight: xavierUniform(random.key(seed + 2), [V, H]), bias: rand32([V], seed + 3) },
    V,
  };
}

/** Logits [B, T, V] of the sequence path, from state (h0, c0) [L, B, H]. */
function sequenceLogits(m: Model, tokens: number[][], h0?: Tensor, c0?: Tensor): Float32Array {
  const B = tokens.length;
  const T = (tokens[0] as number[]).length;
  const x = ag.gather(m.embedding, tokens.flat(), [B, T]);
  const out = recurrent(m.params, m.config, x, { fused: false, ...(h0 ? { h0 } : {}), ...(c0 && m.config.mode === "lstm" ? { c0 } : {}) });
  return linear(m.head, out.output).toArray() as Float32Array;
}

function expectClose(got: Float32Array, want: ArrayLike<number>, what: string): void {
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i] as number));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs((got[i] as number) - (want[i] as number)) <= 2e-5 * scale)) expect.fail(`${what}: [${i}] = ${got[i]}, sequence path ${want[i]}`);
  }
}

describe("recurrentStepper", () => {
  it("gives the sequence path's logits after every token (every cell, 1-2 layers, 1-3 rows, hidden sizes with SIMD tails)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Mode>("lstm", "gru", "rnn_tanh", "rnn_relu"),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 2 }),
        fc.nat(10_000),
        (mode, B, T, H, L, seed) => {
          const m = model(mode, 11, 5, H, L, seed);
          const tokens = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (seed + 3 * b + 7 * t) % m.V));
          const want = sequenceLogits(m, tokens);
          const s = recurrentStepper(m.params, m.config, { embedding: m.embedding, head: m.head, batch: B });
          for (let t = 0; t < T; t++) {
            s.step(tokens.map((row) => row[t] as number));
            const got = s.logits();
            const rows = Array.from({ length: B }, (_, b) => Array.from(want.subarray((b * T + t) * m.V, (b * T + t + 1) * m.V))).flat();
            expectClose(got, rows, `${mode} B=${B} H=${H} L=${L} step ${t}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reads, sets, resets and reorders its state (beam search's bookkeeping)", () => {
    for (const mode of ["lstm", "gru"] as const) {
      const m = model(mode, 9, 4, 6, 2, 3);
      const s = recurrentStepper(m.params, m.config, { embedding: m.embedding, head: m.head, batch: 3 });
      s.step([1, 2, 3]);
      s.step([4, 5, 6]);
      const st = s.state();
      expect(st.h.length).toBe(2 * 3 * 6);
      // Continuing from a given state equals the sequence path started from it.
      const h0 = ag.tensorFromArray(st.h, [2, 3, 6]);
      const c0 = st.c ? ag.tensorFromArray(st.c, [2, 3, 6]) : undefined;
      s.step([7, 8, 0]);
      expectClose(s.logits(), sequenceLogits(m, [[7], [8], [0]], h0, c0), `${mode} from a state`);
      // reorder: row r takes old row rows[r].
      s.setState(st.h, st.c);
      s.reorder([2, 2, 0]);
      s.step([1, 1, 1]);
      const pick = (x: Float32Array, rows: number[]) => Float32Array.from(rows.flatMap((r) => Array.from(x.subarray(r * 6, (r + 1) * 6))));
      const reordered = (x: Float32Array) => Float32Array.from([0, 1].flatMap((l) => Array.from(pick(x.subarray(l * 18, (l + 1) * 18), [2, 2, 0]))));
      const h1 = ag.tensorFromArray(reordered(st.h), [2, 3, 6]);
      const c1 = st.c ? ag.tensorFromArray(reordered(st.c), [2, 3, 6]) : undefined;
      expectClose(s.logits(), sequenceLogits(m, [[1], [1], [1]], h1, c1), `${mode} reordered`);
      s.reset();
      s.step([3, 3, 3]);
      expectClose(s.logits(), sequenceLogits(m, [[3], [3], [3]]), `${mode} after reset`);
    }
  });

  it("refuses what it cannot step, naming it", () => {
    const m = model("lstm", 7, 3, 4, 1, 1);
    expect(() => recurrentStepper(m.params, { ...m.config, bidirectional: true }, { embedding: m.embedding, head: m.head })).toThrow(
      "recurrentStepper: argument 'config' is bidirectional: a reverse direction reads tokens not yet generated, so it cannot be stepped",
    );
    // The configuration is checked as recurrent checks it (not left to the kernels' stepper to trip over).
    expect(() => recurrentStepper(m.params, { ...m.config, hiddenSize: 0 }, { embedding: m.embedding, head: m.head })).toThrow("recurrent config: argument 'hiddenSize' must be a positive integer, got 0");
    expect(() => recurrentStepper(m.params, m.config, { embedding: rand32([7, 3, 1], 1), head: m.head })).toThrow("recurrentStepper: argument 'embedding' must be [V, 3], got [7, 3, 1]");
    expect(() => recurrentStepper(m.params, m.config, { embedding: rand32([7, 2], 1), head: m.head })).toThrow("recurrentStepper: argument 'embedding' must be [V, 3], got [7, 2]");
    expect(() => recurrentStepper(m.params, m.config, { embedding: rand32([7], 1), head: m.head })).toThrow("recurrentStepper: argument 'embedding' must be [V, 3], got [7]");
    const f64 = (t: Tensor) => ag.astype(t, "float64");
    const cases: [string, () => unknown][] = [
      ["embedding", () => recurrentStepper(m.params, m.config, { embedding: f64(m.embedding), head: m.head })],
      ["head.weight", () => recurrentStepper(m.params, m.config, { embedding: m.embedding, head: { ...m.head, weight: f64(m.head.weight) } })],
      ["head.bias", () => recurrentStepper(m.params, m.config, { embedding: m.embedding, head: { ...m.head, bias: f64(m.head.bias) } })],
      ...(["weight_ih", "weight_hh", "bias_ih", "bias_hh"] as const).map((k): [string, () => unknown] => [
        `${k}_l0`,
        () => recurrentStepper({ ...m.params, [`${k}_l0`]: f64(m.params[`${k}_l0`] as Tensor) }, m.config, { embedding: m.embedding, head: m.head }),
      ]),
    ];
    for (const [name, make] of cases) expect(make, name).toThrow(`recurrentStepper: argument '${name}' must be float32 (the stepper's kernels are float32), got float64`);
    const s = recurrentStepper(m.params, m.config, { embedding: m.embedding, head: m.head, batch: 2 });
    expect(() => s.step([1])).toThrow(/must hold 2 token ids/);
    expect(() => s.step([1, 7])).toThrow(/token 7 at row 1 is not an id in \[0, 7\)/);
    expect(() => s.reorder([0, 2])).toThrow(/index 2 at 1 is not a row/);
    expect(() => s.setState(new Float32Array(3))).toThrow(/'h' has 3 elements, expected 8/);
    expect(() => s.logits(new Float32Array(3))).toThrow(/must be a Float32Array of 14 values/);
  });
});
