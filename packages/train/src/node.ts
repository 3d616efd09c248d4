/**
 * @gated/train/node: the Node side of the app layer: the apps' strict command line (`runCli`, option parsers,
 * `--threads`), atomic files, output folders that lose nothing (lock, crash-safe save, recovery), the terminal
 * progress bar, and Ctrl-C handling.
 * @since 0.2.0
 */
export * from "./cli.js";
export * from "./files.js";
export * from "./outdir-check.js";
export * from "./outdir.js";
export * from "./progress.js";
export * from "./signals.js";
