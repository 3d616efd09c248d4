// How much memory training a recurrent model takes, estimated before anything is allocated, so that a model too
// big for this machine (or for WebAssembly's 4 GiB) is refused up front with the estimate in the message.

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
 * calibrated on the fused recurrence (per step and layer it keeps the gates, the previous states and the output,
 * and its backward pass the gates' gradients; blocks are rounded up to size classes and memory grows by half again
 * when full): about 3 G + 8 floats per hidden unit, step, layer and direction, 4 per input value and 3 per output
 * logit (the fused head keeps the logits, not the softmax). Measured growths of one step, estimate in brackets
 * (embedding 64, B = 32, T = 64, 83 characters): LSTM H = 256, 52 MiB (44); GRU 53 (38); tanh RNN 17 (26);
 * LSTM H = 512, 109 (84); two LSTM layers, 80 (84); a 2,000-character vocabulary, 83 (88); LSTM H = 128, T = 256,
 * 103 (88). A test keeps estimate and measurement within a factor of two of each other.
 */
export function trainingMemory(s: TrainingSize): MemoryEstimate {
  const f = 4;
  const parameters = f * s.params;
  const optimizer = f * 3 * s.params;
  const BT = s.batch * s.steps;
  const perStep = s.layers * s.directions * s.hidden * (3 * s.gates + 8) + 4 * s.embed + (s.outputEveryStep ? 3 * s.outputs : 0);
  const activations = f * (BT * perStep + (s.outputEveryStep ? 0 : 3 * s.batch * s.outputs));
  return { parameters, optimizer, activations, total: parameters + optimizer + activations };
}

/** A one-line refusal when the estimate is over `limit`, or undefined. */
export function memoryRefusal(e: MemoryEstimate, limit: number, advice: string): string | undefined {
  if (e.total <= limit) return undefined;
  return `this model would need about ${formatBytes(e.total)} to train (parameters ${formatBytes(e.parameters)}, gradients and Adam ${formatBytes(e.optimizer)}, activations ${formatBytes(e.activations)}), over the limit of ${formatBytes(limit)}: ${advice}, or raise --memory-limit (WebAssembly memory holds at most 4 GiB)`;
}

/** 1.5 GiB, 300 MiB, 12 KiB, 7 bytes. */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}
