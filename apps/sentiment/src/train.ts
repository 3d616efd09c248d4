// pnpm sentiment train: fits the classifier on the training split (a seeded tenth held out for early stopping),
// reports validation and test accuracy, and writes the model directory with its curves.
import * as E from "fp-ts/lib/Either.js";
import { DEFAULT_MEMORY_LIMIT, lineChart, memoryRefusal, trainingMemory } from "@gated/train";
import { type UsageError, usageError, choice, isUsageError, firstUsageError, fitProgress, int, lockOutDir, num, onInterrupt, type OutLock, type Parsed, size, str, userPath } from "@gated/train/node";
import { DEFAULT_MAX_BYTES } from "@gated/data/node";
import { type Cell, type Pooling, planSentiment, type SentimentOptions, sentimentTrainingSize, trainSentiment } from "@gated/models/sentiment";
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
  const { classes, source } = data.right;
  const so: SentimentOptions = { cell: o.cell, pooling: o.pooling, bidirectional: p.flags.has("bidirectional"), nb: p.flags.has("nb"), embed: o.embed, hidden: o.hidden, layers: o.layers, dropout: o.dropout, epochs: o.epochs, patience: o.patience, batch: o.batch, lr: o.lr, clip: o.clip, minCount: o.minCount, seed: o.seed };
  const plan = planSentiment(data.right, so);
  const { config, vocab } = plan;
  const tooBig = memoryRefusal(trainingMemory(sentimentTrainingSize(plan, so)), o.memoryLimit, "use a smaller --hidden, --embed, --layers or --batch");
  if (tooBig) return usageError(tooBig, false);
  log(`data: ${source}: ${plan.fitSet.length} train, ${plan.valSet.length} validation, ${plan.test.length} test; ${classes.length} classes; vocabulary ${vocab.tokens.length}`);
  log(`model: embedding ${o.embed}${plan.nbTables ? " + naive Bayes token scores" : ""} -> ${config.bidirectional ? "bidirectional " : ""}${o.cell} ${o.hidden} x ${o.layers} -> ${o.pooling} pooling -> linear ${classes.length}; dropout ${o.dropout}; Adam ${o.lr}, clip ${o.clip}, batch ${o.batch}, seed ${o.seed}`);
  const interrupt = onInterrupt();
  const trained = await trainSentiment(
    plan,
    so,
    { source: str(p, "data") === undefined ? "bundled" : userPath(str(p, "data") as string), ...(str(p, "text-column") ? { textColumn: str(p, "text-column") as string } : {}), ...(str(p, "label-column") ? { labelColumn: str(p, "label-column") as string } : {}) },
    { ...(p.flags.has("quiet") ? {} : { onProgress: fitProgress() }), log, signal: interrupt.signal },
  ).finally(interrupt.dispose);
  const { result, seconds, testAccuracy } = trained;
  if (result.interrupted) {
    log(`interrupted (${interrupt.received() ?? "signal"}): nothing written${lock.target.holds.kind === "model" ? `; the model in ${out} is unchanged` : ""}`);
    return 130;
  }
  const best = result.history[result.bestEpoch - 1];
  log(`trained in ${seconds.toFixed(1)}s: best epoch ${result.bestEpoch} (validation accuracy ${(100 * (best?.valAccuracy ?? 0)).toFixed(1)}%), test accuracy ${(100 * testAccuracy).toFixed(1)}%`);
  const curves = lineChart([
    { title: "loss", series: [{ name: "train", values: result.history.map((h) => h.trainLoss) }, { name: "validation", values: result.history.map((h) => h.valLoss) }] },
    { title: "validation accuracy", series: [{ name: "validation", values: result.history.map((h) => h.valAccuracy) }] },
  ]);
  saveModel(lock, trained.model, result.best, { "curves.svg": curves });
  log(`wrote ${out} (weights.safetensors, config.json, curves.svg)`);
  return 0;
}
