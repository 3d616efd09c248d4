// Shared by the experiments: list flags, the output directory, number formatting, the JSON report's shape.
import { type Parsed, str, userPath } from "@gated/train";
import { accessSync, constants, mkdirSync } from "node:fs";

/** What `--json` prints and `<experiment>.json` holds: the experiment's name, its settings, its numbers. */
export interface Report {
  readonly experiment: string;
  readonly config: object;
  readonly seconds: number;
  readonly [key: string]: unknown;
}

/** A comma-separated list of integers in [min, max] (at least one), or the fallback; an error message when invalid. */
export function intList(p: Parsed, name: string, fallback: number[], min: number, max: number): number[] | string {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const parts = v.split(",").map((s) => s.trim());
  const nums = parts.map(Number);
  const bad = parts.find((s, i) => s === "" || !Number.isInteger(nums[i]) || (nums[i] as number) < min || (nums[i] as number) > max);
  if (bad !== undefined) return `--${name} must be a comma-separated list of integers in [${min}, ${max}], got '${v}'`;
  return [...new Set(nums)].sort((a, b) => a - b);
}

/** A comma-separated list of names from `options`, or the fallback. */
export function nameList<T extends string>(p: Parsed, name: string, options: readonly T[], fallback: readonly T[]): T[] | string {
  const v = str(p, name);
  if (v === undefined) return [...fallback];
  const parts = v.split(",").map((s) => s.trim());
  const bad = parts.find((s) => !(options as readonly string[]).includes(s));
  if (bad !== undefined) return `--${name} takes a comma-separated list of ${options.join(", ")}; '${bad}' is not one of them`;
  return options.filter((o) => parts.includes(o));
}

/**
 * Where figures and tables go: --out DIR (relative to where pnpm ran), default lab-results; created now, so that a
 * path that cannot be written fails before any training rather than after it (then the message is returned).
 */
export function outDir(p: Parsed): { dir: string } | string {
  const shown = str(p, "out") ?? "lab-results";
  const dir = userPath(shown);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { dir };
  } catch (e) {
    return `cannot write to --out ${shown}: ${(e as NodeJS.ErrnoException).code === "EEXIST" || (e as NodeJS.ErrnoException).code === "ENOTDIR" ? "it is a file, not a directory" : (e as Error).message}`;
  }
}

/** 1.23e-45, 0.0123, 0, - for NaN: three significant digits, exponent form when small. */
export function sci(v: number): string {
  if (Number.isNaN(v)) return "-"; // no value yet (the training loss before the first step)
  if (v === 0 || !Number.isFinite(v)) return String(v);
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4 ? v.toExponential(2) : v.toPrecision(3);
}

/** What every experiment starts with: its checked options, the output directory, and where progress goes. */
export interface Setup<O> {
  readonly o: O;
  readonly out: string;
  /** --json: the JSON object alone on stdout, progress lines on stderr. */
  readonly json: boolean;
  readonly say: (line: string) => void;
}

/** Options first (bad flags touch no file), then the output directory; a message when either is wrong. */
export function setup<O>(p: Parsed, log: (line: string) => void, options: (p: Parsed) => O | string): Setup<O> | string {
  const o = options(p);
  if (typeof o === "string") return o;
  const target = outDir(p);
  if (typeof target === "string") return target;
  const json = p.flags.has("json");
  return { o, out: target.dir, json, say: json ? (line) => process.stderr.write(`${line}\n`) : log };
}
