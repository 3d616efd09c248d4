import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocF32, heapStats, js, kernels, wasmF32From } from "../src/index.js";
import { sizeClass } from "../src/heap.js";
import { relaxedRaw, simdRaw } from "../src/instance.js";
import { randomF32, runs, wasmBackends } from "./util.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");

describe("WebAssembly memory", () => {
  it("survives growth between calls: buffers keep their data and kernels stay correct", () => {
    for (const K of wasmBackends) {
      const m = 13;
      const k = 17;
      const n = 11;
      const a = wasmF32From(randomF32(m * k, 1));
      const b = wasmF32From(randomF32(k * n, 2));
      const before = allocF32(m * n);
      K.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, before, 0, n);
      const snapshot = before.read();
      const aCopy = a.read();
      const oldView = a.view();
      const memoryBefore = heapStats().memoryBytes;
      // Force growth: a block larger than all of memory so far.
      const big = allocF32(memoryBefore / 4 + 1000);
      expect(heapStats().memoryBytes).toBeGreaterThan(memoryBefore);
      // Memory is shared in Node (for the worker threads): growth leaves old views valid, over the old length.
      expect(oldView.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(oldView.length, "an old view of shared memory stays attached").toBe(m * k);
      expect(Array.from(oldView)).toEqual(Array.from(aCopy));
      expect(Array.from(a.read())).toEqual(Array.from(aCopy));
      expect(Array.from(before.read())).toEqual(Array.from(snapshot));
      const after = allocF32(m * n);
      K.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, after, 0, n);
      expect(Array.from(after.read())).toEqual(Array.from(snapshot));
      big.free();
    }
  });

  it("a view taken before memory grew still reads and writes the same data (shared memory is never detached)", () => {
    const a = allocF32(8);
    a.write([1, -2, 3, -4, 5, -6, 7, -8]);
    const old = a.view();
    allocF32(heapStats().memoryBytes / 4 + 10);
    expect(old.buffer).not.toBe(a.view().buffer);
    kernels.relu(old, old, 8);
    expect(Array.from(a.read())).toEqual([1, 0, 3, 0, 5, 0, 7, 0]);
    old[1] = 9;
    expect(a.read()[1]).toBe(9);
  });

  it("stays flat over many calls with staged (non-WebAssembly) arrays", () => {
    const x = randomF32(1000, 3);
    const out = new Float32Array(1000);
    const a = randomF32(64 * 64, 4);
    const c = new Float32Array(64 * 64);
    kernels.tanh(out, x, 1000);
    kernels.sgemm(false, true, 64, 64, 64, 1, a, 0, 64, a, 0, 64, 0, c, 0, 64);
    const start = heapStats();
    for (let i = 0; i < 2000; i++) {
      kernels.tanh(out, x, 1000);
      kernels.sgemm(false, true, 64, 64, 64, 1, a, 0, 64, a, 0, 64, 0, c, 0, 64);
    }
    const end = heapStats();
    expect(end.liveBytes).toBe(start.liveBytes);
    expect(end.topBytes).toBe(start.topBytes);
    expect(end.memoryBytes).toBe(start.memoryBytes);
  });

  it("reuses freed blocks of the same size class, and trims the top", () => {
    const s0 = heapStats();
    const a = allocF32(1000);
    const b = allocF32(1000);
    const ptrA = a.ptr;
    a.free();
    const c = allocF32(990);
    expect(c.ptr, "a freed block is handed out again").toBe(ptrA);
    b.free();
    c.free();
    expect(heapStats().liveBytes).toBe(s0.liveBytes);
    expect(() => a.ptr).toThrow(/freed/);
    expect(() => kernels.relu(a, a, 1)).toThrow(/freed/);
  });

  it("gives the space back when everything above the long-lived blocks is freed, in any order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 40 }), fc.nat(), (sizes, seed) => {
        const { topBytes: top0, freeBytes: free0 } = heapStats();
        const bufs = sizes.map((n) => allocF32(n, false));
        // Free in a shuffled order.
        const order = bufs.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        for (const i of order) (bufs[i] as ReturnType<typeof allocF32>).free();
        expect(heapStats().topBytes).toBe(top0);
        expect(heapStats().freeBytes).toBe(free0);
      }),
      runs(200),
    );
  });

  it("size classes cover the request and waste at most 12.5% above 256 bytes", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (bytes) => {
        const cls = sizeClass(bytes);
        expect(cls).toBeGreaterThanOrEqual(bytes);
        expect(cls % 16).toBe(0);
        if (bytes > 256) expect(cls).toBeLessThanOrEqual(bytes * 1.125 + 16);
      }),
      runs(2000),
    );
  });

  // Runs the built package in a child process, which no mutant of `pnpm mutate` reaches (and its sandbox has no dist).
  it.skipIf(process.env.GATED_MUTATION)("reclaims buffers that become unreachable (FinalizationRegistry), in a Node run with --expose-gc", () => {
    const script = `
      const { allocF32, heapStats } = await import(${JSON.stringify(dist)});
      const before = heapStats().liveBytes;
      (() => { for (let i = 0; i < 100; i++) allocF32(10000); })();
      const held = heapStats().liveBytes - before;
      for (let i = 0; i < 20 && heapStats().liveBytes > before; i++) { gc(); await new Promise((r) => setTimeout(r, 5)); }
      console.log(held, heapStats().liveBytes - before);`;
    const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { encoding: "utf8" }).trim();
    const [held, left] = out.split(" ").map(Number);
    expect(held).toBeGreaterThanOrEqual(100 * 40_000);
    expect(left).toBe(0);
  });

  it("both builds share one memory and identical static data below the heap base", () => {
    expect(relaxedRaw?.heapBase() ?? simdRaw.heapBase()).toBe(simdRaw.heapBase());
  });

  it("JS twin and WASM agree when given the same WasmF32 buffers", () => {
    const x = wasmF32From(randomF32(33, 9, 4));
    const o1 = allocF32(33);
    const o2 = allocF32(33);
    js.sigmoid(o1, x, 33);
    kernels.sigmoid(o2, x, 33);
    const a = o1.read();
    const b = o2.read();
    for (let i = 0; i < 33; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(3e-7);
  });
});
