import type { F32 } from "../types.js";
import { WasmF32 } from "../wasm-f32.js";

/** The Float32Array behind an argument; for a WasmF32, a view valid until the next WebAssembly allocation. */
export function data(x: F32): Float32Array {
  return x instanceof WasmF32 ? x.view() : x;
}
