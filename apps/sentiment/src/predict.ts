// pnpm sentiment predict: label and probability for sentences given as arguments, or one per line on stdin.
import { readFileSync } from "node:fs";
import { decodeUtf8 } from "@gated/data";
import * as E from "fp-ts/lib/Either.js";
import { jsonLine, type Parsed, printable, str, type UsageError, usageError, userPath } from "@gated/train/node";
import { argmax, predictor } from "@gated/models/sentiment";
import { loadModel } from "./store.js";

export const PREDICT_HELP = `usage: pnpm sentiment predict --model DIR [--json] [SENTENCE...]
Prints the predicted label and its probability for each sentence (arguments, or one per line of UTF-8 text on
stdin). Control characters in the echoed text are shown as escapes (\n, \u001b).
  --json   one JSON object per sentence: {text, label, probability, probabilities}`;

export function predictCommand(p: Parsed, log: (line: string) => void): number | string | UsageError {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm sentiment train'");
  const loaded = loadModel(userPath(dir));
  if (E.isLeft(loaded)) return loaded.left;
  const { model, params } = loaded.right;
  let texts = p.positionals;
  if (texts.length === 0) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(0);
    } catch {
      return "no sentences: give them as arguments or one per line on stdin";
    }
    const input = decodeUtf8(bytes, "standard input");
    if (E.isLeft(input)) return input.left.message;
    texts = input.right.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (texts.length === 0) return "no sentences: give them as arguments or one per line on stdin";
  }
  const probs = predictor(params, model.config, model.vocab, model.maxLen, model.nb)(texts);
  texts.forEach((t, i) => {
    const pr = probs[i] as number[];
    const k = argmax(pr);
    const label = model.classes[k] as string;
    if (p.flags.has("json")) log(jsonLine({ text: t, label, probability: pr[k], probabilities: Object.fromEntries(model.classes.map((c, j) => [c, pr[j]])) }));
    else log(`${printable(label)}\t${(pr[k] as number).toFixed(3)}\t${printable(t)}`);
  });
  return 0;
}
