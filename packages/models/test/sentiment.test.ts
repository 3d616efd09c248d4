// The sentence classifier: a sentence's probabilities do not depend on the batch it is in (padding is masked for
// every pooling and cell, one or two directions), naive Bayes features are centred and placed per token, and an
// empty text is one unknown token.
import { softmax } from "@gated/autograd";
import { buildVocab, words } from "@gated/data";
import { random } from "@gated/nn";
import { describe, expect, it } from "vitest";
import { type ModelConfig, forward, idsOf, initParams, nbFeaturesOf, predictor, prefixProbabilities, sequentialBatches, trainNbTables } from "../src/sentiment/index.js";

const texts = ["good food", "the staff was rude and the food cold", "great", "never again, never", "a fine place to eat at"];
const vocab = buildVocab(texts.map(words));

describe("the sentiment model", () => {
  const configs: ModelConfig[] = [
    { cell: "lstm", embed: 6, hidden: 5, layers: 1, bidirectional: false, pooling: "max", dropout: 0.5 },
    { cell: "gru", embed: 6, hidden: 5, layers: 2, bidirectional: true, pooling: "mean", dropout: 0 },
    { cell: "rnn", embed: 6, hidden: 5, layers: 1, bidirectional: true, pooling: "last", dropout: 0 },
  ];

  it.each(configs)("gives a sentence the same probabilities alone and in a padded batch ($cell, $pooling)", (config) => {
    const params = initParams(random.key(4), config, vocab.tokens.length, 2);
    const predict = predictor(params, config, vocab.tokens, 50);
    const together = predict(texts);
    texts.forEach((t, i) => {
      const alone = predict([t])[0] as number[];
      for (const [c, p] of alone.entries()) expect(p).toBeCloseTo((together[i] as number[])[c] as number, 5);
    });
    for (const row of together) expect((row[0] as number) + (row[1] as number)).toBeCloseTo(1, 6);
  });

  it("with naive-Bayes inputs, scores that favour a class move its probability", () => {
    const data = [
      { text: "good great fine", label: "pos" },
      { text: "rude cold never", label: "neg" },
    ];
    const nb = trainNbTables(data, ["neg", "pos"]);
    const f = nbFeaturesOf(nb, "good food", 10);
    expect(f.tok.length).toBe(2 * 2 * 2);
    expect((f.tok[0] as number) + (f.tok[1] as number)).toBeCloseTo(0, 6); // centred over the classes
    expect(f.sent[1]).toBeGreaterThan(f.sent[0] as number); // "good" is a pos word
    const config: ModelConfig = { cell: "lstm", embed: 4, hidden: 3, layers: 1, bidirectional: false, pooling: "max", dropout: 0, nbClasses: 2 };
    const params = initParams(random.key(1), config, vocab.tokens.length, 2);
    const enc = (t: string) => ({ ids: idsOf(vocab, t, 10), label: 0, nb: nbFeaturesOf(nb, t, 10) });
    const logits = forward(params, config, sequentialBatches([enc("good food"), enc("rude staff")], 2)[0] as never);
    expect(softmax(logits).shape).toEqual([2, 2]);
  });

  it("reads an empty text as one unknown token and cuts long ones", () => {
    expect(Array.from(idsOf(vocab, "", 5))).toEqual([1]);
    expect(Array.from(idsOf(vocab, "good good good good good good", 3))).toEqual([2, 2, 2].map(() => vocab.index.get("good") as number));
  });
});

describe("prefixProbabilities", () => {
  it("gives one row per word, the last row the whole text's prediction, and follows a one-directional model's state", () => {
    const config: ModelConfig = { cell: "lstm", embed: 6, hidden: 5, layers: 1, bidirectional: false, pooling: "last", dropout: 0 };
    const params = initParams(random.key(9), config, vocab.tokens.length, 2);
    const predict = predictor(params, config, vocab.tokens, 50);
    const text = "The staff was rude, the food cold!";
    const { words: w, probabilities } = prefixProbabilities(predict, text, 50);
    expect(w).toEqual(["the", "staff", "was", "rude", ",", "the", "food", "cold", "!"]);
    expect(probabilities).toHaveLength(9);
    const whole = predict([text])[0] as number[];
    for (const [c, p] of whole.entries()) expect((probabilities[8] as number[])[c]).toBeCloseTo(p, 6);
    for (const [t, row] of probabilities.entries()) {
      const alone = predict([w.slice(0, t + 1).join(" ")])[0] as number[];
      for (const [c, p] of alone.entries()) expect(row[c]).toBeCloseTo(p, 6);
    }
    expect(prefixProbabilities(predict, "   ", 50)).toEqual({ words: [], probabilities: predict(["   "]) });
  });
});
