#!/usr/bin/env node
// pnpm generate <command>: train, eval, sample. Errors are one line on stderr with a non-zero exit.
import { GatedException } from "@gated/autograd";
import { parseArgs } from "@gated/train";
import { EVAL_HELP, evalCommand } from "./evaluate.js";
import { SAMPLE_HELP, sampleCommand } from "./sample.js";
import { TRAIN_HELP, trainCommand } from "./train.js";

const USAGE = `usage: pnpm generate <command> [options]   (--help on each command)
  train     train a character-level language model (bundled Moby-Dick, or --data FILE)
  eval      test bits per character beside Kneser-Ney n-grams
  sample    generate text from a trained model`;

const COMMANDS = {
  train: { help: TRAIN_HELP, run: trainCommand, valued: ["data", "cell", "hidden", "embed", "layers", "batch", "seq", "steps", "lr", "clip", "batching", "schedule", "eval-every", "seed", "out", "stop-after"], switches: ["resume", "quiet", "help"] },
  eval: { help: EVAL_HELP, run: evalCommand, valued: ["model"], switches: ["json", "help"] },
  sample: { help: SAMPLE_HELP, run: sampleCommand, valued: ["model", "prime", "length", "temperature", "top-k", "top-p", "beam", "seed"], switches: ["help"] },
} as const;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name as keyof typeof COMMANDS];
  if (cmd === undefined) {
    console.error(`generate: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  const parsed = parseArgs(rest, cmd.valued, cmd.switches);
  if (typeof parsed === "string") {
    console.error(`generate ${name}: ${parsed}\n${cmd.help}`);
    return 2;
  }
  if (parsed.flags.has("help")) {
    console.log(cmd.help);
    return 0;
  }
  try {
    const r = await cmd.run(parsed, (line) => console.log(line));
    if (typeof r === "string") {
      console.error(`generate ${name}: error: ${r}`);
      return r.startsWith("--") || r.includes("needs") ? 2 : 1;
    }
    return r;
  } catch (e) {
    console.error(`generate ${name}: error: ${e instanceof GatedException ? e.error.message : e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
