// Training batches bucketed by length (less padding): shuffle, sort chunks of 16 batches by length, cut, shuffle
// the batches. The order comes from the key alone.
import { pad } from "@gated/data";
import { random } from "@gated/nn";
import type { Batch } from "./model.js";

export interface Encoded {
  readonly ids: Int32Array;
  readonly label: number;
  /** --nb: per-token naive Bayes features [len, 2C] and the sentence's scores [C]. */
  readonly nb?: { readonly tok: Float32Array; readonly sent: Float32Array };
}

export interface LabelledBatch extends Batch {
  readonly labels: number[];
}

export function makeBatch(items: readonly Encoded[]): LabelledBatch {
  const p = pad(items.map((e) => e.ids));
  const first = items[0]?.nb;
  if (first === undefined) return { ids: p.ids, lengths: p.lengths, batch: p.batch, time: p.time, labels: items.map((e) => e.label) };
  const C = first.sent.length;
  const tok = new Float32Array(p.batch * p.time * 2 * C);
  const sent = new Float32Array(p.batch * C);
  items.forEach((e, b) => {
    const nb = e.nb as NonNullable<Encoded["nb"]>;
    tok.set(nb.tok.subarray(0, (p.lengths[b] as number) * 2 * C), b * p.time * 2 * C);
    sent.set(nb.sent, b * C);
  });
  return { ids: p.ids, lengths: p.lengths, batch: p.batch, time: p.time, labels: items.map((e) => e.label), nbTok: tok, nbSent: sent };
}

export function bucketedBatches(data: readonly Encoded[], size: number, key: random.Key): LabelledBatch[] {
  const order = Array.from(random.permutation(random.foldIn(key, 1), data.length));
  const chunk = size * 16;
  const groups: number[][] = [];
  for (let i = 0; i < order.length; i += chunk) {
    const part = order.slice(i, i + chunk).sort((a, b) => (data[a] as Encoded).ids.length - (data[b] as Encoded).ids.length);
    for (let j = 0; j < part.length; j += size) groups.push(part.slice(j, j + size));
  }
  const shuffled = random.permutation(random.foldIn(key, 2), groups.length);
  return Array.from(shuffled, (g) => makeBatch((groups[g] as number[]).map((i) => data[i] as Encoded)));
}

/** Batches in the given order (for evaluation). */
export function sequentialBatches(data: readonly Encoded[], size: number): LabelledBatch[] {
  const out: LabelledBatch[] = [];
  for (let i = 0; i < data.length; i += size) out.push(makeBatch(data.slice(i, i + size)));
  return out;
}
