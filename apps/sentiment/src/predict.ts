// pnpm sentiment predict: label and probability for sentences given as arguments, or one per line on stdin.
import { readFileSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import { type Parsed, str, userPath } from "@gated/train";
import { argmax, predictor } from "./predictor.js";
import { loadModel } from "./store.js";

export const PREDICT_HELP = `usage: pnpm sentiment predict --model DIR [--json] [SENTENCE...]
Prints the predicted label and its probability for each sentence (arguments, or one per line on stdin).`;

export function predictCommand(p: Parsed, log: (line: string) => void): number | string {
  const dir = str(p, "model");
  if (dir === undefined) return "predict needs --model DIR";
  const loaded = loadModel(userPath(dir));
  if (E.isLeft(loaded)) return loaded.left;
  const { model, params } = loaded.right;
  let texts = p.positionals;
  if (texts.length === 0) {
    let input: string;
    try {
      input = readFileSync(0, "utf8");
    } catch {
      return "no sentences: give them as arguments or one per line on stdin";
    }
    texts = input.split(/\r?\n/).filter((l) => l.trim() !== "");
    if (texts.length === 0) return "no sentences: give them as arguments or one per line on stdin";
  }
  const probs = predictor(params, model.config, model.vocab, model.maxLen, model.nb)(texts);
  texts.forEach((t, i) => {
    const pr = probs[i] as number[];
    const k = argmax(pr);
    const label = model.classes[k] as string;
    if (p.flags.has("json")) log(JSON.stringify({ text: t, label, probability: pr[k], probabilities: Object.fromEntries(model.classes.map((c, j) => [c, pr[j]])) }));
    else log(`${label}\t${(pr[k] as number).toFixed(3)}\t${t}`);
  });
  return 0;
}
