import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { F32, Kernels } from "../src/index.js";
import { firstMismatch, js, randomF32, runs, wasmBackends } from "./util.js";

type Unary = "exp" | "sigmoid" | "tanh" | "relu";
type Binary = "add" | "mul" | "sigmoidBackward" | "tanhBackward" | "reluBackward";

/** Each pointwise kernel, the input scale that exercises it, and its tolerance against the float64 twin. */
const unaryTable: { name: Unary; scale: number; rtol: number; atol: number }[] = [
  { name: "exp", scale: 80, rtol: 4e-7, atol: 1e-37 },
  { name: "sigmoid", scale: 30, rtol: 4e-7, atol: 1e-37 },
  { name: "tanh", scale: 6, rtol: 4e-7, atol: 1e-37 },
  { name: "relu", scale: 5, rtol: 0, atol: 0 },
];
const binaryTable: { name: Binary; rtol: number; atol: number; prepare?: (x: Float32Array) => Float32Array }[] = [
  { name: "add", rtol: 0, atol: 0 },
  { name: "mul", rtol: 0, atol: 0 },
  { name: "sigmoidBackward", rtol: 2.5e-7, atol: 1e-37, prepare: (x) => x.map((v) => 0.5 + 0.5 * v) },
  // 1 - y^2 cancels near |y| = 1, so its error is absolute: about 2 ulp(1) times |dy| (at most 3 here).
  { name: "tanhBackward", rtol: 0, atol: 1e-6, prepare: (x) => x.map((v) => Math.tanh(v)) },
  { name: "reluBackward", rtol: 0, atol: 0 },
];

const specials = [0, -0, 1e-8, -1e-8, 0.6249, 0.625, 0.6251, 9, -9, 20, -20, 88.5, -88.5, 89, -89, 100, -100, 104, -104, 1e30, -1e30,
  Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4e38, -3.4e38, 1e-40, -1e-40];

function callUnary(K: Kernels, name: Unary, out: F32, x: F32, n: number): void {
  K[name](out, x, n);
}

describe("pointwise kernels: WASM equals the JS twin", () => {
  for (const { name, scale, rtol, atol } of unaryTable) {
    it(`${name} on random lengths 0..70 and values`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 70 }), fc.nat(), (n, seed) => {
          const x = randomF32(n, seed, scale);
          const want = new Float32Array(n);
          callUnary(js, name, want, x, n);
          for (const K of wasmBackends) {
            const got = new Float32Array(n);
            callUnary(K, name, got, x, n);
            const i = firstMismatch(got, want, rtol, atol);
            if (i >= 0) expect.fail(`${K.backend}.${name}(${x[i]}) = ${got[i]}, js ${want[i]}`);
          }
        }),
        runs(200),
      );
    });

    it(`${name} on special values (NaN, +-Inf, +-0, overflow and underflow edges), in every lane`, () => {
      // Each special value sits in each SIMD lane and in the scalar tail.
      for (let shift = 0; shift < 5; shift++) {
        const x = new Float32Array([...new Array(shift).fill(0.5), ...specials]);
        const want = new Float32Array(x.length);
        callUnary(js, name, want, x, x.length);
        for (const K of wasmBackends) {
          const got = new Float32Array(x.length);
          callUnary(K, name, got, x, x.length);
          const i = firstMismatch(got, want, rtol, atol);
          if (i >= 0) expect.fail(`${K.backend}.${name}(${x[i]}) = ${got[i]}, js ${want[i]}`);
        }
      }
    });
  }

  for (const { name, rtol, atol, prepare } of binaryTable) {
    it(`${name} on random lengths and values, and in place`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 70 }), fc.nat(), (n, seed) => {
          const a0 = randomF32(n, seed, 3);
          const a = prepare ? prepare(a0) : a0;
          const b = randomF32(n, seed + 7, 3);
          const want = new Float32Array(n);
          js[name](want, a, b, n);
          for (const K of wasmBackends) {
            const got = new Float32Array(n);
            K[name](got, a, b, n);
            expect(firstMismatch(got, want, rtol, atol), `${K.backend}.${name}`).toBe(-1);
            const inPlace = b.slice();
            K[name](inPlace, a, inPlace, n);
            expect(firstMismatch(inPlace, want, rtol, atol), `${K.backend}.${name} in place`).toBe(-1);
          }
        }),
        runs(100),
      );
    });
  }

  it("matches float64 math closely: tanh, sigmoid and exp within 4 ulp-scale relative error", () => {
    const x = new Float32Array(20001).map((_, i) => -10 + i * 0.001);
    for (const K of wasmBackends) {
      const t = new Float32Array(x.length);
      K.tanh(t, x, x.length);
      const s = new Float32Array(x.length);
      K.sigmoid(s, x, x.length);
      const e = new Float32Array(x.length);
      K.exp(e, x, x.length);
      for (let i = 0; i < x.length; i++) {
        const v = x[i] as number;
        expect(Math.abs((t[i] as number) - Math.tanh(v))).toBeLessThanOrEqual(4.8e-7 * Math.abs(Math.tanh(v)) + 1e-45);
        expect(Math.abs((s[i] as number) - 1 / (1 + Math.exp(-v)))).toBeLessThanOrEqual(4.8e-7 / (1 + Math.exp(-v)));
        expect(Math.abs((e[i] as number) - Math.exp(v))).toBeLessThanOrEqual(4.8e-7 * Math.exp(v));
      }
    }
  });

  it("the derivative kernels equal their closed-form formulas (float64), not only each other", () => {
    // dx = dy y (1 - y) for sigmoid, dy (1 - y^2) for tanh (y the forward output), dy [x > 0] for relu.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, seed) => {
        const t = randomF32(n, seed, 4);
        const dy = randomF32(n, seed + 1, 3);
        const ys = t.map((v) => 1 / (1 + Math.exp(-v)));
        const yt = t.map((v) => Math.tanh(v));
        for (const K of [js, ...wasmBackends]) {
          const ds = new Float32Array(n);
          K.sigmoidBackward(ds, ys, dy, n);
          const dt = new Float32Array(n);
          K.tanhBackward(dt, yt, dy, n);
          const dr = new Float32Array(n);
          K.reluBackward(dr, t, dy, n);
          for (let i = 0; i < n; i++) {
            const [y1, y2, g, x] = [ys[i], yt[i], dy[i], t[i]] as number[] as [number, number, number, number];
            const sig = g * y1 * (1 - y1);
            expect(Math.abs((ds[i] as number) - sig), `${K.backend}.sigmoidBackward`).toBeLessThanOrEqual(3e-7 * Math.abs(sig) + 1e-45);
            expect(Math.abs((dt[i] as number) - g * (1 - y2 * y2)), `${K.backend}.tanhBackward`).toBeLessThanOrEqual(3e-7 * Math.abs(g) + 1e-45);
            expect(dr[i], `${K.backend}.reluBackward`).toBe(x > 0 ? g : 0);
          }
        }
      }),
      runs(100),
    );
  });

  it("relu keeps NaN, maps -0 to +0, and its derivative passes dy on NaN as PyTorch does", () => {
    for (const K of [js, ...wasmBackends]) {
      const x = new Float32Array([Number.NaN, -0, -2, 3, Number.NEGATIVE_INFINITY]);
      const out = new Float32Array(5);
      K.relu(out, x, 5);
      expect(Number.isNaN(out[0])).toBe(true);
      expect(Object.is(out[1], 0)).toBe(true);
      expect(Array.from(out.subarray(2))).toEqual([0, 3, 0]);
      const dx = new Float32Array(5);
      K.reluBackward(dx, x, new Float32Array([7, 7, 7, 7, 7]), 5);
      expect(Array.from(dx)).toEqual([7, 0, 0, 7, 0]);
    }
  });

  it("addBias broadcasts the bias over rows, also in place", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 19 }), fc.nat(), (rows, cols, seed) => {
        const x = randomF32(rows * cols, seed);
        const bias = randomF32(cols, seed + 1);
        const want = new Float32Array(rows * cols);
        js.addBias(want, x, bias, rows, cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(want[r * cols + c]).toBe(Math.fround((x[r * cols + c] as number) + (bias[c] as number)));
        for (const K of wasmBackends) {
          const got = x.slice();
          K.addBias(got, got, bias, rows, cols);
          expect(Array.from(got)).toEqual(Array.from(want));
        }
      }),
      runs(100),
    );
  });
});
