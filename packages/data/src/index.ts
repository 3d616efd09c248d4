/**
 * @gated/data: tokenisers, vocabularies, padded batches, seeded shuffling, parsers of labelled text (CSV, TSV,
 * JSONL), corpus and dataset splits. Runs in Node and in browsers; files are read by `@gated/data/node`, and the
 * bundled data sets live in `@gated/datasets`.
 * @since 0.1.0
 */
export * from "./batch.js";
export * from "./corpus.js";
export * from "./parse.js";
export * from "./split.js";
export * from "./tokenize.js";
export * from "./vocab.js";
