// The bundled default: the UCI Sentiment Labelled Sentences (Kotzias, Denil, de Freitas and Smyth, "From group to
// individual labels using deep features", KDD 2015): 1,000 sentences each from Amazon, IMDb and Yelp reviews,
// labelled 0 (negative) or 1 (positive; here the labels "negative" and "positive"), as shipped by the npm package sentiment@5.0.2 in
// test/fixtures/{amazon,imdb,yelp}.json. No network: the files come with the installed package. Split them with
// `splitEveryFifth` from @gated/data.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { attempt, type GatedError, parseError, raise } from "@gated/autograd";
import type * as E from "fp-ts/lib/Either.js";
import type { Example } from "@gated/data";

export const SENTIMENT_SOURCES = ["amazon", "imdb", "yelp"] as const;

/** All entries of the three sources, in the order amazon, imdb, yelp, with their original indices. */
export function loadSentimentExamples(): E.Either<GatedError, Example[]> {
  return attempt(() => {
    let dir: string;
    try {
      dir = join(dirname(createRequire(import.meta.url).resolve("sentiment/package.json")), "test", "fixtures");
    } catch {
      raise(parseError("sentiment@5.0.2", "is not installed: install @gated/datasets with its dependencies"));
    }
    const out: Example[] = [];
    for (const source of SENTIMENT_SOURCES) {
      const file = join(dir, `${source}.json`);
      const data: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (!Array.isArray(data)) raise(parseError(file, "must be a JSON array of {text, class}"));
      data.forEach((e, index) => {
        const rec = e as { text?: unknown; class?: unknown };
        if (typeof rec.text !== "string") raise(parseError(file, `entry ${index} has no string text`));
        // Blank entries (one per file, with class null) are kept here and dropped by the split.
        if (rec.text.trim() !== "" && rec.class !== 0 && rec.class !== 1) raise(parseError(file, `entry ${index} has class ${String(rec.class)}, expected 0 or 1`));
        out.push({ text: rec.text, label: rec.class === 1 ? "positive" : "negative", source, index });
      });
    }
    return out;
  });
}
