// The character language model: embedding -> LSTM | GRU | RNN | IRNN (layers) -> linear to the vocabulary.
import { type Tensor, tensorFromArray } from "@gated/autograd";
import { embedding, initRecurrent, linearSequenceCrossEntropy, type Mode, type RecurrentConfig, type RecurrentParams, type RecurrentStepper, random, recurrent, recurrentStepper, xavierUniform } from "@gated/nn";
import { Sampler } from "./sampling.js";

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

/**
 * The characters a continuation starts from, and their ids: `prime`, or when it is absent (or empty) a newline
 * where the vocabulary has one, else its first character; `unknown` is the first character the model never saw.
 */
export function primeOf(prime: string | undefined, vocab: readonly string[]): { chars: string[]; ids: number[] } | { unknown: string } {
  const index = new Map(vocab.map((c, i) => [c, i]));
  const chars = Array.from(prime === undefined || prime === "" ? (index.has("\n") ? "\n" : (vocab[0] as string)) : prime);
  const unknown = chars.find((c) => !index.has(c));
  return unknown !== undefined ? { unknown } : { chars, ids: chars.map((c) => index.get(c) as number) };
}

/** How `continueIds` chooses characters. */
export interface ContinueOptions {
  /** Characters to add. */
  readonly length: number;
  /** 0 is greedy. */
  readonly temperature: number;
  readonly topK?: number;
  readonly topP?: number;
  /** The uniforms of `random.key(seed)` draw the characters, one each. */
  readonly seed: number;
  /** Beam search of this width instead of sampling (0 or absent: sample). */
  readonly beam?: number;
}

/**
 * The ids that follow `primeIds` (read first; the last one's logits predict the first new character): sampled one
 * character at a time, or the most likely continuation by beam search. What `pnpm generate sample` prints, for the
 * same model and options.
 */
export function continueIds(params: LmParams, config: LmConfig, primeIds: readonly number[], V: number, o: ContinueOptions): number[] {
  if ((o.beam ?? 0) > 0) return beamSearch(params, config, primeIds, V, o.beam as number, o.length);
  // Per character: one step of the stepper and one draw of the sampler, neither of which allocates.
  const stepper = stepperOf(params, config);
  const logits = new Float32Array(V);
  const token = [0];
  for (const c of primeIds) {
    token[0] = c;
    stepper.step(token);
  }
  const sampler = new Sampler(V, { temperature: o.temperature, ...(o.topK === undefined ? {} : { topK: o.topK }), ...(o.topP === undefined ? {} : { topP: o.topP }) });
  const u = random.uniform(random.key(o.seed), o.length);
  const out: number[] = [];
  for (let t = 0; t < o.length; t++) {
    const c = sampler.next(stepper.logits(logits), u[t] as number);
    out.push(c);
    token[0] = c;
    stepper.step(token);
  }
  return out;
}

/**
 * The most likely continuation of `length` characters by beam search of width K: the K beams step together as
 * one batch of the stepper; after each step the K best extensions survive (ties: earlier beam, then lower
 * character id), and the stepper's rows are reordered to follow them.
 */
export function beamSearch(params: LmParams, config: LmConfig, primeIds: readonly number[], V: number, K: number, length: number): number[] {
  const stepper = stepperOf(params, config, K);
  const logits = new Float32Array(K * V);
  for (const c of primeIds) stepper.step(new Array<number>(K).fill(c));
  let lp = logSoftmaxRows(stepper.logits(logits), V);
  // Every row holds the same state at first: one beam.
  let beams = [{ score: 0, text: [] as number[], row: 0 }];
  for (let t = 0; t < length; t++) {
    const cands = beams.flatMap((b) => Array.from({ length: V }, (_, c) => ({ from: b, c, score: b.score + (lp[b.row * V + c] as number) })));
    cands.sort((a, b) => b.score - a.score);
    const top = cands.slice(0, K);
    // Unused rows (fewer candidates than K) follow the best beam; they are never read.
    const rows = Array.from({ length: K }, (_, i) => (top[i] ?? (top[0] as (typeof top)[0])).from.row);
    const tokens = Array.from({ length: K }, (_, i) => (top[i] ?? (top[0] as (typeof top)[0])).c);
    stepper.reorder(rows);
    stepper.step(tokens);
    lp = logSoftmaxRows(stepper.logits(logits), V, lp);
    beams = top.map(({ from, c, score }, i) => ({ score, text: [...from.text, c], row: i }));
  }
  return beams[0]?.text ?? [];
}
