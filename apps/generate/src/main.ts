#!/usr/bin/env node
// pnpm generate <command>: train, eval, sample. Errors are one line on stderr; exit 0 done, 1 runtime or data
// error, 2 usage error, 130 interrupted.
// First: lets Node 20 compile the relaxed-SIMD kernels (fused multiply-add), before anything loads them.
import "@gated/train/relaxed-simd";
import { type Command, runCli } from "@gated/train/node";
import { EVAL_HELP, evalCommand } from "./evaluate.js";
import { EXPORT_HELP, exportCommand } from "./export.js";
import { SAMPLE_HELP, sampleCommand } from "./sample.js";
import { TRAIN_HELP, trainCommand } from "./train.js";

const USAGE = `usage: pnpm generate <command> [options]   (--help on each command)
  train     train a character-level language model (bundled Moby-Dick, or --data FILE)
  eval      test bits per character beside Kneser-Ney n-grams
  sample    generate text from a trained model
  export    write a trained model as an ONNX file (for ONNX Runtime)`;

const COMMANDS = {
  train: { help: TRAIN_HELP, run: trainCommand, valued: ["data", "cell", "hidden", "embed", "layers", "batch", "seq", "steps", "lr", "clip", "batching", "schedule", "eval-every", "seed", "out", "stop-after", "data-limit", "memory-limit"], switches: ["resume", "force", "quiet", "help"] },
  eval: { help: EVAL_HELP, run: evalCommand, valued: ["model", "data-limit"], switches: ["json", "help"] },
  sample: { help: SAMPLE_HELP, run: sampleCommand, valued: ["model", "prime", "length", "temperature", "top-k", "top-p", "beam", "seed"], switches: ["help"] },
  export: { help: EXPORT_HELP, run: exportCommand, valued: ["model", "onnx"], switches: ["help"] },
} satisfies Record<string, Command>;

runCli("generate", USAGE, COMMANDS, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
