// Scoring a text as one stream (state carried over) in bits per character, one character at a time on the
// stepper (weights pinned, no allocation per character).
import { nextTurn } from "@gated/train";
import { type LmConfig, type LmParams, stepperOf } from "./charlm.js";

/** Milliseconds of scoring between two yields to the event loop (and checks of `signal`), whatever the model's size. */
const SLICE_MS = 50;

/**
 * Bits per character of `ids` predicted one after another, the first from a zero state after `start`. Yields to
 * the event loop every 50 ms of work (a Ctrl-C, or a worker's messages, are heard within about that, however large
 * the model) and returns undefined once `signal` aborts.
 */
export async function streamBpc(p: LmParams, c: LmConfig, ids: Int32Array, V: number, start: number, signal?: AbortSignal): Promise<number | undefined> {
  const stepper = stepperOf(p, c);
  const logits = new Float32Array(V);
  const token = [start];
  let bits = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < ids.length; t++) {
    if (performance.now() - last >= SLICE_MS) {
      await nextTurn();
      if (signal?.aborted) return undefined;
      last = performance.now();
    }
    // The previous character (`start` before the first) predicts this one: -log2 softmax(logits)[ids[t]].
    stepper.step(token);
    stepper.logits(logits);
    let m = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < V; i++) m = Math.max(m, logits[i] as number);
    let z = 0;
    for (let i = 0; i < V; i++) z += Math.exp((logits[i] as number) - m);
    bits -= ((logits[ids[t] as number] as number) - m - Math.log(z)) / Math.LN2;
    token[0] = ids[t] as number;
  }
  return bits / ids.length;
}
