// How much memory training a recurrent model takes, estimated before anything is allocated, so that a model too
// big for this machine (or for WebAssembly's 4 GiB) is refused up front with the estimate in the message.
import { formatBytes } from "./cli.js";

export interface TrainingSize {
  /** Scalars in all parameters. */
  readonly params: number;
  /** Batch size B and steps per window T. */
  readonly batch: number;
  readonly steps: number;
  /** Recurrent layers L, directions D (1 or 2), hidden size H, gates G (4 LSTM, 3 GRU, 1 RNN), input width E. */
  readonly layers: number;
  readonly directions: number;
  readonly hidden: number;
  readonly gates: number;
  readonly embed: number;
  /** Outputs per step (a language model's vocabulary) or per sequence (a classifier's classes). */
  readonly outputs: number;
  readonly outputEveryStep: boolean;
}

export interface MemoryEstimate {
  readonly parameters: number;
  readonly optimizer: number;
  readonly activations: number;
  readonly total: number;
}

/** The default limit on the estimate: 3 GiB (WebAssembly memory holds at most 4 GiB). */
export const DEFAULT_MEMORY_LIMIT = 3 * 2 ** 30;

/**
 * Bytes of float32 state for one training step: parameters, their gradients, Adam's two moments, and the
 * activations kept for the backward pass and their cotangents (per step and layer the input projection, the gates,
 * the states and the pointwise intermediates, about G + 8 values per hidden unit; the embedded inputs; the
 * logits with their softmax and gradient).
 */
export function trainingMemory(s: TrainingSize): MemoryEstimate {
  const f = 4;
  const parameters = f * s.params;
  const optimizer = f * 3 * s.params;
  const BT = s.batch * s.steps;
  const recurrentPerStep = s.layers * s.directions * s.hidden * (2 * s.gates + 8);
  const perStep = recurrentPerStep + s.embed + s.directions * s.hidden + (s.outputEveryStep ? 3 * s.outputs : 0);
  const activations = f * 2 * (BT * perStep + (s.outputEveryStep ? 0 : 3 * s.batch * s.outputs));
  return { parameters, optimizer, activations, total: parameters + optimizer + activations };
}

/** A one-line refusal when the estimate is over `limit`, or undefined. */
export function memoryRefusal(e: MemoryEstimate, limit: number, advice: string): string | undefined {
  if (e.total <= limit) return undefined;
  return `this model would need about ${formatBytes(e.total)} to train (parameters ${formatBytes(e.parameters)}, gradients and Adam ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)}), over the limit of ${formatBytes(limit)}: ${advice}, or raise --memory-limit (WebAssembly memory holds at most 4 GiB)`;
}
