// Scoring a text as one stream (state carried over) in bits per character, in windows of 256 characters.
import { type LmConfig, type LmParams, type LmState, logProbs, zeroState } from "./model.js";

/**
 * Bits per character of `ids` predicted one after another, the first from a zero state after `start`. Yields to
 * the event loop between windows (a Ctrl-C is heard within a window) and returns undefined once `signal` aborts.
 */
export async function streamBpc(p: LmParams, c: LmConfig, ids: Int32Array, V: number, start: number, signal?: AbortSignal, window = 256): Promise<number | undefined> {
  let state: LmState = zeroState(c, 1);
  let bits = 0;
  // Inputs are the previous characters: `start` (the last training character) before the first one.
  const inputs = Int32Array.from([start, ...ids.subarray(0, ids.length - 1)]);
  for (let t = 0; t < ids.length; t += window) {
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) return undefined;
    const w = inputs.subarray(t, Math.min(ids.length, t + window));
    const r = logProbs(p, c, w, state, V);
    state = r.state;
    for (let i = 0; i < w.length; i++) bits -= (r.lp[i * V + (ids[t + i] as number)] as number) / Math.LN2;
  }
  return bits / ids.length;
}
