// The sentiment view's workers (one module, two roles): training a classifier on the bundled sentences as
// `pnpm sentiment train` does, and classifying sentences with a saved model (word by word) beside naive Bayes.
import { predictNaiveBayes, trainNaiveBayes } from "@gated/counting";
import { type Example, splitEveryFifth } from "@gated/data";
import { nbFeatures, parseSentimentModel, planSentiment, predictor, prefixProbabilities, type SentimentOptions, sentimentFiles, trainSentiment } from "@gated/models/sentiment";
import { type FitEvent, serveTraining, type TrainingJob } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { SENTENCES } from "virtual:gated-data";

export interface ModelFiles {
  readonly config: string;
  readonly weights: Uint8Array;
}

export type SentimentRequest =
  | { readonly kind: "train"; readonly options: SentimentOptions }
  | { readonly kind: "classify"; readonly model: ModelFiles; readonly text: string };

export interface TrainProgress {
  readonly event: FitEvent;
  readonly fitCount: number;
}

export interface Trained {
  readonly kind: "trained";
  readonly files: ModelFiles;
  readonly testAccuracy: number;
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly interrupted: boolean;
}

export interface Classified {
  readonly kind: "classified";
  readonly classes: readonly string[];
  readonly words: readonly string[];
  /** Per prefix of the words, the class probabilities (the last row: the whole sentence). */
  readonly probabilities: readonly (readonly number[])[];
  readonly naiveBayes: { readonly label: string; readonly classes: readonly string[]; readonly probabilities: readonly number[] };
}

const examples: Example[] = SENTENCES.map(([text, label, source, index]) => ({ text, label, source, index }));
const split = splitEveryFifth(examples);
const classes = [...new Set(split.train.map((e) => e.label))].sort();
let nb: ReturnType<typeof trainNaiveBayes> | undefined;

serveTraining(async (r: SentimentRequest, job: TrainingJob<TrainProgress, never>): Promise<Trained | Classified> => {
  if (r.kind === "train") {
    const plan = planSentiment({ ...split, classes }, r.options);
    const t = await trainSentiment(plan, r.options, { source: "playground: bundled UCI Sentiment Labelled Sentences" }, { onProgress: (event) => job.progress({ event, fitCount: plan.fitSet.length }), signal: job.signal, tick: job.tick });
    const files = sentimentFiles(t.model, t.result.best);
    return { kind: "trained", files: { config: files["config.json"], weights: files["weights.safetensors"] }, testAccuracy: t.testAccuracy, bestEpoch: t.result.bestEpoch, seconds: t.seconds, interrupted: t.result.interrupted };
  }
  const parsed = parseSentimentModel(r.model.config, r.model.weights);
  if (E.isLeft(parsed)) throw new Error(parsed.left);
  const { model, params } = parsed.right;
  const predict = predictor(params, model.config, model.vocab, model.maxLen, model.nb);
  const { words, probabilities } = prefixProbabilities(predict, r.text, model.maxLen);
  nb ??= trainNaiveBayes(split.train.map((e) => ({ features: nbFeatures(e.text), label: e.label })));
  const verdict = predictNaiveBayes(nb, nbFeatures(r.text));
  return { kind: "classified", classes: model.classes, words, probabilities, naiveBayes: { label: verdict.label, classes: nb.classes, probabilities: verdict.probabilities } };
});
