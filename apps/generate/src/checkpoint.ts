// Checkpoints: a model directory (config.json, weights.safetensors, optimizer.safetensors, curves.svg) written
// atomically, so an interrupted run leaves the previous complete checkpoint or the new one, never half of one.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Tensor, tensorFromArray } from "@gated/autograd";
import { type AdamState, readSafetensors, writeSafetensors } from "@gated/nn";
import { readModelConfig, writeDirAtomic } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import type { LmConfig, LmParams, LmState } from "./model.js";

export const FORMAT = "gated-char-lm";
export const VERSION = 1;

export interface HistoryPoint {
  readonly step: number;
  readonly trainBpc: number;
  readonly testBpc?: number;
  readonly seconds: number;
}

export interface Meta {
  readonly config: LmConfig;
  readonly vocab: readonly string[];
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

const flat = (p: LmParams): Record<string, Tensor> => {
  const out: Record<string, Tensor> = { "embedding.weight": p.embedding, "head.weight": p.head.weight, "head.bias": p.head.bias };
  for (const [k, v] of Object.entries(p.rnn)) out[`rnn.${k}`] = v;
  return out;
};

const unflat = (sd: Readonly<Record<string, Tensor>>): LmParams => {
  const rnn: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(sd)) if (k.startsWith("rnn.")) rnn[k.slice(4)] = v;
  return { embedding: sd["embedding.weight"] as Tensor, rnn, head: { weight: sd["head.weight"] as Tensor, bias: sd["head.bias"] as Tensor } };
};

/** The optimiser's moments in leaves() order of the params, with the carried state. */
export function saveCheckpoint(dir: string, meta: Meta, params: LmParams, opt: AdamState, state: LmState, curves: string): void {
  const w = writeSafetensors(flat(params), { format: "pt" });
  const o: Record<string, Tensor> = { "state.h": state.h };
  if (state.c) o["state.c"] = state.c;
  opt.m.forEach((m, i) => {
    o[`m.${i}`] = tensorFromArray(Float32Array.from(m), [m.length]);
    o[`v.${i}`] = tensorFromArray(Float32Array.from(opt.v[i] as Float32Array), [m.length]);
  });
  const os = writeSafetensors(o, { step: String(opt.step) });
  if (E.isLeft(w)) throw new Error(w.left.message);
  if (E.isLeft(os)) throw new Error(os.left.message);
  writeDirAtomic(dir, { "config.json": `${JSON.stringify({ format: FORMAT, version: VERSION, ...meta }, null, 1)}\n`, "weights.safetensors": w.right, "optimizer.safetensors": os.right, "curves.svg": curves });
}

export interface Loaded {
  readonly meta: Meta;
  readonly params: LmParams;
  readonly opt?: AdamState;
  readonly state?: LmState;
}

/** Loads and checks a checkpoint; Left is a one-line message. */
export function loadCheckpoint(dir: string, withOptimizer: boolean): E.Either<string, Loaded> {
  const header = readModelConfig(dir, FORMAT, VERSION, `train one with 'pnpm generate train --out ${dir}'`);
  if (!header.ok) return E.left(header.error);
  const meta = header.config as unknown as Meta;
  if (!Array.isArray(meta.vocab) || typeof meta.config !== "object") return E.left(`'${join(dir, "config.json")}' lacks vocab or config`);
  const read = (name: string) => {
    try {
      return readSafetensors(readFileSync(join(dir, name)));
    } catch {
      return E.left({ message: "missing" });
    }
  };
  const w = read("weights.safetensors");
  if (E.isLeft(w)) return E.left(`'${join(dir, "weights.safetensors")}' is missing or corrupt: ${w.left.message}`);
  const params = unflat(w.right.tensors);
  const V = meta.vocab.length;
  if (params.embedding?.shape[0] !== V || params.head.weight?.shape[0] !== V) return E.left(`'${dir}': weights do not match its vocabulary of ${V} characters`);
  if (!withOptimizer) return E.right({ meta, params });
  const o = read("optimizer.safetensors");
  if (E.isLeft(o)) return E.left(`'${join(dir, "optimizer.safetensors")}' is missing or corrupt: ${o.left.message}`);
  const t = o.right.tensors;
  const count = Object.keys(t).filter((k) => k.startsWith("m.")).length;
  const m = Array.from({ length: count }, (_, i) => (t[`m.${i}`] as Tensor).toArray() as Float32Array);
  const v = Array.from({ length: count }, (_, i) => (t[`v.${i}`] as Tensor).toArray() as Float32Array);
  const opt: AdamState = { step: Number(o.right.metadata.step), m, v };
  const state: LmState = t["state.c"] ? { h: t["state.h"] as Tensor, c: t["state.c"] } : { h: t["state.h"] as Tensor };
  return E.right({ meta, params, opt, state });
}
