// Threefry-2x32 with 20 rounds (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
// SC 2011): a keyed bijection of a 64-bit counter, built from additions, rotations and xors of 32-bit words.
// The same function JAX uses for its default keys. Written from the paper's description; tested against the
// known-answer vectors of the authors' Random123 library.

/** Rotation distances of Threefry-2x32, one per round, repeating every 8 rounds. */
const R = [13, 15, 26, 6, 17, 29, 16, 24] as const;

/** The key-schedule parity constant of Threefish / Threefry. */
const C240 = 0x1bd11bda;

// The two output words of the last block, kept in module state so that the inner loop allocates nothing.
let out0 = 0;
let out1 = 0;

/**
 * Encrypts the counter (c0, c1) under the key (k0, k1); the result is left in module state (read it with
 * {@link lastBlock}, {@link word0}, {@link word1}). Words are 32-bit integers, signed or unsigned: only the bits count.
 */
export function block(k0: number, k1: number, c0: number, c1: number): void {
  const k2 = k0 ^ k1 ^ C240;
  let x0 = (c0 + k0) | 0;
  let x1 = (c1 + k1) | 0;
  for (let s = 0; s < 5; s++) {
    // Four rounds: x0 += x1; x1 = rotl(x1, r) ^ x0 (rotations R[0..3] in even groups, R[4..7] in odd ones).
    const base = (s & 1) * 4;
    for (let i = 0; i < 4; i++) {
      const r = R[base + i] as number;
      x0 = (x0 + x1) | 0;
      x1 = ((x1 << r) | (x1 >>> (32 - r))) ^ x0;
    }
    // Key injection j = s + 1: x0 += ks[j mod 3], x1 += ks[(j + 1) mod 3] + j, with ks = (k0, k1, k2).
    const j = s + 1;
    const m = j % 3;
    x0 = (x0 + (m === 0 ? k0 : m === 1 ? k1 : k2)) | 0;
    x1 = (x1 + (m === 0 ? k1 : m === 1 ? k2 : k0) + j) | 0;
  }
  out0 = x0;
  out1 = x1;
}

/** The two words of the last {@link block}, as unsigned 32-bit integers. */
export function lastBlock(): [number, number] {
  return [out0 >>> 0, out1 >>> 0];
}

/** First word of the last block (unsigned). */
export const word0 = (): number => out0 >>> 0;
/** Second word of the last block (unsigned). */
export const word1 = (): number => out1 >>> 0;

/** Threefry-2x32-20 of one counter: `[y0, y1]` for key `[k0, k1]` and counter `[c0, c1]` (unsigned words). */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  block(k0, k1, c0, c1);
  return lastBlock();
}
