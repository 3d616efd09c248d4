// Shared helpers for the kernel tests: the backends under test, random data, and closeness checks.
import { key, uniform } from "@gated/random";
import type fc from "fast-check";
import { js, type Kernels, wasmRelaxedSimd, wasmSimd } from "../src/index.js";

/** Every WebAssembly backend this engine runs (the setup file enables relaxed SIMD in Node 20). */
export const wasmBackends: readonly Kernels[] = [wasmSimd, ...(wasmRelaxedSimd ? [wasmRelaxedSimd] : [])];
export { js };

/** Deterministic pseudo-random floats in [-scale, scale) (`@gated/random`), so a failing case can be replayed. */
export function randomF32(n: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from(uniform(key(seed), n), (u) => scale * (2 * u - 1));
}

/** Same class: both NaN, or equal infinities, or both finite. */
export function sameClass(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return true;
}

/** First index where |got - want| > atol + rtol * |want| (or the IEEE class differs), or -1. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, atol: number): number {
  if (got.length !== want.length) return 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i] as number;
    const w = want[i] as number;
    if (!sameClass(g, w)) return i;
    if (Number.isFinite(w) && Math.abs(g - w) > atol + rtol * Math.abs(w)) return i;
  }
  return -1;
}

/** fast-check settings shared by the suites: bounded runs; fast-check prints the seed of a failure. */
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns });
