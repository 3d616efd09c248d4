// Character corpora: a text split into the first floor(0.9 * length) characters for training and the rest for
// test. Characters are Unicode code points. (Files: `loadCorpus` in `@gated/data/node`; the bundled Moby-Dick:
// `@gated/datasets`.)
import { type GatedError, parseError } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";

export interface Corpus {
  readonly source: string;
  readonly train: string[];
  readonly test: string[];
}

/** The fewest characters a corpus can have: enough for at least 2 test characters. */
export const MIN_CORPUS = 20;

/** Splits a text into code points: the first floor(0.9 n) for training, the rest for test. */
export function splitCorpus(source: string, text: string): E.Either<GatedError, Corpus> {
  const chars = Array.from(text);
  if (chars.length === 0) return E.left(parseError(source, "is empty: a language model needs text"));
  if (chars.length < MIN_CORPUS) return E.left(parseError(source, `holds only ${chars.length} characters, too short to split: a language model needs at least ${MIN_CORPUS} (the first 90% to train on, the rest to test)`));
  if (chars.some((c) => c === "\u0000")) return E.left(parseError(source, "contains NUL bytes: it looks like a binary file, not text"));
  const n = Math.floor(0.9 * chars.length);
  return E.right({ source, train: chars.slice(0, n), test: chars.slice(n) });
}
