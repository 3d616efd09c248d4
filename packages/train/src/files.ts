// Single files written atomically, and the checked reading of a model folder's config.json.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
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
