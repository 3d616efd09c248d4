// The part of a saved model's config.json every app shares: JSON, an object, this app's format tag and version.
import * as E from "fp-ts/lib/Either.js";

/**
 * The fields of a config.json text other than `format` and `version`, once it is JSON, an object, and tagged as
 * `format` (described as `what`) at `version`; otherwise one line saying what it is instead.
 */
export function parseModelHeader(configText: string, file: string, format: string, version: number, what: string): E.Either<string, Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configText);
  } catch (e) {
    return E.left(`'${file}' is not JSON (${(e as Error).message}): choose the config.json of a model folder`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return E.left(`'${file}' is not a JSON object: choose the config.json of a model folder`);
  const { format: f, version: v, ...rest } = parsed as Record<string, unknown>;
  if (f !== format) return E.left(typeof f === "string" ? `'${file}' describes a '${f}', not a ${what} ('${format}'): it belongs to another app` : `'${file}' has no format tag: it is not a model folder's config.json`);
  if (v !== version) return E.left(`'${file}' is format version ${JSON.stringify(v) ?? "none"}; this reads version ${version}`);
  return E.right(rest);
}
