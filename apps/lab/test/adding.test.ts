// The adding problem's data: marker positions, targets, the baseline's MSE, determinism, bad arguments.
import { random } from "@gated/nn";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addingBatch, BASELINE_MSE } from "../src/adding.js";

describe("addingBatch", () => {
  it("marks exactly two steps, one in each half, and the target is the sum of the two marked values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 60 }), (seed, B, T) => {
        const { x, y, marks } = addingBatch(random.key(seed), B, T);
        expect(x.length).toBe(B * T * 2);
        const half = Math.floor(T / 2);
        for (let b = 0; b < B; b++) {
          const marked: number[] = [];
          for (let t = 0; t < T; t++) {
            const v = x[(b * T + t) * 2] as number;
            const m = x[(b * T + t) * 2 + 1] as number;
            expect(v >= 0 && v < 1).toBe(true);
            expect(m === 0 || m === 1).toBe(true);
            if (m === 1) marked.push(t);
          }
          expect(marked).toEqual([marks[2 * b], marks[2 * b + 1]]);
          const [first, second] = marked as [number, number];
          expect(first).toBeLessThan(half);
          expect(second).toBeGreaterThanOrEqual(half);
          expect(second).toBeLessThan(T);
          expect(y[b]).toBe(Math.fround((x[(b * T + first) * 2] as number) + (x[(b * T + second) * 2] as number)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("has targets with mean 1 and variance 1/6, so the constant predictor's MSE is 1/6", () => {
    const B = 40_000;
    const { y } = addingBatch(random.key(7), B, 12);
    let mean = 0;
    for (const v of y) mean += v / B;
    let mse1 = 0;
    for (const v of y) mse1 += (v - 1) ** 2 / B;
    // standard errors: sqrt(1/6 / B) = 0.002 for the mean; about 0.0009 for the MSE
    expect(Math.abs(mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(mse1 - BASELINE_MSE)).toBeLessThan(0.005);
    expect(BASELINE_MSE).toBeCloseTo(2 / 12, 12);
  });

  it("places each marker uniformly over its half", () => {
    const B = 30_000;
    const T = 20;
    const { marks } = addingBatch(random.key(3), B, T);
    const counts = new Array<number>(T).fill(0);
    for (const m of marks) counts[m] = (counts[m] as number) + 1;
    // every step gets B / 10 marks (each half has 10 steps); 3,000 +- 5 standard deviations (about 52 each)
    for (const c of counts) expect(Math.abs(c - B / 10)).toBeLessThan(270);
    // and odd lengths split at floor(T / 2): the first half of T = 5 is steps 0 and 1
    const odd = addingBatch(random.key(4), 2000, 5).marks;
    for (let b = 0; b < 2000; b++) {
      expect(odd[2 * b]).toBeLessThan(2);
      expect(odd[2 * b + 1]).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(Array.from({ length: 2000 }, (_, b) => odd[2 * b + 1])).size).toBe(3);
  });

  it("gives the same batch for the same key and another for another key", () => {
    const a = addingBatch(random.key(11), 4, 30);
    expect(addingBatch(random.key(11), 4, 30)).toEqual(a);
    expect(addingBatch(random.key(12), 4, 30).x).not.toEqual(a.x);
  });

  it("rejects lengths below 2 and empty batches with a message that says so", () => {
    expect(() => addingBatch(random.key(1), 4, 1)).toThrow(/sequence length must be an integer >= 2, got 1/);
    expect(() => addingBatch(random.key(1), 0, 10)).toThrow(/batch size must be a positive integer, got 0/);
  });
});
