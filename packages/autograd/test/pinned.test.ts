// Pinned mirrors: a large immutable host tensor that kernels read in a second scope keeps its WebAssembly
// mirror (no copy per call), within a budget; tensors read in one scope only (a training step's parameters)
// are never pinned; eviction never frees a mirror that a running computation reads.
import { heapStats } from "@gated/kernels";
import { afterEach, describe, expect, it } from "vitest";
import { matmul, mirrorStats, recurrence, setPinnedBudget, sub, sum, type Tensor, tensorFromArray, valueAndGrad } from "../src/index.js";

const DEFAULT = mirrorStats().pinnedBudget;
afterEach(() => setPinnedBudget(DEFAULT));

/** A [rows, cols] float32 host tensor of deterministic values. */
function mat(rows: number, cols: number, seed: number): Tensor {
  return tensorFromArray(Float32Array.from({ length: rows * cols }, (_, i) => Math.sin(seed * 1000 + i) / cols), [rows, cols]);
}

/** A [n, n] weight (n = 128: 64 KiB, above the pinning threshold). */
const weight = (n: number, seed: number): Tensor => mat(n, n, seed);

describe("pinned mirrors", () => {
  it("a large weight read call after call is copied into WebAssembly memory twice, then never again", () => {
    const w = weight(128, 1);
    const x = weight(128, 2);
    const copied = () => mirrorStats().mirroredBytes;
    const results: number[] = [];
    const before = copied();
    const pinnedBefore = mirrorStats().pinnedBytes;
    results.push(sum(matmul(x, w)).item());
    // One call: copied, not pinned.
    expect(mirrorStats().pinnedBytes).toBe(pinnedBefore);
    results.push(sum(matmul(x, w)).item());
    const afterTwo = copied();
    // Each matmul's own scope mirrors x and w: the second call pins them.
    expect(afterTwo - before).toBe(2 * 2 * 128 * 128 * 4);
    for (let i = 0; i < 8; i++) results.push(sum(matmul(x, w)).item());
    expect(copied()).toBe(afterTwo);
    // Pinned or copied, the numbers are the same.
    expect(new Set(results).size).toBe(1);
    expect(mirrorStats().pinnedBytes).toBeGreaterThanOrEqual(2 * 128 * 128 * 4);
  });

  it("a tensor read twice in one call is copied once; 16 KiB is large enough to pin, a budget of exactly its size holds it", () => {
    const w = mat(64, 64, 20); // 16 KiB
    const before = mirrorStats().mirroredBytes;
    sum(matmul(w, w));
    expect(mirrorStats().mirroredBytes - before).toBe(64 * 64 * 4);
    setPinnedBudget(mirrorStats().pinnedBytes + 64 * 64 * 4);
    sum(matmul(w, w));
    expect(mirrorStats().pinnedBytes).toBe(mirrorStats().pinnedBudget);
    const copied = mirrorStats().mirroredBytes;
    sum(matmul(w, w));
    expect(mirrorStats().mirroredBytes).toBe(copied);
  });

  it("numbers read out of a tensor are a copy: changing them changes neither the tensor nor its pinned mirror", () => {
    const w = weight(128, 21);
    const want = sum(matmul(w, w)).item();
    sum(matmul(w, w)); // pinned now
    const read = w.toArray();
    read.fill(0);
    expect(w.toArray()[0]).not.toBe(0);
    expect(sum(matmul(w, w)).item()).toBe(want);
  });

  it("small tensors are copied per call (cheaper than pinning), and pinning can be turned off", () => {
    const small = weight(32, 3); // 4 KiB
    const pinnedBefore = mirrorStats().pinnedBytes;
    for (let i = 0; i < 5; i++) sum(matmul(small, small));
    expect(mirrorStats().pinnedBytes).toBe(pinnedBefore);
    setPinnedBudget(0);
    expect(mirrorStats().pinnedBytes).toBe(0);
    const w = weight(128, 4);
    const before = mirrorStats().mirroredBytes;
    for (let i = 0; i < 4; i++) sum(matmul(w, w));
    expect(mirrorStats().mirroredBytes - before).toBe(4 * 128 * 128 * 4);
    expect(mirrorStats().pinnedBytes).toBe(0);
  });

  it("training steps (new parameters every step) pin nothing, and WebAssembly memory stays flat", () => {
    let w = weight(128, 5);
    const x = weight(128, 6);
    const vg = valueAndGrad((w: Tensor) => sum(matmul(x, w)));
    const pinnedBefore = mirrorStats().pinnedBytes;
    const step = () => {
      const [, g] = vg(w);
      w = sub(w, g);
    };
    for (let i = 0; i < 20; i++) step();
    const live = heapStats().liveBytes;
    for (let i = 0; i < 200; i++) step();
    // x is read every step and pinned once; the parameters never are.
    expect(mirrorStats().pinnedBytes - pinnedBefore).toBeLessThanOrEqual(128 * 128 * 4);
    expect(heapStats().liveBytes).toBe(live);
  });

  it("stays within its budget, evicting the least recently used, and never frees a mirror in use", () => {
    const bytes = 128 * 128 * 4;
    setPinnedBudget(2 * bytes);
    const ws = [7, 8, 9, 10].map((s) => weight(128, s));
    // One computation reads all four (more than the budget holds) inside one transform.
    const f = (a: Tensor) => sum(matmul(matmul(matmul(matmul(a, ws[0] as Tensor), ws[1] as Tensor), ws[2] as Tensor), ws[3] as Tensor));
    const a = weight(128, 11);
    const want = valueAndGrad(f)(a)[0].item();
    for (let i = 0; i < 5; i++) {
      const [v, g] = valueAndGrad(f)(a);
      expect(v.item()).toBe(want);
      expect(Number.isFinite(sum(g).item())).toBe(true);
      expect(mirrorStats().pinnedBytes).toBeLessThanOrEqual(2 * bytes);
    }
    // Lowering the budget frees at once.
    setPinnedBudget(bytes);
    expect(mirrorStats().pinnedBytes).toBeLessThanOrEqual(bytes);
    expect(() => setPinnedBudget(-1)).toThrow(/non-negative integer/);
  });

  it("an operation that holds several weights at once keeps them all while it runs, even past the budget", () => {
    // recurrence reads weight_ih then weight_hh (64 KiB each) before using either: with room for one, pinning
    // the second must not free the first under it.
    const H = 64;
    const bias = () => tensorFromArray(new Float32Array(4 * H), [4 * H]);
    const p = { weightIh: mat(4 * H, H, 12), weightHh: mat(4 * H, H, 13), biasIh: bias(), biasHh: bias() };
    const x = tensorFromArray(Float32Array.from({ length: 3 * 2 * H }, (_, i) => Math.cos(i)), [3, 2, H]);
    const h0 = tensorFromArray(new Float32Array(2 * H), [2, H]);
    setPinnedBudget(4 * H * H * 4);
    const run = () => recurrence("lstm", x, p, h0, h0).h.toArray();
    const first = Array.from(run());
    for (let i = 0; i < 3; i++) expect(Array.from(run())).toEqual(first);
    expect(mirrorStats().pinnedBytes).toBeLessThanOrEqual(4 * H * H * 4);
  });
});
