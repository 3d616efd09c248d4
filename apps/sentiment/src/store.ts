// The model directory: config.json (format, version, configuration, vocabulary, classes, training summary) and
// weights.safetensors, written atomically; and its checked loading.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Tensor } from "@gated/autograd";
import { readSafetensors, writeSafetensors } from "@gated/nn";
import { readModelConfig, writeDirAtomic } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { fromStateDict, type ModelConfig, type Params, toStateDict } from "./model.js";

export const FORMAT = "gated-sentiment-model";
export const VERSION = 1;

export interface SavedModel {
  readonly config: ModelConfig;
  readonly vocab: readonly string[];
  readonly classes: readonly string[];
  readonly maxLen: number;
  readonly data: { readonly source: string; readonly textColumn?: string; readonly labelColumn?: string };
  readonly training: Record<string, unknown>;
  /** With --nb: the naive Bayes tables the inputs need. */
  readonly nb?: import("./nb-features.js").NbTables;
}

export function saveModel(dir: string, model: SavedModel, params: Params, extra: Record<string, string> = {}): void {
  const weights = writeSafetensors(toStateDict(params), { format: "pt", model: FORMAT });
  if (E.isLeft(weights)) throw new Error(weights.left.message);
  writeDirAtomic(dir, { "config.json": `${JSON.stringify({ format: FORMAT, version: VERSION, ...model }, null, 1)}\n`, "weights.safetensors": weights.right, ...extra });
}

/** Loads and checks a model directory; the Left is a one-line message naming the problem. */
export function loadModel(dir: string): E.Either<string, { model: SavedModel; params: Params }> {
  const header = readModelConfig(dir, FORMAT, VERSION, `retrain with 'pnpm sentiment train --out ${dir}'`);
  if (!header.ok) return E.left(header.error);
  const model = header.config as unknown as SavedModel;
  if (!Array.isArray(model.vocab) || !Array.isArray(model.classes) || typeof model.config !== "object" || model.config === null) return E.left(`'${join(dir, "config.json")}' lacks vocab, classes or config: retrain the model`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(join(dir, "weights.safetensors"));
  } catch {
    return E.left(`'${join(dir, "weights.safetensors")}' is missing: retrain the model`);
  }
  const sd = readSafetensors(bytes);
  if (E.isLeft(sd)) return E.left(`'${join(dir, "weights.safetensors")}' is corrupt: ${sd.left.message}`);
  const params = fromStateDict(sd.right.tensors);
  const c = model.config;
  const D = c.bidirectional ? 2 : 1;
  const expect: [string, Tensor | undefined, number[]][] = [
    ["embedding.weight", params.embedding, [model.vocab.length, c.embed]],
    ["head.weight", params.head.weight, [model.classes.length, D * c.hidden + (c.nbClasses ?? 0)]],
    ["head.bias", params.head.bias, [model.classes.length]],
  ];
  for (const [name, t, shape] of expect) {
    if (t === undefined || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      return E.left(`'${join(dir, "weights.safetensors")}' does not match config.json: ${name} should be [${shape.join(", ")}], found ${t ? `[${t.shape.join(", ")}]` : "nothing"}`);
    }
  }
  return E.right({ model, params });
}
