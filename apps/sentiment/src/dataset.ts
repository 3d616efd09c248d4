// The data a command works on: the bundled sentiment sentences, or a CSV / TSV / JSONL file; always split the
// same way (original index i goes to test when i % 5 === 4), then tokenised into words.
import { userPath } from "@gated/train/node";
import { type Example, splitEveryFifth } from "@gated/data";
import { loadSentimentExamples } from "@gated/datasets";
import { loadFile } from "@gated/data/node";
import * as E from "fp-ts/lib/Either.js";

export interface DataOptions {
  readonly file?: string;
  readonly textColumn?: string;
  readonly labelColumn?: string;
  /** Refuse a file larger than this (bytes). */
  readonly maxBytes?: number;
}

export interface Dataset {
  readonly source: string;
  readonly train: Example[];
  readonly test: Example[];
  readonly classes: string[];
}


export function loadDataset(o: DataOptions): E.Either<string, Dataset> {
  const loaded = o.file === undefined ? loadSentimentExamples() : loadFile(userPath(o.file), { ...(o.textColumn ? { textColumn: o.textColumn } : {}), ...(o.labelColumn ? { labelColumn: o.labelColumn } : {}), ...(o.maxBytes ? { maxBytes: o.maxBytes } : {}) });
  if (E.isLeft(loaded)) return E.left(loaded.left.message);
  const { train, test } = splitEveryFifth(loaded.right);
  const source = o.file === undefined ? "bundled: UCI Sentiment Labelled Sentences (sentiment@5.0.2)" : o.file;
  if (train.length === 0) return E.left(`${source}: no training examples after the split (need at least 5 non-blank rows)`);
  const classes = [...new Set(train.map((e) => e.label))].sort();
  if (classes.length < 2) return E.left(`${source}: the training split has a single class ('${classes[0]}'): a classifier needs at least two`);
  return E.right({ source, train, test, classes });
}
