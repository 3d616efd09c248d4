import { setFlagsFromString } from "node:v8";
import fc from "fast-check";

// Node 20 validates relaxed SIMD only behind this V8 flag: set it before the kernels module is imported, so
// that the relaxed build is what these tests run.
setFlagsFromString("--experimental-wasm-relaxed-simd");

// Property tests explore new random cases on every local run; in CI they replay one fixed seed, so that a
// landing never depends on luck (a failure prints its seed either way).
if (process.env.CI) fc.configureGlobal({ seed: 20261125 });
