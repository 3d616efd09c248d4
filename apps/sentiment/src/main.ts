#!/usr/bin/env node
// pnpm sentiment <command>: train, eval, predict. Errors are one line on stderr with a non-zero exit.
import { GatedException } from "@gated/autograd";
import { parseArgs } from "@gated/train";
import { EVAL_HELP, evalCommand } from "./evaluate.js";
import { PREDICT_HELP, predictCommand } from "./predict.js";
import { TRAIN_HELP, trainCommand } from "./train.js";

const USAGE = `usage: pnpm sentiment <command> [options]   (--help on each command)
  train     train a classifier (bundled UCI sentiment sentences, or --data FILE)
  eval      accuracy on the test split, beside majority class and naive Bayes
  predict   label sentences with a trained model`;

const COMMANDS = {
  train: { help: TRAIN_HELP, run: trainCommand, valued: ["data", "text-column", "label-column", "cell", "pooling", "embed", "hidden", "layers", "dropout", "epochs", "patience", "batch", "lr", "clip", "min-count", "seed", "out"], switches: ["bidirectional", "nb", "quiet", "help"] },
  eval: { help: EVAL_HELP, run: evalCommand, valued: ["model", "data", "text-column", "label-column"], switches: ["json", "help"] },
  predict: { help: PREDICT_HELP, run: predictCommand, valued: ["model"], switches: ["json", "help"] },
} as const;

function main(argv: readonly string[]): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name as keyof typeof COMMANDS];
  if (cmd === undefined) {
    console.error(`sentiment: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  const parsed = parseArgs(rest, cmd.valued, cmd.switches);
  if (typeof parsed === "string") {
    console.error(`sentiment ${name}: ${parsed}\n${cmd.help}`);
    return 2;
  }
  if (parsed.flags.has("help")) {
    console.log(cmd.help);
    return 0;
  }
  try {
    const r = cmd.run(parsed, (line) => console.log(line));
    if (typeof r === "string") {
      console.error(`sentiment ${name}: error: ${r}`);
      return r.startsWith("--") || r.includes("needs") ? 2 : 1;
    }
    return r;
  } catch (e) {
    if (e instanceof GatedException) {
      console.error(`sentiment ${name}: error: ${e.error.message}`);
      return 1;
    }
    console.error(`sentiment ${name}: error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
