// Scoring a text as one stream (state carried over) in bits per character, one character at a time on the
// stepper (weights pinned, no allocation per character).
import { type LmConfig, type LmParams, stepperOf } from "./charlm.js";

/** Resolves after pending events have run (setImmediate in Node; a zero-delay timer elsewhere). */
const nextTurn = (): Promise<void> =>
  new Promise((r) => {
    if (typeof setImmediate === "function") setImmediate(r);
    else setTimeout(r, 0);
  });

/** Characters scored between two checks of `signal` (and yields to the event loop). */
const CHUNK = 4096;

/**
 * Bits per character of `ids` predicted one after another, the first from a zero state after `start`. Yields to
 * the event loop every few thousand characters (a Ctrl-C, or a worker's messages, are heard within milliseconds)
 * and returns undefined once `signal` aborts.
 */
export async function streamBpc(p: LmParams, c: LmConfig, ids: Int32Array, V: number, start: number, signal?: AbortSignal): Promise<number | undefined> {
  const stepper = stepperOf(p, c);
  const logits = new Float32Array(V);
  const token = [start];
  let bits = 0;
  for (let t = 0; t < ids.length; t++) {
    if (t % CHUNK === 0) {
      await nextTurn();
      if (signal?.aborted) return undefined;
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
