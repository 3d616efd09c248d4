// The apps' models are embedding -> recurrent layers -> linear head, saved under the names embedding.weight,
// rnn.<PyTorch name>, head.weight, head.bias. Loading checks every tensor strictly against the configuration.
import type { Tensor } from "@gated/autograd";
import { checkStateDict, configFromStateDict, type RecurrentConfig, type RecurrentParams, recurrentShapes } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";

export interface HeadedShape {
  readonly rnn: RecurrentConfig;
  /** Rows of the embedding (the vocabulary size) and its width. */
  readonly vocab: number;
  readonly embed: number;
  /** Inputs and outputs of the linear head. */
  readonly headIn: number;
  readonly outputs: number;
}

export interface HeadedParams {
  readonly embedding: Tensor;
  readonly rnn: RecurrentParams;
  readonly head: { readonly weight: Tensor; readonly bias: Tensor };
}

/** The shape of every tensor of such a model, by its saved name. */
export function headedShapes(s: HeadedShape): Record<string, number[]> {
  const out: Record<string, number[]> = { "embedding.weight": [s.vocab, s.embed] };
  for (const [k, v] of Object.entries(recurrentShapes(s.rnn))) out[`rnn.${k}`] = v;
  out["head.weight"] = [s.outputs, s.headIn];
  out["head.bias"] = [s.outputs];
  return out;
}

/** The tensors of such a model by their saved names: the inverse of `checkHeadedModel`. */
export function headedStateDict(p: HeadedParams): Record<string, Tensor> {
  const out: Record<string, Tensor> = { "embedding.weight": p.embedding, "head.weight": p.head.weight, "head.bias": p.head.bias };
  for (const [k, v] of Object.entries(p.rnn)) out[`rnn.${k}`] = v;
  return out;
}

/** What the recurrent tensors are, read off their names and shapes ("a gru with hidden size 32, 1 layer"). */
function describeWeights(sd: Readonly<Record<string, Tensor>>): string | undefined {
  const c = configFromStateDict(sd, "rnn.");
  if (E.isLeft(c)) return undefined;
  const r = c.right;
  const kind = r.modes.length > 1 ? "an RNN" : r.modes[0] === "lstm" ? "an LSTM" : "a GRU";
  return `${kind} with input size ${r.inputSize}, hidden size ${r.hiddenSize}, ${r.numLayers} layer${r.numLayers === 1 ? "" : "s"}${r.bidirectional ? ", bidirectional" : ""}`;
}

/**
 * The parameters of a saved model, every tensor checked by name and shape against the configuration (missing,
 * unexpected, wrongly shaped: all named); the Left is one line that says what the file holds instead.
 */
export function checkHeadedModel(sd: Readonly<Record<string, Tensor>>, s: HeadedShape, file: string): E.Either<string, HeadedParams> {
  const r = checkStateDict("weights", headedShapes(s), sd);
  if (E.isLeft(r)) {
    const held = describeWeights(sd);
    const want = `${s.rnn.mode} with input size ${s.rnn.inputSize}, hidden size ${s.rnn.hiddenSize}, ${s.rnn.numLayers ?? 1} layer${(s.rnn.numLayers ?? 1) === 1 ? "" : "s"}${s.rnn.bidirectional ? ", bidirectional" : ""}`;
    return E.left(`'${file}' does not match config.json (${want}): ${r.left.message.replace(/^weights: the tensors do not match the configuration: /, "")}${held ? `; the file holds ${held}` : ""}`);
  }
  const t = r.right;
  const rnn: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(t)) if (k.startsWith("rnn.")) rnn[k.slice(4)] = v;
  return E.right({ embedding: t["embedding.weight"] as Tensor, rnn, head: { weight: t["head.weight"] as Tensor, bias: t["head.bias"] as Tensor } });
}
