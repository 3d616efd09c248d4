// Multinomial naive Bayes with Laplace (add-alpha) smoothing: the lecture's counting idea applied to
// classification. p(c | doc) is proportional to p(c) * prod over features f of doc of p(f | c), with
// p(f | c) = (count(f, c) + alpha) / (sum over f' of count(f', c) + alpha |V|), V the training features.
// Features unseen in training are skipped (they would multiply every class by the same constant... almost).
import { invalidArgument, raise } from "@gated/autograd";

export interface NaiveBayes {
  readonly classes: readonly string[];
  readonly logPrior: readonly number[];
  /** log p(f | c) for each training feature, one entry per class. */
  readonly logLikelihood: ReadonlyMap<string, readonly number[]>;
  readonly alpha: number;
}

/** Counts features per class; `docs` are feature lists (e.g. word unigrams and bigrams) with labels. */
export function trainNaiveBayes(docs: readonly { readonly features: readonly string[]; readonly label: string }[], { alpha = 1 } = {}): NaiveBayes {
  if (docs.length === 0) raise(invalidArgument("trainNaiveBayes", "docs", "must hold at least one document"));
  if (!(alpha > 0)) raise(invalidArgument("trainNaiveBayes", "alpha", `must be positive, got ${alpha}`));
  const classes = [...new Set(docs.map((d) => d.label))].sort();
  const ci = new Map(classes.map((c, i) => [c, i]));
  const docCount = new Array<number>(classes.length).fill(0);
  const totals = new Array<number>(classes.length).fill(0);
  const counts = new Map<string, number[]>();
  for (const d of docs) {
    const c = ci.get(d.label) as number;
    docCount[c] = (docCount[c] as number) + 1;
    for (const f of d.features) {
      let row = counts.get(f);
      if (row === undefined) {
        row = new Array<number>(classes.length).fill(0);
        counts.set(f, row);
      }
      row[c] = (row[c] as number) + 1;
      totals[c] = (totals[c] as number) + 1;
    }
  }
  const V = counts.size;
  const logLikelihood = new Map<string, number[]>();
  for (const [f, row] of counts) logLikelihood.set(f, row.map((n, c) => Math.log((n + alpha) / ((totals[c] as number) + alpha * V))));
  return { classes, logPrior: docCount.map((n) => Math.log(n / docs.length)), logLikelihood, alpha };
}

/** Class probabilities (softmax of the log scores) and the most probable class. */
export function predictNaiveBayes(model: NaiveBayes, features: readonly string[]): { label: string; probabilities: number[] } {
  const scores = [...model.logPrior];
  for (const f of features) {
    const ll = model.logLikelihood.get(f);
    if (ll) for (let c = 0; c < scores.length; c++) scores[c] = (scores[c] as number) + (ll[c] as number);
  }
  const m = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - m));
  const z = e.reduce((a, b) => a + b, 0);
  const probabilities = e.map((v) => v / z);
  let best = 0;
  for (let c = 1; c < probabilities.length; c++) if ((probabilities[c] as number) > (probabilities[best] as number)) best = c;
  return { label: model.classes[best] as string, probabilities };
}
