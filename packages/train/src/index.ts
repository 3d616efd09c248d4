/**
 * @gated/train: the app layer: a fit loop with early stopping and the best checkpoint, classification metrics,
 * a progress bar, SVG charts and atomic files.
 * @since 0.1.0
 */
export * from "./chart.js";
export * from "./files.js";
export * from "./outdir-check.js";
export * from "./outdir.js";
export * from "./fit.js";
export * from "./metrics.js";
export * from "./progress.js";
export * from "./cli.js";
export * from "./signals.js";
export * from "./checked-model.js";
export * from "./memory.js";
