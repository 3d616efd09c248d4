// pnpm generate export: a trained character model as an ONNX file, for ONNX Runtime and every engine that reads
// ONNX (the model's operators are ONNX's own Gather, LSTM / GRU / RNN, MatMul and Add).
import { charlmToOnnx, checkOnnxModel, isGatedOnnx } from "@gated/onnx";
import { newFileProblem, type Parsed, str, type UsageError, usageError, userPath, writeFileAtomic } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { loadCheckpoint } from "./checkpoint.js";

export const EXPORT_HELP = `usage: pnpm generate export --model DIR --onnx FILE
Writes the model in DIR as an ONNX file (opset 17, ONNX's own LSTM / GRU / RNN operators) that ONNX Runtime runs:
  inputs   tokens [batch, sequence] (int64 character ids), h0 (and c0 for an LSTM) [layers, batch, hidden]
  outputs  logits [batch, sequence, vocabulary], hn (and cn): feed them back as h0 (c0) to go on token by token
The vocabulary (gated.vocab) and configuration (gated.config) are in the file's metadata.
FILE must be new, or an ONNX file gated wrote (which is replaced); nothing else is overwritten.`;

export function exportCommand(p: Parsed, log: (line: string) => void): number | string | UsageError {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm generate train'");
  const file = str(p, "onnx");
  if (file === undefined || file === "") return usageError("--onnx FILE is required: the ONNX file to write");
  const target = userPath(file);
  const refused = newFileProblem(target, { flag: "--onnx", shown: file, kind: "ONNX", ours: isGatedOnnx });
  if (refused !== undefined) return usageError(refused, false);
  const loaded = loadCheckpoint(userPath(dir), false);
  if (E.isLeft(loaded)) return loaded.left;
  const { meta, params } = loaded.right;
  const bytes = charlmToOnnx({ config: meta.config, vocab: meta.vocab }, params);
  if (E.isLeft(bytes)) return `cannot export the model in '${dir}': ${bytes.left}`;
  const problems = checkOnnxModel(bytes.right);
  if (problems.length > 0) return `internal error: the exported model fails ONNX's checks: ${problems[0]}`;
  writeFileAtomic(target, bytes.right);
  const c = meta.config;
  log(`wrote ${file} (${bytes.right.length} bytes): embedding ${c.embed} -> ${c.cell} ${c.hidden} x ${c.layers} -> ${meta.vocab.length} characters; inputs tokens, h0${c.cell === "lstm" ? ", c0" : ""}; outputs logits, hn${c.cell === "lstm" ? ", cn" : ""}`);
  return 0;
}
