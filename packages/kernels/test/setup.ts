// Node 20 validates relaxed SIMD only behind this V8 flag; set it before the kernels module is imported so
// that the relaxed build is tested too. (A test below checks the fallback without the flag.)
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
