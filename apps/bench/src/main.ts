#!/usr/bin/env node
// pnpm bench [SUITE...] [--json FILE] [--quick]: runs benchmark suites side by side and prints tables; with
// --json, also writes every record as one JSON array (atomically). Suites: gemm, autograd, lstm.
import { rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { runAutograd } from "./autograd.js";
import { runGemm } from "./gemm.js";
import { runLstm } from "./lstm.js";
import type { BenchRecord } from "./records.js";

const SUITES = { gemm: runGemm, autograd: runAutograd, lstm: runLstm } as const;
type Suite = keyof typeof SUITES;

const USAGE = `usage: pnpm bench [SUITE...] [--json FILE] [--quick] [--seconds S] [--shapes MxKxN,...]
  SUITE         one of: ${Object.keys(SUITES).join(", ")} (default: all)
  --json FILE   also write every record to FILE as a JSON array
  --quick       shorter timing (0.15 s per case), as used by pnpm start
  --seconds S   seconds of timing per case (default 1)
  --shapes LIST gemm shapes to run instead of the standard set, e.g. 64x64x64,1x320x1024
  --hidden LIST lstm hidden sizes to train (default 128,256); generation runs at the largest`;

interface Args {
  suites: Suite[];
  json?: string;
  seconds: number;
  shapes?: [number, number, number][];
  hidden?: number[];
}

function parseShapes(list: string | undefined): [number, number, number][] | undefined {
  if (list === undefined) return undefined;
  const shapes = list.split(",").map((s) => s.split("x").map(Number));
  const ok = shapes.every((d) => d.length === 3 && d.every((v) => Number.isInteger(v) && v > 0));
  return ok ? (shapes as [number, number, number][]) : undefined;
}

function parse(argv: readonly string[]): Args | string {
  const suites: Suite[] = [];
  let json: string | undefined;
  let seconds = 1;
  let shapes: [number, number, number][] | undefined;
  let hidden: number[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--help" || a === "-h") return USAGE;
    if (a === "--json") {
      json = argv[++i];
      if (json === undefined || json.startsWith("--")) return `--json needs a file name\n${USAGE}`;
    } else if (a === "--quick") seconds = 0.15;
    else if (a === "--seconds") {
      seconds = Number(argv[++i]);
      if (!(seconds > 0)) return `--seconds needs a positive number\n${USAGE}`;
    } else if (a === "--shapes") {
      shapes = parseShapes(argv[++i]);
      if (shapes === undefined) return `--shapes needs a list like 64x64x64,1x320x1024 (positive integers M x K x N)\n${USAGE}`;
    } else if (a === "--hidden") {
      hidden = (argv[++i] ?? "").split(",").map(Number);
      if (!hidden.every((h) => Number.isInteger(h) && h > 0)) return `--hidden needs a list of positive integers like 128,256\n${USAGE}`;
    } else if (a in SUITES) suites.push(a as Suite);
    else return `unknown argument '${a}'\n${USAGE}`;
  }
  return {
    suites: suites.length > 0 ? suites : (Object.keys(SUITES) as Suite[]),
    seconds,
    ...(json === undefined ? {} : { json }),
    ...(shapes === undefined ? {} : { shapes }),
    ...(hidden === undefined ? {} : { hidden }),
  };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (typeof args === "string") {
    const help = args === USAGE;
    (help ? console.log : console.error)(args);
    return help ? 0 : 2;
  }
  const records: BenchRecord[] = [];
  const options = { seconds: args.seconds, log: (l: string) => console.log(l), ...(args.shapes ? { shapes: args.shapes } : {}), ...(args.hidden ? { hidden: args.hidden } : {}) };
  for (const suite of args.suites) records.push(...(await SUITES[suite](options)));
  if (args.json !== undefined) {
    // Relative paths are relative to where the user ran pnpm (INIT_CWD), not to this package.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), args.json);
    await writeFile(`${file}.tmp`, `${JSON.stringify(records, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
    console.log(`wrote ${records.length} records to ${file}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
