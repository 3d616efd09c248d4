// Running a trained model: class probabilities for texts, in batches.
import { softmax } from "@gated/autograd";
import { vocabFromTokens, words } from "@gated/data";
import { idsOf } from "./text.js";
import { sequentialBatches } from "./batches.js";
import { forward, type ModelConfig, type Params } from "./model.js";
import { type NbTables, nbFeaturesOf } from "./nb-features.js";

export function predictor(params: Params, config: ModelConfig, vocabTokens: readonly string[], maxLen: number, nb?: NbTables) {
  const vocab = vocabFromTokens(vocabTokens);
  return (texts: readonly string[]): number[][] => {
    const enc = texts.map((t) => ({ ids: idsOf(vocab, t, maxLen), label: 0, ...(nb ? { nb: nbFeaturesOf(nb, t, maxLen) } : {}) }));
    return sequentialBatches(enc, 128).flatMap((b) => softmax(forward(params, config, b)).toNested() as number[][]);
  };
}

export const argmax = (p: readonly number[]): number => p.reduce((best, v, i) => (v > (p[best] as number) ? i : best), 0);

/**
 * How the prediction evolves word by word: the words of `text` (up to `maxLen`) and, for every prefix of them, the
 * class probabilities of that prefix read as a sentence of its own (for a one-directional model: what its state
 * says after each word). The last row is the prediction for the whole text.
 */
export function prefixProbabilities(predict: (texts: readonly string[]) => number[][], text: string, maxLen: number): { words: string[]; probabilities: number[][] } {
  const w = words(text).slice(0, maxLen);
  if (w.length === 0) return { words: [], probabilities: predict([text]) };
  return { words: w, probabilities: predict(w.map((_, t) => w.slice(0, t + 1).join(" "))) };
}
