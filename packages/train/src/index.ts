/**
 * @gated/train: training and reporting that run anywhere (Node and browsers): a fit loop with early stopping, the
 * best checkpoint, abort and progress events; training in a Web Worker driven from the page (`serveTraining`,
 * `startTraining`); classification metrics; SVG charts; checks of a saved model's shapes; training-memory estimates. The command line, files, output folders and the terminal progress bar are in
 * `@gated/train/node`.
 * @since 0.1.0
 */
export * from "./chart.js";
export * from "./checked-model.js";
export * from "./fit.js";
export * from "./memory.js";
export * from "./metrics.js";
export * from "./turn.js";
export * from "./worker-runner.js";
