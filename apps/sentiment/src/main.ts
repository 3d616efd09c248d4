#!/usr/bin/env node
// pnpm sentiment <command>: train, eval, predict. Errors are one line on stderr; exit 0 done, 1 runtime or data
// error, 2 usage error, 130 interrupted.
// First: lets Node 20 compile the relaxed-SIMD kernels (fused multiply-add), before anything loads them.
import "@gated/train/relaxed-simd";
import { type Command, runCli } from "@gated/train/node";
import { EVAL_HELP, evalCommand } from "./evaluate.js";
import { EXPORT_HELP, exportCommand } from "./export.js";
import { PREDICT_HELP, predictCommand } from "./predict.js";
import { TRAIN_HELP, trainCommand } from "./train.js";

const USAGE = `usage: pnpm sentiment <command> [options]   (--help on each command)
  train     train a classifier (bundled UCI sentiment sentences, or --data FILE)
  eval      accuracy on the test split, beside majority class and naive Bayes
  predict   label sentences with a trained model
  export    write a trained model as an ONNX file (for ONNX Runtime)`;

const COMMANDS = {
  train: { help: TRAIN_HELP, run: trainCommand, valued: ["data", "text-column", "label-column", "cell", "pooling", "embed", "hidden", "layers", "dropout", "epochs", "patience", "batch", "lr", "clip", "min-count", "seed", "out", "data-limit", "memory-limit"], switches: ["bidirectional", "nb", "quiet", "help"] },
  eval: { help: EVAL_HELP, run: evalCommand, valued: ["model", "data", "text-column", "label-column", "data-limit"], switches: ["json", "help"] },
  predict: { help: PREDICT_HELP, run: predictCommand, valued: ["model"], switches: ["json", "help"], positionals: true },
  export: { help: EXPORT_HELP, run: exportCommand, valued: ["model", "onnx"], switches: ["help"] },
} satisfies Record<string, Command>;

runCli("sentiment", USAGE, COMMANDS, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
