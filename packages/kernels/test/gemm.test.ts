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
    const dimA = fc.integer({ min: 0, max: 40 });
    const caseArb = fc.record({
      transA: fc.boolean(),
      transB: fc.boolean(),
      m: dimA,
      n: dimA,
      k: dimA,
      alpha: fc.constantFrom(1, -1, 0, 0.5, 2.25, -3),
      beta: fc.constantFrom(0, 1, -1, 0.5, 3),
      pad: fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)),
      ldPad: fc.tuple(fc.nat(7), fc.nat(7), fc.nat(7)),
      seed: fc.nat(),
    });
    fc.assert(fc.property(caseArb, (t) => expectTwins(t)), runs(400));
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
