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
  ptr: number;
  read: boolean;
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
  // The same array and range passed twice (an in-place call) shares one staging block; merge modes first.
  const staged: Staged[] = [];
  const slot = new Array<Staged>(args.length);
  for (const i of pending) {
    const { x, offset, extent, mode } = args[i] as Arg;
    const src = x as Float32Array;
    let s = staged.find((t) => t.src === src && t.offset === offset && t.extent === extent);
    if (s === undefined) {
      s = { src, offset, extent, ptr: -1, read: false, write: false };
      staged.push(s);
    }
    s.read ||= mode !== "out";
    s.write ||= mode !== "in";
    slot[i] = s;
  }
  try {
    for (const s of staged) {
      s.ptr = heap.alloc(4 * s.extent);
      if (s.read) heap.f32().set(s.src.subarray(s.offset, s.offset + s.extent), s.ptr / 4);
    }
    for (const i of pending) ptrs[i] = (slot[i] as Staged).ptr;
    run(ptrs);
    const view = heap.f32();
    for (const s of staged) if (s.write) s.src.set(view.subarray(s.ptr / 4, s.ptr / 4 + s.extent), s.offset);
  } finally {
    for (const s of staged) if (s.ptr >= 0) heap.release(s.ptr, 4 * s.extent);
  }
}
