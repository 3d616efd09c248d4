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

  it("uses every discount, D1, D2 and D3+, by value: a corpus with counts 1, 2, 3 and 4", () => {
    // Corpus "ababababcacacbbbdd" (order 2).
    // Order 2, raw bigram counts: ab 4, ba 3, ac 2, ca 2, bb 2, bc 1, cb 1, bd 1, dd 1.
    //   Count-of-counts n1 = 4, n2 = 3, n3 = 1, n4 = 1: Y = 4 / (4 + 2*3) = 2/5,
    //   D1 = 1 - 2 Y n2/n1 = 1 - 3/5 = 2/5; D2 = 2 - 3 Y n3/n2 = 2 - 2/5 = 8/5; D3+ = 3 - 4 Y n4/n3 = 3 - 8/5 = 7/5.
    // Order 1, continuation counts (distinct characters before each): b 3 (a, c, b), a 2, c 2, d 2; total 9.
    //   Count-of-counts n1 = 0 (read as 1), n2 = 3, n3 = 1, n4 = 0 (read as 1): Y = 1/7,
    //   D1 = 1 - 6/7 = 1/7; D2 = 2 - 3/7 * 1/3 = 13/7; D3+ = 3 - 4/7 = 17/7.
    //   gamma = (13/7 * 3 + 17/7 * 1) / 9 = 8/9; uniform 1/5 (4 characters + unseen).
    //   p1(b) = (3 - 17/7)/9 + 8/9 * 1/5 = 76/315; p1(a) = p1(c) = p1(d) = (2 - 13/7)/9 + 8/45 = 61/315.
    // p(b | a): a is followed by b 4, c 2: total 6, gamma_a = (D2 + D3+)/6 = 1/2;
    //   (4 - 7/5)/6 + 1/2 * 76/315 = 13/30 + 38/315 = 349/630                       (count 4: D3+).
    // p(a | b): b is followed by a 3, b 2, c 1, d 1: total 7, gamma_b = (2 D1 + D2 + D3+)/7 = 19/35;
    //   (3 - 7/5)/7 + 19/35 * 61/315 = 8/35 + 1159/11025 = 3679/11025               (count 3: D3+).
    // p(b | b) = (2 - 8/5)/7 + 19/35 * 76/315 = 2/35 + 1444/11025 = 2074/11025     (count 2: D2).
    // p(d | d): d is followed by d 1: total 1, gamma_d = 2/5; (1 - 2/5) + 2/5 * 61/315 = 1067/1575 (count 1: D1).
    const m = trainKneserNey(Array.from("ababababcacacbbbdd"), 2);
    const [l1, l2] = m.levels as [(typeof m.levels)[0], (typeof m.levels)[0]];
    for (const [i, d] of l2.discounts.entries()) expect(d).toBeCloseTo([2 / 5, 8 / 5, 7 / 5][i] as number, 12);
    for (const [i, d] of l1.discounts.entries()) expect(d).toBeCloseTo([1 / 7, 13 / 7, 17 / 7][i] as number, 12);
    expect(probability(m, [], "b")).toBeCloseTo(76 / 315, 12);
    expect(probability(m, ["a"], "b")).toBeCloseTo(349 / 630, 12);
    expect(probability(m, ["b"], "a")).toBeCloseTo(3679 / 11025, 12);
    expect(probability(m, ["b"], "b")).toBeCloseTo(2074 / 11025, 12);
    expect(probability(m, ["d"], "d")).toBeCloseTo(1067 / 1575, 12);
  });

  it("D3+ depends on n3 and n4 as Chen and Goodman define it: a corpus whose count-of-counts all differ", () => {
    // Bigram counts of this text: 6 once (ce), 4 twice (dd, de), 3 five times, 2 nine times, 1 six times:
    //   n1 = 6, n2 = 9, n3 = 5, n4 = 2: Y = 6 / (6 + 18) = 1/4, D1 = 1 - 2 Y 9/6 = 1/4, D2 = 2 - 3 Y 5/9 = 19/12,
    //   D3+ = 3 - 4 Y 2/5 = 13/5. Continuation counts are 4 (twice) and 5 (three times): n1 = n2 = n3 = 0 (read
    //   as 1), n4 = 2: Y = 1/3, D1 = 1/3, D2 = 2 - 1 = 1, D3+ = 3 - 4/3 * 2 = 1/3.
    // The probabilities: the definition evaluated in exact rational arithmetic.
    const m = trainKneserNey(Array.from("bccececeadccebaacedaebaddeeddddbcdacadecdcbbdedcebdeea"), 2);
    const [l1, l2] = m.levels as [(typeof m.levels)[0], (typeof m.levels)[0]];
    for (const [i, d] of l2.discounts.entries()) expect(d).toBeCloseTo([1 / 4, 19 / 12, 13 / 5][i] as number, 12);
    for (const [i, d] of l1.discounts.entries()) expect(d).toBeCloseTo([1 / 3, 1, 1 / 3][i] as number, 12);
    expect(probability(m, ["c"], "e")).toBeCloseTo(6947 / 18630, 12); // count 6
    expect(probability(m, ["d"], "d")).toBeCloseTo(43109 / 173880, 12); // count 4
    expect(probability(m, ["e"], "c")).toBeCloseTo(34249 / 161460, 12); // count 3
    expect(probability(m, ["b"], "c")).toBeCloseTo(1235 / 5796, 12); // count 2
    expect(probability(m, ["a"], "a")).toBeCloseTo(43639 / 173880, 12); // count 1
    expect(probability(m, ["x"], "e")).toBeCloseTo(71 / 414, 12); // unseen context: the unigram
    expect(probability(m, [], "e")).toBeCloseTo(71 / 414, 12);
    expect(m.vocab).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("uses the longest context it has seen: order 4 tells x a b -> c from y a b -> d, which order 3 cannot", () => {
    const m = trainKneserNey(Array.from("xabcyabd".repeat(12)), 4);
    expect(probability(m, ["x", "a", "b"], "c")).toBeGreaterThan(0.8);
    expect(probability(m, ["y", "a", "b"], "d")).toBeGreaterThan(0.8);
    // With only "a b" (the start of a text) it cannot tell, and a longer context than the order needs changes nothing.
    expect(probability(m, ["a", "b"], "c")).toBeGreaterThan(0.15);
    expect(probability(m, ["a", "b"], "c")).toBeLessThan(0.6);
    expect(probability(m, ["q", "q", "x", "a", "b"], "c")).toBe(probability(m, ["x", "a", "b"], "c"));
  });

  it("does not depend on how characters are spelt: renaming them to astral-plane and boundary code points changes nothing", () => {
    // U+FFFF (the last one-unit code point), U+10000 (surrogates D800 DC00), U+103FF (D800 DFFF), an emoji.
    const rename: Record<string, string> = { a: "\uffff", b: "\u{10000}", c: "\u{103ff}", d: "😀" };
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 40, unit: fc.constantFrom("a", "b", "c", "d") }), fc.integer({ min: 1, max: 4 }), fc.string({ maxLength: 4, unit: fc.constantFrom("a", "b", "c", "d") }), (text, order, ctx) => {
        const plain = trainKneserNey(Array.from(text), order);
        const fancy = trainKneserNey(Array.from(text, (c) => rename[c] as string), order);
        for (const c of ["a", "b", "c", "d"]) {
          expect(probability(fancy, Array.from(ctx, (x) => rename[x] as string), rename[c] as string)).toBeCloseTo(probability(plain, Array.from(ctx), c), 12);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("bits per character: the mean of -log2 p(c | the characters before it), hand-computed on 'ab'", () => {
    // The corpus "abab" of the first test: p(a) = 5/12 (no context yet), p(b | a) = 17/24.
    const m = trainKneserNey(Array.from("abab"), 2);
    expect(bitsPerCharacter(m, ["a", "b"])).toBeCloseTo(-(Math.log2(5 / 12) + Math.log2(17 / 24)) / 2, 12);
    expect(bitsPerCharacter(m, ["a"])).toBeCloseTo(-Math.log2(5 / 12), 12);
  });

  it("refuses an order outside 1..10, an empty text, and scoring nothing", () => {
    for (const order of [0, 11, 1.5, Number.NaN]) expect(() => trainKneserNey(["a"], order)).toThrow(/trainKneserNey: argument 'order' must be an integer in \[1, 10\]/);
    expect(() => trainKneserNey([], 2)).toThrow(/trainKneserNey: argument 'chars' is empty: nothing to count/);
    expect(() => bitsPerCharacter(trainKneserNey(["a"], 1), [])).toThrow(/bitsPerCharacter: argument 'chars' is empty/);
    expect(trainKneserNey(["a"], 10).order).toBe(10);
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
