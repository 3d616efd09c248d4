// Checkpoints: a model folder (config.json, weights.safetensors, optimizer.safetensors, curves.svg) saved through
// the output folder's lock, so an interrupted run leaves the previous complete checkpoint or the new one; and its
// checked loading: every field of config.json, every tensor and the optimiser's moments checked against it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { leaves, type Tensor, tensorFromArray } from "@gated/autograd";
import { type AdamState, readSafetensors, writeSafetensors } from "@gated/nn";
import { type AppFormat, type OutLock, readableModelDir, readModelConfig } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { CHARLM_FORMAT, CHARLM_VERSION, type CharlmMeta, charlmFiles, charlmParams, checkCharlmMeta, type LmParams, type LmState } from "@gated/models";

export const FORMAT = CHARLM_FORMAT;
export const VERSION = CHARLM_VERSION;
export type Meta = CharlmMeta;
export type { HistoryPoint } from "@gated/models";
/** What `train --out` writes (and so the only files it accepts in a folder it replaces). */
export const APP: AppFormat = { format: FORMAT, files: ["config.json", "weights.safetensors", "optimizer.safetensors", "curves.svg"] };

/** The optimiser's moments in leaves() order of the params, with the carried state. */
export function saveCheckpoint(lock: OutLock, meta: Meta, params: LmParams, opt: AdamState, state: LmState, curves: string): void {
  const o: Record<string, Tensor> = { "state.h": state.h };
  if (state.c) o["state.c"] = state.c;
  opt.m.forEach((m, i) => {
    o[`m.${i}`] = tensorFromArray(Float32Array.from(m), [m.length]);
    o[`v.${i}`] = tensorFromArray(Float32Array.from(opt.v[i] as Float32Array), [m.length]);
  });
  const os = writeSafetensors(o, { step: String(opt.step) });
  if (E.isLeft(os)) throw new Error(os.left.message);
  lock.save({ ...charlmFiles(meta, params), "optimizer.safetensors": os.right, "curves.svg": curves });
}

export interface Loaded {
  readonly meta: Meta;
  readonly params: LmParams;
  readonly opt?: AdamState;
  readonly state?: LmState;
}

const sameShape = (t: Tensor | undefined, shape: readonly number[]) => t !== undefined && t.rank === shape.length && t.shape.every((d, i) => d === shape[i]);

/**
 * Loads and checks a checkpoint (reading an interrupted save's complete version if need be); Left is a one-line
 * message that names what is wrong.
 */
export function loadCheckpoint(path: string, withOptimizer: boolean): E.Either<string, Loaded> {
  const dir = readableModelDir(path, APP);
  const header = readModelConfig(dir, FORMAT, VERSION, `train one with 'pnpm generate train --out ${path}'`);
  if (!header.ok) return E.left(header.error);
  const bad = checkCharlmMeta(header.config);
  if (bad !== undefined) return E.left(`'${join(path, "config.json")}' is not a valid checkpoint description (${bad}): train again`);
  const meta = header.config as unknown as Meta;
  const read = (name: string): E.Either<string, ReturnType<typeof readSafetensors> extends E.Either<unknown, infer R> ? R : never> => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(dir, name));
    } catch {
      return E.left(`'${join(path, name)}' is missing`);
    }
    const r = readSafetensors(bytes);
    return E.isLeft(r) ? E.left(`'${join(path, name)}' is corrupt: ${r.left.message}`) : E.right(r.right);
  };
  const w = read("weights.safetensors");
  if (E.isLeft(w)) return w;
  const c = meta.config;
  const checked = charlmParams(w.right.tensors, meta, join(path, "weights.safetensors"));
  if (E.isLeft(checked)) return checked;
  const params: LmParams = checked.right;
  if (!withOptimizer) return E.right({ meta, params });
  const file = join(path, "optimizer.safetensors");
  const o = read("optimizer.safetensors");
  if (E.isLeft(o)) return o;
  const t = o.right.tensors;
  const sizes = leaves(params).tensors.map((p) => p.size);
  const step = Number(o.right.metadata.step);
  if (!Number.isInteger(step) || step < 0) return E.left(`'${file}' has no valid step count (found ${JSON.stringify(o.right.metadata.step) ?? "none"}): it is not this checkpoint's optimiser`);
  const moments = Object.keys(t).filter((k) => /^[mv]\.\d+$/.test(k)).length;
  if (moments !== 2 * sizes.length) return E.left(`'${file}' holds ${moments} moment tensors where the weights need ${2 * sizes.length}: it belongs to another model`);
  for (const [i, n] of sizes.entries()) {
    for (const k of [`m.${i}`, `v.${i}`]) if (!sameShape(t[k], [n])) return E.left(`'${file}': ${k} should have ${n} values, found ${t[k] ? `[${t[k].shape.join(", ")}]` : "nothing"}: it belongs to another model`);
  }
  const L = c.layers;
  const B = meta.training.batch;
  const stateShape = [L, B, c.hidden];
  if (!sameShape(t["state.h"], stateShape)) return E.left(`'${file}': state.h should be [${stateShape.join(", ")}], found ${t["state.h"] ? `[${t["state.h"].shape.join(", ")}]` : "nothing"}`);
  if ((c.cell === "lstm") !== (t["state.c"] !== undefined) || (t["state.c"] !== undefined && !sameShape(t["state.c"], stateShape))) return E.left(`'${file}': state.c ${c.cell === "lstm" ? `should be [${stateShape.join(", ")}]` : "belongs to an LSTM, not this model"}`);
  for (const k of Object.keys(t)) if (!/^([mv]\.\d+|state\.[hc])$/.test(k)) return E.left(`'${file}' holds an unexpected tensor '${k}'`);
  const m = sizes.map((_, i) => (t[`m.${i}`] as Tensor).toArray() as Float32Array);
  const v = sizes.map((_, i) => (t[`v.${i}`] as Tensor).toArray() as Float32Array);
  if (v.some((a) => a.some((x) => !(x >= 0)))) return E.left(`'${file}': a second moment is negative or NaN: the file is damaged`);
  const opt: AdamState = { step, m, v };
  const state: LmState = t["state.c"] ? { h: t["state.h"] as Tensor, c: t["state.c"] } : { h: t["state.h"] as Tensor };
  return E.right({ meta, params, opt, state });
}
