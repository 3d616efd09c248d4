// TensorFlow.js on its WebAssembly backend (XNNPACK, SIMD), one thread, as the reference in every suite.
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradient rules; the @tensorflow/tfjs bundle registers them on import.
import "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

let ready: Promise<typeof tf> | undefined;

/** Initialises tfjs-wasm once, single-threaded (Node has no tfjs-wasm threads anyway); resolves to tf. */
export function tfjsWasm(): Promise<typeof tf> {
  ready ??= (async () => {
    setThreadsCount(1);
    const ok = await tf.setBackend("wasm");
    if (!ok || tf.getBackend() !== "wasm") throw new Error("tfjs-backend-wasm did not initialise");
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
    if (simd !== true) throw new Error("tfjs-backend-wasm runs without SIMD here: the comparison would be unfair to it");
    // V8 runs tfjs-wasm's large module on its baseline compiler first; its hot matmul code is optimised only
    // after about a second of use (measured: 22 GFLOP/s before, 43 after). Warm it up once, untimed.
    const a = tf.randomNormal([256, 256], 0, 1, "float32", 1);
    const end = performance.now() + 1500;
    while (performance.now() < end) tf.matMul(a, a).dispose();
    a.dispose();
    return tf;
  })();
  return ready;
}
