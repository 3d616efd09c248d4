// The fused recurrent step kernels: every WebAssembly build equals the JS twin on random shapes (rows, and
// hidden sizes that exercise the SIMD body and the scalar tail), masks and optional dy; frozen rows copy the
// state exactly; in-place use gives the same numbers; bad arguments are refused by name.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocF32, type F32, KernelArgumentError, type Kernels } from "../src/index.js";
import { firstMismatch, js, randomF32, runs, wasmBackends } from "./util.js";

type Role = "in" | "out" | "inout";
/** One argument: name, role, elements per row in units of H (or 1 per row: "row"; "bias": 3H in all), optional. */
interface ArgSpec {
  readonly name: string;
  readonly role: Role;
  readonly per: number | "row" | "bias";
  readonly optional?: boolean;
}
interface KernelSpec {
  readonly kernel: "lstmForward" | "lstmBackward" | "gruForward" | "gruBackward" | "rnnForward" | "rnnBackward";
  readonly args: readonly ArgSpec[];
  /** Trailing flag (rnn: relu). */
  readonly flag?: boolean;
  /** State outputs that may be the very array of an input: [output, input]. */
  readonly inPlace: readonly (readonly [string, string])[];
}

const a = (name: string, role: Role, per: ArgSpec["per"], optional = false): ArgSpec => ({ name, role, per, optional });
const mask = a("mask", "in", "row", true);

const specs: KernelSpec[] = [
  {
    kernel: "lstmForward",
    args: [a("gates", "inout", 4), a("cOut", "out", 1), a("hOut", "out", 1), a("y", "out", 1), a("cPrev", "in", 1), a("hPrev", "in", 1), mask],
    inPlace: [["cOut", "cPrev"], ["hOut", "hPrev"]],
  },
  {
    kernel: "lstmBackward",
    args: [
      a("dPre", "out", 4), a("dhPrev", "out", 1), a("dcPrev", "out", 1), a("gates", "in", 4), a("cPrev", "in", 1), a("cNew", "in", 1),
      a("dh", "in", 1), a("dy", "in", 1, true), a("dc", "in", 1), mask,
    ],
    inPlace: [["dhPrev", "dh"], ["dcPrev", "dc"]],
  },
  {
    kernel: "gruForward",
    args: [a("saved", "out", 4), a("hOut", "out", 1), a("y", "out", 1), a("xp", "in", 3), a("hp", "in", 3), a("bias", "in", "bias"), a("hPrev", "in", 1), mask],
    inPlace: [["hOut", "hPrev"]],
  },
  {
    kernel: "gruBackward",
    args: [a("dxp", "out", 3), a("dhp", "out", 3), a("dhPrev", "out", 1), a("saved", "in", 4), a("hPrev", "in", 1), a("dh", "in", 1), a("dy", "in", 1, true), mask],
    inPlace: [["dhPrev", "dh"]],
  },
  ...[false, true].flatMap((relu): KernelSpec[] => [
    { kernel: "rnnForward", args: [a("pre", "inout", 1), a("hOut", "out", 1), a("y", "out", 1), a("hPrev", "in", 1), mask], flag: relu, inPlace: [["hOut", "hPrev"]] },
    { kernel: "rnnBackward", args: [a("dPre", "out", 1), a("dhPrev", "out", 1), a("act", "in", 1), a("dh", "in", 1), a("dy", "in", 1, true), mask], flag: relu, inPlace: [["dhPrev", "dh"]] },
  ]),
];

const title = (s: KernelSpec): string => `${s.kernel}${s.flag === undefined ? "" : s.flag ? " (relu)" : " (tanh)"}`;
const extent = (p: ArgSpec, rows: number, H: number): number => (p.per === "row" ? rows : p.per === "bias" ? 3 * H : p.per * rows * H);

function call(K: Kernels, s: KernelSpec, values: readonly (F32 | null)[], rows: number, H: number): void {
  const f = K[s.kernel] as (...xs: unknown[]) => void;
  f.call(K, ...values, rows, H, ...(s.flag === undefined ? [] : [s.flag]));
}

interface Case {
  readonly rows: number;
  readonly H: number;
  readonly seed: number;
  readonly masked: boolean;
  readonly withDy: boolean;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * A backward kernel's saved activations in the ranges its forward pass gives them: the LSTM's gates i, f, o in
 * (0, 1) and g in (-1, 1); the GRU's r, z in (0, 1), n in (-1, 1); the RNN's tanh or relu output. (Out of range,
 * 1 - tanh(c)^2 and x (1 - x) amplify the twins' last-bit differences past any honest tolerance.)
 */
function activations(s: KernelSpec, name: string, x: Float32Array, H: number): Float32Array {
  const block = (j: number) => Math.floor(j / H) % 4;
  if (s.kernel === "lstmBackward" && name === "gates") return x.map((v, j) => (block(j) === 2 ? Math.tanh(v) : sigmoid(v)));
  if (s.kernel === "gruBackward" && name === "saved") return x.map((v, j) => (block(j) < 2 ? sigmoid(v) : block(j) === 2 ? Math.tanh(v) : v));
  if (s.kernel === "rnnBackward" && name === "act") return x.map((v) => (s.flag ? Math.max(v, 0) : Math.tanh(v)));
  return x;
}

/** Inputs for one case: values in [-3, 3), saved activations in their ranges. */
function inputs(s: KernelSpec, { rows, H, seed, masked, withDy }: Case): (Float32Array | null)[] {
  return s.args.map((p, i) => {
    if (p.name === "mask") return masked ? Float32Array.from(randomF32(rows, seed + 99), (v) => (v < 0 ? 0 : 1)) : null;
    if (p.name === "dy" && !withDy) return null;
    // Outputs start as NaN: a kernel that leaves an element unwritten is caught.
    if (p.role === "out") return new Float32Array(extent(p, rows, H)).fill(Number.NaN);
    return activations(s, p.name, randomF32(extent(p, rows, H), seed + i, 3), H);
  });
}

const caseArb = fc.record({
  rows: fc.integer({ min: 0, max: 6 }),
  H: fc.integer({ min: 1, max: 13 }),
  seed: fc.nat(),
  masked: fc.boolean(),
  withDy: fc.boolean(),
});

describe("recurrent step kernels: WASM equals the JS twin", () => {
  for (const s of specs) {
    it(`${title(s)} on random rows 0..6, hidden 1..13, masks and dy`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const want = inputs(s, c).map((x) => x?.slice() ?? null);
          call(js, s, want, c.rows, c.H);
          for (const K of wasmBackends) {
            const got = inputs(s, c);
            call(K, s, got, c.rows, c.H);
            for (const [i, p] of s.args.entries()) {
              if (p.role === "in") continue;
              const g = got[i] as Float32Array;
              const w = want[i] as Float32Array;
              // float32 rounding of a few operations, and 2-ulp sigmoid/tanh against Math's.
              const bad = firstMismatch(g, w, 2e-5, 2e-6);
              if (bad >= 0) expect.fail(`${K.backend}.${title(s)} ${p.name}[${bad}] = ${g[bad]}, js ${w[bad]} (case ${JSON.stringify(c)})`);
            }
          }
        }),
        runs(150),
      );
    });
  }
});

describe("recurrent step kernels: frozen rows and in-place use", () => {
  const H = 6;
  const rows = 3;
  const m = new Float32Array([1, 0, 1]);
  for (const K of [js, ...wasmBackends]) {
    it(`${K.backend}: a frozen row passes its state through, outputs 0 and passes its state gradients through`, () => {
      const hPrev = randomF32(rows * H, 1);
      const cPrev = randomF32(rows * H, 2);
      const gates = randomF32(rows * 4 * H, 3, 3);
      const [cOut, hOut, y] = [0, 1, 2].map(() => new Float32Array(rows * H).fill(Number.NaN)) as [Float32Array, Float32Array, Float32Array];
      K.lstmForward(gates, cOut, hOut, y, cPrev, hPrev, m, rows, H);
      const row = (x: Float32Array, r: number) => Array.from(x.subarray(r * H, (r + 1) * H));
      expect(row(hOut, 1)).toEqual(row(hPrev, 1));
      expect(row(cOut, 1)).toEqual(row(cPrev, 1));
      expect(row(y, 1)).toEqual(new Array(H).fill(0));
      // A stepping row's output is its new state.
      expect(row(y, 0)).toEqual(row(hOut, 0));
      expect(row(hOut, 0)).not.toEqual(row(hPrev, 0));

      const dh = randomF32(rows * H, 4);
      const dc = randomF32(rows * H, 5);
      const dPre = new Float32Array(rows * 4 * H).fill(Number.NaN);
      const [dhPrev, dcPrev] = [0, 1].map(() => new Float32Array(rows * H).fill(Number.NaN)) as [Float32Array, Float32Array];
      K.lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cOut, dh, randomF32(rows * H, 6), dc, m, rows, H);
      expect(Array.from(dPre.subarray(4 * H, 8 * H))).toEqual(new Array(4 * H).fill(0));
      expect(row(dhPrev, 1)).toEqual(row(dh, 1));
      expect(row(dcPrev, 1)).toEqual(row(dc, 1));
      // A stepping row's dhPrev is left for dPre W_hh: zero here.
      expect(row(dhPrev, 0)).toEqual(new Array(H).fill(0));
    });
  }

  for (const s of specs) {
    it(`${title(s)}: state outputs written in place over their inputs give the same numbers`, () => {
      const c: Case = { rows: 5, H: 7, seed: 11, masked: true, withDy: true };
      for (const K of [js, ...wasmBackends]) {
        const apart = inputs(s, c);
        call(K, s, apart, c.rows, c.H);
        const shared = inputs(s, c);
        const index = (name: string) => s.args.findIndex((p) => p.name === name);
        for (const [out, input] of s.inPlace) shared[index(out)] = shared[index(input)] as Float32Array;
        call(K, s, shared, c.rows, c.H);
        for (const [i, p] of s.args.entries()) if (p.role !== "in") expect(Array.from(shared[i] as Float32Array), `${K.backend} ${p.name}`).toEqual(Array.from(apart[i] as Float32Array));
      }
    });
  }

  it("WasmF32 arguments are used in place and give the same numbers as Float32Arrays", () => {
    const s = specs[0] as KernelSpec;
    const c: Case = { rows: 4, H: 9, seed: 5, masked: true, withDy: false };
    for (const K of wasmBackends) {
      const host = inputs(s, c);
      call(K, s, host, c.rows, c.H);
      const wasm = inputs(s, c).map((x) => (x === null ? null : allocF32(x.length).write(x)));
      call(K, s, wasm, c.rows, c.H);
      for (const [i, p] of s.args.entries()) if (p.role !== "in") expect(Array.from((wasm[i] as { read(): Float32Array }).read())).toEqual(Array.from(host[i] as Float32Array));
    }
  });
});

describe("recurrent step kernels: vanishing gradients flush to zero below 2^-100 (no denormals), NaN kept", () => {
  // Gradients of scale s through one backward step of each cell, with saturated-free gates: returns every output.
  const backward = (K: Kernels, s: number): Float32Array[] => {
    const [rows, H] = [3, 6];
    const n = rows * H;
    const grad = Float32Array.from(randomF32(n, 1), (v) => (v + 2) * s); // in [s, 3s)
    const gates = Float32Array.from(randomF32(4 * n, 2), (v) => 0.5 + 0.4 * v);
    const state = Float32Array.from(randomF32(n, 3), (v) => 2.5 + 0.5 * v); // away from the gates: no factor near 0
    const [dPre, dhPrev, dcPrev] = [new Float32Array(4 * n), new Float32Array(n), new Float32Array(n)];
    K.lstmBackward(dPre, dhPrev, dcPrev, gates, state, state, grad, null, grad, null, rows, H);
    const [dxp, dhp, gdh] = [new Float32Array(3 * n), new Float32Array(3 * n), new Float32Array(n)];
    K.gruBackward(dxp, dhp, gdh, gates, state, grad, null, null, rows, H);
    const [rdp, rdh] = [new Float32Array(n), new Float32Array(n)];
    K.rnnBackward(rdp, rdh, Float32Array.from(randomF32(n, 4), (v) => 0.5 * v), grad, null, null, rows, H, false);
    return [dPre, dcPrev, dxp, dhp, gdh, rdp];
  };
  for (const K of [js, ...wasmBackends]) {
    it(`${K.backend}: gradients below 2^-100 become exact zeros; above it they stay`, () => {
      for (const [i, out] of backward(K, 2 ** -104).entries()) expect(out.filter((v) => v !== 0), `output ${i}`).toEqual(new Float32Array(0));
      // 2^-90: every output is about the gradient times factors in (0.05, 1): all above 2^-100, none flushed.
      for (const [i, out] of backward(K, 2 ** -90).entries()) expect(out.filter((v) => v === 0 || Math.abs(v) >= 2 ** -88), `output ${i}`).toEqual(new Float32Array(0));
      for (const [i, out] of backward(K, Number.NaN).entries()) expect(out.filter((v) => !Number.isNaN(v)), `output ${i}`).toEqual(new Float32Array(0));
    });
  }
});

describe("recurrent step kernels: argument checks", () => {
  const c: Case = { rows: 2, H: 4, seed: 1, masked: true, withDy: true };
  for (const K of [js, ...wasmBackends]) {
    for (const s of specs) {
      it(`${K.backend}.${title(s)} names a short array, a wrong type, a missing array and an overlap`, () => {
        for (const [i, p] of s.args.entries()) {
          const short = inputs(s, c);
          short[i] = new Float32Array(extent(p, c.rows, c.H) - 1);
          expect(() => call(K, s, short, c.rows, c.H), p.name).toThrow(new RegExp(`${s.kernel}: argument '${p.name}' has ${extent(p, c.rows, c.H) - 1} elements`));
          const wrong = inputs(s, c) as unknown[];
          wrong[i] = [1, 2, 3];
          expect(() => call(K, s, wrong as F32[], c.rows, c.H)).toThrow(KernelArgumentError);
          if (!p.optional) {
            const missing = inputs(s, c);
            missing[i] = null;
            expect(() => call(K, s, missing, c.rows, c.H), `${p.name} null`).toThrow(KernelArgumentError);
          }
        }
        // Each output overlapping the first input it may not share.
        for (const [o, p] of s.args.entries()) {
          if (p.role === "in") continue;
          const target = s.args.findIndex((q, j) => j !== o && q.per === p.per && !s.inPlace.some(([x, y]) => x === p.name && y === q.name));
          if (target < 0) continue;
          const xs = inputs(s, c);
          xs[o] = xs[target] as Float32Array;
          expect(() => call(K, s, xs, c.rows, c.H), `${p.name} over ${s.args[target]?.name}`).toThrow(/overlaps/);
        }
        expect(() => call(K, s, inputs(s, c), -1, c.H)).toThrow(/rows.*non-negative integer/);
        expect(() => call(K, s, inputs(s, c), c.rows, 1.5)).toThrow(/hidden.*non-negative integer/);
      });
    }
  }
});
