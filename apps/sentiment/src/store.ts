// The model folder: config.json (format, version, configuration, vocabulary, classes, training summary),
// weights.safetensors and curves.svg, saved through the output folder's lock (crash-safe); and its checked
// loading: every field of config.json and every tensor checked against it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors } from "@gated/nn";
import { type AppFormat, type OutLock, readableModelDir, readModelConfig } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { checkSentimentMeta, type Params, type SavedModel, SENTIMENT_FORMAT, SENTIMENT_VERSION, sentimentFiles, sentimentParams } from "@gated/models/sentiment";

export const FORMAT = SENTIMENT_FORMAT;
export const VERSION = SENTIMENT_VERSION;
export type { SavedModel } from "@gated/models/sentiment";
/** What `train --out` writes (and so the only files it accepts in a folder it replaces). */
export const APP: AppFormat = { format: FORMAT, files: ["config.json", "weights.safetensors", "curves.svg"] };

export function saveModel(lock: OutLock, model: SavedModel, params: Params, extra: Record<string, string> = {}): void {
  lock.save({ ...sentimentFiles(model, params), ...extra });
}

/** Loads and checks a model folder; the Left is a one-line message naming the problem. */
export function loadModel(path: string): E.Either<string, { model: SavedModel; params: Params }> {
  const dir = readableModelDir(path, APP);
  const header = readModelConfig(dir, FORMAT, VERSION, `retrain with 'pnpm sentiment train --out ${path}'`);
  if (!header.ok) return E.left(header.error);
  const bad = checkSentimentMeta(header.config);
  if (bad !== undefined) return E.left(`'${join(path, "config.json")}' is not a valid model description (${bad}): retrain the model`);
  const model = header.config as unknown as SavedModel;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(dir, "weights.safetensors"));
  } catch {
    return E.left(`'${join(path, "weights.safetensors")}' is missing: retrain the model`);
  }
  const sd = readSafetensors(bytes);
  if (E.isLeft(sd)) return E.left(`'${join(path, "weights.safetensors")}' is corrupt: ${sd.left.message}`);
  const params = sentimentParams(sd.right.tensors, model, join(path, "weights.safetensors"));
  return E.isLeft(params) ? params : E.right({ model, params: params.right });
}
