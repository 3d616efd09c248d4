// Training the classifier outside the command line (as the playground's worker does), and its saved form.
import { splitEveryFifth } from "@gated/data";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { CHARLM_FORMAT } from "../src/index.js";
import { parseSentimentModel, planSentiment, predictor, SENTIMENT_DEFAULTS, sentimentFiles, trainSentiment } from "../src/sentiment/index.js";

const good = ["great food", "lovely staff", "really good", "loved it", "fine and tasty", "a great place", "good value", "very nice"];
const bad = ["rude staff", "cold food", "never again", "awful place", "bad value", "very slow", "terrible taste", "not good"];
const examples = Array.from({ length: 80 }, (_, i) => ({ text: `${(i % 2 ? bad : good)[i % 8]} ${i % 3 ? "today" : ""}`, label: i % 2 ? "neg" : "pos", source: "toy", index: i }));
const data = { ...splitEveryFifth(examples), classes: ["neg", "pos"] };
const options = { ...SENTIMENT_DEFAULTS, embed: 8, hidden: 6, epochs: 4, patience: 4, batch: 8, lr: 0.02, seed: 5 };

describe("trainSentiment", () => {
  it("is fixed by the seed, learns the toy task, and saves a model that loads back with the same predictions", async () => {
    const a = await trainSentiment(planSentiment(data, options), options, { source: "toy" });
    const b = await trainSentiment(planSentiment(data, options), options, { source: "toy" });
    expect(Array.from(b.result.best.embedding.toArray())).toEqual(Array.from(a.result.best.embedding.toArray()));
    expect(a.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(a.model.training.bestEpoch).toBe(a.result.bestEpoch);
    const files = sentimentFiles(a.model, a.result.best);
    const back = parseSentimentModel(files["config.json"], files["weights.safetensors"]);
    if (E.isLeft(back)) throw new Error(back.left);
    expect(back.right.model).toEqual(a.model);
    const p1 = predictor(a.result.best, a.model.config, a.model.vocab, a.model.maxLen)(["great food", "rude staff"]);
    const p2 = predictor(back.right.params, back.right.model.config, back.right.model.vocab, back.right.model.maxLen)(["great food", "rude staff"]);
    expect(p2).toEqual(p1);
    const seen: string[] = [];
    await trainSentiment(planSentiment(data, { ...options, epochs: 1 }), { ...options, epochs: 1 }, { source: "toy" }, { onProgress: (e) => seen.push(e.kind) });
    expect(seen.at(-1)).toBe("epoch");
    expect(seen.filter((k) => k === "batch").length).toBeGreaterThan(3);
  });

  it("a saved character model is refused as another app's", () => {
    const cfg = JSON.stringify({ format: CHARLM_FORMAT, version: 1 });
    const r = parseSentimentModel(cfg, new Uint8Array(0));
    expect(E.isLeft(r) && r.left).toBe("'config.json' describes a 'gated-char-lm', not a sentence classifier ('gated-sentiment-model'): it belongs to another app");
  });
});
