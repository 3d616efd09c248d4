// Naive-Bayes-weighted inputs (the --nb option): naive Bayes, trained on the same training texts, scores every
// token and the whole sentence; those scores join the network's inputs:
// - per token, the class log-likelihoods of its unigram and of the bigram it ends (centred over classes), beside
//   the word embedding;
// - per sentence, naive Bayes' class log-scores (centred), beside the pooled features before the linear layer.
// The network can then learn how far to trust naive Bayes and where the sequence model knows better. It is a
// hybrid of the two models (reported as such), not an ensemble of separately trained ones.
import { type NaiveBayes, trainNaiveBayes } from "@gated/counting";
import { bigrams, words } from "@gated/data";

export interface NbTables {
  readonly classes: readonly string[];
  readonly logPrior: readonly number[];
  readonly features: Readonly<Record<string, readonly number[]>>;
}

export function trainNbTables(texts: readonly { text: string; label: string }[], classes: readonly string[]): NbTables {
  const nb: NaiveBayes = trainNaiveBayes(texts.map((e) => {
    const w = words(e.text);
    return { features: [...w, ...bigrams(w)], label: e.label };
  }));
  // Align to the app's class order (the same sorted order).
  const order = classes.map((c) => nb.classes.indexOf(c));
  const features: Record<string, number[]> = {};
  for (const [f, ll] of nb.logLikelihood) features[f] = order.map((i) => (i < 0 ? 0 : (ll[i] as number)));
  return { classes, logPrior: order.map((i) => (i < 0 ? 0 : (nb.logPrior[i] as number))), features };
}

const centre = (v: number[]): number[] => {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return v.map((x) => x - m);
};

/** Per-token features [len, 2C] and the sentence's scores [C] for the first maxLen words of a text. */
export function nbFeaturesOf(t: NbTables, text: string, maxLen: number): { tok: Float32Array; sent: Float32Array } {
  const C = t.classes.length;
  const all = words(text);
  const w = all.slice(0, maxLen);
  const n = Math.max(1, w.length);
  const tok = new Float32Array(n * 2 * C);
  const score = [...t.logPrior];
  const add = (f: string) => {
    const ll = t.features[f];
    if (ll) for (let c = 0; c < C; c++) score[c] = (score[c] as number) + (ll[c] as number);
    return ll;
  };
  for (const b of bigrams(all)) add(b);
  for (const u of all) add(u);
  w.forEach((word, i) => {
    const u = t.features[word];
    const b = i > 0 ? t.features[`${w[i - 1]} ${word}`] : undefined;
    if (u) tok.set(centre([...u]), i * 2 * C);
    if (b) tok.set(centre([...b]), i * 2 * C + C);
  });
  // Scale the sentence score to about unit size for the optimiser: divide by the number of tokens.
  const sent = Float32Array.from(centre(score).map((s) => s / Math.sqrt(all.length + 1)));
  return { tok, sent };
}
