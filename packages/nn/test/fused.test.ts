// The fused recurrence (one kernel per step, hand-written backward) against the composed cells it replaces
// (stepped in a scan, differentiated primitive by primitive): same outputs, final states and gradients of every
// parameter, the input and the initial states, in float32, for every cell, stacked and bidirectional layers,
// lengths, initial states and dropout between layers. The cotangents are random (the loss weighs every output
// and both final states), so a wrong sign, a missed mask, a swapped direction or a dropped dh_T shows.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { relError } from "@gated/autograd/testing";
import { heapStats } from "@gated/kernels";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initRecurrent, type Mode, random, recurrent } from "../src/index.js";

/** Deterministic float32 values in [-scale, scale). */
function rand32(shape: readonly number[], seed: number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return ag.tensorFromArray(Float32Array.from(random.uniform(random.key(seed), n), (u) => scale * (2 * u - 1)), shape);
}


const caseArb = fc.record({
  mode: fc.constantFrom<Mode>("rnn_tanh", "rnn_relu", "lstm", "gru"),
  B: fc.integer({ min: 1, max: 5 }),
  T: fc.integer({ min: 1, max: 9 }),
  I: fc.integer({ min: 1, max: 6 }),
  // 1..11 reaches both the SIMD body (4 lanes) and the scalar tail of the step kernels.
  H: fc.integer({ min: 1, max: 11 }),
  L: fc.integer({ min: 1, max: 2 }),
  bidirectional: fc.boolean(),
  withLengths: fc.boolean(),
  withState: fc.boolean(),
  dropout: fc.constantFrom(0, 0.3),
  seed: fc.nat(100_000),
});

type Case = typeof caseArb extends fc.Arbitrary<infer C> ? C : never;

/** Values and gradients of one run: fused or composed, float32 or float64 (always composed). */
function run(c: Case, fused: boolean, dtype: "float32" | "float64" = "float32") {
  const { mode, B, T, I, H, L, bidirectional, withLengths, withState, dropout, seed } = c;
  const config = { mode, inputSize: I, hiddenSize: H, numLayers: L, bidirectional, dropout };
  const D = bidirectional ? 2 : 1;
  const params = initRecurrent(random.key(seed), config, { dtype });
  const names = Object.keys(params).sort();
  const cast = (t: Tensor) => ag.astype(t, dtype);
  const x = cast(rand32([B, T, I], seed + 1, 2));
  const h0 = cast(rand32([L * D, B, H], seed + 2));
  const c0 = cast(rand32([L * D, B, H], seed + 3));
  const lengths = withLengths ? Array.from({ length: B }, (_, b) => 1 + ((seed + 7 * b) % T)) : undefined;
  const wOut = cast(rand32([B, T, D * H], seed + 4));
  const wH = cast(rand32([L * D, B, H], seed + 5));
  const wC = cast(rand32([L * D, B, H], seed + 6));
  const wLast = cast(rand32([B, D * H], seed + 7));
  const f = (x: Tensor, h0: Tensor, c0: Tensor, ...ws: Tensor[]) => {
    const p = Object.fromEntries(names.map((n, i) => [n, ws[i] as Tensor]));
    const out = recurrent(p, config, x, {
      fused,
      ...(withState ? { h0, ...(mode === "lstm" ? { c0 } : {}) } : {}),
      ...(lengths ? { lengths } : {}),
      ...(dropout > 0 ? { training: true, key: random.key(seed + 8) } : {}),
    });
    let loss = ag.add(ag.add(ag.sum(ag.mul(out.output, wOut)), ag.sum(ag.mul(out.h, wH))), ag.sum(ag.mul(out.last, wLast)));
    if (out.c) loss = ag.add(loss, ag.sum(ag.mul(out.c, wC)));
    return [loss, out] as const;
  };
  const argnums = names.map((_, i) => i + 3);
  const [, grads, out] = ag.valueAndGrad(f, { argnums: [0, 1, 2, ...argnums], hasAux: true })(x, h0, c0, ...names.map((n) => params[n] as Tensor));
  const o = out as ReturnType<typeof recurrent>;
  const gs = grads as Tensor[];
  const named: [string, Tensor][] = [
    ["output", o.output],
    ["h_n", o.h],
    ["last", o.last],
    ...(o.c ? [["c_n", o.c] as [string, Tensor]] : []),
    ["grad x", gs[0] as Tensor],
    ...(withState ? [["grad h0", gs[1] as Tensor] as [string, Tensor]] : []),
    ...(withState && mode === "lstm" ? [["grad c0", gs[2] as Tensor] as [string, Tensor]] : []),
    ...names.map((n, i): [string, Tensor] => [`grad ${n}`, gs[i + 3] as Tensor]),
  ];
  return named;
}

/**
 * Both float32 paths against the float64 composed run (the truth): the fused error may be at most 8 times the
 * composed one, or 2e-5 of the tensor's scale. A relative bound alone would fail on honest cancellation (a
 * weight gradient summed over T*B terms, in another order by the fused path's single GEMM, can be far smaller
 * than its terms); the bugs this catches (a mask ignored, a direction or a state gradient lost, a step missed
 * in a sum) are off by 1e-2 or more.
 */
function compare(c: Case, tolerance: (composedError: number) => number): { worstFused: number; worstRatio: number } {
  const fused = run(c, true);
  const composed = run(c, false);
  const truth = run(c, false, "float64");
  expect(fused.map(([n]) => n)).toEqual(truth.map(([n]) => n));
  let worstFused = 0;
  let worstRatio = 0;
  for (const [i, [name, got]] of fused.entries()) {
    const want = (truth[i] as [string, Tensor])[1];
    const ef = relError(got, want);
    const ec = relError((composed[i] as [string, Tensor])[1], want);
    worstFused = Math.max(worstFused, ef);
    worstRatio = Math.max(worstRatio, ef / Math.max(ec, 1e-12));
    if (!(ef <= tolerance(ec))) expect.fail(`${name}: fused relative error ${ef}, composed ${ec} (case ${JSON.stringify(c)})`);
  }
  return { worstFused, worstRatio };
}

describe("fused recurrence = composed cells (float32)", () => {
  it("outputs, final states and every gradient, on random cells, shapes, lengths, states and dropout", () => {
    let worst = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        worst = Math.max(worst, compare(c, (ec) => Math.max(8 * ec, 2e-5)).worstFused);
      }),
      { numRuns: 120 },
    );
    // float32 against float64: not vacuous (the fused path does round), and nowhere near a bug's O(1).
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
  });

  it("a long sequence (T = 200, H = 32): the gradients still agree", () => {
    for (const mode of ["lstm", "gru", "rnn_tanh"] as const) {
      const c: Case = { mode, B: 3, T: 200, I: 5, H: 32, L: 1, bidirectional: false, withLengths: true, withState: true, dropout: 0, seed: 42 };
      compare(c, (ec) => Math.max(8 * ec, 2e-5));
    }
  });
});

describe("recurrence: arguments", () => {
  // T = 3, B = 2, I = 5, H = 2, LSTM (G = 4).
  const x = rand32([3, 2, 5], 1);
  const p = { weightIh: rand32([8, 5], 2), weightHh: rand32([8, 2], 3), biasIh: rand32([8], 4), biasHh: rand32([8], 5) };
  const h0 = rand32([2, 2], 6);
  it("refuses float64 (the composed cells are the float64 path), wrong shapes and bad lengths, naming them", () => {
    const as64 = (t: Tensor) => ag.astype(t, "float64");
    const p64 = { weightIh: as64(p.weightIh), weightHh: as64(p.weightHh), biasIh: as64(p.biasIh), biasHh: as64(p.biasHh) };
    expect(() => ag.recurrence("lstm", as64(x), p64, as64(h0), as64(h0))).toThrow(/float32 only.*composed cells/);
    expect(() => ag.recurrence("lstm", x, { ...p, weightHh: rand32([6, 2], 1) }, h0, h0)).toThrow(/weightHh of shape \[4\*H, H\]/);
    expect(() => ag.recurrence("lstm", x, { ...p, weightIh: rand32([8, 4], 1) }, h0, h0)).toThrow(/weightIh of shape \[8, 5\]/);
    expect(() => ag.recurrence("lstm", rand32([3, 2], 1), p, h0, h0)).toThrow(/time-major input \[T, B, I\]/);
    expect(() => ag.recurrence("lstm", x, { ...p, biasHh: rand32([7], 1) }, h0, h0)).toThrow(/biasHh of shape \[8\]/);
    expect(() => ag.recurrence("lstm", x, { ...p, biasIh: undefined } as never, h0, h0)).toThrow(/params.*has no tensor 'biasIh'/);
    expect(() => ag.recurrence("lstm", x, p, h0)).toThrow(/c0.*is needed/);
    expect(() => ag.recurrence("lstm", x, p, rand32([3, 2], 1), h0)).toThrow(/h0 of shape \[2, 2\]/);
    expect(() => ag.recurrence("lstm", x, p, h0, h0, { lengths: [1] })).toThrow(/2 lengths/);
    expect(() => ag.recurrence("lstm", x, p, h0, h0, { lengths: [1, 4] })).toThrow(/length 4 of sequence 1 is not in \[1, 3\]/);
    expect(() => ag.recurrence("lstmx" as "lstm", x, p, h0, h0)).toThrow(/must be "lstm", "gru"/);
  });

  it("works outside any transform (its result lands in host memory) and inside one", () => {
    const { y, h, c } = ag.recurrence("lstm", x, p, h0, h0);
    expect(y.shape).toEqual([3, 2, 2]);
    expect(h.shape).toEqual([2, 2]);
    expect(c?.shape).toEqual([2, 2]);
    // The last step's output is the final state.
    expect(Array.from(y.toArray().subarray(8, 12))).toEqual(Array.from(h.toArray()));
    const gp = { weightIh: rand32([6, 5], 7), biasIh: rand32([6], 8), biasHh: rand32([6], 9) };
    const [v, g] = ag.valueAndGrad((w: Tensor) => ag.sum(ag.recurrence("gru", x, { ...gp, weightHh: w }, h0).h))(rand32([6, 2], 10));
    expect(Number.isFinite(v.item())).toBe(true);
    expect(g.shape).toEqual([6, 2]);
  });
});

describe("fused recurrence: WebAssembly memory", () => {
  it("stays flat over 10,000 training steps of a fused LSTM layer", () => {
    const config = { mode: "lstm" as const, inputSize: 3, hiddenSize: 8 };
    let params = initRecurrent(random.key(1), config);
    const x = rand32([2, 4, 3], 2);
    const vg = ag.valueAndGrad((p: typeof params) => ag.sum(recurrent(p, config, x).output));
    const step = () => {
      const [, g] = vg(params);
      // A new parameter tree every step, as an optimiser makes: nothing may pile up.
      params = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, ag.sub(t, ag.mul(g[k] as Tensor, 1e-3))]));
    };
    for (let i = 0; i < 100; i++) step();
    const before = heapStats();
    for (let i = 0; i < 10_000; i++) step();
    const after = heapStats();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.topBytes).toBeLessThanOrEqual(before.topBytes);
  });
});
