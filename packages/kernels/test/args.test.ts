import { describe, expect, it } from "vitest";
import { allocF32, js, KernelArgumentError, type Kernels } from "../src/index.js";
import { wasmBackends } from "./util.js";

const f = (n: number) => new Float32Array(n);

/** Each bad call, the argument it must name, and a phrase from the reason. */
const table: { what: string; call: (K: Kernels) => void; argument: string; reason: RegExp }[] = [
  { what: "negative m", call: (K) => K.sgemm(false, false, -1, 2, 2, 1, f(4), 0, 2, f(4), 0, 2, 0, f(4), 0, 2), argument: "m", reason: /non-negative integer/ },
  { what: "fractional k", call: (K) => K.sgemm(false, false, 2, 2, 1.5, 1, f(4), 0, 2, f(4), 0, 2, 0, f(4), 0, 2), argument: "k", reason: /non-negative integer/ },
  { what: "lda too small", call: (K) => K.sgemm(false, false, 2, 2, 3, 1, f(6), 0, 2, f(6), 0, 2, 0, f(4), 0, 2), argument: "lda", reason: /at least 3/ },
  { what: "lda too small for A^T", call: (K) => K.sgemm(true, false, 4, 2, 3, 1, f(12), 0, 3, f(6), 0, 2, 0, f(8), 0, 2), argument: "lda", reason: /at least 4/ },
  { what: "A too short", call: (K) => K.sgemm(false, false, 3, 2, 2, 1, f(5), 0, 2, f(4), 0, 2, 0, f(6), 0, 2), argument: "a", reason: /has 5 elements but 6/ },
  { what: "B too short (mismatched k)", call: (K) => K.sgemm(false, false, 2, 2, 3, 1, f(6), 0, 3, f(4), 0, 2, 0, f(4), 0, 2), argument: "b", reason: /has 4 elements but 6/ },
  { what: "C offset out of range", call: (K) => K.sgemm(false, false, 2, 2, 2, 1, f(4), 0, 2, f(4), 0, 2, 0, f(4), 1, 2), argument: "c", reason: /offset 1/ },
  { what: "negative offset", call: (K) => K.sgemm(false, false, 2, 2, 2, 1, f(4), -1, 2, f(4), 0, 2, 0, f(4), 0, 2), argument: "aOffset", reason: /non-negative/ },
  { what: "C overlapping A", call: (K) => { const m = f(8); K.sgemm(false, false, 2, 2, 2, 1, m, 0, 2, f(4), 0, 2, 0, m, 2, 2); }, argument: "c", reason: /overlaps input 'a'/ },
  { what: "a non-array", call: (K) => K.sgemm(false, false, 1, 1, 1, 1, [1] as unknown as Float32Array, 0, 1, f(1), 0, 1, 0, f(1), 0, 1), argument: "a", reason: /Float32Array or WasmF32, got Array/ },
  { what: "a Float64Array", call: (K) => K.relu(f(2), new Float64Array(2) as unknown as Float32Array, 2), argument: "x", reason: /got Float64Array/ },
  { what: "transA not boolean", call: (K) => K.sgemm(0 as unknown as boolean, false, 1, 1, 1, 1, f(1), 0, 1, f(1), 0, 1, 0, f(1), 0, 1), argument: "transA", reason: /boolean/ },
  { what: "alpha not a number", call: (K) => K.sgemm(false, false, 1, 1, 1, "1" as unknown as number, f(1), 0, 1, f(1), 0, 1, 0, f(1), 0, 1), argument: "alpha", reason: /number/ },
  { what: "pointwise n too large", call: (K) => K.tanh(f(3), f(4), 4), argument: "out", reason: /has 3 elements but 4/ },
  { what: "pointwise negative n", call: (K) => K.add(f(3), f(3), f(3), -2), argument: "n", reason: /non-negative/ },
  { what: "partial overlap", call: (K) => { const m = f(8); K.add(m.subarray(1, 5), m.subarray(0, 4), f(4), 4); }, argument: "out", reason: /overlaps input 'a'/ },
  { what: "addBias bias too short", call: (K) => K.addBias(f(6), f(6), f(2), 2, 3), argument: "bias", reason: /has 2 elements but 3/ },
  { what: "colSum out too short", call: (K) => K.colSum(f(2), f(6), 2, 3), argument: "out", reason: /has 2 elements but 3/ },
  { what: "colSum in place", call: (K) => { const m = f(3); K.colSum(m, m, 1, 3); }, argument: "out", reason: /overlaps input 'x'/ },
  { what: "softmax mismatched rows", call: (K) => K.softmaxRows(f(6), f(4), 2, 3), argument: "x", reason: /has 4 elements but 6/ },
  { what: "freed WasmF32", call: (K) => { const b = allocF32(2); b.free(); K.relu(f(2), b, 2); }, argument: "x", reason: /freed/ },
];

describe("bad arguments are rejected before any kernel runs", () => {
  for (const row of table) {
    it(`${row.what}`, () => {
      for (const K of [js, ...wasmBackends]) {
        let thrown: unknown;
        try {
          row.call(K);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `${K.backend} accepted ${row.what}`).toBeInstanceOf(KernelArgumentError);
        const err = thrown as KernelArgumentError;
        expect(err.argument).toBe(row.argument);
        expect(err.message).toMatch(row.reason);
        expect(err.message).toContain(`'${row.argument}'`);
      }
    });
  }

  it("accepts empty sizes as no-ops", () => {
    for (const K of [js, ...wasmBackends]) {
      const c = new Float32Array([5]);
      K.sgemm(false, false, 0, 0, 0, 1, f(0), 0, 1, f(0), 0, 1, 0, f(0), 0, 1);
      K.sgemm(false, false, 1, 1, 0, 1, f(0), 0, 1, f(0), 0, 1, 2, c, 0, 1);
      expect(c[0]).toBe(10);
      K.relu(f(0), f(0), 0);
    }
  });
});
