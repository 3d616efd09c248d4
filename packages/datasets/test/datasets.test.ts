// The bundled data sets: read from the installed npm packages, with the sizes and splits the README states.
import { splitEveryFifth } from "@gated/data";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { loadSentimentExamples, MOBY_DICK_SOURCE, mobyDickCorpus, mobyDickText, SENTIMENT_SOURCES } from "../src/index.js";

describe("the bundled sentiment split", () => {
  const all = loadSentimentExamples();
  if (E.isLeft(all)) throw new Error(all.left.message);
  const { train, test } = splitEveryFifth(all.right);

  it("has exactly 2,400 train and 600 test sentences, 800/200 per source", () => {
    expect(all.right.length).toBe(3003);
    expect(train.length).toBe(2400);
    expect(test.length).toBe(600);
    for (const s of SENTIMENT_SOURCES) {
      expect(train.filter((e) => e.source === s).length).toBe(800);
      expect(test.filter((e) => e.source === s).length).toBe(200);
    }
    expect(test.every((e) => e.index % 5 === 4)).toBe(true);
    expect(all.right.filter((e) => e.text.trim() === "").map((e) => `${e.source}:${e.index}`)).toEqual(["amazon:1000", "imdb:1000", "yelp:1000"]);
  });

  it("has the class balance of the source files", () => {
    const pos = (xs: typeof train, s?: string) => xs.filter((e) => e.label === "positive" && (s === undefined || e.source === s)).length;
    expect([pos(train, "amazon"), pos(train, "imdb"), pos(train, "yelp")]).toEqual([415, 405, 389]);
    expect([pos(test, "amazon"), pos(test, "imdb"), pos(test, "yelp")]).toEqual([85, 95, 111]);
    expect(pos(train) + pos(test)).toBe(1500);
  });
});

describe("Moby-Dick", () => {
  it("holds 1,190,317 characters (83 distinct) and splits 90 / 10 in code points", () => {
    const text = mobyDickText();
    if (E.isLeft(text)) throw new Error(text.left.message);
    const chars = Array.from(text.right);
    expect(chars.length).toBe(1_190_317);
    expect(new Set(chars).size).toBe(83);
    expect(text.right.startsWith("CHAPTER 1. Loomings.\n\nCall me Ishmael.")).toBe(true);
    const c = mobyDickCorpus();
    if (E.isLeft(c)) throw new Error(c.left.message);
    expect(c.right.source).toBe(MOBY_DICK_SOURCE);
    expect(c.right.train.length).toBe(Math.floor(0.9 * 1_190_317));
    expect(c.right.test.length).toBe(1_190_317 - Math.floor(0.9 * 1_190_317));
    expect([...c.right.train, ...c.right.test].join("")).toBe(text.right);
  });
});
