// Single files written atomically, and the checked reading of a model folder's config.json.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { printable } from "./cli.js";
import { basename, dirname, join } from "node:path";

/** Writes a file through a temporary file in the same directory and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Why a single output file (an export) cannot be written at `path`, or undefined when it can: the path must be new, or
 * a file this program wrote before (`ours` recognises its bytes), which is then replaced. A folder, or anybody
 * else's file, is refused and left alone. The message names the option (`flag`) and the path as the user gave it
 * (`shown`); `kind` names the format ("ONNX").
 */
export function newFileProblem(path: string, o: { readonly flag: string; readonly shown: string; readonly kind: string; readonly ours: (bytes: Uint8Array) => boolean }): string | undefined {
  if (!existsSync(path)) return undefined;
  const where = printable(o.shown);
  if (!statSync(path).isFile()) return `${o.flag} '${where}' is a folder, not a file name: give the file to write, e.g. ${o.flag} ${join(where, `model.${o.kind.toLowerCase()}`)}`;
  if (statSync(path).size > 2 ** 31 || !o.ours(readFileSync(path))) return `${o.flag} '${where}' already exists and is not an ${o.kind} file this program wrote: it is left alone; choose a new file name (or move that file away yourself)`;
  return undefined;
}

/**
 * Reads `dir/config.json` of a saved model and checks its format and version; the Left is a one-line message
 * that names the problem (`remedy` is appended where retraining is the way out).
 */
export function readModelConfig(dir: string, format: string, version: number, remedy: string): { ok: true; config: Record<string, unknown> } | { ok: false; error: string } {
  const file = join(dir, "config.json");
  if (!existsSync(file)) return { ok: false, error: `no model in '${dir}' (config.json is missing): ${remedy}` };
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    return { ok: false, error: `'${file}' is corrupt (${(e as Error).message}): ${remedy}` };
  }
  if (config === null || typeof config !== "object" || Array.isArray(config)) return { ok: false, error: `'${file}' holds ${config === null ? "null" : Array.isArray(config) ? "an array" : `a ${typeof config}`}, not a JSON object: ${remedy}` };
  const c = config as Record<string, unknown>;
  if (typeof c.format !== "string") return { ok: false, error: `'${file}' has no format tag: it is not a ${format}` };
  if (c.format !== format) return { ok: false, error: `'${dir}' holds a '${printable(c.format)}', not a ${format}` };
  if (c.version !== version) return { ok: false, error: `'${dir}' was saved in format version ${printable(JSON.stringify(c.version) ?? "none")}; this program reads version ${version}: ${remedy}` };
  return { ok: true, config: c };
}
