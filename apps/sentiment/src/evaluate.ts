// pnpm sentiment eval: accuracy per source and overall on the test split, beside the majority class and naive
// Bayes (unigrams + bigrams) trained on the same training split.
import { predictNaiveBayes, trainNaiveBayes } from "@gated/counting";
import { classificationMetrics } from "@gated/train";
import { userPath } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { isUsageError, jsonLine, type Parsed, size, str, type UsageError, usageError } from "@gated/train/node";
import { DEFAULT_MAX_BYTES } from "@gated/data/node";
import { loadDataset } from "./dataset.js";
import { argmax, nbFeatures, predictor } from "@gated/models/sentiment";
import { loadModel } from "./store.js";

export const EVAL_HELP = `usage: pnpm sentiment eval --model DIR [--data FILE] [--text-column NAME] [--label-column NAME] [--json]
Accuracy on the test split (original index i with i % 5 === 4) per source and overall, beside the majority class
and naive Bayes trained on the same training split. Data: the model's own data unless --data is given.
  --data-limit SIZE   refuse a --data file larger than this (default: 64M)
  --json   print one JSON object: {accuracy, per_source, baselines: {majority, naive_bayes}, ...}`;

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function evalCommand(p: Parsed, log: (line: string) => void): number | string | UsageError {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm sentiment train'");
  const dataLimit = size(p, "data-limit", DEFAULT_MAX_BYTES);
  if (isUsageError(dataLimit)) return dataLimit;
  const loaded = loadModel(userPath(dir));
  if (E.isLeft(loaded)) return loaded.left;
  const { model, params } = loaded.right;
  const file = str(p, "data") ?? (model.data.source === "bundled" ? undefined : model.data.source);
  const textColumn = str(p, "text-column") ?? model.data.textColumn;
  const labelColumn = str(p, "label-column") ?? model.data.labelColumn;
  const data = loadDataset({ ...(file ? { file } : {}), ...(textColumn ? { textColumn } : {}), ...(labelColumn ? { labelColumn } : {}), maxBytes: dataLimit });
  if (E.isLeft(data)) return data.left;
  const { train, test, source } = data.right;
  if (test.length === 0) return `${source}: the test split is empty (it takes every fifth row)`;
  const classes = model.classes;
  const unknown = test.find((e) => !classes.includes(e.label));
  if (unknown) return `${source}: test label '${unknown.label}' is not one the model knows (${classes.join(", ")})`;
  const probs = predictor(params, model.config, model.vocab, model.maxLen, model.nb)(test.map((e) => e.text));
  const gated = probs.map((pr) => classes[argmax(pr)] as string);
  const counts = new Map<string, number>();
  for (const e of train) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const majorityLabel = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] as string;
  const nb = trainNaiveBayes(train.map((e) => ({ features: nbFeatures(e.text), label: e.label })));
  const nbPred = test.map((e) => predictNaiveBayes(nb, nbFeatures(e.text)).label);
  const truth = test.map((e) => e.label);
  const sources = [...new Set(test.map((e) => e.source))];
  const accuracyOf = (pred: readonly string[]) => {
    const per: Record<string, number> = {};
    for (const s of sources) {
      const idx = test.flatMap((e, i) => (e.source === s ? [i] : []));
      per[s] = idx.filter((i) => pred[i] === truth[i]).length / idx.length;
    }
    return { accuracy: pred.filter((v, i) => v === truth[i]).length / truth.length, per };
  };
  const g = accuracyOf(gated);
  const maj = accuracyOf(test.map(() => majorityLabel));
  const nbA = accuracyOf(nbPred);
  const metrics = classificationMetrics(truth, gated, classes);
  if (p.flags.has("json")) {
    log(jsonLine({
      accuracy: g.accuracy,
      per_source: g.per,
      baselines: { majority: maj.accuracy, naive_bayes: nbA.accuracy },
      baselines_per_source: { majority: maj.per, naive_bayes: nbA.per },
      per_class: metrics.perClass,
      confusion: { classes, matrix: metrics.confusion },
      test_count: test.length,
      model: { ...model.config, dir: userPath(dir) },
      data: source,
    }));
    return 0;
  }
  const header = ["", ...sources, "overall"];
  const rows = [
    [`gated (${model.config.bidirectional ? "bi-" : ""}${model.config.cell}, ${model.config.pooling} pooling)`, ...sources.map((s) => pct(g.per[s] as number)), pct(g.accuracy)],
    [`majority class ('${majorityLabel}')`, ...sources.map((s) => pct(maj.per[s] as number)), pct(maj.accuracy)],
    ["naive Bayes (unigrams + bigrams)", ...sources.map((s) => pct(nbA.per[s] as number)), pct(nbA.accuracy)],
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  log(`accuracy on the test split of ${source} (${test.length} examples)`);
  log(fmt(header));
  for (const r of rows) log(fmt(r));
  log("");
  log(`gated per class: ${metrics.perClass.map((c) => `${c.label}: precision ${pct(c.precision)}, recall ${pct(c.recall)}, F1 ${pct(c.f1)} (${c.support})`).join("; ")}`);
  log(`confusion (rows true, columns predicted: ${classes.join(", ")}): ${metrics.confusion.map((r) => `[${r.join(", ")}]`).join(" ")}`);
  return 0;
}
