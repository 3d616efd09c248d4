// Imported first by the apps' entry points (before anything that loads @gated/kernels): lets Node 20 validate
// WebAssembly relaxed SIMD, so that the kernels use the fused multiply-add GEMM. Node 22 and later, and
// browsers, have relaxed SIMD on already; there the flag changes nothing.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
