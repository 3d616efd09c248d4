/**
 * @gated/models/sentiment: the sentence classifier of `pnpm sentiment` (word embedding, recurrent layers, pooling,
 * a linear head; optionally naive-Bayes-weighted inputs), its batches and its predictor. Runs in Node and in
 * browsers.
 * @since 0.2.0
 */
export * from "./batches.js";
export * from "./format.js";
export * from "./model.js";
export * from "./nb-features.js";
export * from "./predictor.js";
export * from "./train.js";
export * from "./text.js";
