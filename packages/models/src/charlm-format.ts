// The character model as `pnpm generate train` saves it: config.json (format tag, version, the model's and the
// training's description, the vocabulary) and weights.safetensors (PyTorch's names inside `rnn.`). Written and read
// here from strings and bytes, so that the command line (through its files) and the browser playground (through
// downloads and file pickers) save and load the same models.
import type { Tensor } from "@gated/autograd";
import { writeSafetensors } from "@gated/nn";
import { checkHeadedModel, headedStateDict } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { parseSavedModel } from "./model-header.js";
import { type LmConfig, type LmParams, rnnConfig } from "./charlm.js";

export const CHARLM_FORMAT = "gated-char-lm";
export const CHARLM_VERSION = 1;

export interface HistoryPoint {
  readonly step: number;
  readonly trainBpc: number;
  readonly testBpc?: number;
  readonly seconds: number;
}

/** Everything config.json says about a character model besides its format tag and version. */
export interface CharlmMeta {
  readonly config: LmConfig;
  readonly vocab: readonly string[];
  /** Where the text came from ("bundled" for Moby-Dick in the CLI, a file name, or a description). */
  readonly data: string;
  readonly training: {
    readonly seed: number;
    readonly steps: number;
    readonly done: number;
    readonly batching: "contiguous" | "random-windows";
    readonly schedule: "cosine" | "constant";
    readonly batch: number;
    readonly seq: number;
    readonly lr: number;
    readonly clip: number;
    readonly cursor: number;
    readonly seconds: number;
    readonly history: readonly HistoryPoint[];
  };
}

/** The weights by their names in weights.safetensors. */
export const charlmTensors = (p: LmParams): Record<string, Tensor> => headedStateDict(p);

/** config.json and weights.safetensors of a model, byte for byte as `pnpm generate train` writes them. */
export function charlmFiles(meta: CharlmMeta, params: LmParams): { "config.json": string; "weights.safetensors": Uint8Array } {
  const w = writeSafetensors(charlmTensors(params), { format: "pt" });
  if (E.isLeft(w)) throw new Error(w.left.message);
  return { "config.json": `${JSON.stringify({ format: CHARLM_FORMAT, version: CHARLM_VERSION, ...meta }, null, 1)}\n`, "weights.safetensors": w.right };
}

const posInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;
const nonNegInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
const finite = (v: unknown) => typeof v === "number" && Number.isFinite(v);

/** The first field of a parsed config.json that is not what the program writes, described; undefined when all are fine. */
export function checkCharlmMeta(m: Record<string, unknown>): string | undefined {
  const c = m.config as Record<string, unknown> | undefined;
  if (c === null || typeof c !== "object" || Array.isArray(c)) return "config is missing";
  if (!["lstm", "gru", "rnn", "irnn"].includes(c.cell as string)) return `config.cell is ${JSON.stringify(c.cell) ?? "missing"}, not one of lstm, gru, rnn, irnn`;
  for (const k of ["embed", "hidden", "layers"]) if (!posInt(c[k])) return `config.${k} is ${JSON.stringify(c[k]) ?? "missing"}, not a positive integer`;
  if (!Array.isArray(m.vocab) || m.vocab.length === 0 || !m.vocab.every((s) => typeof s === "string" && Array.from(s).length === 1)) return "vocab is not a list of single characters";
  if (new Set(m.vocab).size !== m.vocab.length) return "vocab lists a character twice";
  if (typeof m.data !== "string") return "data is missing";
  const t = m.training as Record<string, unknown> | undefined;
  if (t === null || typeof t !== "object" || Array.isArray(t)) return "training is missing";
  for (const k of ["steps", "batch", "seq"]) if (!posInt(t[k])) return `training.${k} is not a positive integer`;
  for (const k of ["done", "cursor", "seed"]) if (!nonNegInt(t[k])) return `training.${k} is not a non-negative integer`;
  for (const k of ["lr", "clip", "seconds"]) if (!finite(t[k])) return `training.${k} is not a number`;
  if (!["contiguous", "random-windows"].includes(t.batching as string)) return "training.batching is not contiguous or random-windows";
  if (!["cosine", "constant"].includes(t.schedule as string)) return "training.schedule is not cosine or constant";
  if (!Array.isArray(t.history)) return "training.history is not a list";
  if ((t.done as number) > (t.steps as number)) return "training.done is past training.steps";
  return undefined;
}

/** The parameters in `tensors` (read from `file`), checked strictly against the shapes `meta` implies. */
export function charlmParams(tensors: Readonly<Record<string, Tensor>>, meta: CharlmMeta, file: string): E.Either<string, LmParams> {
  const c = meta.config;
  const V = meta.vocab.length;
  return checkHeadedModel(tensors, { rnn: rnnConfig(c), vocab: V, embed: c.embed, headIn: c.hidden, outputs: V }, file);
}

/**
 * A saved model from the text of its config.json and the bytes of its weights.safetensors (a folder written by
 * `pnpm generate train`, or by the playground). The Left is one line that says what is wrong: not JSON, another
 * app's model, another version, a field or a tensor that does not fit.
 */
export function parseCharlmModel(configText: string, weights: Uint8Array, names = { config: "config.json", weights: "weights.safetensors" }): E.Either<string, { meta: CharlmMeta; params: LmParams }> {
  return parseSavedModel(configText, weights, names, { format: CHARLM_FORMAT, version: CHARLM_VERSION, what: "character model", check: checkCharlmMeta, params: charlmParams });
}
