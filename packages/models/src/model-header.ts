// The part of a saved model's config.json every app shares: JSON, an object, this app's format tag and version.
import type { Tensor } from "@gated/autograd";
import { readSafetensors } from "@gated/nn";
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

/** What a saved-model format adds to the shared header: its tag, version, name, and checks of fields and tensors. */
export interface SavedModelSpec<M, P> {
  readonly format: string;
  readonly version: number;
  readonly what: string;
  readonly check: (fields: Record<string, unknown>) => string | undefined;
  readonly params: (tensors: Readonly<Record<string, Tensor>>, meta: M, file: string) => E.Either<string, P>;
}

/** A saved model from its config.json text and weights.safetensors bytes, checked by `spec`; Left: one line. */
export function parseSavedModel<M, P>(configText: string, weights: Uint8Array, names: { readonly config: string; readonly weights: string }, spec: SavedModelSpec<M, P>): E.Either<string, { meta: M; params: P }> {
  const header = parseModelHeader(configText, names.config, spec.format, spec.version, spec.what);
  if (E.isLeft(header)) return header;
  const bad = spec.check(header.right);
  if (bad !== undefined) return E.left(`'${names.config}' is not a valid model description (${bad})`);
  const meta = header.right as unknown as M;
  const w = readSafetensors(weights);
  if (E.isLeft(w)) return E.left(`'${names.weights}' is not a safetensors file: ${w.left.message}`);
  return E.map((params: P) => ({ meta, params }))(spec.params(w.right.tensors, meta, names.weights));
}
