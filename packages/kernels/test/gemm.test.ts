import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocF32, type Kernels, wasmF32From } from "../src/index.js";
import { firstMismatch, js, randomF32, runs, sameClass, wasmBackends } from "./util.js";

interface Case {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra elements before each matrix and extra columns per row: sub-matrices of larger arrays. */
  pad: [number, number, number];
  ldPad: [number, number, number];
  seed: number;
}

interface Operands {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  lda: number;
  ldb: number;
  ldc: number;
}

function operands(t: Case): Operands {
  const [aRows, aCols] = t.transA ? [t.k, t.m] : [t.m, t.k];
  const [bRows, bCols] = t.transB ? [t.n, t.k] : [t.k, t.n];
  const lda = Math.max(1, aCols + t.ldPad[0]);
  const ldb = Math.max(1, bCols + t.ldPad[1]);
  const ldc = Math.max(1, t.n + t.ldPad[2]);
  return {
    a: randomF32(t.pad[0] + aRows * lda, t.seed),
    b: randomF32(t.pad[1] + bRows * ldb, t.seed + 1),
    c: randomF32(t.pad[2] + t.m * ldc, t.seed + 2),
    lda,
    ldb,
    ldc,
  };
}

function run(K: Kernels, t: Case, o: Operands): Float32Array {
  const c = o.c.slice();
  K.sgemm(t.transA, t.transB, t.m, t.n, t.k, t.alpha, o.a, t.pad[0], o.lda, o.b, t.pad[1], o.ldb, t.beta, c, t.pad[2], o.ldc);
  return c;
}

/** Bound on |wasm - js| per element: both are within (k + 2) eps (|alpha| sum |a||b| + |beta c|) of the exact value. */
function bounds(t: Case, o: Operands): Float32Array {
  const out = new Float32Array(o.c.length);
  for (let i = 0; i < t.m; i++) {
    for (let j = 0; j < t.n; j++) {
      let mag = 0;
      for (let p = 0; p < t.k; p++) {
        const av = t.transA ? o.a[t.pad[0] + p * o.lda + i] : o.a[t.pad[0] + i * o.lda + p];
        const bv = t.transB ? o.b[t.pad[1] + j * o.ldb + p] : o.b[t.pad[1] + p * o.ldb + j];
        mag += Math.abs((av as number) * (bv as number));
      }
      const ci = t.pad[2] + i * o.ldc + j;
      out[ci] = 2 * (t.k + 2) * 2 ** -23 * (Math.abs(t.alpha) * mag + Math.abs(t.beta * (o.c[ci] as number))) + 1e-30;
    }
  }
  return out;
}

function expectTwins(t: Case): void {
  const o = operands(t);
  const want = run(js, t, o);
  const tol = bounds(t, o);
  for (const K of wasmBackends) {
    const got = run(K, t, o);
    for (let i = 0; i < got.length; i++) {
      const diff = Math.abs((got[i] as number) - (want[i] as number));
      if (!(diff <= (tol[i] as number))) {
        expect.fail(`${K.backend} differs from js at element ${i}: ${got[i]} vs ${want[i]} (bound ${tol[i]}) for ${JSON.stringify(t)}`);
      }
    }
  }
}

/** Random cases: shapes 0..40, transposes, the given alphas and betas, offsets and leading-dimension padding. */
function caseArb(alphas: number[], betas: number[]): fc.Arbitrary<Case> {
  const dim = fc.integer({ min: 0, max: 40 });
  return fc.record({
    transA: fc.boolean(),
    transB: fc.boolean(),
    m: dim,
    n: dim,
    k: dim,
    alpha: fc.constantFrom(...alphas),
    beta: fc.constantFrom(...betas),
    pad: fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)),
    ldPad: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7)),
    seed: fc.nat(),
  });
}

const plain = (m: number, n: number, k: number, transA = false, transB = false): Case => ({
  transA, transB, m, n, k, alpha: 1, beta: 0, pad: [0, 0, 0], ldPad: [0, 0, 0], seed: m * 10007 + n * 101 + k,
});

describe("sgemm: WASM equals its JS twin", () => {
  it("on every m, n, k from 1 to 17 (NN)", () => {
    for (let m = 1; m <= 17; m++) for (let n = 1; n <= 17; n++) for (let k = 1; k <= 17; k++) expectTwins(plain(m, n, k));
  });

  it("on every m, n from 1 to 17 in the NT, TN and TT cases", () => {
    for (const [ta, tb] of [[false, true], [true, false], [true, true]] as const) {
      for (let m = 1; m <= 17; m++) for (let n = 1; n <= 17; n++) expectTwins(plain(m, n, (m * 7 + n * 3) % 17 + 1, ta, tb));
    }
  });

  it("across block edges (KC 256, MC 128, NC 512) and on primes", () => {
    const shapes: [number, number, number][] = [[129, 513, 257], [4, 520, 300], [131, 9, 511], [3, 1031, 257], [1, 1024, 320], [32, 1024, 320], [7, 13, 600]];
    for (const [m, n, k] of shapes) for (const ta of [false, true]) for (const tb of [false, true]) expectTwins(plain(m, n, k, ta, tb));
  });

  it("on random shapes, transposes, alpha, beta, offsets and leading dimensions (sub-matrices)", () => {
    fc.assert(fc.property(caseArb([1, -1, 0, 0.5, 2.25, -3], [0, 1, -1, 0.5, 3]), (t) => expectTwins(t)), runs(400));
  });

  it("leaves C outside the sub-matrix untouched", () => {
    const t: Case = { transA: false, transB: true, m: 9, n: 6, k: 11, alpha: 1.5, beta: 0.5, pad: [3, 5, 7], ldPad: [2, 1, 4], seed: 42 };
    const o = operands(t);
    for (const K of [js, ...wasmBackends]) {
      const c = run(K, t, o);
      for (let idx = 0; idx < c.length; idx++) {
        const r = Math.floor((idx - t.pad[2]) / o.ldc);
        const col = (idx - t.pad[2]) % o.ldc;
        const inside = idx >= t.pad[2] && r < t.m && col < t.n;
        if (!inside) expect(c[idx], `${K.backend} wrote outside C at ${idx}`).toBe(o.c[idx]);
      }
    }
  });

  it("computes a known product", () => {
    for (const K of [js, ...wasmBackends]) {
      const c = new Float32Array(4);
      K.sgemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), 0, 2, new Float32Array([5, 6, 7, 8]), 0, 2, 0, c, 0, 2);
      expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    }
  });

  it("takes WasmF32 buffers and views of WebAssembly memory in place", () => {
    const t = plain(23, 19, 31, false, true);
    const o = operands(t);
    const want = run(js, t, o);
    for (const K of wasmBackends) {
      const a = wasmF32From(o.a);
      const b = wasmF32From(o.b);
      const c = allocF32(o.c.length);
      K.sgemm(false, true, t.m, t.n, t.k, 1, a, 0, o.lda, b.view(), 0, o.ldb, 0, c, 0, o.ldc);
      expect(firstMismatch(c.read(), want, 1e-5, 1e-6)).toBe(-1);
    }
  });
});

describe("sgemm: IEEE special values", () => {
  it("propagates NaN and +-Inf as the JS twin does", () => {
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 12 }),
      n: fc.integer({ min: 1, max: 20 }),
      k: fc.integer({ min: 1, max: 12 }),
      transA: fc.boolean(),
      transB: fc.boolean(),
      hits: fc.array(fc.tuple(fc.constantFrom("a", "b", "c"), fc.nat(), fc.constantFrom(...specials)), { minLength: 1, maxLength: 4 }),
      beta: fc.constantFrom(0, 1),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ m, n, k, transA, transB, hits, beta, seed }) => {
        const t: Case = { transA, transB, m, n, k, alpha: 1, beta, pad: [0, 0, 0], ldPad: [0, 0, 0], seed };
        const o = operands(t);
        for (const [which, at, v] of hits) o[which][at % o[which].length] = v;
        const want = run(js, t, o);
        for (const K of wasmBackends) {
          const got = run(K, t, o);
          for (let i = 0; i < got.length; i++) {
            if (!sameClass(got[i] as number, want[i] as number)) expect.fail(`${K.backend} element ${i}: ${got[i]} vs js ${want[i]}`);
          }
        }
      }),
      runs(300),
    );
  });

  it("does not read C when beta = 0, nor A and B when alpha = 0 (reference BLAS)", () => {
    for (const K of [js, ...wasmBackends]) {
      const c = new Float32Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
      K.sgemm(false, false, 2, 2, 1, 1, new Float32Array([1, 2]), 0, 1, new Float32Array([3, 4]), 0, 2, 0, c, 0, 2);
      expect(Array.from(c)).toEqual([3, 4, 6, 8]);
      const d = new Float32Array([1, 2, 3, 4]);
      K.sgemm(false, false, 2, 2, 1, 0, new Float32Array([Number.NaN, 1]), 0, 1, new Float32Array([1, 1]), 0, 2, 2, d, 0, 2);
      expect(Array.from(d)).toEqual([2, 4, 6, 8]);
    }
  });
});

describe("sgemm: the streaming paths for fewer than 4 rows", () => {
  it("handle K longer than one scratch chunk (B transposed) and K not a multiple of 4", () => {
    expectTwins({ transA: false, transB: true, m: 2, n: 5, k: 50_003, alpha: 1, beta: 0.5, pad: [1, 2, 3], ldPad: [0, 3, 1], seed: 5 });
    expectTwins({ transA: true, transB: false, m: 3, n: 37, k: 1_003, alpha: -2, beta: 1, pad: [0, 0, 0], ldPad: [2, 0, 0], seed: 6 });
  });
});

describe("packB and sgemmPacked: a matrix packed once, multiplied many times", () => {
  /** sgemmPacked on every backend against the JS sgemm on the unpacked matrix, within the sgemm bound. */
  function expectPacked(t: Case): void {
    const o = operands(t);
    const want = run(js, t, o);
    const tol = bounds(t, o);
    const size = js.packedBSize(t.k, t.n);
    const layouts: Float32Array[] = [];
    for (const K of [js, ...wasmBackends]) {
      expect(K.packedBSize(t.k, t.n)).toBe(size);
      const packed = new Float32Array(size).fill(Number.NaN);
      K.packB(t.transB, t.k, t.n, o.b, t.pad[1], o.ldb, packed);
      layouts.push(packed);
      const c = o.c.slice();
      K.sgemmPacked(t.transA, t.m, t.n, t.k, t.alpha, o.a, t.pad[0], o.lda, packed, t.beta, c, t.pad[2], o.ldc);
      for (let i = 0; i < c.length; i++) {
        const diff = Math.abs((c[i] as number) - (want[i] as number));
        if (!(diff <= (tol[i] as number))) expect.fail(`${K.backend} sgemmPacked differs from sgemm at ${i}: ${c[i]} vs ${want[i]} for ${JSON.stringify(t)}`);
      }
    }
    // One layout for every backend (a matrix packed by one can be used by another), padding included.
    for (const l of layouts.slice(1)) expect(Array.from(l)).toEqual(Array.from(layouts[0] as Float32Array));
  }

  it("on random shapes, transposes, alpha, beta, offsets and leading dimensions", () => {
    fc.assert(fc.property(caseArb([1, -1, 0, 0.5, 2.25], [0, 1, -1, 0.5]), (t) => expectPacked(t)), runs(200));
  });

  it("across K blocks (k > 384 is cut in equal blocks) and partial panels", () => {
    for (const [m, n, k] of [[32, 1024, 256], [5, 13, 400], [33, 17, 769], [1, 9, 385]] as const) {
      for (const transB of [false, true]) expectPacked({ ...plain(m, n, k, false, transB), beta: 1 });
    }
  });

  it("gives exactly sgemm's numbers for m >= 4 (same packing, same micro-kernel)", () => {
    const t = plain(32, 1024, 256, false, true);
    const o = operands(t);
    for (const K of wasmBackends) {
      const packed = allocF32(K.packedBSize(t.k, t.n));
      K.packB(true, t.k, t.n, o.b, 0, o.ldb, packed);
      const c = new Float32Array(t.m * t.n);
      K.sgemmPacked(false, t.m, t.n, t.k, 1, o.a, 0, o.lda, packed, 0, c, 0, o.ldc);
      expect(Array.from(c)).toEqual(Array.from(run(K, t, o)));
    }
  });

  it("checks its arguments", () => {
    const b = new Float32Array(12);
    for (const K of [js, ...wasmBackends]) {
      expect(() => K.packB(false, 3, 4, b, 0, 4, new Float32Array(23))).toThrow(/packB: argument 'packed' has 23 elements but 24 are needed/);
      expect(() => K.packB(false, 3, 4, b, 0, 3, new Float32Array(24))).toThrow(/packB: argument 'ldb' must be at least 4/);
      expect(() => K.packB(false, 3, 5, b, 0, 5, new Float32Array(24))).toThrow(/packB: argument 'b' has 12 elements but 15/);
      expect(() => K.sgemmPacked(false, 2, 4, 3, 1, new Float32Array(6), 0, 3, new Float32Array(20), 0, new Float32Array(8), 0, 4)).toThrow(/sgemmPacked: argument 'packed' has 20 elements but 24/);
      const shared = new Float32Array(40);
      expect(() => K.sgemmPacked(false, 2, 4, 3, 1, new Float32Array(6), 0, 3, shared, 0, shared, 0, 4)).toThrow(/sgemmPacked: argument 'c' overlaps input 'packed'/);
      expect(() => K.packedBSize(-1, 3)).toThrow(/packedBSize: argument 'k'/);
    }
  });
});

describe("sgemv", () => {
  it("equals the JS twin on random shapes (8-wide body, 4-row blocks and both tails), alpha, beta, offsets and strides", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 21 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom(1, -0.5, 0, 2), fc.constantFrom(0, 1, 0.5), fc.nat(3), fc.nat(5), fc.nat(), (m, n, alpha, beta, ldPad, off, seed) => {
        const lda = Math.max(1, n + ldPad);
        const a = randomF32(off + m * lda, seed);
        const x = randomF32(off + n, seed + 1);
        const y0 = randomF32(off + m, seed + 2);
        const want = y0.slice();
        js.sgemv(m, n, alpha, a, off, lda, x, off, beta, want, off);
        for (const K of wasmBackends) {
          const y = y0.slice();
          K.sgemv(m, n, alpha, a, off, lda, x, off, beta, y, off);
          for (let i = 0; i < y.length; i++) {
            let mag = Math.abs(beta * (y0[i] as number));
            for (let j = 0; j < n && i >= off; j++) mag += Math.abs(alpha * (a[off + (i - off) * lda + j] as number) * (x[off + j] as number));
            if (!(Math.abs((y[i] as number) - (want[i] as number)) <= 2 * (n + 2) * 2 ** -23 * mag + 1e-30)) expect.fail(`${K.backend} y[${i}] = ${y[i]}, js ${want[i]}`);
          }
        }
      }),
      runs(300),
    );
  });

  it("beta = 0 does not read y (NaN there does not propagate), and bad arguments are named", () => {
    for (const K of [js, ...wasmBackends]) {
      const y = new Float32Array([Number.NaN, Number.NaN]);
      K.sgemv(2, 3, 1, new Float32Array([1, 2, 3, 4, 5, 6]), 0, 3, new Float32Array([1, 1, 1]), 0, 0, y, 0);
      expect(Array.from(y)).toEqual([6, 15]);
      expect(() => K.sgemv(2, 3, 1, new Float32Array(5), 0, 3, new Float32Array(3), 0, 0, new Float32Array(2), 0)).toThrow(/sgemv: argument 'a' has 5 elements but 6/);
      expect(() => K.sgemv(2, 3, 1, new Float32Array(6), 0, 2, new Float32Array(3), 0, 0, new Float32Array(2), 0)).toThrow(/sgemv: argument 'lda' must be at least 3/);
      const shared = new Float32Array(8);
      expect(() => K.sgemv(2, 3, 1, shared, 0, 3, new Float32Array(3), 0, 0, shared, 5)).toThrow(/sgemv: argument 'y' overlaps input 'a'/);
    }
  });
});
