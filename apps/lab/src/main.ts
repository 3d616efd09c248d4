#!/usr/bin/env node
// pnpm lab <experiment>: the lecture's experiments on vanishing gradients. Errors are one line on stderr.
// First: lets Node 20 compile the relaxed-SIMD kernels (fused multiply-add), before anything loads them.
import "@gated/train/relaxed-simd";
import { type Command, runCli } from "@gated/train/node";
import { ADDING_HELP, addingCommand } from "./adding-command.js";
import { FLOW_HELP, flowCommand } from "./gradient-flow.js";

const USAGE = `usage: pnpm lab <experiment> [options]   (--help on each)
  gradient-flow   ||dL_T/dh_t|| against t and ||dL/dh_0|| against T: tanh, ReLU, IRNN, LSTM, GRU
  adding          the adding problem at T = 50, 100, 200: tanh RNN, IRNN, LSTM, GRU against the baseline`;

const COMMANDS = {
  "gradient-flow": { help: FLOW_HELP, run: flowCommand, valued: ["T", "lengths", "hidden", "input", "batch", "seeds", "seed", "out"], switches: ["quick", "json", "help"] },
  adding: { help: ADDING_HELP, run: addingCommand, valued: ["models", "lengths", "hidden", "batch", "steps", "clip", "forget-bias", "lr", "eval-every", "test-size", "jobs", "seed", "out", "from"], switches: ["quick", "json", "help"] },
} satisfies Record<string, Command>;

runCli("lab", USAGE, COMMANDS, process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
