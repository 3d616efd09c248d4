// Seeded, splittable randomness (in the style of JAX's PRNG keys): a Key is a value; the same key always gives
// the same numbers, on every run and machine (32-bit integer mixing only). Split a key to get independent ones.

/** A random key: two 32-bit words. */
export interface Key {
  readonly k0: number;
  readonly k1: number;
}

/** murmur3's 32-bit finaliser: a bijective avalanche on 32 bits. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32 random bits for position i of the stream of key k. */
function bits(k: Key, i: number, lane: number): number {
  return fmix((fmix((k.k0 ^ Math.imul(i, 0x9e3779b9) ^ lane) >>> 0) + k.k1 + Math.imul(lane, 0x7f4a7c15)) >>> 0);
}

/** The key for an integer seed. */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`key: seed must be an integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  return { k0: fmix(lo ^ 0x243f6a88), k1: fmix((hi + 0x85a308d3) >>> 0) };
}

/** n independent keys derived from k. */
export function split(k: Key, n = 2): Key[] {
  return Array.from({ length: n }, (_, i) => ({ k0: bits(k, i, 0x51ed27), k1: bits(k, i, 0x1b873593) }));
}

/** A key derived from k and an integer (a step number, a layer index). */
export function foldIn(k: Key, data: number): Key {
  return { k0: bits(k, data >>> 0, 0x3c6ef372), k1: bits(k, data >>> 0, 0xa54ff53a) };
}

/** n uniform numbers in [0, 1) with 53 random bits each. */
export function uniform(k: Key, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = ((bits(k, i, 1) >>> 5) * 67108864 + (bits(k, i, 2) >>> 6)) / 9007199254740992;
  return out;
}

/** n standard normal numbers (Box-Muller on the key's uniform stream). */
export function normal(k: Key, n: number): Float64Array {
  const u = uniform(k, 2 * Math.ceil(n / 2));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - (u[i] as number)));
    const t = 2 * Math.PI * (u[i + 1] as number);
    out[i] = r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = r * Math.sin(t);
  }
  return out;
}

/** A permutation of 0..n-1 (Fisher-Yates on the key's stream). */
export function permutation(k: Key, n: number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  const u = uniform(k, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((u[i] as number) * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}
