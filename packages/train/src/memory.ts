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
 * Bytes that training takes, per kind: parameters (and their copies in WebAssembly memory during a step), their
 * gradients and Adam's two moments, and what one training step grows WebAssembly memory by. That last part is
 * calibrated on this autograd, whose recurrent cells are composed of primitives (each intermediate kept for the
 * backward pass, blocks rounded up to size classes, memory grown by half again when full): about 48 G + 16 floats
 * per hidden unit, step and layer, 8 per input value and 12 per output logit. Measured growths of one step
 * (embedding 64, B = 32, T = 64): LSTM H = 256, 359 MiB (estimate 427); GRU 283 (332); tanh RNN 85 (140);
 * LSTM H = 512, 1,002 (843); a 2,000-character vocabulary, 540 (607). A test keeps estimate and measurement
 * within a factor of two of each other.
 */
export function trainingMemory(s: TrainingSize): MemoryEstimate {
  const f = 4;
  const parameters = f * s.params;
  const optimizer = f * 3 * s.params;
  const BT = s.batch * s.steps;
  const perStep = s.layers * s.directions * s.hidden * (48 * s.gates + 16) + 8 * s.embed + (s.outputEveryStep ? 12 * s.outputs : 0);
  const activations = f * (BT * perStep + (s.outputEveryStep ? 0 : 12 * s.batch * s.outputs));
  return { parameters, optimizer, activations, total: parameters + optimizer + activations };
}

/** A one-line refusal when the estimate is over `limit`, or undefined. */
export function memoryRefusal(e: MemoryEstimate, limit: number, advice: string): string | undefined {
  if (e.total <= limit) return undefined;
  return `this model would need about ${formatBytes(e.total)} to train (parameters ${formatBytes(e.parameters)}, gradients and Adam ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)}), over the limit of ${formatBytes(limit)}: ${advice}, or raise --memory-limit (WebAssembly memory holds at most 4 GiB)`;
}
