// Training the sentence classifier as `pnpm sentiment train` does, wherever it runs (the command line, or the
// playground's worker): a seeded tenth of the training split held out for early stopping, a vocabulary of the rest,
// naive-Bayes-weighted inputs with cross-fitting (--nb), batches bucketed by length, Adam with clipping. The same
// options and seed give the same model in both.
import { crossEntropy } from "@gated/autograd";
import { buildVocab, encode, type Example, type Vocab, words } from "@gated/data";
import { adam, random, recurrentParamCount } from "@gated/nn";
import { type FitEvent, type FitResult, fit, type TrainingSize } from "@gated/train";
import { bucketedBatches, type Encoded, type LabelledBatch, sequentialBatches } from "./batches.js";
import type { SavedModel } from "./format.js";
import { type Cell, forward, initParams, type ModelConfig, type Params, type Pooling, recurrentConfig } from "./model.js";
import { type NbTables, nbFeaturesOf, trainNbTables } from "./nb-features.js";
import { argmax, predictor } from "./predictor.js";

export interface SentimentOptions {
  readonly cell: Cell;
  readonly pooling: Pooling;
  readonly bidirectional: boolean;
  /** Naive-Bayes-weighted inputs (a hybrid). */
  readonly nb: boolean;
  readonly embed: number;
  readonly hidden: number;
  readonly layers: number;
  readonly dropout: number;
  readonly epochs: number;
  readonly patience: number;
  readonly batch: number;
  readonly lr: number;
  readonly clip: number;
  readonly minCount: number;
  readonly seed: number;
}

/** The command line's defaults. */
export const SENTIMENT_DEFAULTS: SentimentOptions = { cell: "lstm", pooling: "max", bidirectional: false, nb: false, embed: 64, hidden: 128, layers: 1, dropout: 0.5, epochs: 20, patience: 6, batch: 32, lr: 0.002, clip: 5, minCount: 1, seed: 1 };

/** Words read per text. */
export const MAX_LEN = 100;

/** Everything training needs, prepared from the split data (and what a memory estimate needs, before training). */
export interface SentimentPlan {
  readonly fitSet: readonly Example[];
  readonly valSet: readonly Example[];
  readonly test: readonly Example[];
  readonly classes: readonly string[];
  readonly vocab: Vocab;
  readonly config: ModelConfig;
  readonly nbTables?: NbTables;
  readonly fitEnc: readonly Encoded[];
  readonly valEnc: readonly Encoded[];
}

export function planSentiment(data: { readonly train: readonly Example[]; readonly test: readonly Example[]; readonly classes: readonly string[] }, o: SentimentOptions): SentimentPlan {
  const { train, test, classes } = data;
  const key = random.key(o.seed);
  const order = random.permutation(random.foldIn(key, 11), train.length);
  const nVal = Math.max(1, Math.round(train.length / 10));
  const valSet = Array.from(order.subarray(0, nVal), (i) => train[i] as Example);
  const fitSet = Array.from(order.subarray(nVal), (i) => train[i] as Example);
  const vocab = buildVocab(fitSet.map((e) => words(e.text)), { minCount: o.minCount });
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const nbTables = o.nb ? trainNbTables(fitSet, classes) : undefined;
  // Cross-fitting: a training text's naive Bayes features come from naive Bayes trained on the other four fifths,
  // so that they are as (un)reliable as they will be on unseen text; validation and test use all of fitSet.
  const FOLDS = 5;
  const foldNb = nbTables ? Array.from({ length: FOLDS }, (_, f) => trainNbTables(fitSet.filter((_e, i) => i % FOLDS !== f), classes)) : [];
  const enc = (xs: readonly Example[], crossFit: boolean): Encoded[] =>
    xs.map((e, i) => {
      const ids = encode(vocab, words(e.text).slice(0, MAX_LEN));
      const tables = crossFit ? foldNb[i % FOLDS] : nbTables;
      return { ids: ids.length > 0 ? ids : Int32Array.of(1), label: classIndex.get(e.label) ?? -1, ...(tables ? { nb: nbFeaturesOf(tables, e.text, MAX_LEN) } : {}) };
    });
  const config: ModelConfig = { cell: o.cell, embed: o.embed, hidden: o.hidden, layers: o.layers, bidirectional: o.bidirectional, pooling: o.pooling, dropout: o.dropout, ...(nbTables ? { nbClasses: classes.length } : {}) };
  return { fitSet, valSet, test, classes, vocab, config, ...(nbTables ? { nbTables } : {}), fitEnc: enc(fitSet, true), valEnc: enc(valSet, false) };
}

/** The sizes `trainingMemory` estimates from, for this plan (every parameter counted: embedding, layers, head). */
export function sentimentTrainingSize(plan: SentimentPlan, o: SentimentOptions): TrainingSize {
  const c = plan.config;
  const D = c.bidirectional ? 2 : 1;
  const params = plan.vocab.tokens.length * o.embed + recurrentParamCount(recurrentConfig(c)) + plan.classes.length * (D * o.hidden + (c.nbClasses ?? 0) + 1);
  return { params, batch: o.batch, steps: MAX_LEN, layers: o.layers, directions: c.bidirectional ? 2 : 1, hidden: o.hidden, gates: o.cell === "lstm" ? 4 : o.cell === "gru" ? 3 : 1, embed: recurrentConfig(c).inputSize, outputs: plan.classes.length, outputEveryStep: false };
}

export interface SentimentHooks {
  readonly onProgress?: (event: FitEvent) => void;
  readonly signal?: AbortSignal;
  /** Awaited between batches (a worker job's tick). */
  readonly tick?: () => Promise<void>;
  readonly log?: (line: string) => void;
}

export interface TrainedSentiment {
  readonly result: FitResult<Params>;
  readonly testAccuracy: number;
  readonly seconds: number;
  /** The model's description for config.json (with `data` as given). */
  readonly model: SavedModel;
}

/** Trains the classifier of a plan; `data` is what config.json records as the data's source. */
export async function trainSentiment(plan: SentimentPlan, o: SentimentOptions, data: SavedModel["data"], hooks: SentimentHooks = {}): Promise<TrainedSentiment> {
  const { config, classes, vocab } = plan;
  const key = random.key(o.seed);
  const valBatches = sequentialBatches(plan.valEnc, 256);
  const validate = (params: Params) => {
    let loss = 0;
    let correct = 0;
    for (const b of valBatches) {
      const logits = forward(params, config, b);
      loss += crossEntropy(logits, b.labels, "sum").item();
      const l = logits.toArray();
      const C = classes.length;
      for (let i = 0; i < b.batch; i++) if (argmax(Array.from(l.subarray(i * C, (i + 1) * C))) === b.labels[i]) correct++;
    }
    return { loss: loss / plan.valEnc.length, accuracy: correct / plan.valEnc.length };
  };
  const t0 = performance.now();
  const result = await fit({
    params: initParams(random.foldIn(key, 12), config, vocab.tokens.length, classes.length),
    optimizer: adam({ lr: o.lr }),
    loss: (params: Params, b: LabelledBatch, k: random.Key) => crossEntropy(forward(params, config, b, k), b.labels),
    batches: (_epoch, k) => bucketedBatches(plan.fitEnc, o.batch, k),
    validate,
    epochs: o.epochs,
    patience: o.patience,
    clip: o.clip,
    key: random.foldIn(key, 13),
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.log ? { log: hooks.log } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.tick ? { tick: hooks.tick } : {}),
  });
  const seconds = (performance.now() - t0) / 1000;
  const predict = predictor(result.best, config, vocab.tokens, MAX_LEN, plan.nbTables);
  const testAccuracy = plan.test.length === 0 ? Number.NaN : predict(plan.test.map((e) => e.text)).filter((pr, i) => classes[argmax(pr)] === plan.test[i]?.label).length / plan.test.length;
  const model: SavedModel = {
    config,
    vocab: vocab.tokens,
    classes,
    maxLen: MAX_LEN,
    data,
    ...(plan.nbTables ? { nb: plan.nbTables } : {}),
    training: { seed: o.seed, epochs: o.epochs, lr: o.lr, clip: o.clip, batch: o.batch, minCount: o.minCount, bestEpoch: result.bestEpoch, history: result.history, seconds, testAccuracy },
  };
  return { result, testAccuracy, seconds, model };
}
