// The token-by-token path of a recurrent language model (generation, beam search, streaming evaluation): the
// model's tensors handed to @gated/kernels' RecurrentStepper, which pins them in WebAssembly memory.
import { invalidArgument, raise, type Tensor } from "@gated/autograd";
import { RecurrentStepper } from "@gated/kernels";
import * as E from "fp-ts/lib/Either.js";
import { cellParams, type LinearParams, type RecurrentConfig, type RecurrentParams } from "./layers.js";
import { checkRecurrentConfig } from "./recurrent-config.js";

export { RecurrentStepper };

export interface StepperOptions {
  /** Token embeddings [V, E]. */
  readonly embedding: Tensor;
  /** The output layer (weight [C, H], bias [C]). */
  readonly head: LinearParams;
  /** Sequences stepped together (default 1): beam search steps its beams as one batch. */
  readonly batch?: number;
}

/** float32 numbers of a tensor, for the stepper (which copies them). */
function f32(name: string, t: Tensor): Float32Array {
  if (t.dtype !== "float32") raise(invalidArgument("recurrentStepper", name, `must be float32 (the stepper's kernels are float32), got ${t.dtype}: convert with astype(t, "float32")`));
  return t.toArray() as Float32Array;
}

/**
 * A stepper for embedding -> recurrent layers -> linear head: `step(tokens)` advances every layer by one token
 * and leaves the head's output in `logits()`. One-directional models only (a reverse direction reads the future).
 *
 * @example
 * const s = recurrentStepper(params.rnn, config, { embedding: params.embedding, head: params.head });
 * s.step([token]); const logits = s.logits();
 * @since 0.2.0
 */
export function recurrentStepper(params: RecurrentParams, config: RecurrentConfig, { embedding, head, batch = 1 }: StepperOptions): RecurrentStepper {
  const valid = checkRecurrentConfig(config);
  if (E.isLeft(valid)) raise(valid.left);
  if (config.bidirectional) raise(invalidArgument("recurrentStepper", "config", "is bidirectional: a reverse direction reads tokens not yet generated, so it cannot be stepped"));
  if (embedding.rank !== 2 || embedding.shape[1] !== config.inputSize) raise(invalidArgument("recurrentStepper", "embedding", `must be [V, ${config.inputSize}], got [${embedding.shape.join(", ")}]`));
  const layers = Array.from({ length: config.numLayers ?? 1 }, (_, l) => {
    const p = cellParams(params, l, false);
    return { weightIh: f32(`weight_ih_l${l}`, p.weight_ih), weightHh: f32(`weight_hh_l${l}`, p.weight_hh), biasIh: f32(`bias_ih_l${l}`, p.bias_ih), biasHh: f32(`bias_hh_l${l}`, p.bias_hh) };
  });
  return new RecurrentStepper({
    mode: config.mode,
    embedding: f32("embedding", embedding),
    vocab: embedding.shape[0] as number,
    hiddenSize: config.hiddenSize,
    layers,
    head: { weight: f32("head.weight", head.weight), ...(head.bias ? { bias: f32("head.bias", head.bias) } : {}) },
    batch,
  });
}
