/**
 * @gated/datasets: the data sets bundled with gated, read from installed npm packages (Node only, no network).
 * @since 0.2.0
 */
export * from "./moby-dick.js";
export * from "./sentiment.js";
