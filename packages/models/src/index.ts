/**
 * @gated/models: the models of the gated apps, shared by the command-line programs and the browser playground so
 * that both train, sample and measure the same way: the character language model (`charlm`) with its samplers, and
 * the gradient-flow probes of the lab. Runs in Node and in browsers.
 * @since 0.2.0
 */
export * from "./charlm.js";
export * from "./charlm-format.js";
export * from "./charlm-train.js";
export * from "./stream.js";
export * from "./flow.js";
export * from "./sampling.js";
