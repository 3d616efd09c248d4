// The sentence classifier as `pnpm sentiment train` saves it: config.json (format tag, version, configuration,
// vocabulary, classes, naive Bayes tables with --nb, a training summary) and weights.safetensors. Written and read
// from strings and bytes, so that the command line and the browser playground save and load the same models.
import type { Tensor } from "@gated/autograd";
import { writeSafetensors } from "@gated/nn";
import { checkHeadedModel } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { parseSavedModel } from "../model-header.js";
import { type ModelConfig, type Params, recurrentConfig, toStateDict } from "./model.js";
import type { NbTables } from "./nb-features.js";

export const SENTIMENT_FORMAT = "gated-sentiment-model";
export const SENTIMENT_VERSION = 1;

/** Everything config.json holds besides its format tag and version. */
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

/** config.json and weights.safetensors of a model, as `pnpm sentiment train` writes them. */
export function sentimentFiles(model: SavedModel, params: Params): { "config.json": string; "weights.safetensors": Uint8Array } {
  const weights = writeSafetensors(toStateDict(params), { format: "pt", model: SENTIMENT_FORMAT });
  if (E.isLeft(weights)) throw new Error(weights.left.message);
  return { "config.json": `${JSON.stringify({ format: SENTIMENT_FORMAT, version: SENTIMENT_VERSION, ...model }, null, 1)}\n`, "weights.safetensors": weights.right };
}

const posInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;
const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === "string");

/** The first field of a parsed config.json that is not what the program writes, described; undefined when all are fine. */
export function checkSentimentMeta(m: Record<string, unknown>): string | undefined {
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

/** The parameters in `tensors` (read from `file`), checked strictly against the shapes `model` implies. */
export function sentimentParams(tensors: Readonly<Record<string, Tensor>>, model: SavedModel, file: string): E.Either<string, Params> {
  const c = model.config;
  const D = c.bidirectional ? 2 : 1;
  return checkHeadedModel(tensors, { rnn: recurrentConfig(c), vocab: model.vocab.length, embed: c.embed, headIn: D * c.hidden + (c.nbClasses ?? 0), outputs: model.classes.length }, file);
}

/**
 * A saved classifier from the text of its config.json and the bytes of its weights.safetensors; the Left is one
 * line saying what is wrong (not JSON, another app's model, another version, a field or tensor that does not fit).
 */
export function parseSentimentModel(configText: string, weights: Uint8Array, names = { config: "config.json", weights: "weights.safetensors" }): E.Either<string, { model: SavedModel; params: Params }> {
  const parsed = parseSavedModel(configText, weights, names, { format: SENTIMENT_FORMAT, version: SENTIMENT_VERSION, what: "sentence classifier", check: checkSentimentMeta, params: sentimentParams });
  return E.map(({ meta, params }: { meta: SavedModel; params: Params }) => ({ model: meta, params }))(parsed);
}
