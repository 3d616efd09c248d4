// Suite "gemm": GFLOP/s of sgemm (C = A B, row-major, float32) for gated's WebAssembly kernels (plain and
// relaxed SIMD), the naive JS triple loop (gated's JS twin) and tfjs-wasm's matMul, on the same shapes, one
// thread, side by side. Every implementation's result is checked against the naive loop before it is timed.
import { allocF32, js, type Kernels, wasmF32From, wasmRelaxedSimd, wasmSimd } from "@gated/kernels";
import type { BenchRecord, GemmImpl } from "./records.js";
import { table } from "./records.js";
import { tfjsWasm } from "./tfjs.js";
import { timeCall } from "./timing.js";

/** [M, K, N]: square sizes, then the LSTM shapes (batch 32 x input+hidden 320 x 4H 1024, and so on). */
export const GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  [64, 64, 64], [128, 128, 128], [256, 256, 256], [512, 512, 512],
  [32, 320, 1024], [32, 192, 512], [1, 320, 1024],
];

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Largest |got - want| relative to the product's scale sqrt(K) (entries are in [-1, 1)). */
function error(got: Float32Array, want: Float32Array, k: number): number {
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs((got[i] as number) - (want[i] as number)));
  return e / Math.sqrt(k);
}

export interface GemmOptions {
  readonly seconds: number;
  readonly log: (line: string) => void;
  readonly shapes?: readonly (readonly [number, number, number])[];
}

export async function runGemm({ seconds, log, shapes = GEMM_SHAPES }: GemmOptions): Promise<BenchRecord[]> {
  const tf = await tfjsWasm();
  const records: BenchRecord[] = [];
  const impls: GemmImpl[] = ["gated-wasm", ...(wasmRelaxedSimd ? (["gated-wasm-relaxed"] as const) : []), "js-naive", "tfjs-wasm"];
  log(`gemm: C = A B, float32, one thread; ${seconds}s per case; relaxed SIMD ${wasmRelaxedSimd ? "available" : "not available (run with node --experimental-wasm-relaxed-simd)"}`);
  const rows: string[][] = [];
  for (const [m, k, n] of shapes) {
    const shape = `${m}x${k}x${n}`;
    const flops = 2 * m * n * k;
    const a = random(m * k, m + k);
    const b = random(k * n, k + n);
    const want = new Float32Array(m * n);
    js.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, want, 0, n);
    const result: Partial<Record<GemmImpl, number>> = {};
    for (const impl of impls) {
      let run: () => void;
      let check: () => Float32Array;
      let done = () => {};
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
      result[impl] = gflops;
      records.push({ suite: "gemm", shape, impl, gflops });
    }
    const ref = result["tfjs-wasm"] as number;
    rows.push([shape, ...impls.map((impl) => `${(result[impl] as number).toFixed(impl === "js-naive" ? 2 : 1)} (${((result[impl] as number) / ref).toFixed(2)}x)`)]);
  }
  log(table(["M x K x N", ...impls], rows));
  log("GFLOP/s (ratio to tfjs-wasm); every result checked against the naive loop before timing.");
  return records;
}
