// Words of a text as the classifier and naive Bayes see them.
import { bigrams, encode, type Vocab, words } from "@gated/data";

/** Word ids of a text, cut to maxLen; an empty text becomes one out-of-vocabulary token. */
export function idsOf(vocab: Vocab, text: string, maxLen: number): Int32Array {
  const ids = encode(vocab, words(text).slice(0, maxLen));
  return ids.length > 0 ? ids : Int32Array.of(1);
}

/** Unigram and bigram features for naive Bayes. */
export function nbFeatures(text: string): string[] {
  const w = words(text);
  return [...w, ...bigrams(w)];
}
