// The model folder: config.json (format, version, configuration, vocabulary, classes, training summary),
// weights.safetensors and curves.svg, saved through the output folder's lock (crash-safe); and its checked
// loading: every field of config.json and every tensor checked against it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "@gated/nn";
import { checkHeadedModel } from "@gated/train";
import { type AppFormat, type OutLock, readableModelDir, readModelConfig } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { type ModelConfig, type NbTables, type Params, recurrentConfig, toStateDict } from "@gated/models/sentiment";

export const FORMAT = "gated-sentiment-model";
export const VERSION = 1;
/** What `train --out` writes (and so the only files it accepts in a folder it replaces). */
export const APP: AppFormat = { format: FORMAT, files: ["config.json", "weights.safetensors", "curves.svg"] };

export interface SavedModel {
  readonly config: ModelConfig;
  readonly vocab: readonly string[];
  readonly classes: readonly string[];
  readonly maxLen: number;
  readonly data: { readonly source: string; readonly textColumn?: string; readonly labelColumn?: string };
  readonly training: Record<string, unknown>;
  /** With --nb: the naive Bayes tables the inputs need. */
  readonly nb?: NbTables;
}

export function saveModel(lock: OutLock, model: SavedModel, params: Params, extra: Record<string, string> = {}): void {
  const weights = writeSafetensors(toStateDict(params), { format: "pt", model: FORMAT });
  if (E.isLeft(weights)) throw new Error(weights.left.message);
  lock.save({ "config.json": `${JSON.stringify({ format: FORMAT, version: VERSION, ...model }, null, 1)}\n`, "weights.safetensors": weights.right, ...extra });
}

const posInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;
const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");

/** The first field of config.json that is not what the program writes, described; undefined when all are fine. */
function badField(m: Record<string, unknown>): string | undefined {
  const c = m.config as Record<string, unknown> | undefined;
  if (c === null || typeof c !== "object" || Array.isArray(c)) return "config is missing";
  if (!["lstm", "gru", "rnn"].includes(c.cell as string)) return `config.cell is ${JSON.stringify(c.cell) ?? "missing"}, not one of lstm, gru, rnn`;
  if (!["last", "mean", "max"].includes(c.pooling as string)) return `config.pooling is ${JSON.stringify(c.pooling) ?? "missing"}, not one of last, mean, max`;
  for (const k of ["embed", "hidden", "layers"]) if (!posInt(c[k])) return `config.${k} is ${JSON.stringify(c[k]) ?? "missing"}, not a positive integer`;
  if (typeof c.bidirectional !== "boolean") return "config.bidirectional is not true or false";
  if (c.nbClasses !== undefined && !posInt(c.nbClasses)) return "config.nbClasses is not a positive integer";
  if (!strings(m.vocab) || (m.vocab as unknown[]).length < 2) return "vocab is not a list of words";
  if (!strings(m.classes) || (m.classes as unknown[]).length < 2) return "classes is not a list of at least two labels";
  if (!posInt(m.maxLen)) return "maxLen is not a positive integer";
  if (c.nbClasses !== undefined && (m.nb === null || typeof m.nb !== "object")) return "config.nbClasses is set but the naive Bayes tables (nb) are missing";
  return undefined;
}

/** Loads and checks a model folder; the Left is a one-line message naming the problem. */
export function loadModel(path: string): E.Either<string, { model: SavedModel; params: Params }> {
  const dir = readableModelDir(path, APP);
  const header = readModelConfig(dir, FORMAT, VERSION, `retrain with 'pnpm sentiment train --out ${path}'`);
  if (!header.ok) return E.left(header.error);
  const bad = badField(header.config);
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
  const c = model.config;
  const D = c.bidirectional ? 2 : 1;
  const params = checkHeadedModel(sd.right.tensors, { rnn: recurrentConfig(c), vocab: model.vocab.length, embed: c.embed, headIn: D * c.hidden + (c.nbClasses ?? 0), outputs: model.classes.length }, join(path, "weights.safetensors"));
  return E.isLeft(params) ? params : E.right({ model, params: params.right });
}
