// The adding problem (Hochreiter and Schmidhuber 1997, experiment 4; in the form of Le, Jaitly and Hinton 2015):
// each step carries a value drawn uniformly from [0, 1] and a marker that is 1 at exactly two steps, one in each
// half of the sequence; the target, read at the last step, is the sum of the two marked values. Predicting the
// constant 1 (the target's mean) scores MSE = Var(u1 + u2) = 2/12 = 1/6: a model only beats that by carrying
// the marked values across up to T steps.
import { reshape, type Tensor, tensorFromArray } from "@gated/autograd";
import { initRecurrent, type LinearParams, linear, type Mode, mse, type RecurrentConfig, type RecurrentParams, random, recurrent, xavierUniform } from "@gated/nn";

/** A batch: inputs [B, T, 2] row-major (value, marker), targets [B], and the two marked steps of each sequence. */
export interface AddingBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly marks: Int32Array;
  readonly B: number;
  readonly T: number;
}

/** The constant predictor's MSE (it predicts E[y] = 1): Var(u1 + u2) for u uniform on [0, 1]. */
export const BASELINE_MSE = 1 / 6;

/**
 * B sequences of length T (T >= 2) from key k: values U[0, 1), the first marker uniform over steps
 * [0, floor(T/2)), the second over [floor(T/2), T).
 */
export function addingBatch(k: random.Key, B: number, T: number): AddingBatch {
  if (!Number.isInteger(T) || T < 2) throw new RangeError(`adding problem: the sequence length must be an integer >= 2, got ${T}`);
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`adding problem: the batch size must be a positive integer, got ${B}`);
  const [kv, km] = random.split(k, 2) as [random.Key, random.Key];
  const values = random.uniform(kv, B * T);
  const u = random.uniform(km, 2 * B);
  const half = Math.floor(T / 2);
  const x = new Float32Array(B * T * 2);
  const y = new Float32Array(B);
  const marks = new Int32Array(2 * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(b * T + t) * 2] = values[b * T + t] as number;
    const first = Math.floor((u[2 * b] as number) * half);
    const second = half + Math.floor((u[2 * b + 1] as number) * (T - half));
    marks[2 * b] = first;
    marks[2 * b + 1] = second;
    let target = 0;
    for (const t of [first, second]) {
      x[(b * T + t) * 2 + 1] = 1;
      target += x[(b * T + t) * 2] as number; // the float32 value the network sees
    }
    y[b] = target;
  }
  return { x, y, marks, B, T };
}

/** The lecture's recurrent models, all of the same width; the LSTM twice, at two initialisations. */
export const MODELS = ["rnn", "irnn", "lstm", "lstm-chrono", "gru"] as const;
export type ModelName = (typeof MODELS)[number];

export const MODEL_LABEL: Record<ModelName, string> = {
  rnn: "tanh RNN",
  irnn: "IRNN",
  lstm: "LSTM",
  "lstm-chrono": "LSTM, chrono init",
  gru: "GRU",
};

export interface AddingModel {
  readonly rnn: RecurrentParams;
  readonly head: LinearParams & { readonly bias: Tensor };
}

const modeOf = (m: ModelName): Mode => (m === "lstm" || m === "lstm-chrono" ? "lstm" : m === "gru" ? "gru" : m === "irnn" ? "rnn_relu" : "rnn_tanh");

export const addingConfig = (m: ModelName, hidden: number): RecurrentConfig => ({ mode: modeOf(m), inputSize: 2, hiddenSize: hidden });

/**
 * Initial parameters: PyTorch's default initialisation for the tanh RNN and the GRU; for the IRNN W_hh = I and
 * zero biases (Le et al.); for the LSTM PyTorch's default with the forget gate's bias set to `forgetBias` (1:
 * Gers et al., Jozefowicz et al.); for "lstm-chrono" chrono initialisation for dependencies of up to T steps
 * (Tallec and Ollivier 2018: forget biases log U[1, T - 1], input biases their negatives). The readout is
 * Xavier-uniform with its bias at the target's mean, 1, so every model starts near the baseline.
 */
export function initAdding(k: random.Key, m: ModelName, hidden: number, T: number, forgetBias = 1): AddingModel {
  const config = addingConfig(m, hidden);
  const scheme = m === "irnn" ? { scheme: "irnn" as const } : m === "lstm" ? { forgetBias } : m === "lstm-chrono" ? { chrono: Math.max(2, T) } : {};
  return {
    rnn: initRecurrent(random.foldIn(k, 1), config, scheme),
    head: { weight: xavierUniform(random.foldIn(k, 2), [1, hidden]), bias: tensorFromArray(Float32Array.of(1), [1]) },
  };
}

/** Predictions [B] for a batch. */
export function predict(p: AddingModel, m: ModelName, batch: AddingBatch, hidden: number): Tensor {
  const x = tensorFromArray(batch.x, [batch.B, batch.T, 2]);
  const out = recurrent(p.rnn, addingConfig(m, hidden), x);
  return reshape(linear(p.head, out.last), [batch.B]);
}

/** Mean squared error of the predictions. */
export function addingLoss(p: AddingModel, m: ModelName, batch: AddingBatch, hidden: number): Tensor {
  return mse(predict(p, m, batch, hidden), tensorFromArray(batch.y, [batch.B]));
}
