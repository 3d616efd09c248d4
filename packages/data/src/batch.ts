// Batches: sequences of ids padded to a common length, with lengths and a mask; seeded shuffling.
import { invalidArgument, raise } from "@gated/autograd";
import * as random from "@gated/random";

export interface PaddedBatch {
  /** [B, T] row-major ids, padded with `pad`. */
  readonly ids: Int32Array;
  readonly lengths: number[];
  /** [B, T] row-major, 1 at real tokens and 0 at padding. */
  readonly mask: Float32Array;
  readonly batch: number;
  readonly time: number;
}

/** Pads sequences (each at least one token; longer than maxLen are cut) to the longest one. */
export function pad(seqs: readonly Int32Array[], { padId = 0, maxLen = Number.POSITIVE_INFINITY } = {}): PaddedBatch {
  if (seqs.length === 0) raise(invalidArgument("pad", "seqs", "must hold at least one sequence"));
  const lengths = seqs.map((s) => Math.min(s.length, maxLen));
  if (lengths.some((n) => n === 0)) raise(invalidArgument("pad", "seqs", "contain an empty sequence (give it one token, e.g. the out-of-vocabulary id)"));
  const T = Math.max(...lengths);
  const B = seqs.length;
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    ids.set(s.subarray(0, lengths[b]), b * T);
    mask.fill(1, b * T, b * T + (lengths[b] as number));
  });
  return { ids, lengths, mask, batch: B, time: T };
}

/** Indices 0..n-1 shuffled by `key` (the same key, the same order), cut into batches of `size`. */
export function shuffledBatches(key: random.Key, n: number, size: number): number[][] {
  if (!Number.isInteger(size) || size < 1) raise(invalidArgument("shuffledBatches", "size", `must be a positive integer, got ${size}`));
  const order = random.permutation(key, n);
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(Array.from(order.subarray(i, i + size)));
  return out;
}
