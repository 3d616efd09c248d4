// Threefry against its published known answers, keys against JAX's, and the distributions against their laws.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bits, foldIn, type Key, key, normal, permutation, split, threefry2x32, uniform, wrapKey } from "../src/index.js";
import { bump, chiSquareUniform, chiSquareUpper, erf, histogram, histogram2, ksPValue, ksTest, phi } from "./stats.js";

const words = (k: Key) => [k.k0, k.k1];
const arbKey = fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 })).map(([a, b]) => wrapKey(a, b));

describe("Threefry-2x32-20", () => {
  it("gives Random123's known answers (key, counter) -> output", () => {
    expect(threefry2x32(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it("is a bijection of the counter for a fixed key: no two of 2^16 counters collide", () => {
    const seen = new Set<string>();
    for (let c = 0; c < 2 ** 16; c++) seen.add(threefry2x32(7, 11, c & 0xff, c >>> 8).join(","));
    expect(seen.size).toBe(2 ** 16);
  });
});

describe("keys, as JAX makes them (original Threefry scheme)", () => {
  it("key(seed) holds the seed's high and low words", () => {
    expect(words(key(0))).toEqual([0, 0]);
    expect(words(key(42))).toEqual([0, 42]);
    expect(words(key(2 ** 32 + 5))).toEqual([1, 5]);
    expect(words(key(-1))).toEqual([0xffffffff, 0xffffffff]);
    expect(words(key(Number.MAX_SAFE_INTEGER))).toEqual([0x1fffff, 0xffffffff]);
  });

  it("split(key(0)) and split(key(0), 3) equal jax.random.split", () => {
    expect(split(key(0)).map(words)).toEqual([
      [4146024105, 967050713],
      [2718843009, 1272950319],
    ]);
    expect(split(key(0), 3).map(words)).toEqual([
      [2467461003, 428148500],
      [3186719485, 3840466878],
      [2562233961, 1946702221],
    ]);
  });

  it("bits equal jax.random.bits (odd counts padded as JAX pads them)", () => {
    expect(Array.from(bits(key(0), 1))).toEqual([1797259609]);
    expect(Array.from(bits(key(1), 1))).toEqual([507451445]);
    expect(Array.from(bits(key(0), 3))).toEqual([4146024105, 1351547692, 2718843009]);
    expect(Array.from(bits(key(0), 4))).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
    expect(bits(key(0), 0).length).toBe(0);
  });

  it("foldIn(k, d) encrypts d's words under k (fold_in)", () => {
    expect(words(foldIn(key(0), 0))).toEqual([0x6b200159, 0x99ba4efe]);
    expect(words(foldIn(key(-1), -1))).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(words(foldIn(key(5), 2 ** 32 + 3))).toEqual(threefry2x32(0, 5, 1, 3));
  });

  it("derived keys are distinct from each other and from their parent", () => {
    fc.assert(
      fc.property(arbKey, fc.integer({ min: 2, max: 64 }), (k, n) => {
        const all = [k, ...split(k, n), ...Array.from({ length: n }, (_, i) => foldIn(k, i))].map((x) => words(x).join(","));
        // split's words and foldIn's words may coincide (they encrypt overlapping counters): compare within each kind.
        expect(new Set(all.slice(0, n + 1)).size).toBe(n + 1);
        expect(new Set([all[0], ...all.slice(n + 1)]).size).toBe(n + 1);
      }),
      { numRuns: 50 },
    );
  });
});

describe("determinism and layout", () => {
  it("the same key gives the same numbers; a prefix of a longer draw is the shorter draw", () => {
    fc.assert(
      fc.property(arbKey, fc.nat({ max: 300 }), fc.nat({ max: 300 }), (k, n, extra) => {
        const again = wrapKey(k.k0, k.k1);
        expect(uniform(again, n)).toEqual(uniform(k, n));
        expect(uniform(k, n + extra).subarray(0, n)).toEqual(uniform(k, n));
        const even = n - (n % 2);
        expect(normal(k, n + extra).subarray(0, even)).toEqual(normal(k, n).subarray(0, even));
        expect(permutation(k, n)).toEqual(permutation(again, n));
      }),
      { numRuns: 100 },
    );
  });

  it("uniform number i comes from the block of counter i: 27 bits of its first word, 26 of its second", () => {
    const k = key(9);
    const u = uniform(k, 5);
    for (let i = 0; i < 5; i++) {
      const [w0, w1] = threefry2x32(0, 9, 0, i);
      expect(u[i]).toBe(((w0 >>> 5) * 2 ** 26 + (w1 >>> 6)) / 2 ** 53);
    }
  });

  it("uniforms lie in [0, 1), normals are finite, permutations are permutations", () => {
    fc.assert(
      fc.property(arbKey, fc.nat({ max: 500 }), (k, n) => {
        for (const u of uniform(k, n)) expect(u >= 0 && u < 1).toBe(true);
        for (const z of normal(k, n)) expect(Number.isFinite(z)).toBe(true);
        expect(Array.from(permutation(k, n)).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 100 },
    );
  });
});

describe("bad input: a clear error, never a silent NaN", () => {
  it("seeds and data must be safe integers", () => {
    for (const s of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => key(s)).toThrow(`random.key: the seed must be an integer of at most 53 bits (a safe integer), got ${s}`);
      expect(() => foldIn(key(1), s)).toThrow(`random.foldIn: the data must be an integer of at most 53 bits (a safe integer), got ${s}`);
    }
    expect(() => key("7" as unknown as number)).toThrow(/got 7/);
  });

  it("keys must be two unsigned 32-bit words; the error names the function and shows what it got", () => {
    const cases: [unknown, string][] = [
      [undefined, "got undefined"],
      [null, "got null"],
      [3, "got 3"],
      [{}, "got {}"],
      [{ k0: 1 }, 'got {"k0":1}'],
      [{ k0: -1, k1: 0 }, 'got {"k0":-1,"k1":0}'],
      [{ k0: 2 ** 32, k1: 0 }, 'got {"k0":4294967296,"k1":0}'],
      [{ k0: 0.5, k1: 1 }, 'got {"k0":0.5,"k1":1}'],
      [[1, 2], "got [1,2]"],
      [{ k0: 1n, k1: 2n }, "got [object Object]"], // JSON cannot show it
    ];
    for (const [bad, shown] of cases) {
      expect(() => uniform(bad as Key, 3)).toThrow(`random.uniform: expected a key ({ k0, k1 }: two unsigned 32-bit integers, made by random.key(seed)), ${shown}`);
    }
    expect(() => wrapKey(1, -2)).toThrow(/^random\.wrapKey: expected a key/);
    const fns = { split, foldIn, bits, normal, permutation } as const;
    for (const [name, f] of Object.entries(fns)) expect(() => f({ k0: 1 } as Key, 1)).toThrow(new RegExp(`^random\\.${name}: expected a key`));
  });

  it("counts must be whole numbers >= 0 and at most 2^31", () => {
    for (const n of [-1, 1.5, Number.NaN]) {
      const fns = { uniform, split, bits, normal, permutation } as const;
      for (const [name, f] of Object.entries(fns)) expect(() => f(key(1), n)).toThrow(`random.${name}: the count must be a whole number >= 0, got ${n}`);
    }
    expect(() => bits(key(1), 2 ** 31 + 1)).toThrow(/at most 2\^31 numbers at once/);
  });
});

describe("the statistics used below", () => {
  it("match tabulated values", () => {
    expect(erf(1)).toBeCloseTo(0.8427007929497149, 13);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 13);
    expect(phi(1.959963984540054)).toBeCloseTo(0.975, 10);
    expect(chiSquareUpper(124.342, 100)).toBeCloseTo(0.05, 3); // the 95 % point of chi-square(100)
    expect(chiSquareUpper(77.929, 100)).toBeCloseTo(0.95, 3);
    expect(ksPValue(1.3581 / Math.sqrt(1e6), 1e6)).toBeCloseTo(0.05, 3); // Kolmogorov's 95 % point
    expect(ksPValue(1.6276 / Math.sqrt(1e6), 1e6)).toBeCloseTo(0.01, 3);
  });
});

// The statistical tests use fixed keys: each is a deterministic check, failing for a broken generator, not by
// chance. Thresholds are two-sided where a too-even result also means a broken generator.
describe("distributions", () => {
  // Made inside each test, not when the file is collected: a broken `key` then fails tests instead of the collection.
  const root = () => key(20261201);

  it("uniform: per-key chi-square p-values of 64 bins are themselves uniform over 64 keys (two-level test)", () => {
    const ps = split(root(), 64).map((kk) => chiSquareUniform(histogram(uniform(kk, 16_384), 64)).p);
    const { p } = ksTest(ps, (x) => Math.min(1, Math.max(0, x)));
    expect(p).toBeGreaterThan(1e-3);
    const pooled = chiSquareUniform(histogram(uniform(foldIn(root(), 1), 1 << 20), 256)).p;
    expect(pooled).toBeGreaterThan(1e-4);
    expect(pooled).toBeLessThan(1 - 1e-4);
  });

  it("uniform: every one of the 53 bits of the fraction is 1 half the time", () => {
    const n = 40_000;
    const u = uniform(foldIn(root(), 2), n);
    for (let b = 1; b <= 53; b++) {
      let ones = 0;
      for (const x of u) ones += Math.floor(x * 2 ** b) % 2;
      expect(Math.abs(ones - n / 2) / Math.sqrt(n / 4), `bit ${b}`).toBeLessThan(5);
    }
  });

  it("uniform: successive numbers are independent (serial test on 16 x 16 cells)", () => {
    const u = uniform(foldIn(root(), 3), 1 << 17);
    const { p } = chiSquareUniform(histogram2(u.subarray(0, -1), u.subarray(1), 16));
    expect(p).toBeGreaterThan(1e-4);
    expect(p).toBeLessThan(1 - 1e-4);
  });

  it("keys from neighbouring seeds, fold-ins and splits give independent streams", () => {
    const first = (ks: Key[]) => Float64Array.from(ks, (kk) => uniform(kk, 1)[0] as number);
    const n = 1 << 15;
    const streams = {
      seeds: first(Array.from({ length: n }, (_, i) => key(i))),
      foldIns: first(Array.from({ length: n }, (_, i) => foldIn(root(), i))),
      splits: first(split(foldIn(root(), 4), n)),
    };
    for (const [name, x] of Object.entries(streams)) {
      const { p } = chiSquareUniform(histogram2(x.subarray(0, -1), x.subarray(1), 8));
      expect(p, name).toBeGreaterThan(1e-4);
      expect(p, name).toBeLessThan(1 - 1e-4);
      expect(chiSquareUniform(histogram(x, 64)).p, name).toBeGreaterThan(1e-4);
    }
    // The same position of two sibling streams.
    const [a, b] = split(foldIn(root(), 5), 2) as [Key, Key];
    const { p } = chiSquareUniform(histogram2(uniform(a, n), uniform(b, n), 16));
    expect(p).toBeGreaterThan(1e-4);
  });

  it("bits: each of the 32 bit positions is set half the time", () => {
    const n = 1 << 16;
    const w = bits(foldIn(root(), 6), n);
    for (let b = 0; b < 32; b++) {
      let ones = 0;
      for (const x of w) ones += (x >>> b) & 1;
      expect(Math.abs(ones - n / 2) / Math.sqrt(n / 4), `bit ${b}`).toBeLessThan(5);
    }
  });

  it("normal: Kolmogorov-Smirnov against the normal CDF, and the two halves of each pair independent", () => {
    const z = normal(foldIn(root(), 7), 100_000);
    const { p } = ksTest(z, phi);
    expect(p).toBeGreaterThan(1e-3);
    const even = z.filter((_, i) => i % 2 === 0).map(phi);
    const odd = z.filter((_, i) => i % 2 === 1).map(phi);
    const pair = chiSquareUniform(histogram2(even, odd, 10)).p;
    expect(pair).toBeGreaterThan(1e-4);
    expect(pair).toBeLessThan(1 - 1e-4);
  });

  it("permutation: all 24 orders of 4 items equally likely, and every item equally likely in every place of 10", () => {
    const n = 48_000;
    const counts = new Float64Array(24);
    for (let i = 0; i < n; i++) {
      const p = permutation(foldIn(root(), 1000 + i), 4);
      // Lehmer code of the permutation -> an index in 0..23.
      let code = 0;
      for (let a = 0; a < 4; a++) {
        let smaller = 0;
        for (let b = a + 1; b < 4; b++) if ((p[b] as number) < (p[a] as number)) smaller++;
        code = code * (4 - a) + smaller;
      }
      bump(counts, code);
    }
    const orders = chiSquareUniform(counts);
    // 23 degrees of freedom: Wilson-Hilferty is within 1e-3 there.
    expect(orders.p).toBeGreaterThan(1e-4);
    expect(orders.p).toBeLessThan(1 - 1e-4);
    const place = new Float64Array(100);
    for (let i = 0; i < 10_000; i++) {
      const p = permutation(foldIn(root(), 100_000 + i), 10);
      for (let j = 0; j < 10; j++) bump(place, j * 10 + (p[j] as number));
    }
    expect(chiSquareUniform(place).p).toBeGreaterThan(1e-4);
    expect(chiSquareUniform(place).p).toBeLessThan(1 - 1e-4);
  });
});
