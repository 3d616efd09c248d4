// Shared by the experiments: list flags, the output directory, number formatting, the JSON report's shape.
import { fsReason, isUsageError, type Parsed, printable, str, type UsageError, usageError, userPath } from "@gated/train/node";
import { accessSync, constants, lstatSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, parse } from "node:path";

/** What `--json` prints and `<experiment>.json` holds: the experiment's name, its settings, its numbers. */
export interface Report {
  readonly experiment: string;
  readonly config: object;
  readonly seconds: number;
  readonly [key: string]: unknown;
}

/** A comma-separated list of integers in [min, max] (at least one), or the fallback; an error message when invalid. */
export function intList(p: Parsed, name: string, fallback: number[], min: number, max: number): number[] | UsageError {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const parts = v.split(",").map((s) => s.trim());
  const nums = parts.map(Number);
  const bad = parts.find((s, i) => s === "" || !Number.isInteger(nums[i]) || (nums[i] as number) < min || (nums[i] as number) > max);
  if (bad !== undefined) return usageError(`--${name} must be a comma-separated list of integers in [${min}, ${max}], got '${printable(v)}'`);
  return [...new Set(nums)].sort((a, b) => a - b);
}

/** A comma-separated list of names from `options`, or the fallback. */
export function nameList<T extends string>(p: Parsed, name: string, options: readonly T[], fallback: readonly T[]): T[] | UsageError {
  const v = str(p, name);
  if (v === undefined) return [...fallback];
  const parts = v.split(",").map((s) => s.trim());
  const bad = parts.find((s) => !(options as readonly string[]).includes(s));
  if (bad !== undefined) return usageError(`--${name} takes a comma-separated list of ${options.join(", ")}; '${printable(bad)}' is not one of them`);
  return options.filter((o) => parts.includes(o));
}

/** Whether `dir/<experiment>.json` was written by this experiment (then its other files are the lab's too). */
function labOwns(dir: string, experiment: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, `${experiment}.json`), "utf8")) as { experiment?: unknown }).experiment === experiment;
  } catch {
    return false;
  }
}

/**
 * Where figures and tables go: --out DIR (relative to where pnpm ran), default lab-results. The lab writes only
 * the named `files` there and deletes nothing; a file of one of those names is replaced only when the folder's
 * `<experiment>.json` shows that an earlier run of this experiment wrote it. The folder is created now, so that a
 * path that cannot be written fails before any training rather than after it.
 */
export function outDir(p: Parsed, experiment: string, files: readonly string[]): { dir: string } | UsageError {
  const shown = str(p, "out") ?? "lab-results";
  const say = (why: string) => usageError(`--out '${printable(shown)}' ${why}`, false);
  if (shown.trim() === "") return usageError("--out is empty (an unset shell variable?): give the folder for the results", false);
  const dir = userPath(shown);
  if (dir === parse(dir).root) return say("is the root of the file system: give a folder of its own, e.g. --out lab-results");
  if (dir === homedir()) return say("is your home folder: give a folder of its own, e.g. --out lab-results");
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) return say("is a file, not a folder: give a folder for the results");
    if (st !== undefined && !labOwns(dir, experiment)) {
      const taken = files.filter((f) => lstatSync(join(dir, f), { throwIfNoEntry: false }) !== undefined);
      if (taken.length > 0) return say(`already holds ${taken.map(printable).join(", ")}, which this program did not write (no ${experiment}.json of its own there): move them, or give another --out`);
    }
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { dir };
  } catch (e) {
    return usageError(`cannot write to --out '${printable(shown)}': ${fsReason(e)}`, false);
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

/** Options first (bad flags touch no file), then the output directory; a usage error when either is wrong. */
export function setup<O>(p: Parsed, log: (line: string) => void, options: (p: Parsed) => O | UsageError, experiment: string, files: (o: O) => readonly string[]): Setup<O> | UsageError {
  const o = options(p);
  if (isUsageError(o)) return o;
  const target = outDir(p, experiment, files(o));
  if (isUsageError(target)) return target;
  const json = p.flags.has("json");
  return { o, out: target.dir, json, say: json ? (line) => process.stderr.write(`${line}\n`) : log };
}
