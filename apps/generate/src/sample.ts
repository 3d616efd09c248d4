// pnpm generate sample: text from a trained model, one character at a time (greedy, temperature, top-k, top-p),
// or the most likely continuation by beam search.
import { firstUsageError, int, num, type Parsed, str, type UsageError, usageError, userPath } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { loadCheckpoint } from "./checkpoint.js";
import { continueIds, primeOf } from "@gated/models";

export const SAMPLE_HELP = `usage: pnpm generate sample --model DIR [options]
  --prime TEXT       text to start from (default: a newline, or the first known character)       --length N   characters to add (default 300)
  --temperature X    0 is greedy (default 0.8)   --top-k K   --top-p P   --beam K (beam search of width K)
  --seed N           (default 1)`;

export function sampleCommand(p: Parsed, log: (line: string) => void): number | string | UsageError {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm generate train'");
  if (str(p, "prime") === "") return usageError("--prime is empty: give at least one character to start from, or leave --prime out (a newline)");
  const length = int(p, "length", 300, 1, 1_000_000);
  const temperature = num(p, "temperature", 0.8, -1e-12, 100);
  const topP = num(p, "top-p", 1, 0, 1);
  const beam = int(p, "beam", 0, 0, 64);
  const seed = int(p, "seed", 1, 0);
  const early = firstUsageError({ length, temperature, topP, beam, seed });
  if (early) return early;
  const loaded = loadCheckpoint(userPath(dir), false);
  if (E.isLeft(loaded)) return loaded.left;
  const { meta, params } = loaded.right;
  const topK = int(p, "top-k", meta.vocab.length, 1, meta.vocab.length);
  if (typeof topK !== "number") return topK;
  const prime = primeOf(str(p, "prime"), meta.vocab);
  if ("unknown" in prime) return `--prime holds ${JSON.stringify(prime.unknown)}, which the model never saw`;
  const V = meta.vocab.length;
  const ids = continueIds(params, meta.config, prime.ids, V, { length: length as number, temperature: temperature as number, topK: topK as number, topP: topP as number, seed: seed as number, beam: beam as number });
  const out = ids.map((c) => meta.vocab[c] as string);
  log(prime.chars.join("") + out.join(""));
  return 0;
}
