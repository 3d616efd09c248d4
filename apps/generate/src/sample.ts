// pnpm generate sample: text from a trained model, one character at a time (greedy, temperature, top-k, top-p),
// or the most likely continuation by beam search.
import { random } from "@gated/nn";
import { firstUsageError, int, num, type Parsed, str, type UsageError, usageError, userPath } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { loadCheckpoint } from "./checkpoint.js";
import { type LmConfig, type LmParams, logSoftmaxRows, Sampler, stepperOf } from "@gated/models";

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
  const index = new Map(meta.vocab.map((c, i) => [c, i]));
  // Default prime: a newline where the text has them, else the model's first character.
  const prime = Array.from(str(p, "prime") ?? (index.has("\n") ? "\n" : (meta.vocab[0] as string)));
  const unknown = prime.find((c) => !index.has(c));
  if (unknown !== undefined) return `--prime holds ${JSON.stringify(unknown)}, which the model never saw`;
  const V = meta.vocab.length;
  const primeIds = prime.map((c) => index.get(c) as number);
  const out: string[] = [];
  if ((beam as number) > 0) out.push(...beamSearch(params, meta.config, primeIds, V, beam as number, length as number).map((c) => meta.vocab[c] as string));
  else {
    // Read the prime; the last step's logits predict the first new character. Per character: one step of the
    // stepper and one draw of the sampler, neither of which allocates.
    const stepper = stepperOf(params, meta.config);
    const logits = new Float32Array(V);
    const token = [0];
    for (const c of primeIds) {
      token[0] = c;
      stepper.step(token);
    }
    const sampler = new Sampler(V, { temperature: temperature as number, topK: topK as number, topP: topP as number });
    const u = random.uniform(random.key(seed as number), length as number);
    for (let t = 0; t < (length as number); t++) {
      const c = sampler.next(stepper.logits(logits), u[t] as number);
      out.push(meta.vocab[c] as string);
      token[0] = c;
      stepper.step(token);
    }
  }
  log(prime.join("") + out.join(""));
  return 0;
}

/**
 * The most likely continuation of `length` characters by beam search of width K: the K beams step together as
 * one batch of the stepper; after each step the K best extensions survive (ties: earlier beam, then lower
 * character id), and the stepper's rows are reordered to follow them.
 */
export function beamSearch(params: LmParams, config: LmConfig, primeIds: readonly number[], V: number, K: number, length: number): number[] {
  const stepper = stepperOf(params, config, K);
  const logits = new Float32Array(K * V);
  for (const c of primeIds) stepper.step(new Array<number>(K).fill(c));
  let lp = logSoftmaxRows(stepper.logits(logits), V);
  // Every row holds the same state at first: one beam.
  let beams = [{ score: 0, text: [] as number[], row: 0 }];
  for (let t = 0; t < length; t++) {
    const cands = beams.flatMap((b) => Array.from({ length: V }, (_, c) => ({ from: b, c, score: b.score + (lp[b.row * V + c] as number) })));
    cands.sort((a, b) => b.score - a.score);
    const top = cands.slice(0, K);
    // Unused rows (fewer candidates than K) follow the best beam; they are never read.
    const rows = Array.from({ length: K }, (_, i) => (top[i] ?? (top[0] as (typeof top)[0])).from.row);
    const tokens = Array.from({ length: K }, (_, i) => (top[i] ?? (top[0] as (typeof top)[0])).c);
    stepper.reorder(rows);
    stepper.step(tokens);
    lp = logSoftmaxRows(stepper.logits(logits), V, lp);
    beams = top.map(({ from, c, score }, i) => ({ score, text: [...from.text, c], row: i }));
  }
  return beams[0]?.text ?? [];
}
