// pnpm sentiment export: a trained sentence classifier as an ONNX file, for ONNX Runtime and every engine that reads
// ONNX (Gather, LSTM / GRU / RNN, the pooling as ONNX operators, Gemm).
import { checkOnnxModel, isGatedOnnx, sentimentToOnnx } from "@gated/onnx";
import { newFileProblem, type Parsed, str, type UsageError, usageError, userPath, writeFileAtomic } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { loadModel } from "./store.js";

export const EXPORT_HELP = `usage: pnpm sentiment export --model DIR --onnx FILE
Writes the classifier in DIR as an ONNX file (opset 17, ONNX's own LSTM / GRU / RNN operators) that ONNX Runtime runs:
  inputs   tokens [batch, sentence length] (int64 word ids, 0 after each sentence's end), lengths [batch] (int32);
           with --nb models also token_features [batch, length, 2 x classes] and sequence_features [batch, classes]
  output   logits [batch, classes] (softmax gives the probabilities 'pnpm sentiment predict' prints)
Word ids: the sentence lower-cased and split into words as @gated/data's words() does, each word's index in the
vocabulary stored in the file's metadata (gated.vocab; 1 for a word it lacks), at most gated.maxLen words.
FILE must be new, or an ONNX file gated wrote (which is replaced); nothing else is overwritten.`;

export function exportCommand(p: Parsed, log: (line: string) => void): number | string | UsageError {
  const dir = str(p, "model");
  if (dir === undefined) return usageError("--model DIR is required: the folder written by 'pnpm sentiment train'");
  const file = str(p, "onnx");
  if (file === undefined || file === "") return usageError("--onnx FILE is required: the ONNX file to write");
  const target = userPath(file);
  const refused = newFileProblem(target, { flag: "--onnx", shown: file, kind: "ONNX", ours: isGatedOnnx });
  if (refused !== undefined) return usageError(refused, false);
  const loaded = loadModel(userPath(dir));
  if (E.isLeft(loaded)) return loaded.left;
  const { model, params } = loaded.right;
  const bytes = sentimentToOnnx(model, params);
  if (E.isLeft(bytes)) return `cannot export the model in '${dir}': ${bytes.left}`;
  const problems = checkOnnxModel(bytes.right);
  if (problems.length > 0) return `internal error: the exported model fails ONNX's checks: ${problems[0]}`;
  writeFileAtomic(target, bytes.right);
  const c = model.config;
  const nb = (c.nbClasses ?? 0) > 0;
  log(`wrote ${file} (${bytes.right.length} bytes): ${c.bidirectional ? "bidirectional " : ""}${c.cell} ${c.hidden} x ${c.layers}, ${c.pooling} pooling, ${model.classes.length} classes (${model.classes.join(", ")}); inputs tokens, ${nb ? "token_features, " : ""}lengths${nb ? ", sequence_features" : ""}; output logits`);
  return 0;
}
