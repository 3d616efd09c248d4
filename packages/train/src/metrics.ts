// Classification metrics: accuracy, confusion matrix, per-class precision, recall and F1.

export interface ClassMetrics {
  readonly label: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface Metrics {
  readonly accuracy: number;
  readonly count: number;
  /** confusion[i][j]: examples of true class i predicted as class j. */
  readonly confusion: number[][];
  readonly perClass: ClassMetrics[];
}

/** Metrics of predicted against true labels, over `classes` (in that order). */
export function classificationMetrics(truth: readonly string[], predicted: readonly string[], classes: readonly string[]): Metrics {
  const index = new Map(classes.map((c, i) => [c, i]));
  const confusion = classes.map(() => classes.map(() => 0));
  let correct = 0;
  truth.forEach((t, k) => {
    const i = index.get(t);
    const j = index.get(predicted[k] as string);
    if (t === predicted[k]) correct++;
    if (i !== undefined && j !== undefined) (confusion[i] as number[])[j] = ((confusion[i] as number[])[j] as number) + 1;
  });
  const perClass = classes.map((label, i) => {
    const tp = (confusion[i] as number[])[i] as number;
    const predictedAs = confusion.reduce((s, row) => s + (row[i] as number), 0);
    const support = (confusion[i] as number[]).reduce((s, v) => s + v, 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, precision, recall, f1, support };
  });
  return { accuracy: truth.length === 0 ? 0 : correct / truth.length, count: truth.length, confusion, perClass };
}
