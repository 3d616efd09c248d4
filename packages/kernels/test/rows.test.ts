import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Kernels } from "../src/index.js";
import { firstMismatch, js, randomF32, runs, wasmBackends } from "./util.js";

/**
 * Softmax tolerance per element: x - max is rounded to float32 before exp, so exp's relative error grows with
 * |x - max| (one ulp of the difference); the twin computes in float64.
 */
function softmaxMismatch(got: Float32Array, want: Float32Array, x: Float32Array, rows: number, cols: number): number {
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    const m = Math.max(...row);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      const tol = (Math.abs((x[i] as number) - m) + 8) * 2.4e-7 * (want[i] as number) + 1e-30;
      if (!(Math.abs((got[i] as number) - (want[i] as number)) <= tol)) return i;
    }
  }
  return -1;
}

describe("row kernels: WASM equals the JS twin", () => {
  it("colSum, softmaxRows and logSumExpRows on random shapes and scales", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 37 }), fc.constantFrom(1, 10, 100), fc.nat(), (rows, cols, scale, seed) => {
        const x = randomF32(rows * cols, seed, scale);
        const wantSum = new Float32Array(cols);
        const wantSoft = new Float32Array(rows * cols);
        const wantLse = new Float32Array(rows);
        js.colSum(wantSum, x, rows, cols);
        js.softmaxRows(wantSoft, x, rows, cols);
        js.logSumExpRows(wantLse, x, rows, cols);
        for (const K of wasmBackends) {
          const sum = new Float32Array(cols);
          K.colSum(sum, x, rows, cols);
          expect(firstMismatch(sum, wantSum, 1e-5, 1e-5 * scale), `${K.backend}.colSum`).toBe(-1);
          const soft = new Float32Array(rows * cols);
          K.softmaxRows(soft, x, rows, cols);
          expect(softmaxMismatch(soft, wantSoft, x, rows, cols), `${K.backend}.softmaxRows`).toBe(-1);
          const lse = new Float32Array(rows);
          K.logSumExpRows(lse, x, rows, cols);
          expect(firstMismatch(lse, wantLse, 1e-6, 1e-6), `${K.backend}.logSumExpRows`).toBe(-1);
          const inPlace = x.slice();
          K.softmaxRows(inPlace, inPlace, rows, cols);
          expect(softmaxMismatch(inPlace, wantSoft, x, rows, cols), `${K.backend}.softmaxRows in place`).toBe(-1);
        }
      }),
      runs(200),
    );
  });

  it("are stable where naive exp overflows: softmax([1000, 1000]) = [0.5, 0.5], lse = 1000 + log 2", () => {
    for (const K of [js, ...wasmBackends]) {
      const soft = new Float32Array(2);
      K.softmaxRows(soft, new Float32Array([1000, 1000]), 1, 2);
      expect(Array.from(soft)).toEqual([0.5, 0.5]);
      const lse = new Float32Array(1);
      K.logSumExpRows(lse, new Float32Array([1000, 1000]), 1, 2);
      expect(lse[0]).toBeCloseTo(1000 + Math.LN2, 3);
    }
  });

  it("treat special rows as PyTorch does", () => {
    const inf = Number.POSITIVE_INFINITY;
    const rows = [
      { x: [-inf, -inf, -inf], lse: -inf, softNaN: true },
      { x: [inf, 1, 2], lse: inf, softNaN: true },
      { x: [Number.NaN, 1, 2], lse: Number.NaN, softNaN: true },
      { x: [-inf, 0, -inf], lse: 0, softNaN: false },
    ];
    for (const K of [js, ...wasmBackends]) {
      for (const r of rows) {
        const lse = new Float32Array(1);
        K.logSumExpRows(lse, new Float32Array(r.x), 1, 3);
        expect(lse[0], `${K.backend} lse(${r.x})`).toBe(r.lse);
        const soft = new Float32Array(3);
        K.softmaxRows(soft, new Float32Array(r.x), 1, 3);
        if (r.softNaN) expect(soft.every(Number.isNaN), `${K.backend} softmax(${r.x})`).toBe(true);
        else expect(Array.from(soft)).toEqual([0, 1, 0]);
      }
      const empty = new Float32Array(1);
      K.logSumExpRows(empty, new Float32Array(0), 1, 0);
      expect(empty[0]).toBe(-inf);
    }
  });
});

describe("crossEntropyBackward", () => {
  /** The reference: g (softmax(x) - onehot(t)), from the softmaxRows kernel of the same backend. */
  function reference(K: Kernels, x: Float32Array, targets: Float32Array, g: Float32Array, rows: number, cols: number): Float32Array {
    const s = new Float32Array(rows * cols);
    K.softmaxRows(s, x, rows, cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[r * cols + c] = (g[r] as number) * ((s[r * cols + c] as number) - (c === targets[r] ? 1 : 0));
    return s;
  }

  it("equals g (softmax - onehot) on every backend, on random rows, columns (SIMD body and tail) and targets", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 23 }), fc.nat(), (rows, cols, seed) => {
        const x = randomF32(rows * cols, seed, 8);
        const targets = Float32Array.from(randomF32(rows, seed + 1), (u) => Math.min(cols - 1, Math.floor(((u + 1) / 2) * cols)));
        const g = randomF32(rows, seed + 2, 2);
        for (const K of [js, ...wasmBackends]) {
          const lse = new Float32Array(rows);
          K.logSumExpRows(lse, x, rows, cols);
          const dx = new Float32Array(rows * cols).fill(Number.NaN);
          K.crossEntropyBackward(dx, x, lse, targets, g, rows, cols);
          const want = reference(K, x, targets, g, rows, cols);
          const bad = firstMismatch(dx, want, 1e-5, 1e-6);
          if (bad >= 0) expect.fail(`${K.backend}: dx[${bad}] = ${dx[bad]}, want ${want[bad]} (rows ${rows}, cols ${cols}, seed ${seed})`);
        }
      }),
      runs(200),
    );
  });

  it("refuses a target that is not a class index, naming the row", () => {
    for (const K of [js, ...wasmBackends]) {
      const x = new Float32Array(6);
      const lse = new Float32Array(2);
      const g = new Float32Array(2);
      expect(() => K.crossEntropyBackward(new Float32Array(6), x, lse, new Float32Array([0, 3]), g, 2, 3)).toThrow(/targets' holds 3 at row 1: a class index must be an integer in \[0, 3\)/);
      expect(() => K.crossEntropyBackward(new Float32Array(6), x, lse, new Float32Array([0.5, 1]), g, 2, 3)).toThrow(/holds 0.5 at row 0/);
      expect(() => K.crossEntropyBackward(new Float32Array(6), x, lse, new Float32Array([0, 1]), g, 2, -3)).toThrow(/cols/);
      expect(() => K.crossEntropyBackward(x, x, lse, new Float32Array([0, 1]), g, 2, 3)).toThrow(/overlaps/);
    }
  });
});
