// The optimiser step kernels: every WebAssembly build equals the JS twin (the float64 loop @gated/nn ran
// before) on random lengths and hyper-parameters; in-place use gives the same numbers; bad arguments are named.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { js, randomF32, runs, wasmBackends } from "./util.js";

/**
 * First index where float32 and float64 math differ by more than float32 rounding of the step's terms: a new
 * value is the old one plus an update, which may nearly cancel, so the scale is |old| + |new - old|.
 */
function firstOff(got: Float32Array, want: Float32Array, old: Float32Array): number {
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as number;
    const g = got[i] as number;
    if (Number.isNaN(w) || Number.isNaN(g)) {
      if (!(Number.isNaN(w) && Number.isNaN(g))) return i;
      continue;
    }
    const scale = Math.abs(old[i] as number) + Math.abs(w - (old[i] as number));
    if (Math.abs(g - w) > 1e-5 * scale + 1e-30) return i;
  }
  return -1;
}

const hyper = fc.record({
  lr: fc.constantFrom(1e-3, 0.1, 2),
  beta1: fc.constantFrom(0.9, 0, 0.5),
  beta2: fc.constantFrom(0.999, 0.9),
  eps: fc.constantFrom(1e-8, 1e-3),
  t: fc.integer({ min: 1, max: 50 }),
  weightDecay: fc.constantFrom(0, 0.01, 0.5),
  decoupled: fc.boolean(),
  momentum: fc.constantFrom(0, 0.9),
  nesterov: fc.boolean(),
});

describe("adamStep and sgdStep: WASM equals the JS twin", () => {
  it("adamStep on random lengths 0..70, hyper-parameters and moments", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.nat(), hyper, (n, seed, h) => {
        const [p, g, m] = [0, 1, 2].map((k) => randomF32(n, seed + k, 2)) as [Float32Array, Float32Array, Float32Array];
        const v = randomF32(n, seed + 3).map((x) => x * x);
        const c1 = 1 - h.beta1 ** h.t;
        const c2 = 1 - h.beta2 ** h.t;
        const run = (K: typeof js) => {
          const out = [0, 1, 2].map(() => new Float32Array(n).fill(Number.NaN)) as [Float32Array, Float32Array, Float32Array];
          K.adamStep(...out, p, g, m, v, n, h.lr, h.beta1, h.beta2, h.eps, c1 === 0 ? 1 : c1, c2, h.weightDecay, h.decoupled);
          return out;
        };
        const want = run(js);
        for (const K of wasmBackends) {
          for (const [i, got] of run(K).entries()) {
            const bad = firstOff(got, want[i] as Float32Array, [p, m, v][i] as Float32Array);
            if (bad >= 0) expect.fail(`${K.backend} output ${i}[${bad}] = ${got[bad]}, js ${want[i]?.[bad]} (n ${n}, ${JSON.stringify(h)})`);
          }
        }
      }),
      runs(200),
    );
  });

  it("sgdStep on random lengths, momentum, Nesterov and weight decay", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.nat(), hyper, (n, seed, h) => {
        const [p, g, v] = [0, 1, 2].map((k) => randomF32(n, seed + k, 2)) as [Float32Array, Float32Array, Float32Array];
        const run = (K: typeof js) => {
          const pOut = new Float32Array(n).fill(Number.NaN);
          const vOut = new Float32Array(n).fill(Number.NaN);
          K.sgdStep(pOut, vOut, p, g, v, n, h.lr, h.momentum, h.nesterov && h.momentum > 0, h.weightDecay);
          return [pOut, vOut];
        };
        const want = run(js);
        for (const K of wasmBackends) {
          for (const [i, got] of run(K).entries()) {
            // Without momentum the velocity is not written: both stay NaN.
            const bad = firstOff(got as Float32Array, want[i] as Float32Array, [p, v][i] as Float32Array);
            if (bad >= 0) expect.fail(`${K.backend} output ${i}[${bad}] = ${got[bad]}, js ${want[i]?.[bad]} (n ${n}, ${JSON.stringify(h)})`);
          }
        }
      }),
      runs(200),
    );
  });

  it("one Adam step by hand: p = 1, g = 0.5, first step (the update is lr * sign(g))", () => {
    for (const K of [js, ...wasmBackends]) {
      const p = new Float32Array([1, 1, 1, 1, 1]);
      const out = [0, 1, 2].map(() => new Float32Array(5)) as [Float32Array, Float32Array, Float32Array];
      K.adamStep(...out, p, new Float32Array(5).fill(0.5), new Float32Array(5), new Float32Array(5), 5, 0.1, 0.9, 0.999, 0, 0.1, 0.001, 0, false);
      for (const x of out[0]) expect(x).toBeCloseTo(0.9, 5);
      for (const x of out[1]) expect(x).toBeCloseTo(0.05, 7);
      for (const x of out[2]) expect(x).toBeCloseTo(0.00025, 10);
    }
  });

  it("in place (pOut = p, mOut = m, vOut = v) gives the same numbers", () => {
    const n = 23;
    for (const K of [js, ...wasmBackends]) {
      const [p, g, m] = [0, 1, 2].map((k) => randomF32(n, 40 + k)) as [Float32Array, Float32Array, Float32Array];
      const v = randomF32(n, 43).map((x) => x * x);
      const apart = [0, 1, 2].map(() => new Float32Array(n)) as [Float32Array, Float32Array, Float32Array];
      K.adamStep(...apart, p, g, m, v, n, 0.01, 0.9, 0.999, 1e-8, 0.1, 0.001, 0.01, true);
      const [pi, mi, vi] = [p.slice(), m.slice(), v.slice()];
      K.adamStep(pi, mi, vi, pi, g, mi, vi, n, 0.01, 0.9, 0.999, 1e-8, 0.1, 0.001, 0.01, true);
      expect([Array.from(pi), Array.from(mi), Array.from(vi)]).toEqual(apart.map((a) => Array.from(a)));
      const sp = new Float32Array(n);
      const sv = new Float32Array(n);
      K.sgdStep(sp, sv, p, g, v, n, 0.1, 0.9, true, 0.01);
      const [p2, v2] = [p.slice(), v.slice()];
      K.sgdStep(p2, v2, p2, g, v2, n, 0.1, 0.9, true, 0.01);
      expect([Array.from(p2), Array.from(v2)]).toEqual([Array.from(sp), Array.from(sv)]);
    }
  });

  it("names short arrays, overlaps and bad scalars", () => {
    const a = () => new Float32Array(4);
    for (const K of [js, ...wasmBackends]) {
      expect(() => K.adamStep(a(), a(), a(), a(), new Float32Array(3), a(), a(), 4, 0.1, 0.9, 0.99, 1e-8, 0.1, 0.01, 0, false)).toThrow(/adamStep: argument 'g' has 3 elements but 4/);
      const shared = a();
      expect(() => K.adamStep(shared, a(), a(), a(), shared, a(), a(), 4, 0.1, 0.9, 0.99, 1e-8, 0.1, 0.01, 0, false)).toThrow(/adamStep: argument 'pOut' overlaps input 'g'/);
      expect(() => K.adamStep(a(), a(), a(), a(), a(), a(), a(), 4, "0.1" as unknown as number, 0.9, 0.99, 1e-8, 0.1, 0.01, 0, false)).toThrow(/adamStep: argument 'lr' must be a number/);
      expect(() => K.sgdStep(a(), a(), a(), a(), new Float32Array(2), 4, 0.1, 0.9, false, 0)).toThrow(/sgdStep: argument 'v' has 2 elements/);
      // Without momentum the velocity is not used: an empty array is accepted.
      expect(() => K.sgdStep(a(), new Float32Array(0), a(), a(), new Float32Array(0), 4, 0.1, 0, false, 0)).not.toThrow();
    }
  });
});

describe("argument names in the newer kernels' checks", () => {
  /** Each array argument made one element short, and each scalar a string: the message names that argument. */
  const f = (n: number) => new Float32Array(n);
  const table: { kernel: string; args: () => unknown[]; arrays: [number, string][]; scalars: [number, string][] }[] = [
    {
      kernel: "adamStep",
      args: () => [f(4), f(4), f(4), f(4), f(4), f(4), f(4), 4, 0.1, 0.9, 0.99, 1e-8, 0.1, 0.01, 0, false],
      arrays: [[0, "pOut"], [1, "mOut"], [2, "vOut"], [3, "p"], [4, "g"], [5, "m"], [6, "v"]],
      scalars: [[8, "lr"], [9, "beta1"], [10, "beta2"], [11, "eps"], [12, "c1"], [13, "c2"], [14, "weightDecay"]],
    },
    {
      kernel: "sgdStep",
      args: () => [f(4), f(4), f(4), f(4), f(4), 4, 0.1, 0.9, false, 0],
      arrays: [[0, "pOut"], [1, "vOut"], [2, "p"], [3, "g"], [4, "v"]],
      scalars: [[6, "lr"], [7, "momentum"], [9, "weightDecay"]],
    },
    {
      kernel: "crossEntropyBackward",
      args: () => [f(6), f(6), f(2), new Float32Array([0, 1]), f(2), 2, 3],
      arrays: [[0, "dx"], [1, "x"], [2, "lse"], [3, "targets"], [4, "g"]],
      scalars: [],
    },
    {
      kernel: "sgemv",
      args: () => [2, 3, 1, f(6), 0, 3, f(3), 0, 0, f(2), 0],
      arrays: [[3, "a"], [6, "x"], [9, "y"]],
      scalars: [[2, "alpha"], [8, "beta"]],
    },
    {
      kernel: "packB",
      args: () => [false, 3, 4, f(12), 0, 4, f(24)],
      arrays: [[3, "b"], [6, "packed"]],
      scalars: [],
    },
    {
      kernel: "sgemmPacked",
      args: () => [false, 2, 4, 3, 1, f(6), 0, 3, f(24), 0, f(8), 0, 4],
      arrays: [[5, "a"], [8, "packed"], [10, "c"]],
      scalars: [[4, "alpha"], [9, "beta"]],
    },
  ];
  for (const K of [js, ...wasmBackends]) {
    for (const { kernel, args, arrays, scalars } of table) {
      it(`${K.backend}.${kernel}`, () => {
        const call = (a: unknown[]) => (K as unknown as Record<string, (...xs: unknown[]) => void>)[kernel]?.(...a);
        expect(() => call(args())).not.toThrow();
        for (const [i, name] of arrays) {
          const a = args();
          a[i] = f((a[i] as Float32Array).length - 1);
          expect(() => call(a), name).toThrow(`${kernel}: argument '${name}' has`);
        }
        for (const [i, name] of scalars) {
          const a = args();
          a[i] = "1";
          expect(() => call(a), name).toThrow(`${kernel}: argument '${name}' must be a number`);
        }
      });
    }
  }
});
