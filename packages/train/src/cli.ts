// A small command-line parser for the apps: --flag VALUE, --switch, and positionals; unknown flags are errors.
import { GatedException } from "@gated/autograd";
import { resolve } from "node:path";

export interface Parsed {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

/** Parses argv given the flags that take a value and the boolean switches; returns an error message on misuse. */
export function parseArgs(argv: readonly string[], valued: readonly string[], switches: readonly string[]): Parsed | string {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--") || a === "-") {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split("=", 2) as [string, string | undefined];
    if (switches.includes(name)) flags.set(name, true);
    else if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) return `--${name} needs a value`;
      flags.set(name, v);
    } else return `unknown option --${name}`;
  }
  return { flags, positionals };
}

export const str = (p: Parsed, name: string): string | undefined => {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
};

/** An integer flag in [min, max], or the fallback; an error message when invalid. */
export function int(p: Parsed, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number | string {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  return Number.isInteger(n) && n >= min && n <= max ? n : `--${name} must be an integer in [${min}, ${max}], got '${v}'`;
}

/** A number flag accepted by `inRange` (described as `range` in the error), or the fallback. */
function numberFlag(p: Parsed, name: string, fallback: number, inRange: (n: number) => boolean, range: string): number | string {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  return v.trim() !== "" && Number.isFinite(n) && inRange(n) ? n : `--${name} must be a number in ${range}, got '${v}'`;
}

/** A number flag in (min, max], or the fallback. */
export const num = (p: Parsed, name: string, fallback: number, min: number, max: number): number | string =>
  numberFlag(p, name, fallback, (n) => n > min && n <= max, `(${min}, ${max}]`);

/** A number flag in [min, max] (the lower end included: a bias, an offset), or the fallback. */
export const numIn = (p: Parsed, name: string, fallback: number, min: number, max: number): number | string =>
  numberFlag(p, name, fallback, (n) => n >= min && n <= max, `[${min}, ${max}]`);

export function choice<T extends string>(p: Parsed, name: string, options: readonly T[], fallback: T): T | string {
  const v = str(p, name);
  if (v === undefined) return fallback;
  return (options as readonly string[]).includes(v) ? (v as T) : `--${name} must be one of ${options.join(", ")}, got '${v}'`;
}

/** One subcommand of an app: its help, its flags, and what it does (a string result is a one-line error). */
export interface Command {
  readonly help: string;
  readonly valued: readonly string[];
  readonly switches: readonly string[];
  readonly run: (p: Parsed, log: (line: string) => void) => number | string | Promise<number | string>;
}

/**
 * Runs `app <command> [options]`: --help on the app and on each command, usage errors (exit 2), and every
 * failure as one line "app command: error: ..." on stderr with a non-zero exit.
 */
export async function runCli(app: string, usage: string, commands: Readonly<Record<string, Command>>, argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage);
    return name === undefined ? 2 : 0;
  }
  const cmd = commands[name];
  if (cmd === undefined) {
    console.error(`${app}: unknown command '${name}'\n${usage}`);
    return 2;
  }
  const parsed = parseArgs(rest, cmd.valued, cmd.switches);
  if (typeof parsed === "string") {
    console.error(`${app} ${name}: ${parsed}\n${cmd.help}`);
    return 2;
  }
  if (parsed.flags.has("help")) {
    console.log(cmd.help);
    return 0;
  }
  try {
    const r = await cmd.run(parsed, (line) => console.log(line));
    if (typeof r === "string") {
      console.error(`${app} ${name}: error: ${r}`);
      return r.startsWith("--") || r.includes("needs") ? 2 : 1;
    }
    return r;
  } catch (e) {
    console.error(`${app} ${name}: error: ${e instanceof GatedException ? e.error.message : e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

/** A path the user typed, relative to where they ran pnpm (INIT_CWD), not to the app's folder. */
export const userPath = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
