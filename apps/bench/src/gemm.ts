// Suite "gemm": GFLOP/s of sgemm (C = A B, row-major, float32) for gated's WebAssembly kernels (plain and
// relaxed SIMD) at each thread count asked for, the naive JS triple loop (gated's JS twin) and tfjs-wasm's
// matMul (both one thread: tfjs-wasm has no threads in Node), on the same shapes, side by side. Every
// implementation's result is checked against the naive loop before it is timed.
import { allocF32, js, type Kernels, setThreads, threadsReady, wasmF32From, wasmRelaxedSimd, wasmSimd } from "@gated/kernels";
import { key, uniform } from "@gated/random";
import type { BenchRecord, GemmImpl } from "./records.js";
import { table } from "./records.js";
import { tfjsWasm } from "./tfjs.js";
import { timeCall } from "./timing.js";

/** [M, K, N]: square sizes, then the LSTM shapes (batch 32 x input+hidden 320 x 4H 1024, and so on). */
export const GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  [64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512],
  [32, 320, 1024], [32, 192, 512], [1, 320, 1024],
];

/** n floats in [-1, 1) from the seed's key. */
function random(n: number, seed: number): Float32Array {
  return Float32Array.from(uniform(key(seed), n), (u) => 2 * u - 1);
}

/** Largest |got - want| relative to the product's scale sqrt(K) (entries are in [-1, 1)). */
function error(got: Float32Array, want: Float32Array, k: number): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs((got[i] as number) - (want[i] as number)));
  return e / Math.sqrt(k);
}

export interface GemmOptions {
  readonly seconds: number;
  /** Thread counts for gated's kernels (default: one). */
  readonly threads?: readonly number[];
  readonly log: (line: string) => void;
  readonly shapes?: readonly (readonly [number, number, number])[];
}

export async function runGemm({ seconds, log, shapes = GEMM_SHAPES, threads = [1] }: GemmOptions): Promise<BenchRecord[]> {
  const tf = await tfjsWasm();
  const records: Extract<BenchRecord, { suite: "gemm" }>[] = [];
  const gatedImpls: GemmImpl[] = ["gated-wasm", ...(wasmRelaxedSimd ? (["gated-wasm-relaxed"] as const) : [])];
  // Columns: each gated build at each thread count, then the one-thread references.
  const columns: { impl: GemmImpl; threads: number }[] = [
    ...gatedImpls.flatMap((impl) => threads.map((t) => ({ impl, threads: t }))),
    { impl: "js-naive", threads: 1 },
    { impl: "tfjs-wasm", threads: 1 },
  ];
  const label = (c: { impl: GemmImpl; threads: number }) => (c.impl.startsWith("gated") && threads.length > 1 ? `${c.impl} ${c.threads}t` : c.impl);
  log(
    `gemm: C = A B, float32; gated at ${threads.join(", ")} thread(s), js-naive and tfjs-wasm on one; ${seconds}s per case; relaxed SIMD ${wasmRelaxedSimd ? "available" : "not available (run with node --experimental-wasm-relaxed-simd)"}`,
  );
  const rows: string[][] = [];
  for (const [m, k, n] of shapes) {
    const shape = `${m}x${k}x${n}`;
    const flops = 2 * m * n * k;
    const a = random(m * k, m + k);
    const b = random(k * n, k + n);
    const want = new Float32Array(m * n);
    js.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, want, 0, n);
    const result = new Map<string, number>();
    for (const column of columns) {
      const { impl } = column;
      let run: () => void;
      let check: () => Float32Array;
      let done = () => {};
      setThreads(column.threads);
      await threadsReady();
      if (impl === "tfjs-wasm") {
        const ta = tf.tensor2d(a, [m, k]);
        const tb = tf.tensor2d(b, [k, n]);
        run = () => tf.matMul(ta, tb).dispose();
        check = () => {
          const t = tf.matMul(ta, tb);
          const out = t.dataSync() as Float32Array;
          t.dispose();
          return out;
        };
        done = () => {
          ta.dispose();
          tb.dispose();
        };
      } else {
        const K: Kernels = impl === "js-naive" ? js : impl === "gated-wasm" ? wasmSimd : (wasmRelaxedSimd as Kernels);
        const wa = wasmF32From(a);
        const wb = wasmF32From(b);
        const wc = allocF32(m * n);
        run = () => K.sgemm(false, false, m, n, k, 1, wa, 0, k, wb, 0, n, 0, wc, 0, n);
        check = () => {
          run();
          return wc.read();
        };
      }
      const err = error(check(), want, k);
      if (!(err < 1e-5)) throw new Error(`${impl} computes a wrong product on ${shape}: scaled error ${err}`);
      const secondsPerCall = timeCall(run, { seconds: impl === "js-naive" ? Math.min(seconds, 0.5) : seconds });
      done();
      const gflops = flops / secondsPerCall / 1e9;
      result.set(label(column), gflops);
      records.push({ suite: "gemm", shape, impl, threads: column.threads, gflops });
    }
    const ref = result.get("tfjs-wasm") as number;
    rows.push([shape, ...columns.map((c) => `${(result.get(label(c)) as number).toFixed(c.impl === "js-naive" ? 2 : 1)} (${((result.get(label(c)) as number) / ref).toFixed(2)}x)`)]);
  }
  log(table(["M x K x N", ...columns.map(label)], rows));
  log("GFLOP/s (ratio to tfjs-wasm); every result checked against the naive loop before timing.");
  if (threads.length > 1 && threads.includes(1)) {
    const best = wasmRelaxedSimd ? "gated-wasm-relaxed" : "gated-wasm";
    const speedups = threads.filter((t) => t > 1).map((t) => {
      const per = records.filter((r) => r.impl === best);
      const cells = shapes.map(([m, k, n]) => {
        const shape = `${m}x${k}x${n}`;
        const at = (th: number) => per.find((r) => r.shape === shape && r.threads === th)?.gflops as number;
        return `${shape} ${(at(t) / at(1)).toFixed(2)}x`;
      });
      return `${best} with ${t} threads / 1 thread: ${cells.join(", ")}`;
    });
    for (const line of speedups) log(line);
  }
  return records;
}
