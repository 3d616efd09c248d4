// Files written so that nothing the user saved is lost: a file or a directory appears complete or not at all.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Writes a file through a temporary file in the same directory and a rename. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/**
 * Writes a directory of files atomically: into a temporary sibling first; only when every file is written does it
 * replace `dir` (an existing one is moved aside, then removed). If anything fails, `dir` is untouched.
 */
export function writeDirAtomic(dir: string, files: Readonly<Record<string, string | Uint8Array>>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}`);
  const old = join(parent, `.${basename(dir)}.old-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (existsSync(old) && !existsSync(dir)) renameSync(old, dir);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
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
  if (config === null || typeof config !== "object") return { ok: false, error: `'${file}' is not a JSON object: ${remedy}` };
  const c = config as Record<string, unknown>;
  if (c.format !== format) return { ok: false, error: `'${dir}' holds a '${String(c.format)}', not a ${format}` };
  if (c.version !== version) return { ok: false, error: `'${dir}' was saved in format version ${String(c.version)}; this program reads version ${version}: ${remedy}` };
  return { ok: true, config: c };
}
