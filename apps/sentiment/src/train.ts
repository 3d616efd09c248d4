// pnpm sentiment train: fits the classifier on the training split (a seeded tenth held out for early stopping),
// reports validation and test accuracy, and writes the model directory with its curves.
import { crossEntropy } from "@gated/autograd";
import { buildVocab, encode, words } from "@gated/data";
import { adam, random, recurrentParamCount } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { DEFAULT_MEMORY_LIMIT, fit, lineChart, memoryRefusal, trainingMemory } from "@gated/train";
import { type UsageError, usageError, choice, isUsageError, firstUsageError, fitProgress, int, lockOutDir, num, onInterrupt, type OutLock, type Parsed, size, str, userPath } from "@gated/train/node";
import { DEFAULT_MAX_BYTES } from "@gated/data/node";
import { argmax, bucketedBatches, type Cell, type Encoded, forward, initParams, type LabelledBatch, type ModelConfig, nbFeaturesOf, type Params, type Pooling, predictor, recurrentConfig, sequentialBatches, trainNbTables } from "@gated/models/sentiment";
import { loadDataset } from "./dataset.js";
import { APP, saveModel } from "./store.js";

export const TRAIN_HELP = `usage: pnpm sentiment train [options]
Trains word embedding -> LSTM | GRU | RNN -> pooling -> linear on the training split and writes a model directory
(weights.safetensors, config.json, curves.svg). Data: the bundled UCI Sentiment Labelled Sentences, or a file.
  --data FILE            CSV, TSV (with a header) or JSONL file of labelled texts (default: bundled)
  --text-column NAME     column or key of the text (default: text)
  --label-column NAME    column or key of the label (default: label)
  --cell lstm|gru|rnn    recurrent cell (default: lstm)
  --bidirectional        read each sentence in both directions
  --nb                   naive-Bayes-weighted inputs: naive Bayes token and sentence scores join the inputs (a hybrid)
  --pooling last|mean|max  how to summarise the sequence (default: max)
  --embed N  --hidden N  --layers N   sizes (default: 64, 128, 1)
  --dropout X            dropout rate (default: 0.5)
  --epochs N             at most N epochs (default: 20); --patience N stops after N without improvement (default: 6)
  --batch N  --lr X  --clip X   batch size, Adam's learning rate, gradient clipping (default: 32, 0.002, 5)
  --min-count N          vocabulary: words seen at least N times in training (default: 1)
  --seed N               seed of every random choice (default: 1)
  --out DIR              model folder (default: sentiment-model): a new or empty folder, or one holding a model of
                         this app, which is replaced only when training succeeds (see "Files and safety" in docs/apps.md)
  --data-limit SIZE      refuse a --data file larger than this (default: 64M)
  --memory-limit SIZE    refuse a model whose training needs more than this, estimated up front (default: 3G)
  --quiet                no progress output
Ctrl-C (or SIGTERM) stops training and exits 130 without writing anything.`;

export async function trainCommand(p: Parsed, log: (line: string) => void): Promise<number | string | UsageError> {
  const opts = {
    cell: choice<Cell>(p, "cell", ["lstm", "gru", "rnn"], "lstm"),
    pooling: choice<Pooling>(p, "pooling", ["last", "mean", "max"], "max"),
    embed: int(p, "embed", 64, 1, 4096),
    hidden: int(p, "hidden", 128, 1, 4096),
    layers: int(p, "layers", 1, 1, 8),
    dropout: num(p, "dropout", 0.5, -1e-9, 0.95),
    epochs: int(p, "epochs", 20, 1, 10_000),
    patience: int(p, "patience", 6, 1, 10_000),
    batch: int(p, "batch", 32, 1, 4096),
    lr: num(p, "lr", 0.002, 0, 1),
    clip: num(p, "clip", 5, 0, 1e9),
    minCount: int(p, "min-count", 1, 1, 1_000_000),
    seed: int(p, "seed", 1, 0),
    dataLimit: size(p, "data-limit", DEFAULT_MAX_BYTES),
    memoryLimit: size(p, "memory-limit", DEFAULT_MEMORY_LIMIT),
  };
  const usage = firstUsageError(opts);
  if (usage) return usage;
  const o = opts as { [K in keyof typeof opts]: Exclude<(typeof opts)[K], UsageError> };
  // The output folder is checked and locked before anything else is done; the lock is released however this ends.
  const lock = lockOutDir(str(p, "out") ?? "sentiment-model", APP);
  if (typeof lock === "string" || isUsageError(lock)) return lock;
  try {
    return await train(p, o, lock, log);
  } finally {
    lock.release();
  }
}

type TrainOptions = { cell: Cell; pooling: Pooling; embed: number; hidden: number; layers: number; dropout: number; epochs: number; patience: number; batch: number; lr: number; clip: number; minCount: number; seed: number; dataLimit: number; memoryLimit: number };

async function train(p: Parsed, o: TrainOptions, lock: OutLock, log: (line: string) => void): Promise<number | string | UsageError> {
  const out = lock.target.shown;
  const data = loadDataset({ ...(str(p, "data") ? { file: str(p, "data") as string } : {}), ...(str(p, "text-column") ? { textColumn: str(p, "text-column") as string } : {}), ...(str(p, "label-column") ? { labelColumn: str(p, "label-column") as string } : {}), maxBytes: o.dataLimit });
  if (E.isLeft(data)) return data.left;
  const { train, test, classes, source } = data.right;
  const key = random.key(o.seed);
  const order = random.permutation(random.foldIn(key, 11), train.length);
  const nVal = Math.max(1, Math.round(train.length / 10));
  const valSet = Array.from(order.subarray(0, nVal), (i) => train[i] as (typeof train)[number]);
  const fitSet = Array.from(order.subarray(nVal), (i) => train[i] as (typeof train)[number]);
  const maxLen = 100;
  const vocab = buildVocab(fitSet.map((e) => words(e.text)), { minCount: o.minCount });
  const classIndex = new Map(classes.map((c, i) => [c, i]));
  const nbTables = p.flags.has("nb") ? trainNbTables(fitSet, classes) : undefined;
  // Cross-fitting: a training text's naive Bayes features come from naive Bayes trained on the other four fifths,
  // so that they are as (un)reliable as they will be on unseen text; validation and test use all of fitSet.
  const FOLDS = 5;
  const foldNb = nbTables ? Array.from({ length: FOLDS }, (_, f) => trainNbTables(fitSet.filter((_e, i) => i % FOLDS !== f), classes)) : [];
  const enc = (xs: typeof train, crossFit: boolean): Encoded[] => xs.map((e, i) => {
    const ids = encode(vocab, words(e.text).slice(0, maxLen));
    const tables = crossFit ? foldNb[i % FOLDS] : nbTables;
    return { ids: ids.length > 0 ? ids : Int32Array.of(1), label: classIndex.get(e.label) ?? -1, ...(tables ? { nb: nbFeaturesOf(tables, e.text, maxLen) } : {}) };
  });
  const fitEnc = enc(fitSet, true);
  const valEnc = enc(valSet, false);
  const config: ModelConfig = { cell: o.cell, embed: o.embed, hidden: o.hidden, layers: o.layers, bidirectional: p.flags.has("bidirectional"), pooling: o.pooling, dropout: o.dropout, ...(nbTables ? { nbClasses: classes.length } : {}) };
  const D = config.bidirectional ? 2 : 1;
  const estimate = trainingMemory({
    params: vocab.tokens.length * o.embed + recurrentParamCount(recurrentConfig(config)) + classes.length * (D * o.hidden + (config.nbClasses ?? 0) + 1),
    batch: o.batch,
    steps: maxLen,
    layers: o.layers,
    directions: D,
    hidden: o.hidden,
    gates: o.cell === "lstm" ? 4 : o.cell === "gru" ? 3 : 1,
    embed: recurrentConfig(config).inputSize,
    outputs: classes.length,
    outputEveryStep: false,
  });
  const tooBig = memoryRefusal(estimate, o.memoryLimit, "use a smaller --hidden, --embed, --layers or --batch");
  if (tooBig) return usageError(tooBig, false);
  log(`data: ${source}: ${fitSet.length} train, ${valSet.length} validation, ${test.length} test; ${classes.length} classes; vocabulary ${vocab.tokens.length}`);
  log(`model: embedding ${o.embed}${nbTables ? " + naive Bayes token scores" : ""} -> ${config.bidirectional ? "bidirectional " : ""}${o.cell} ${o.hidden} x ${o.layers} -> ${o.pooling} pooling -> linear ${classes.length}; dropout ${o.dropout}; Adam ${o.lr}, clip ${o.clip}, batch ${o.batch}, seed ${o.seed}`);
  const valBatches = sequentialBatches(valEnc, 256);
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
    return { loss: loss / valEnc.length, accuracy: correct / valEnc.length };
  };
  const t0 = performance.now();
  const interrupt = onInterrupt();
  const result = await fit({
    params: initParams(random.foldIn(key, 12), config, vocab.tokens.length, classes.length),
    optimizer: adam({ lr: o.lr }),
    loss: (params: Params, b: LabelledBatch, k: random.Key) => crossEntropy(forward(params, config, b, k), b.labels),
    batches: (_epoch, k) => bucketedBatches(fitEnc, o.batch, k),
    validate,
    epochs: o.epochs,
    patience: o.patience,
    clip: o.clip,
    key: random.foldIn(key, 13),
    ...(p.flags.has("quiet") ? {} : { onProgress: fitProgress() }),
    log,
    signal: interrupt.signal,
  }).finally(interrupt.dispose);
  if (result.interrupted) {
    log(`interrupted (${interrupt.received() ?? "signal"}): nothing written${lock.target.holds.kind === "model" ? `; the model in ${out} is unchanged` : ""}`);
    return 130;
  }
  const seconds = (performance.now() - t0) / 1000;
  const best = result.history[result.bestEpoch - 1];
  const predict = predictor(result.best, config, vocab.tokens, maxLen, nbTables);
  const testAcc = test.length === 0 ? Number.NaN : predict(test.map((e) => e.text)).filter((pr, i) => classes[argmax(pr)] === test[i]?.label).length / test.length;
  log(`trained in ${seconds.toFixed(1)}s: best epoch ${result.bestEpoch} (validation accuracy ${(100 * (best?.valAccuracy ?? 0)).toFixed(1)}%), test accuracy ${(100 * testAcc).toFixed(1)}%`);
  const curves = lineChart([
    { title: "loss", series: [{ name: "train", values: result.history.map((h) => h.trainLoss) }, { name: "validation", values: result.history.map((h) => h.valLoss) }] },
    { title: "validation accuracy", series: [{ name: "validation", values: result.history.map((h) => h.valAccuracy) }] },
  ]);
  saveModel(
    lock,
    {
      config,
      vocab: vocab.tokens,
      classes,
      maxLen,
      data: { source: str(p, "data") === undefined ? "bundled" : userPath(str(p, "data") as string), ...(str(p, "text-column") ? { textColumn: str(p, "text-column") as string } : {}), ...(str(p, "label-column") ? { labelColumn: str(p, "label-column") as string } : {}) },
      ...(nbTables ? { nb: nbTables } : {}),
      training: { seed: o.seed, epochs: o.epochs, lr: o.lr, clip: o.clip, batch: o.batch, minCount: o.minCount, bestEpoch: result.bestEpoch, history: result.history, seconds, testAccuracy: testAcc },
    },
    result.best,
    { "curves.svg": curves },
  );
  log(`wrote ${out} (weights.safetensors, config.json, curves.svg)`);
  return 0;
}
