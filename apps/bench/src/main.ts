#!/usr/bin/env node
// pnpm bench [SUITE...] [--json FILE] [--quick]: runs benchmark suites side by side and prints tables; with
// --json, also writes every record as one JSON array (atomically). Suites: gemm, autograd, lstm.
// First: lets Node 20 compile the relaxed-SIMD kernels (fused multiply-add), before anything loads them.
import "@gated/train/relaxed-simd";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { threadInfo } from "@gated/kernels";
import { EXIT, fsReason, isUsageError, num, parseArgs, printable, str, type UsageError, usageError, writeFileAtomic } from "@gated/train/node";
import { runAutograd } from "./autograd.js";
import { runGemm } from "./gemm.js";
import { runLstm } from "./lstm.js";
import type { BenchRecord } from "./records.js";

const SUITES = { gemm: runGemm, autograd: runAutograd, lstm: runLstm } as const;
type Suite = keyof typeof SUITES;

const usage = (): string => `usage: pnpm bench [SUITE...] [--json FILE] [--quick] [--seconds S] [--threads N,...] [--shapes MxKxN,...]
  SUITE         one of: ${Object.keys(SUITES).join(", ")} (default: all)
  --json FILE   also write every record to FILE as a JSON array
  --quick       shorter timing (0.15 s per case), as used by pnpm start
  --seconds S   seconds of timing per case (default 1)
  --threads LIST  thread counts to run gated's kernels (and PyTorch) with, side by side, e.g. 1,2
                (default: every core, or GATED_THREADS where set)
  --shapes LIST gemm shapes to run instead of the standard set, e.g. 64x64x64,1x320x1024
  --hidden LIST lstm hidden sizes to train (default 128,256); generation runs at the largest
  --torch PYTHON  the interpreter that runs PyTorch in the lstm suite ("none" skips it; default: python3 or
                /usr/bin/python3, whichever imports torch)`;

interface Args {
  suites: Suite[];
  json?: string;
  seconds: number;
  shapes?: [number, number, number][];
  hidden?: number[];
  torch?: string;
  threads: number[];
}

function parseShapes(list: string | undefined): [number, number, number][] | undefined {
  if (list === undefined) return undefined;
  const shapes = list.split(",").map((s) => s.split("x").map(Number));
  const ok = shapes.every((d) => d.length === 3 && d.every((v) => Number.isInteger(v) && v > 0));
  return ok ? (shapes as [number, number, number][]) : undefined;
}

/** The flags through the apps' strict parser (unknown flags, missing values: usage errors); suites are positionals. */
function parse(argv: readonly string[]): Args | UsageError | "help" {
  const p = parseArgs(argv, ["json", "seconds", "shapes", "hidden", "torch", "threads"], ["quick", "help"], true);
  if (isUsageError(p)) return p;
  if (p.flags.has("help")) return "help";
  const unknown = p.positionals.find((s) => !(s in SUITES));
  if (unknown !== undefined) return usageError(`unknown suite '${printable(unknown)}' (suites: ${Object.keys(SUITES).join(", ")})`);
  const json = str(p, "json");
  if (json !== undefined && json.trim() === "") return usageError("--json needs a file name");
  const seconds = p.flags.has("quick") ? 0.15 : num(p, "seconds", 1, 0, 3600);
  if (isUsageError(seconds)) return seconds;
  const shapes = parseShapes(str(p, "shapes"));
  if (str(p, "shapes") !== undefined && shapes === undefined) return usageError("--shapes needs a list like 64x64x64,1x320x1024 (positive integers M x K x N)");
  const hiddenText = str(p, "hidden");
  const hidden = hiddenText?.split(",").map(Number);
  if (hidden !== undefined && !hidden.every((h) => Number.isInteger(h) && h > 0)) return usageError("--hidden needs a list of positive integers like 128,256");
  const threadsText = str(p, "threads");
  const threads = threadsText === undefined ? [threadInfo().threads] : threadsText.split(",").map(Number);
  if (!threads.every((t) => Number.isInteger(t) && t >= 1 && t <= 64)) return usageError(`--threads needs a list of thread counts from 1 to 64 like 1,2, got '${printable(threadsText ?? "")}'`);
  return {
    threads: [...new Set(threads)],
    suites: p.positionals.length > 0 ? [...new Set(p.positionals as Suite[])] : (Object.keys(SUITES) as Suite[]),
    seconds,
    ...(json === undefined ? {} : { json }),
    ...(shapes === undefined ? {} : { shapes }),
    ...(hidden === undefined ? {} : { hidden }),
    ...(str(p, "torch") === undefined ? {} : { torch: str(p, "torch") as string }),
  };
}

/** The --json file: a new file, or one this program wrote before (a JSON array of records); anything else is refused. */
function checkJsonTarget(shown: string): string | UsageError {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), shown);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined) {
      accessSync(dirname(file), constants.W_OK);
      return file;
    }
  } catch (e) {
    return usageError(`cannot write --json '${printable(shown)}': ${fsReason(e)}`, false);
  }
  if (!st.isFile()) return usageError(`--json '${printable(shown)}' is not a regular file: give a new file name`, false);
  try {
    const v: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (Array.isArray(v) && v.every((r) => r !== null && typeof r === "object" && typeof (r as { suite?: unknown }).suite === "string")) return file;
  } catch {
    // Not JSON: not ours.
  }
  return usageError(`--json '${printable(shown)}' exists and is not a benchmark file this program wrote: it is left alone; give a new file name`, false);
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args === "help") {
    console.log(usage());
    return EXIT.ok;
  }
  if (isUsageError(args)) {
    console.error(`bench: ${args.message}\n${usage()}`);
    return EXIT.usage;
  }
  const target = args.json === undefined ? undefined : checkJsonTarget(args.json);
  if (isUsageError(target)) {
    console.error(`bench: error: ${target.message}`);
    return EXIT.usage;
  }
  const records: BenchRecord[] = [];
  const options = {
    seconds: args.seconds,
    threads: args.threads,
    log: (l: string) => console.log(l),
    ...(args.shapes ? { shapes: args.shapes } : {}),
    ...(args.hidden ? { hidden: args.hidden } : {}),
    ...(args.torch ? { torch: args.torch } : {}),
  };
  for (const suite of args.suites) records.push(...(await SUITES[suite](options)));
  if (target !== undefined) {
    // Relative paths are relative to where the user ran pnpm (INIT_CWD), not to this package.
    writeFileAtomic(target, `${JSON.stringify(records, null, 2)}\n`);
    console.log(`wrote ${records.length} records to ${target}`);
  }
  return 0;
}

// process.exit: the TensorFlow.js backends keep handles open that would keep the process alive.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: error: ${printable(err instanceof Error ? err.message : String(err))}`);
    process.exit(EXIT.failure);
  },
);
