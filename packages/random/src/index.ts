// Seeded, splittable randomness in the style of JAX's PRNG keys. A Key is a value (two 32-bit words); every
// function of a key is pure: the same key gives the same numbers on every run, machine and engine. To get
// independent streams, split a key or fold a number (a step, a layer) into it.
//
// The block function is Threefry-2x32 with 20 rounds. Keys follow JAX's original ("non-partitionable") Threefry
// scheme: `key(seed)`, `split`, `foldIn` and `bits` give the words `jax.random.PRNGKey`, `split`, `fold_in` and
// `random_bits` give with `jax_threefry_partitionable` off (the default before JAX 0.5). The float distributions
// are this package's own (53-bit uniforms, prefix-stable), not JAX's.
//
// Rule of use, as in JAX: a key is used for one thing, either drawing numbers or deriving keys. Drawing from k and
// also from foldIn(k, i) can repeat words (both encrypt small counters under the same key).
import { block, word0, word1 } from "./threefry.js";

export { threefry2x32 } from "./threefry.js";

/** A random key: two unsigned 32-bit words (JAX's `key_data`). */
export interface Key {
  readonly k0: number;
  readonly k1: number;
}

const TWO_32 = 2 ** 32;

/** The high and low 32-bit words of a safe integer in two's complement (as JAX's `threefry_seed`). */
function words64(fn: string, what: string, v: number): [number, number] {
  if (!Number.isSafeInteger(v)) {
    throw new RangeError(`random.${fn}: ${what} must be an integer of at most 53 bits (a safe integer), got ${String(v)}`);
  }
  return [Math.floor(v / TWO_32) >>> 0, v >>> 0];
}

function checkKey(fn: string, k: Key): void {
  const ok = (w: unknown) => typeof w === "number" && Number.isInteger(w) && w >= 0 && w < TWO_32;
  if (typeof k !== "object" || k === null || !ok(k.k0) || !ok(k.k1)) {
    throw new TypeError(`random.${fn}: expected a key ({ k0, k1 }: two unsigned 32-bit integers, made by random.key(seed)), got ${describe(k)}`);
  }
}

function checkCount(fn: string, n: number): void {
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`random.${fn}: the count must be a whole number >= 0, got ${String(n)}`);
  if (n > 2 ** 31) throw new RangeError(`random.${fn}: at most 2^31 numbers at once, got ${n}: draw in parts from keys made by split or foldIn`);
}

function describe(v: unknown): string {
  try {
    return typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** The key of an integer seed (JAX's `PRNGKey(seed)`: the seed's high and low 32-bit words). */
export function key(seed: number): Key {
  const [k0, k1] = words64("key", "the seed", seed);
  return { k0, k1 };
}

/** A key from its two words (JAX's `wrap_key_data`), for keys stored elsewhere; each must be in [0, 2^32). */
export function wrapKey(k0: number, k1: number): Key {
  const k = { k0, k1 };
  checkKey("wrapKey", k);
  return k;
}

/**
 * JAX's `threefry_2x32(key, count)` over the counters 0..m-1: the counters are cut in halves (padded with a 0 when
 * m is odd), counter i of the first half is paired with counter i of the second, and the outputs are the first
 * words of all pairs, then the second words. `m` words written to `out`.
 */
function countWords(k: Key, m: number, out: Uint32Array): void {
  const h = (m + 1) >>> 1;
  for (let i = 0; i < h; i++) {
    const c1 = h + i < m ? h + i : 0;
    block(k.k0, k.k1, i, c1);
    out[i] = word0();
    if (h + i < m) out[h + i] = word1();
  }
}

/** n independent keys derived from k (JAX's `split` with the original Threefry scheme). */
export function split(k: Key, n = 2): Key[] {
  checkKey("split", k);
  checkCount("split", n);
  const w = new Uint32Array(2 * n);
  countWords(k, 2 * n, w);
  return Array.from({ length: n }, (_, j) => ({ k0: w[2 * j] as number, k1: w[2 * j + 1] as number }));
}

/** The key derived from k and an integer (a step number, a layer index): JAX's `fold_in`. */
export function foldIn(k: Key, data: number): Key {
  checkKey("foldIn", k);
  const [hi, lo] = words64("foldIn", "the data", data);
  block(k.k0, k.k1, hi, lo);
  return { k0: word0(), k1: word1() };
}

/** n random unsigned 32-bit words (JAX's `random_bits` for 32 bits, original scheme). */
export function bits(k: Key, n: number): Uint32Array {
  checkKey("bits", k);
  checkCount("bits", n);
  const out = new Uint32Array(n);
  countWords(k, n, out);
  return out;
}

const TWO_26 = 2 ** 26;
const TWO_53 = 2 ** 53;

/**
 * n uniform numbers in [0, 1), each with 53 random bits: number i is made from both words of the block of
 * counter i (27 bits of the first, 26 of the second). Prefix-stable: `uniform(k, n)` is the start of
 * `uniform(k, m)` for m > n.
 */
export function uniform(k: Key, n: number): Float64Array {
  checkKey("uniform", k);
  checkCount("uniform", n);
  const out = new Float64Array(n);
  const { k0, k1 } = k;
  for (let i = 0; i < n; i++) {
    block(k0, k1, 0, i);
    out[i] = ((word0() >>> 5) * TWO_26 + (word1() >>> 6)) / TWO_53;
  }
  return out;
}

/**
 * n standard normal numbers: Box-Muller on pairs of the key's uniforms (numbers 2i and 2i + 1 come from
 * uniforms 2i and 2i + 1, so that `normal(k, n)` is the start of `normal(k, m)` up to a pair).
 */
export function normal(k: Key, n: number): Float64Array {
  checkKey("normal", k);
  checkCount("normal", n);
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

/** A uniformly random permutation of 0..n-1 (Fisher-Yates on the key's uniforms). */
export function permutation(k: Key, n: number): Int32Array {
  checkKey("permutation", k);
  checkCount("permutation", n);
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
