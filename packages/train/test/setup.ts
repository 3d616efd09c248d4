// Node 20 validates relaxed SIMD only behind this V8 flag: set it so the float32 path runs on the kernels users get.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--experimental-wasm-relaxed-simd");
