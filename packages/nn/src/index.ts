/**
 * @gated/nn: the lecture's networks as pure functions. Cells (rnnCell, lstmCell, gruCell), layers (embedding,
 * linear, dropout, recurrent: stacked, bidirectional, variable lengths), initialisers, losses, optimisers,
 * truncated BPTT and safetensors, with PyTorch's parameter names and layouts.
 * @since 0.1.0
 */
export * from "./cells.js";
export * from "./init.js";
export * from "./layers.js";
export * as random from "@gated/random";
export type { Key } from "@gated/random";
export * from "./recurrent-config.js";
export * from "./recurrent-init.js";
export * from "./state-dict.js";
export * from "./safetensors.js";
export * from "./losses.js";
export * from "./optim.js";
export * from "./schedules.js";
export * from "./tbptt.js";
export * from "./stepper.js";
