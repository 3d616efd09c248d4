// Running a trained model: class probabilities for texts, in batches.
import { softmax } from "@gated/autograd";
import { vocabFromTokens } from "@gated/data";
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
