// The character language model: embedding -> LSTM | GRU | RNN | IRNN (layers) -> linear to the vocabulary.
import { type Tensor, tensorFromArray } from "@gated/autograd";
import { embedding, initRecurrent, linearSequenceCrossEntropy, type Mode, type RecurrentConfig, type RecurrentParams, type RecurrentStepper, random, recurrent, recurrentStepper, xavierUniform } from "@gated/nn";

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

/** Mean cross-entropy (nats per character) of next-character prediction, and the final state. */
export function lossAndState(p: LmParams, c: LmConfig, inputs: Int32Array, targets: Int32Array, B: number, T: number, s: LmState): [Tensor, LmState] {
  const x = embedding(p.embedding, inputs, [B, T]);
  const out = recurrent(p.rnn, rnnConfig(c), x, { h0: s.h, ...(s.c ? { c0: s.c } : {}) });
  // The head and the loss as one fused operation: the softmax over the vocabulary is never stored.
  return [linearSequenceCrossEntropy(p.head, out.output, targets), out.c ? { h: out.h, c: out.c } : { h: out.h }];
}

/**
 * The model stepped one character at a time (sampling, beam search, streaming evaluation): weights pinned in
 * WebAssembly memory, `batch` sequences side by side, starting from a zero state.
 */
export function stepperOf(p: LmParams, c: LmConfig, batch = 1): RecurrentStepper {
  return recurrentStepper(p.rnn, rnnConfig(c), { embedding: p.embedding, head: p.head, batch });
}

/** Writes the log-softmax of each row of `logits` ([rows, V]) into `out`, and returns it. */
export function logSoftmaxRows(logits: Float32Array, V: number, out: Float64Array = new Float64Array(logits.length)): Float64Array {
  for (let r = 0; r * V < logits.length; r++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let i = r * V; i < (r + 1) * V; i++) m = Math.max(m, logits[i] as number);
    let z = 0;
    for (let i = r * V; i < (r + 1) * V; i++) z += Math.exp((logits[i] as number) - m);
    const lse = m + Math.log(z);
    for (let i = r * V; i < (r + 1) * V; i++) out[i] = (logits[i] as number) - lse;
  }
  return out;
}
