// Worker threads: 1 and 2 threads give bit-identical results for every split kernel (thresholds lowered so
// that small random shapes split, and the workers' share checked to be non-zero, so the comparison is never
// between two single-threaded runs); thread counts are validated; a failing or dying worker is a clear error,
// not a hang; a Node process with threads exits when its work is done.
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allocF32, type Kernels, setThreads, ThreadError, threadInfo, threadsReady, wasmF32From } from "../src/index.js";
import { gemmPlan, THRESHOLDS } from "../src/split.js";
import { activePool, INJECT } from "../src/threads.js";
import { randomF32, runs, wasmBackends } from "./util.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
const saved = { ...THRESHOLDS };

/** Runs splittable work until a worker has taken part (workers start asynchronously). */
async function workersReady(): Promise<void> {
  setThreads(2);
  const x = allocF32(1 << 16);
  const start = threadInfo().workerCalls;
  // Workers start asynchronously and, on a loaded machine, slowly: wait up to a minute, not a fixed count of tries.
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline && threadInfo().workerCalls === start) {
    (wasmBackends[0] as Kernels).tanh(x, x, 1 << 16);
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(threadInfo().workerCalls, "a worker thread never took part").toBeGreaterThan(start);
}

beforeAll(async () => {
  // Split everything that can be split.
  THRESHOLDS.gemmMacs = 1;
  THRESHOLDS.gemvElements = 1;
  THRESHOLDS.micros = 0;
  await workersReady();
}, 90_000);
afterAll(() => {
  Object.assign(THRESHOLDS, saved);
});

const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);

/**
 * Runs `f` (which writes its outputs and returns them) with 1 and with 2 threads and checks identical bits; when
 * `splits` (the call is large enough to cut), also that a worker ran blocks.
 */
function sameBits(f: () => Float32Array[], splits = true): void {
  setThreads(1);
  const one = f();
  setThreads(2);
  const before = threadInfo().workerCalls;
  let two = f();
  // A worker spinning between jobs takes its block at once; one that went to sleep may wake after the caller
  // did every block of a small call itself: repeat until a worker has taken part (for at most 2 seconds).
  const deadline = performance.now() + 2000;
  while (splits && threadInfo().workerCalls === before && performance.now() < deadline) two = f();
  if (splits) expect(threadInfo().workerCalls, "no block ran on a worker").toBeGreaterThan(before);
  expect(two.length).toBe(one.length);
  for (const [i, out] of one.entries()) expect(bits(two[i] as Float32Array), `output ${i}`).toEqual(bits(out));
}

describe("1 and 2 threads give bit-identical results", () => {
  it("sgemm, split by columns or by rows, every transpose, alpha, beta and stride", () => {
    fc.assert(
      fc.property(
        fc.record({
          m: fc.integer({ min: 1, max: 70 }),
          n: fc.integer({ min: 1, max: 200 }),
          k: fc.integer({ min: 1, max: 90 }),
          transA: fc.boolean(),
          transB: fc.boolean(),
          alpha: fc.constantFrom(1, -0.5, 2),
          beta: fc.constantFrom(0, 1, 0.25),
          pad: fc.integer({ min: 0, max: 3 }),
          backend: fc.integer({ min: 0, max: wasmBackends.length - 1 }),
        }),
        ({ m, n, k, transA, transB, alpha, beta, pad, backend }) => {
          const K = wasmBackends[backend] as Kernels;
          const lda = (transA ? m : k) + pad;
          const ldb = (transB ? k : n) + pad;
          const ldc = n + pad;
          const a = wasmF32From(randomF32((transA ? k : m) * lda, 1));
          const b = wasmF32From(randomF32((transB ? n : k) * ldb, 2));
          // C with a guard of 8 more rows after it, compared too: a block that wrote past its rows would show there.
          const c0 = randomF32((m + 8) * ldc, 3);
          sameBits(() => {
            const c = wasmF32From(c0);
            K.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, ldc);
            return [c.read()];
          }, gemmPlan(m, n, 2, !transA && alpha === 1) !== undefined);
        },
      ),
      runs(60),
    );
  });

  it("sgemmPacked and sgemv", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 500 }),
        fc.boolean(),
        fc.constantFrom(0, 1),
        (m, n, k, transA, beta) => {
          for (const K of wasmBackends) {
            const a = wasmF32From(randomF32(m * k, 4));
            const b = wasmF32From(randomF32(k * n, 5));
            const packed = allocF32(K.packedBSize(k, n));
            K.packB(false, k, n, b, 0, n, packed);
            const c0 = randomF32((m + 8) * n, 6); // with a guard of 8 rows, as above
            const x = wasmF32From(randomF32(k, 7));
            const y0 = randomF32(n, 8);
            sameBits(() => {
              const c = wasmF32From(c0);
              K.sgemmPacked(transA, m, n, k, 1.5, a, 0, transA ? m : k, packed, beta, c, 0, n);
              // sgemv of the [n, k] matrix b^T laid out as b: y <- b[n x k] x + beta y (rows split by 8).
              const y = wasmF32From(y0);
              K.sgemv(n, k, 0.5, b, 0, k, x, 0, beta, y, 0);
              return [c.read(), y.read()];
            }, n >= 16);
          }
        },
      ),
      runs(25),
    );
  });

  it("the fused recurrent steps (LSTM, GRU, RNN, forward and backward, with a mask) and the row and element kernels", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer({ min: 1, max: 40 }), fc.boolean(), (rows, H, masked) => {
        for (const K of wasmBackends) {
          const n = rows * H;
          const r = (len: number, seed: number) => wasmF32From(randomF32(len, seed, 2));
          const mask = masked ? wasmF32From(Float32Array.from({ length: rows }, (_, i) => (i % 3 === 1 ? 0 : 1))) : null;
          sameBits(() => {
            const gates = r(4 * n, 10);
            const [cOut, hOut, y] = [allocF32(n), allocF32(n), allocF32(n)];
            const cPrev = r(n, 11);
            const hPrev = r(n, 12);
            K.lstmForward(gates, cOut, hOut, y, cPrev, hPrev, mask, rows, H);
            const [dPre, dhPrev, dcPrev] = [allocF32(4 * n), allocF32(n), allocF32(n)];
            K.lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cOut, r(n, 13), r(n, 14), r(n, 15), mask, rows, H);
            const [saved, gh, gy] = [allocF32(4 * n), allocF32(n), allocF32(n)];
            const xp = r(3 * n, 16);
            const hp = r(3 * n, 17);
            K.gruForward(saved, gh, gy, xp, hp, r(3 * H, 18), hPrev, mask, rows, H);
            const [dxp, dhp, gdh] = [allocF32(3 * n), allocF32(3 * n), allocF32(n)];
            K.gruBackward(dxp, dhp, gdh, saved, hPrev, r(n, 19), null, mask, rows, H);
            const pre = r(n, 20);
            const [rh, ry, dpre, rdh] = [allocF32(n), allocF32(n), allocF32(n), allocF32(n)];
            K.rnnForward(pre, rh, ry, hPrev, mask, rows, H, false);
            K.rnnBackward(dpre, rdh, pre, r(n, 21), r(n, 22), mask, rows, H, false);
            const logits = r(rows * H, 23);
            const lse = allocF32(rows);
            K.logSumExpRows(lse, logits, rows, H);
            const soft = allocF32(rows * H);
            K.softmaxRows(soft, logits, rows, H);
            const targets = wasmF32From(Float32Array.from({ length: rows }, (_, i) => i % H));
            const dx = allocF32(rows * H);
            K.crossEntropyBackward(dx, logits, lse, targets, r(rows, 24), rows, H);
            const biased = allocF32(rows * H);
            K.addBias(biased, logits, r(H, 25), rows, H);
            const t = allocF32(4 * n);
            K.tanh(t, gates, 4 * n);
            const [p, g, m1, v1] = [r(4 * n, 26), r(4 * n, 27), r(4 * n, 28), wasmF32From(randomF32(4 * n, 29).map(Math.abs))];
            K.adamStep(p, m1, v1, p, g, m1, v1, 4 * n, 0.01, 0.9, 0.999, 1e-8, 0.1, 0.002, 0.01, true);
            return [gates.read(), cOut.read(), hOut.read(), y.read(), dPre.read(), dhPrev.read(), dcPrev.read(), saved.read(), gh.read(), dxp.read(), dhp.read(), gdh.read(), rh.read(), dpre.read(), rdh.read(), lse.read(), soft.read(), dx.read(), biased.read(), t.read(), p.read(), m1.read(), v1.read()];
          });
        }
      }),
      runs(20),
    );
  });
});

describe("where the work goes: small calls stay on the calling thread, large ones split (default thresholds)", () => {
  /** Worker calls made by `f` run `times` times (a split call waits until a worker took part, at most 2 s). */
  function workerShare(f: () => void, expectSplit: boolean): number {
    const before = threadInfo().workerCalls;
    const deadline = performance.now() + 2000;
    f();
    while (expectSplit && threadInfo().workerCalls === before && performance.now() < deadline) f();
    for (let i = 0; i < 20; i++) f();
    return threadInfo().workerCalls - before;
  }

  it("at the thresholds: GEMMs of 2^18 multiply-adds, sgemv of 2^18 elements, ~10 us of a row or element kernel", async () => {
    Object.assign(THRESHOLDS, saved);
    try {
      await workersReady();
      const K = wasmBackends[0] as Kernels;
      const buf = allocF32(1 << 20);
      const out = allocF32(1 << 20);
      // 64 x 64 x 63 = 2^18 - 2^12 multiply-adds stays; 64 x 64 x 64 = 2^18 splits (by columns: 2 x 32).
      expect(workerShare(() => K.sgemm(false, false, 64, 64, 63, 1, buf, 0, 63, buf, 0, 64, 0, out, 0, 64), false)).toBe(0);
      expect(workerShare(() => K.sgemm(false, false, 64, 64, 64, 1, buf, 0, 64, buf, 0, 64, 0, out, 0, 64), true)).toBeGreaterThan(0);
      // The same through packB + sgemmPacked, tall (split by rows: A is scaled, so not read in place, and m > n).
      const packed = allocF32(K.packedBSize(64, 16));
      K.packB(false, 64, 16, buf, 0, 16, packed);
      expect(workerShare(() => K.sgemmPacked(false, 255, 16, 64, 0.5, buf, 0, 64, packed, 0, out, 0, 16), false)).toBe(0);
      expect(workerShare(() => K.sgemmPacked(false, 256, 16, 64, 0.5, buf, 0, 64, packed, 0, out, 0, 16), true)).toBeGreaterThan(0);
      // sgemv: 1023 x 256 stays, 1024 x 256 (a B = 1 step's W_hh at H = 256) splits.
      expect(workerShare(() => K.sgemv(1023, 256, 1, buf, 0, 256, buf, 0, 0, out, 0), false)).toBe(0);
      expect(workerShare(() => K.sgemv(1024, 256, 1, buf, 0, 256, buf, 0, 0, out, 0), true)).toBeGreaterThan(0);
      // tanh: 2,048 elements (about 6 us) stay, 8,192 split; an add of 32,768 (memory-bound, about 5 us) stays.
      expect(workerShare(() => K.tanh(out, buf, 2048), false)).toBe(0);
      expect(workerShare(() => K.tanh(out, buf, 8192), true)).toBeGreaterThan(0);
      expect(workerShare(() => K.add(out, buf, buf, 32768), false)).toBe(0);
      // An LSTM step: one row (generation at B = 1) never splits, however wide; 32 rows of 256 units do; 2 rows of 8 do not.
      const gates = allocF32(4 * 32 * 256);
      const st = allocF32(32 * 256);
      const [c2, h2, y] = [allocF32(32 * 256), allocF32(32 * 256), allocF32(32 * 256)];
      expect(workerShare(() => K.lstmForward(gates, c2, h2, y, st, st, null, 1, 2048), false)).toBe(0);
      expect(workerShare(() => K.lstmForward(gates, c2, h2, y, st, st, null, 2, 8), false)).toBe(0);
      expect(workerShare(() => K.lstmForward(gates, c2, h2, y, st, st, null, 32, 256), true)).toBeGreaterThan(0);
    } finally {
      THRESHOLDS.gemmMacs = 1;
      THRESHOLDS.gemvElements = 1;
      THRESHOLDS.micros = 0;
    }
  });
});

describe("how a GEMM is split", () => {
  it("by columns in whole 32-column blocks when A is read in place or is the smaller side, by rows otherwise, never below two blocks", () => {
    expect(gemmPlan(32, 1024, 2, true)).toEqual({ byColumns: true, units: 32, parts: 2 });
    expect(gemmPlan(1024, 64, 2, false)).toEqual({ byColumns: false, units: 256, parts: 2 });
    // A read in place costs nothing to share: columns even when C is tall.
    expect(gemmPlan(1024, 64, 2, true)).toEqual({ byColumns: true, units: 2, parts: 2 });
    expect(gemmPlan(4, 31, 2, true)).toBeUndefined();
    expect(gemmPlan(7, 63, 2, false)).toBeUndefined();
    expect(gemmPlan(8, 63, 2, false)).toEqual({ byColumns: false, units: 2, parts: 2 });
    expect(gemmPlan(1, 96, 4, true)).toEqual({ byColumns: true, units: 3, parts: 3 });
    // A square C with a packed A: columns (a column block re-packs A, no larger than B).
    expect(gemmPlan(64, 64, 2, false)).toEqual({ byColumns: true, units: 2, parts: 2 });
    // Too few blocks either way for the threads: the side with more blocks.
    expect(gemmPlan(12, 64, 4, false)).toEqual({ byColumns: false, units: 3, parts: 3 });
    expect(gemmPlan(8, 96, 4, false)).toEqual({ byColumns: true, units: 3, parts: 3 });
  });
});

describe("thread counts", () => {
  it("threadsReady starts the workers and resolves when every one runs", async () => {
    setThreads(1);
    expect(await threadsReady()).toMatchObject({ threads: 1 });
    setThreads(3);
    const info = await threadsReady();
    expect(info).toMatchObject({ threads: 3, workers: 2 });
    expect(activePool()?.pool.ready()).toBe(2);
    setThreads(2);
  });

  it("setThreads takes a whole number from 1 to 64 and reports it; anything else is a clear error", () => {
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) expect(() => setThreads(bad)).toThrow(/whole number from 1 to 64/);
    expect(setThreads(1)).toBe(1);
    expect(threadInfo().threads).toBe(1);
    expect(setThreads(2)).toBe(2);
    // A pool started for more threads is kept (its extra workers sleep): blocks are cut for 2 threads.
    expect(threadInfo()).toMatchObject({ threads: 2, workers: 2 });
    expect(threadInfo().cores).toBeGreaterThanOrEqual(1);
  });

  // These two run the built package in a child process, which no mutant of `pnpm mutate` reaches (and its sandbox has no dist).
  it.skipIf(process.env.GATED_MUTATION)("GATED_THREADS sets the default, and a bad value says what is wrong", () => {
    const script = `import("${dist}").then((k) => console.log(JSON.stringify(k.threadInfo())))`;
    const run = (value: string) => spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, GATED_THREADS: value }, encoding: "utf8" });
    expect(JSON.parse(run("1").stdout).threads).toBe(1);
    expect(JSON.parse(run("3").stdout).threads).toBe(3);
    const bad = run("many");
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/GATED_THREADS must be a whole number of threads from 1 to 64, got 'many'/);
  });

  it.skipIf(process.env.GATED_MUTATION)("a Node process whose kernels ran on worker threads exits when its work is done", () => {
    // A 512 x 512 product splits; the idle worker must not keep the process alive (it would hang until the timeout).
    const script = `import("${dist}").then((k) => { k.setThreads(2); const a = k.allocF32(512 * 512), c = k.allocF32(512 * 512); for (let i = 0; i < 50; i++) k.kernels.sgemm(false, false, 512, 512, 512, 1, a, 0, 512, a, 0, 512, 0, c, 0, 512); console.log(JSON.stringify(k.threadInfo())); })`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    const info = JSON.parse(out);
    expect(info.workers).toBe(1);
    expect(info.workerCalls).toBeGreaterThan(0);
  });
});

describe("a worker that fails", () => {
  /**
   * Jobs whose first block keeps the caller busy for milliseconds, so that a worker claims the second, `fault`
   * (on the calling thread a fault number does nothing): repeated until one throws, at most 20 times.
   */
  function jobWith(fault: number): void {
    const n = 384;
    const a = allocF32(n * n);
    const c = allocF32(n * n);
    for (let attempt = 0; attempt < 20; attempt++) {
      const use = activePool();
      expect(use).toBeDefined();
      const pool = use?.pool;
      pool?.begin();
      // A real block for the caller (sgemm, build 0, is kernel 0; its scratch pointer goes in argument 13).
      pool?.push(0, 13, [0, 0, n, n, n, 1, a.ptr, n, a.ptr, n, 0, c.ptr, n, 0]);
      pool?.push(fault, -1, []);
      pool?.run();
    }
  }

  /** After a failure, a split call still runs on a worker and gives one thread's bits. */
  const stillSplitsAlike = () =>
    sameBits(() => {
      const x = wasmF32From(randomF32(1 << 14, 9));
      (wasmBackends[0] as Kernels).tanh(x, x, 1 << 14);
      return [x.read()];
    });

  it("whose kernel throws makes the call throw that error, and the pool keeps working", async () => {
    await workersReady();
    expect(() => jobWith(INJECT.THROW)).toThrow(ThreadError);
    expect(() => jobWith(INJECT.THROW)).toThrow(/a kernel failed in worker thread \d: a failure injected by a test/);
    stillSplitsAlike();
  });

  it("a block that throws on the calling thread is thrown after the other blocks are done, and the next call is whole", async () => {
    await workersReady();
    const use = activePool();
    const n = 384;
    const a = allocF32(n * n);
    const c = allocF32(n * n);
    use?.pool.begin();
    use?.pool.push(29, -1, []); // no such kernel: the caller claims it first
    use?.pool.push(0, 13, [0, 0, n, n, n, 1, a.ptr, n, a.ptr, n, 0, c.ptr, n, 0]);
    expect(() => use?.pool.run()).toThrow(/no kernel number 29/);
    stillSplitsAlike();
  });

  it("that ends in the middle of a call is an error, not a hang; the kernels then run on one thread until setThreads", async () => {
    await workersReady();
    expect(() => jobWith(INJECT.EXIT)).toThrow(/a kernel worker thread exited before finishing its part of a call/);
    expect(threadInfo()).toMatchObject({ threads: 1, workers: 0 });
    expect(threadInfo().reason).toMatch(/setThreads/);
    // Still correct on one thread, and setThreads starts new workers.
    const x = wasmF32From(randomF32(1 << 14, 9));
    (wasmBackends[0] as Kernels).tanh(x, x, 1 << 14);
    await workersReady();
    expect(threadInfo()).toMatchObject({ threads: 2, workers: 1 });
  });
});
