/**
 * @gated/data: tokenisers, vocabularies, padded batches, seeded shuffling, loaders (CSV, TSV, JSONL) and the
 * bundled sentiment dataset.
 * @since 0.1.0
 */
export * from "./batch.js";
export * from "./loaders.js";
export * from "./sentiment.js";
export * from "./tokenize.js";
export * from "./vocab.js";
export * from "./corpus.js";
