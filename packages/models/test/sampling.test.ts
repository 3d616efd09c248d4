import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { filtered, pick, Sampler } from "../src/sampling.js";

const logp = (ps: number[]) => ps.map(Math.log);

describe("samplers", () => {
  it("temperature 0 is greedy", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }).map((n) => n / 100), { minLength: 2, maxLength: 10 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (w, u) => {
        // Greedy picks the (first) largest log-probability.
        const lp = logp(w);
        const best = lp.indexOf(Math.max(...lp));
        expect(pick(filtered(lp, { temperature: 0 }), u)).toBe(best);
      }),
    );
  });

  it("top-k never leaves the top k, and top-p keeps the smallest nucleus", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }).map((n) => n / 100), { minLength: 3, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (w, k, u) => {
        // Weights are multiples of 0.01, so distinct weights have distinct logs; ties rank by index in both.
        const ranked = [...w.keys()].sort((a, b) => (w[b] as number) - (w[a] as number));
        const top = new Set(ranked.slice(0, k));
        const i = pick(filtered(logp(w), { temperature: 1, topK: k }), u);
        expect(top.has(i)).toBe(true);
      }),
    );
    const p = filtered(logp([0.5, 0.3, 0.15, 0.05]), { temperature: 1, topP: 0.75 });
    expect(p.map((v) => Number(v.toFixed(6)))).toEqual([0.625, 0.375, 0, 0]);
  });

  it("sampling frequencies follow the (tempered) distribution", () => {
    const probs = filtered(logp([0.6, 0.3, 0.1]), { temperature: 1 });
    const counts = [0, 0, 0];
    for (let i = 0; i < 10_000; i++) {
      const c = pick(probs, (i + 0.5) / 10_000);
      counts[c] = (counts[c] as number) + 1;
    }
    expect(counts).toEqual([6000, 3000, 1000]);
    const hot = filtered(logp([0.6, 0.3, 0.1]), { temperature: 2 });
    expect(hot[0]).toBeCloseTo(Math.sqrt(0.6) / (Math.sqrt(0.6) + Math.sqrt(0.3) + Math.sqrt(0.1)), 12);
  });
});

describe("Sampler (the allocation-free sampler generate sample uses)", () => {
  it("chooses what pick(filtered(log-softmax(logits))) chooses, on random logits, temperatures, top-k, top-p and draws", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom(0, 0.3, 0.7, 1, 2),
        fc.integer({ min: 1, max: 45 }),
        fc.constantFrom(1, 0.9, 0.5, 0.1),
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 1, maxLength: 5 }),
        (logits, temperature, k, topP, us) => {
          const n = logits.length;
          const topK = Math.min(k, n);
          const sampler = new Sampler(n, { temperature, topK, topP });
          // The same sampler over several draws: its buffers are reused.
          for (const u of us) {
            const m = Math.max(...logits);
            const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
            const want = pick(filtered(logits.map((l) => l - lse), { temperature, topK, topP }), u);
            expect(sampler.next(Float64Array.from(logits), u)).toBe(want);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
