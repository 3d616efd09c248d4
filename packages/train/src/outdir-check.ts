// What an --out path may be: a new path, an empty folder, or a folder holding a model of that same app and nothing
// else. Refused before any work, with one line: "", the root, the home folder, the current folder or any folder that
// contains it, anything that is not a folder, and a folder holding anything else. Symbolic links are followed.
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, parse, relative, resolve, sep } from "node:path";
import { printable, type UsageError, usageError } from "./cli.js";

/** What an app writes into its folders: the format tag of its config.json and every file name it may write. */
export interface AppFormat {
  /** The `format` field of config.json, e.g. "gated-sentiment-model". */
  readonly format: string;
  /** Every file the app writes into a model folder. */
  readonly files: readonly string[];
}

/** What --out names, once checked: where the files go, and what is there now. */
export interface OutTarget {
  /** The folder written (a symbolic link's target, made absolute). */
  readonly dir: string;
  /** The path as the user typed it (for messages). */
  readonly shown: string;
  /** Absent, an empty folder, or a folder holding a model of this app (its config.json parsed). */
  readonly holds: { readonly kind: "nothing" } | { readonly kind: "empty" } | { readonly kind: "model"; readonly config: Readonly<Record<string, unknown>> };
}

/** Bytes the longest leftover name of a save (outdir.ts) adds to the folder's name: ".", ".partial-", a PID of up to 10 digits. */
const NAME_OVERHEAD = 20;
const NAME_MAX = 255;

export const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException)?.code ?? "";

/** A plain reason for a file-system error code. */
export function fsReason(e: unknown): string {
  switch (codeOf(e)) {
    case "EROFS":
      return "it is on a read-only file system";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOTDIR":
      return "a part of the path is a file, not a folder";
    case "ENAMETOOLONG":
      return "the name is too long";
    case "ENOSPC":
      return "no space left on the device";
    case "EDQUOT":
      return "the disk quota is exceeded";
    case "ENOENT":
      return "a part of the path does not exist";
    case "ELOOP":
      return "it is a loop of symbolic links";
    default:
      return `${codeOf(e) || "error"}: ${(e as Error)?.message ?? String(e)}`;
  }
}

function kindOf(path: string): string {
  const s = lstatSync(path);
  return s.isFile() ? "a file" : s.isCharacterDevice() ? "a character device" : s.isBlockDevice() ? "a block device" : s.isFIFO() ? "a named pipe" : s.isSocket() ? "a socket" : "not a folder";
}

/** The real path of `p` (symbolic links resolved), also when its last parts do not exist yet. */
function realish(p: string): string {
  const missing: string[] = [];
  let at = p;
  for (;;) {
    try {
      return join(realpathSync(at), ...missing.reverse());
    } catch (e) {
      if (codeOf(e) !== "ENOENT" && codeOf(e) !== "ENOTDIR") throw e;
      const up = dirname(at);
      if (up === at) return p;
      missing.push(basename(at));
      at = up;
    }
  }
}

const isWithin = (inner: string, outer: string) => {
  const r = relative(outer, inner);
  return r === "" || (!r.startsWith("..") && !r.startsWith(sep) && r !== "..");
};

/** Reads config.json of a folder as an object, or undefined when there is none or it is not one. */
function configOf(dir: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Lists at most a few names for a message. */
const some = (names: readonly string[]) => (names.length <= 4 ? names : [...names.slice(0, 4), `and ${names.length - 4} more`]).map(printable).join(", ");

/**
 * Checks an --out path before any work: returns where to write and what is there, or a one-line reason for
 * refusing. Refused: "", the filesystem root, the home folder, the current folder or any folder that contains it,
 * anything that is not a folder, and a folder holding anything but a model of this app. A symbolic link is
 * followed: its target is checked by the same rules and replaced, and the link kept.
 */
export function checkOutDir(shown: string, app: AppFormat, cwd: string = process.env.INIT_CWD ?? process.cwd()): OutTarget | UsageError {
  const say = (why: string) => usageError(`--out '${printable(shown)}' ${why}`, false);
  if (shown.trim() === "") return usageError("--out is empty (an unset shell variable?): give the folder to write the model to", false);
  const typed = resolve(cwd, shown);
  const name = basename(typed);
  let dir: string;
  try {
    const link = lstatSync(typed, { throwIfNoEntry: false });
    if (link?.isSymbolicLink()) {
      try {
        dir = realpathSync(typed);
      } catch {
        return say("is a symbolic link to a path that does not exist: create that folder or give another --out");
      }
    } else dir = realish(typed);
  } catch (e) {
    return say(`cannot be used: ${fsReason(e)}`);
  }
  if (Buffer.byteLength(basename(dir)) + NAME_OVERHEAD > NAME_MAX) return say(`has a name of ${Buffer.byteLength(basename(dir))} bytes: at most ${NAME_MAX - NAME_OVERHEAD} (the file system allows ${NAME_MAX}, and the safe save adds ${NAME_OVERHEAD})`);
  if (dir === parse(dir).root) return say("is the root of the file system: give a folder of its own, e.g. --out my-model");
  const here = [cwd, process.cwd()].map((c) => realish(resolve(c)));
  for (const c of here) {
    if (dir === c) return say("is the current folder: the model needs a folder of its own, e.g. --out my-model");
    if (isWithin(c, dir)) return say(`contains the current folder (${printable(c)}): give a folder of its own, e.g. --out my-model`);
  }
  const home = realish(homedir());
  if (dir === home || isWithin(home, dir)) return say("is your home folder or contains it: give a folder of its own, e.g. --out my-model");
  let st: ReturnType<typeof statSync> | undefined;
  try {
    st = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    return say(`cannot be used: ${fsReason(e)}`);
  }
  if (st === undefined) return { dir, shown, holds: { kind: "nothing" } };
  if (!st.isDirectory()) return say(`is ${kindOf(dir)}, not a folder: give a new folder name`);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    return say(`cannot be read: ${fsReason(e)}`);
  }
  if (entries.length === 0) return { dir, shown, holds: { kind: "empty" } };
  const config = configOf(dir);
  if (config === undefined || config.format !== app.format) {
    const what = config && typeof config.format === "string" ? `holds a '${printable(config.format)}', not a ${app.format}` : `holds files that are not a ${app.format} (${some(entries)})`;
    return say(`${what}: it is left alone; give a new or empty folder`);
  }
  const foreign = entries.filter((e) => !app.files.includes(e));
  if (foreign.length > 0) return say(`holds a ${app.format} and also files this program did not write (${some(foreign)}): move them out, or give another --out`);
  return { dir, shown, holds: { kind: "model", config } };
}

