// The sentence classifier: word embedding -> LSTM | GRU | RNN (optionally bidirectional, stacked) -> pooling
// (last | mean | max) -> dropout -> linear. Parameters in one tree; saved as safetensors plus config.json.
import { concat, div, gather, max, mul, reshape, sum, type Tensor, tensorFromArray, transpose, where } from "@gated/autograd";
import { headedStateDict } from "@gated/train";
import { dropout, embedding, initRecurrent, linear, type Mode, type RecurrentConfig, type RecurrentParams, random, recurrent, xavierUniform } from "@gated/nn";

export type Cell = "lstm" | "gru" | "rnn";
export type Pooling = "last" | "mean" | "max";

export interface ModelConfig {
  readonly cell: Cell;
  readonly embed: number;
  readonly hidden: number;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly pooling: Pooling;
  readonly dropout: number;
  /** Naive-Bayes-weighted inputs (see nb-features.ts): the number of classes whose scores join the inputs, or 0. */
  readonly nbClasses?: number;
}

export interface Params {
  readonly embedding: Tensor;
  readonly rnn: RecurrentParams;
  readonly head: { readonly weight: Tensor; readonly bias: Tensor };
}

export const modeOf = (cell: Cell): Mode => (cell === "rnn" ? "rnn_tanh" : cell);

export function recurrentConfig(c: ModelConfig): RecurrentConfig {
  return { mode: modeOf(c.cell), inputSize: c.embed + 2 * (c.nbClasses ?? 0), hiddenSize: c.hidden, numLayers: c.layers, bidirectional: c.bidirectional, dropout: c.dropout };
}

export function initParams(k: random.Key, c: ModelConfig, vocabSize: number, classes: number): Params {
  const D = c.bidirectional ? 2 : 1;
  return {
    embedding: tensorFromArray(Float32Array.from(random.normal(random.foldIn(k, 1), vocabSize * c.embed), (v) => v * 0.1), [vocabSize, c.embed]),
    rnn: initRecurrent(random.foldIn(k, 2), recurrentConfig(c), c.cell === "lstm" ? { forgetBias: 1 } : {}),
    head: { weight: xavierUniform(random.foldIn(k, 3), [classes, D * c.hidden + (c.nbClasses ?? 0)]), bias: tensorFromArray(new Float32Array(classes), [classes]) },
  };
}

export interface Batch {
  readonly ids: Int32Array;
  readonly lengths: number[];
  readonly batch: number;
  readonly time: number;
  /** With --nb: [B, T, 2C] token features and [B, C] sentence scores. */
  readonly nbTok?: Float32Array;
  readonly nbSent?: Float32Array;
}

/** Logits [B, classes]; dropout only when `key` is given (training). */
export function forward(p: Params, c: ModelConfig, b: Batch, key?: random.Key): Tensor {
  const { batch: B, time: T, lengths } = b;
  const D = c.bidirectional ? 2 : 1;
  const H = c.hidden;
  const NC = c.nbClasses ?? 0;
  let x = embedding(p.embedding, b.ids, [B, T]);
  if (key !== undefined && c.dropout > 0) x = dropout(x, c.dropout / 2, random.foldIn(key, 1));
  if (NC > 0) x = concat([x, tensorFromArray(b.nbTok as Float32Array, [B, T, 2 * NC])], 2);
  const out = recurrent(p.rnn, recurrentConfig(c), x, { lengths, ...(key !== undefined ? { training: true, key: random.foldIn(key, 2) } : {}) });
  let pooled: Tensor;
  if (c.pooling === "last") {
    // Final states of the last layer (forward: after the last valid step; backward: after step 0), [B, D*H].
    const rows = Array.from({ length: D }, (_, d) => (c.layers - 1) * D + d);
    const finals = reshape(gather(reshape(out.h, [c.layers * D, B * H]), rows), [D, B, H]);
    pooled = reshape(transpose(finals, [1, 0, 2]), [B, D * H]);
  } else {
    const m = new Float32Array(B * T);
    for (let i = 0; i < B; i++) m.fill(1, i * T, i * T + (lengths[i] as number));
    const mask = tensorFromArray(m, [B, T, 1]);
    if (c.pooling === "mean") {
      pooled = div(sum(mul(out.output, mask), 1), tensorFromArray(Float32Array.from(lengths), [B, 1]));
    } else {
      pooled = max(where(mask, out.output, -1e9), 1);
    }
  }
  if (key !== undefined && c.dropout > 0) pooled = dropout(pooled, c.dropout, random.foldIn(key, 3));
  if (NC > 0) pooled = concat([pooled, tensorFromArray(b.nbSent as Float32Array, [B, NC])], 1);
  return linear(p.head, pooled);
}

/** Flat, named tensors for safetensors: embedding.weight, rnn.<PyTorch name>, head.weight, head.bias. */
export const toStateDict = (p: Params): Record<string, Tensor> => headedStateDict(p);
