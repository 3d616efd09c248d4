// The apps' command line, on Node's util.parseArgs: strict flags (unknown ones, stray positionals and missing
// values are usage errors), --flag=value everywhere, -h / --help and `help <command>`, one-line errors, and the
// same exit codes in every app: 0 done, 1 runtime or data error, 2 usage error, 130 interrupted.
import { GatedException } from "@gated/autograd";
import { setThreads, threadInfo } from "@gated/kernels";
import { resolve } from "node:path";
import { parseArgs as nodeParseArgs } from "node:util";

/** Exit codes shared by every app. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A mistake in how the command was called (exit 2, the command's usage printed after it). */
export class UsageError {
  readonly _tag = "UsageError";
  constructor(
    readonly message: string,
    /** Whether the command's usage follows the message (not for a refused path: the one line says it all). */
    readonly showUsage = true,
  ) {}
}

export const usageError = (message: string, showUsage = true): UsageError => new UsageError(message, showUsage);
export const isUsageError = (v: unknown): v is UsageError => v instanceof UsageError;

export interface Parsed {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

/** Replaces control characters (newlines, escapes, C1 codes) by visible escapes, so a message stays one line. */
export function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** Escapes control characters but newlines and tabs: what a command prints cannot drive the terminal. */
export function terminalSafe(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => (c === "\r" ? "\\r" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** JSON on one line with every control character escaped (JSON.stringify leaves U+007F-U+009F raw). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A value that starts with "-" but is a number (-1, -0.5, -.5, -1e-3): taken as a flag's value, not a flag. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Parses argv given the flags that take a value and the boolean switches (plus -h / --help); a UsageError on an
 * unknown flag, a missing value, a value given to a switch, or a positional where `positionals` is false.
 */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[], positionals = false): Parsed | UsageError {
  // util.parseArgs takes "--lr -1" as a missing value; a negative number after a valued flag is its value.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const next = argv[i + 1];
    if (a.startsWith("--") && !a.includes("=") && valued.includes(a.slice(2)) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const v of valued) options[v] = { type: "string" };
  for (const s of switches) if (s !== "help") options[s] = { type: "boolean" };
  try {
    const r = nodeParseArgs({ args, options, strict: true, allowPositionals: positionals, tokens: false });
    const flags = new Map<string, string | true>();
    for (const [k, v] of Object.entries(r.values)) if (v !== undefined && v !== false) flags.set(k, v as string | true);
    return { flags, positionals: [...r.positionals] };
  } catch (e) {
    return usageError(describeParseError(e as NodeJS.ErrnoException, args, valued));
  }
}

/** One line for util.parseArgs's errors (some of its messages span three lines). */
function describeParseError(e: NodeJS.ErrnoException, args: readonly string[], valued: readonly string[]): string {
  const quoted = /'([^']*)'/.exec(e.message)?.[1] ?? "";
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${printable(quoted)}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument '${printable(quoted)}' (this command takes no positional arguments)`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = /'(--?[\w-]+)/.exec(e.message)?.[1] ?? quoted;
      const name = flag.replace(/^-+/, "");
      if (!valued.includes(name)) return `${flag} is a switch and takes no value`;
      const at = args.indexOf(flag);
      const next = at >= 0 ? args[at + 1] : undefined;
      return next === undefined ? `${flag} needs a value` : `${flag} needs a value (got the option '${printable(next)}'; write ${flag}=VALUE for a value that starts with '-')`;
    }
    default:
      return printable(e.message.split("\n")[0] ?? String(e));
  }
}

export const str = (p: Parsed, name: string): string | undefined => {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
};

/** An integer flag in [min, max], or the fallback; a UsageError when invalid. */
export function int(p: Parsed, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number | UsageError {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  return v.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? n : usageError(`--${name} must be an integer in [${min}, ${max}], got '${printable(v)}'`);
}

/** A number flag accepted by `inRange` (described as `range` in the error), or the fallback. */
function numberFlag(p: Parsed, name: string, fallback: number, inRange: (n: number) => boolean, range: string): number | UsageError {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) && inRange(n) ? n : usageError(`--${name} must be a number in ${range}, got '${printable(v)}'`);
}

/** A number flag in (min, max], or the fallback. */
export const num = (p: Parsed, name: string, fallback: number, min: number, max: number): number | UsageError =>
  numberFlag(p, name, fallback, (n) => n > min && n <= max, `(${min}, ${max}]`);

/** A number flag in [min, max] (the lower end included: a bias, an offset), or the fallback. */
export const numIn = (p: Parsed, name: string, fallback: number, min: number, max: number): number | UsageError =>
  numberFlag(p, name, fallback, (n) => n >= min && n <= max, `[${min}, ${max}]`);

export function choice<T extends string>(p: Parsed, name: string, options: readonly T[], fallback: T): T | UsageError {
  const v = str(p, name);
  if (v === undefined) return fallback;
  return (options as readonly string[]).includes(v) ? (v as T) : usageError(`--${name} must be one of ${options.join(", ")}, got '${printable(v)}'`);
}

const UNITS: Record<string, number> = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** A size flag in bytes: 1048576, 512M, 1G, 1.5GiB (binary units); the fallback when absent. */
export function size(p: Parsed, name: string, fallback: number): number | UsageError {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(v);
  const n = m ? Math.floor(Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number)) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : usageError(`--${name} must be a size such as 800M or 2G, got '${printable(v)}'`);
}

/** The first UsageError among option values, if any (checked before anything is read or written). */
export const firstUsageError = (values: Readonly<Record<string, unknown>>): UsageError | undefined => Object.values(values).find(isUsageError) as UsageError | undefined;

/** What a command returns: an exit code, a one-line runtime error (exit 1), or a usage error (exit 2). */
export type CommandResult = number | string | UsageError;

/** One subcommand of an app: its help, its flags, and what it does. */
export interface Command {
  readonly help: string;
  readonly valued: readonly string[];
  readonly switches: readonly string[];
  /** Whether it takes positional arguments (default: no; any positional is then a usage error). */
  readonly positionals?: boolean;
  readonly run: (p: Parsed, log: (line: string) => void) => CommandResult | Promise<CommandResult>;
}

let guarded = false;

/** Exits with a message when standard output cannot be written (a full disk, a closed pipe). */
function guardStdout(app: string): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    const why = e.code === "EPIPE" ? "the reader closed the pipe (EPIPE)" : e.code === "ENOSPC" ? "no space left on the device (ENOSPC)" : `${e.code ?? ""} ${e.message}`.trim();
    process.stderr.write(`${app}: error: cannot write to standard output: ${why}\n`);
    process.exit(EXIT.failure);
  });
}

/**
 * Runs `app <command> [options]`: help on the app (`--help`, `help`, `help <command>`) and on each command
 * (`-h`, `--help`), usage errors (exit 2, with the command's usage), and every failure as one line
 * "app command: error: ..." on stderr (exit 1); a command's own exit code otherwise.
 */
/** The --threads line every command's help ends with. */
function threadsHelp(): string {
  let fallback: string;
  try {
    fallback = String(threadInfo().threads);
  } catch {
    fallback = "every core; GATED_THREADS is invalid";
  }
  return `  --threads N   threads for the kernels, 1 to 64 (default ${fallback}: every core, or GATED_THREADS); results are the same for any N`;
}

export async function runCli(app: string, usage: string, commands: Readonly<Record<string, Command>>, argv: readonly string[]): Promise<number> {
  guardStdout(app);
  const [name, ...rest] = argv;
  if (name === undefined) {
    console.error(usage);
    return EXIT.usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = rest[0];
    if (topic === undefined) console.log(usage);
    else {
      const c = Object.hasOwn(commands, topic) ? commands[topic] : undefined;
      if (c === undefined) {
        console.error(`${app}: no command '${printable(topic)}' (commands: ${Object.keys(commands).join(", ")})`);
        return EXIT.usage;
      }
      console.log(`${c.help}\n${threadsHelp()}`);
    }
    return EXIT.ok;
  }
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (cmd === undefined) {
    console.error(`${app}: unknown command '${printable(name)}' (commands: ${Object.keys(commands).join(", ")})\n${usage}`);
    return EXIT.usage;
  }
  const help = `${cmd.help}\n${threadsHelp()}`;
  const parsed = parseArgs(rest, [...cmd.valued, "threads"], cmd.switches, cmd.positionals ?? false);
  if (isUsageError(parsed)) {
    console.error(`${app} ${name}: ${parsed.message}\n${help}`);
    return EXIT.usage;
  }
  if (parsed.flags.has("help")) {
    console.log(help);
    return EXIT.ok;
  }
  const threads = int(parsed, "threads", 0, 1, 64);
  if (isUsageError(threads)) {
    console.error(`${app} ${name}: ${threads.message}\n${help}`);
    return EXIT.usage;
  }
  try {
    // An explicit --threads wins; otherwise the default is read now, so that a bad GATED_THREADS is this one-line
    // error before any work.
    if (threads > 0) setThreads(threads);
    else threadInfo();
    const r = await cmd.run(parsed, (line) => console.log(terminalSafe(line)));
    if (isUsageError(r)) {
      console.error(`${app} ${name}: ${r.showUsage ? "" : "error: "}${printable(r.message)}${r.showUsage ? `\n${help}` : ""}`);
      return EXIT.usage;
    }
    if (typeof r === "string") {
      console.error(`${app} ${name}: error: ${printable(r)}`);
      return EXIT.failure;
    }
    return r;
  } catch (e) {
    const message = e instanceof GatedException ? e.error.message : e instanceof Error ? e.message : String(e);
    console.error(`${app} ${name}: error: ${printable(message)}`);
    return EXIT.failure;
  }
}

/** A path the user typed, relative to where they ran pnpm (INIT_CWD), not to the app's folder. */
export const userPath = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
