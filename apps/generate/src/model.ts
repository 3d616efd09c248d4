// The character language model: embedding -> LSTM | GRU | RNN | IRNN (layers) -> linear to the vocabulary.
import { logSoftmax, reshape, type Tensor, tensorFromArray } from "@gated/autograd";
import { embedding, initRecurrent, linear, linearSequenceCrossEntropy, type Mode, type RecurrentConfig, type RecurrentParams, random, recurrent, xavierUniform } from "@gated/nn";

export type Cell = "lstm" | "gru" | "rnn" | "irnn";

export interface LmConfig {
  readonly cell: Cell;
  readonly embed: number;
  readonly hidden: number;
  readonly layers: number;
}

export interface LmParams {
  readonly embedding: Tensor;
  readonly rnn: RecurrentParams;
  readonly head: { readonly weight: Tensor; readonly bias: Tensor };
}

/** Recurrent state carried between windows: h (and c for an LSTM), [L, B, H]. */
export interface LmState {
  readonly h: Tensor;
  readonly c?: Tensor;
}

const modeOf = (cell: Cell): Mode => (cell === "lstm" ? "lstm" : cell === "gru" ? "gru" : cell === "irnn" ? "rnn_relu" : "rnn_tanh");

export const rnnConfig = (c: LmConfig): RecurrentConfig => ({ mode: modeOf(c.cell), inputSize: c.embed, hiddenSize: c.hidden, numLayers: c.layers });

export function initLm(k: random.Key, c: LmConfig, V: number): LmParams {
  return {
    embedding: tensorFromArray(Float32Array.from(random.normal(random.foldIn(k, 1), V * c.embed)), [V, c.embed]),
    rnn: initRecurrent(random.foldIn(k, 2), rnnConfig(c), c.cell === "irnn" ? { scheme: "irnn" } : c.cell === "lstm" ? { forgetBias: 1 } : {}),
    head: { weight: xavierUniform(random.foldIn(k, 3), [V, c.hidden]), bias: tensorFromArray(new Float32Array(V), [V]) },
  };
}

export function zeroState(c: LmConfig, B: number): LmState {
  const z = () => tensorFromArray(new Float32Array(c.layers * B * c.hidden), [c.layers, B, c.hidden]);
  return c.cell === "lstm" ? { h: z(), c: z() } : { h: z() };
}

/** Logits [B, T, V] and the final state for ids [B, T] from state s. */
export function run(p: LmParams, c: LmConfig, ids: Int32Array, B: number, T: number, s: LmState): { logits: Tensor; state: LmState } {
  const x = embedding(p.embedding, ids, [B, T]);
  const out = recurrent(p.rnn, rnnConfig(c), x, { h0: s.h, ...(s.c ? { c0: s.c } : {}) });
  return { logits: linear(p.head, out.output), state: out.c ? { h: out.h, c: out.c } : { h: out.h } };
}

/** Mean cross-entropy (nats per character) of next-character prediction, and the final state. */
export function lossAndState(p: LmParams, c: LmConfig, inputs: Int32Array, targets: Int32Array, B: number, T: number, s: LmState): [Tensor, LmState] {
  const x = embedding(p.embedding, inputs, [B, T]);
  const out = recurrent(p.rnn, rnnConfig(c), x, { h0: s.h, ...(s.c ? { c0: s.c } : {}) });
  // The head and the loss as one fused operation: the softmax over the vocabulary is never stored.
  return [linearSequenceCrossEntropy(p.head, out.output, targets), out.c ? { h: out.h, c: out.c } : { h: out.h }];
}

/** Log-probabilities [T, V] (natural log) of the next character for each position of a window (B = 1). */
export function logProbs(p: LmParams, c: LmConfig, ids: Int32Array, s: LmState, V: number): { lp: Float32Array | Float64Array; state: LmState } {
  const { logits, state } = run(p, c, ids, 1, ids.length, s);
  return { lp: logSoftmax(reshape(logits, [ids.length, V])).toArray(), state };
}
