// Turns kernel arguments into byte addresses in WebAssembly memory.
//
// A WasmF32, or a Float32Array that is a view of WebAssembly memory, is passed in place. Any other
// Float32Array is staged: copied into a heap block for the call (and copied back if the kernel writes it),
// then the block is released. All in-place addresses are taken before any staging block is allocated, because
// an allocation may grow memory and detach views of the old buffer.
import { heap } from "./instance.js";
import type { F32 } from "./types.js";
import { WasmF32 } from "./wasm-f32.js";

/** One argument: the array, its first element, how many elements the kernel touches, and how. */
export interface Arg {
  readonly x: F32;
  readonly offset: number;
  readonly extent: number;
  readonly mode: "in" | "out" | "inout";
}

interface Staged {
  readonly src: Float32Array;
  readonly offset: number;
  readonly extent: number;
  readonly ptr: number;
  write: boolean;
}

/** Calls `run` with the byte address of each argument's first element, staging what is not in WebAssembly memory. */
export function withPointers(args: readonly Arg[], run: (ptrs: readonly number[]) => void): void {
  const memoryBuffer = heap.memory.buffer;
  const ptrs = new Array<number>(args.length);
  const pending: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const { x, offset } = args[i] as Arg;
    if (x instanceof WasmF32) ptrs[i] = x.ptr + 4 * offset;
    else if (x.buffer === memoryBuffer) ptrs[i] = x.byteOffset + 4 * offset;
    else pending.push(i);
  }
  if (pending.length === 0) {
    run(ptrs);
    return;
  }
  const staged: Staged[] = [];
  try {
    for (const i of pending) {
      const { x, offset, extent, mode } = args[i] as Arg;
      const src = x as Float32Array;
      const writes = mode !== "in";
      // The same array and range passed twice (an in-place call) shares one staging block.
      const same = staged.find((s) => s.src === src && s.offset === offset && s.extent === extent);
      if (same) {
        same.write ||= writes;
        ptrs[i] = same.ptr;
        continue;
      }
      const ptr = heap.alloc(4 * extent);
      if (mode !== "out") heap.f32().set(src.subarray(offset, offset + extent), ptr / 4);
      staged.push({ src, offset, extent, ptr, write: writes });
      ptrs[i] = ptr;
    }
    run(ptrs);
    const view = heap.f32();
    for (const s of staged) if (s.write) s.src.set(view.subarray(s.ptr / 4, s.ptr / 4 + s.extent), s.offset);
  } finally {
    for (const s of staged) heap.release(s.ptr, 4 * s.extent);
  }
}
