import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bitsPerCharacter, probability, trainKneserNey } from "../src/index.js";

describe("interpolated modified Kneser-Ney", () => {
  it("matches hand-computed probabilities on a tiny corpus", () => {
    // Corpus "abab" (order 2). Bigrams: ab x2, ba x1 -> raw counts at order 2.
    // Order 1 continuation counts: b is preceded by one distinct char (a), a by one (b): N(a) = 1, N(b) = 1.
    // Order-1 count-of-counts n1 = 2, n2 = 0 (read as 1), n3 = n4 = 0 (read as 1): Y = 2/(2+2) = 0.5,
    //   D1 = 1 - 2*0.5*(1/2) = 0.5.
    // p1(b) = (1 - 0.5)/2 + gamma * 1/3, gamma = 0.5*2/2 = 0.5 -> 0.25 + 1/6 = 5/12 (V = 2 chars + 1 unseen).
    // Order 2: count-of-counts n1 = 1 (ba), n2 = 1 (ab), n3 = n4 = 0 (read as 1): Y = 1/3,
    //   D1 = 1 - 2/3 = 1/3, D2 = 2 - 3*(1/3)*(1/1) = 1.
    // p(b | a) = (2 - 1)/2 + gamma_a * p1(b), gamma_a = D2 * 1 / 2 = 0.5 -> 0.5 + 0.5 * 5/12 = 17/24.
    const m = trainKneserNey(Array.from("abab"), 2);
    expect(probability(m, [], "b")).toBeCloseTo(5 / 12, 12);
    expect(probability(m, ["a"], "b")).toBeCloseTo(17 / 24, 12);
    // An unseen context backs off to the unigram; an unseen character gets only the uniform share.
    expect(probability(m, ["z"], "b")).toBeCloseTo(5 / 12, 12);
    expect(probability(m, [], "z")).toBeCloseTo((0.5 * 2) / 2 / 3, 12);
  });

  it("gives distributions that sum to 1 over the vocabulary (plus the unseen share), at every order", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: fc.constantFrom("a", "b", "c", "d", "é", "😀") }), fc.integer({ min: 1, max: 6 }), fc.string({ maxLength: 8, unit: fc.constantFrom("a", "b", "c", "x") }), (text, order, ctx) => {
        const chars = Array.from(text);
        const m = trainKneserNey(chars, order);
        const context = Array.from(ctx);
        const total = [...m.vocab, "<unseen>"].reduce((s, c) => s + probability(m, context, c), 0);
        // The unseen share is counted once for all unseen characters.
        expect(total).toBeCloseTo(1, 9);
      }),
      { numRuns: 300 },
    );
  });

  it("scores a text as one stream, and higher orders fit repetitive text better", () => {
    const text = Array.from("the cat sat on the mat. the cat sat on the mat. ".repeat(20));
    const bpc1 = bitsPerCharacter(trainKneserNey(text, 1), text);
    const bpc4 = bitsPerCharacter(trainKneserNey(text, 4), text);
    expect(bpc4).toBeLessThan(bpc1);
    expect(bpc4).toBeGreaterThan(0);
  });
});
