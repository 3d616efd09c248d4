/**
 * @gated/kernels: WebAssembly SIMD kernels (sgemm, sgemv and packed products, activations and their
 * derivatives, row reductions, fused recurrent steps, optimiser steps), each with a plain-JS twin of the same
 * signature, and `RecurrentStepper`, a language model stepped token by token on pinned weights.
 *
 * `kernels` is the fastest set this engine runs: relaxed SIMD (fused multiply-add) where
 * `WebAssembly.validate` accepts it, plain SIMD otherwise. `wasmSimd`, `wasmRelaxedSimd` and `js` name each
 * implementation. Arguments may be ordinary Float32Arrays (copied in and out for the call) or WasmF32 buffers
 * from `allocF32`, which live in WebAssembly memory and are used in place. Nothing needs freeing. Large calls
 * run on every core (`setThreads`, `threadInfo`), with the same bits as on one.
 *
 * @example
 * import { kernels } from "@gated/kernels";
 * const a = new Float32Array([1, 2, 3, 4]), b = new Float32Array([5, 6, 7, 8]), c = new Float32Array(4);
 * kernels.sgemm(false, false, 2, 2, 2, 1, a, 0, 2, b, 0, 2, 0, c, 0, 2); // c = [19, 22, 43, 50]
 * @since 0.1.0
 */
import { checked } from "./check.js";
import { heap, relaxedRaw, simdRaw } from "./instance.js";
import { jsOps } from "./js/index.js";
import type { Kernels } from "./types.js";
import { WasmF32 } from "./wasm-f32.js";
import { wasmOps } from "./wasm.js";

export { KernelArgumentError, ThreadError, WasmMemoryError } from "./errors.js";
import type { HeapStats } from "./heap.js";
export type { HeapStats } from "./heap.js";
export type { Backend, F32, KernelOps, Kernels } from "./types.js";
export { RecurrentStepper, type StepperLayer, type StepperMode, type StepperSpec } from "./stepper.js";
export { setThreads, type ThreadInfo, threadInfo, threadsReady } from "./threads.js";
export { WasmF32 } from "./wasm-f32.js";

/** The plain WebAssembly SIMD kernels. */
export const wasmSimd: Kernels = checked("wasm-simd", wasmOps(simdRaw, 0));

/** The relaxed-SIMD kernels (fused multiply-add in sgemm), or undefined where the engine lacks relaxed SIMD. */
export const wasmRelaxedSimd: Kernels | undefined = relaxedRaw ? checked("wasm-relaxed-simd", wasmOps(relaxedRaw, 1)) : undefined;

/** The plain-JS twins: the reference every WebAssembly kernel is tested against. */
export const js: Kernels = checked("js", jsOps);

/** The fastest kernels this engine runs. */
export const kernels: Kernels = wasmRelaxedSimd ?? wasmSimd;

/**
 * A float32 buffer of `length` elements in WebAssembly memory, reclaimed when unreachable. Zero-filled unless
 * `zero` is false (for a buffer the caller overwrites whole: its contents are then unspecified).
 */
export function allocF32(length: number, zero = true): WasmF32 {
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`allocF32: length must be a non-negative integer, got ${length}`);
  const buf = new WasmF32(heap, length);
  if (zero) buf.view().fill(0);
  return buf;
}

/** A WasmF32 holding a copy of `values`. */
export function wasmF32From(values: ArrayLike<number>): WasmF32 {
  return new WasmF32(heap, values.length).write(values);
}

/** Byte counts of the WebAssembly heap (live, free, top, memory size). */
export function heapStats(): HeapStats {
  return heap.stats();
}
