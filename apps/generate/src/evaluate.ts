// pnpm generate eval: test bits per character of a model beside Kneser-Ney n-gram models of orders 1 to 7.
import { bitsPerCharacter, countNgrams, trainKneserNey } from "@gated/counting";
import { DEFAULT_MAX_BYTES, loadCorpus } from "@gated/data/node";
import { mobyDickCorpus } from "@gated/datasets";
import { isUsageError, jsonLine, onInterrupt, type Parsed, size, str, type UsageError, usageError, userPath } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { loadCheckpoint } from "./checkpoint.js";
import { streamBpc } from "@gated/models";

export const EVAL_HELP = `usage: pnpm generate eval --model DIR [--json]
Test bits per character (the last 10% of the model's text, scored as one stream) beside interpolated modified
Kneser-Ney n-gram models of orders 1 to 7 trained on the same 90%.
  --json   print one JSON object: {test_bpc, ngram: {order: bpc}, best_ngram, ...}
  --data-limit SIZE   refuse a data file larger than this (default 64M)`;

export async function evalCommand(p: Parsed, log: (line: string) => void): Promise<number | string | UsageError> {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm generate train'");
  const dataLimit = size(p, "data-limit", DEFAULT_MAX_BYTES);
  if (isUsageError(dataLimit)) return dataLimit;
  const loaded = loadCheckpoint(userPath(dir), false);
  if (E.isLeft(loaded)) return loaded.left;
  const { meta, params } = loaded.right;
  const corpus = meta.data === "bundled" ? mobyDickCorpus() : loadCorpus(meta.data, { maxBytes: dataLimit });
  if (E.isLeft(corpus)) return corpus.left.message;
  const index = new Map(meta.vocab.map((c, i) => [c, i]));
  const { train, test } = corpus.right;
  const missing = test.find((c) => !index.has(c));
  if (missing !== undefined) return `the model's vocabulary lacks ${JSON.stringify(missing)} from its test text: the data changed since training`;
  const t0 = performance.now();
  const testIds = Int32Array.from(test, (c) => index.get(c) as number);
  // Ctrl-C stops the scoring within a window (exit 130); without a handler it would stop the process as well,
  // but the handler keeps the exit code and message the same in every command.
  const interrupt = onInterrupt();
  const bpc = await streamBpc(params, meta.config, testIds, meta.vocab.length, index.get(train[train.length - 1] as string) ?? 0, interrupt.signal).finally(interrupt.dispose);
  if (bpc === undefined) return 130;
  const modelSeconds = (performance.now() - t0) / 1000;
  const raw = countNgrams(train, 7);
  const ngram: Record<string, number> = {};
  for (let order = 1; order <= 7; order++) ngram[order] = bitsPerCharacter(trainKneserNey(train, order, raw), test);
  const best = Object.entries(ngram).sort((a, b) => a[1] - b[1])[0] as [string, number];
  if (p.flags.has("json")) {
    log(jsonLine({ test_bpc: bpc, ngram, best_ngram: { order: Number(best[0]), bpc: best[1] }, step: meta.training.done, training_seconds: meta.training.seconds, test_characters: test.length, model: meta.config, data: corpus.right.source }));
    return 0;
  }
  log(`test bits per character on ${corpus.right.source} (${test.length} characters, one stream)`);
  log(`gated ${meta.config.cell} ${meta.config.hidden} x ${meta.config.layers} (step ${meta.training.done}, ${meta.training.seconds.toFixed(0)}s of training)`.padEnd(56) + bpc.toFixed(3));
  for (const [order, v] of Object.entries(ngram)) log(`Kneser-Ney ${order}-gram${order === best[0] ? " (best)" : ""}`.padEnd(56) + v.toFixed(3));
  log(`(model scored in ${modelSeconds.toFixed(1)}s)`);
  return 0;
}
