// Vocabularies: token <-> id, with padding and out-of-vocabulary tokens, built from counts with a minimum.
import { invalidArgument, raise } from "@gated/autograd";

export const PAD = "<pad>";
export const UNK = "<unk>";

/** A vocabulary: id 0 is padding, id 1 the out-of-vocabulary token, then tokens by count (ties by first use). */
export interface Vocab {
  readonly tokens: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

export function vocabFromTokens(tokens: readonly string[]): Vocab {
  if (tokens[0] !== PAD || tokens[1] !== UNK) raise(invalidArgument("vocab", "tokens", `must start with "${PAD}" and "${UNK}"`));
  const index = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (index.has(t)) raise(invalidArgument("vocab", "tokens", `repeat "${t}"`));
    index.set(t, i);
  });
  return { tokens, index };
}

/** A vocabulary of every token seen at least `minCount` times (and at most `maxSize` tokens, specials included). */
export function buildVocab(texts: readonly (readonly string[])[], { minCount = 1, maxSize = Number.POSITIVE_INFINITY } = {}): Vocab {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts.entries()].filter(([, c]) => c >= minCount);
  // Stable sort by count: Map iteration order is first use, so ties keep it.
  kept.sort((a, b) => b[1] - a[1]);
  return vocabFromTokens([PAD, UNK, ...kept.slice(0, Math.max(0, maxSize - 2)).map(([w]) => w)]);
}

/** Token ids, out-of-vocabulary tokens as the UNK id. */
export function encode(vocab: Vocab, tokens: readonly string[]): Int32Array {
  return Int32Array.from(tokens, (t) => vocab.index.get(t) ?? 1);
}
