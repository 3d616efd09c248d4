// The examples in the package's doc comments and in the README, executed.
import { describe, expect, it } from "vitest";
import { allocF32, kernels, wasmF32From } from "../src/index.js";

describe("documented examples", () => {
  it("sgemm of two 2x2 matrices gives [19, 22, 43, 50]", () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([5, 6, 7, 8]);
    const c = new Float32Array(4);
    kernels.sgemm(false, false, 2, 2, 2, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it("tanh in place on a WasmF32", () => {
    const x = wasmF32From([-1, 0.5, 2]);
    kernels.tanh(x, x, 3);
    const got = x.read();
    for (const [i, v] of [-1, 0.5, 2].entries()) expect(got[i]).toBeCloseTo(Math.tanh(v), 6);
  });

  it("relu in place on an allocF32 buffer", () => {
    const x = allocF32(4);
    x.write([1, -2, 3, -4]);
    kernels.relu(x, x, 4);
    expect(Array.from(x.read())).toEqual([1, 0, 3, 0]);
  });
});
