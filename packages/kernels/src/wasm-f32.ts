import { KernelArgumentError } from "./errors.js";
import type { Heap } from "./heap.js";

interface Block {
  readonly heap: Heap;
  readonly ptr: number;
  readonly bytes: number;
}

const reclaim = new FinalizationRegistry<Block>((b) => b.heap.release(b.ptr, b.bytes));

/**
 * A float32 array that lives in WebAssembly memory: kernels read and write it in place, with no copy.
 *
 * It holds a byte address, never a view, so it stays valid when memory grows. Its memory returns to the heap
 * when the handle is garbage-collected; `free()` returns it at once (for library code that knows a buffer is
 * dead). `view()` gives a Float32Array that is valid only until the next allocation.
 *
 * @example
 * const x = allocF32(4); x.write([1, -2, 3, -4]); kernels.relu(x, x, 4); x.read(); // Float32Array [1, 0, 3, 0]
 * @since 0.1.0
 */
export class WasmF32 {
  #ptr: number;
  readonly #heap: Heap;
  readonly #token = {};

  /** @internal Buffers are made by `allocF32` and `wasmF32From`. */
  constructor(
    heap: Heap,
    readonly length: number,
  ) {
    this.#heap = heap;
    const bytes = length * 4;
    this.#ptr = heap.alloc(bytes);
    reclaim.register(this, { heap, ptr: this.#ptr, bytes }, this.#token);
  }

  /** Byte address in WebAssembly memory; throws once the buffer has been freed. */
  get ptr(): number {
    if (this.#ptr < 0) throw new KernelArgumentError("WasmF32", "ptr", "belongs to a buffer that was freed: it cannot be used again");
    return this.#ptr;
  }

  /** True until `free()` is called. */
  get alive(): boolean {
    return this.#ptr >= 0;
  }

  /** A view of the data, valid until the next WebAssembly allocation (memory growth detaches it). */
  view(): Float32Array {
    const p = this.ptr / 4;
    return this.#heap.f32().subarray(p, p + this.length);
  }

  /** A copy of the data in ordinary JS memory. */
  read(): Float32Array {
    return this.view().slice();
  }

  /** Copies `src` into this buffer starting at element `offset`. */
  write(src: ArrayLike<number>, offset = 0): this {
    if (!Number.isInteger(offset) || offset < 0 || offset + src.length > this.length) {
      throw new KernelArgumentError("WasmF32.write", "offset", `${offset} with ${src.length} values does not fit a buffer of ${this.length}`);
    }
    this.view().set(src, offset);
    return this;
  }

  /** Returns the memory to the heap now. Optional: an unreachable buffer is reclaimed anyway. */
  free(): void {
    if (this.#ptr < 0) return;
    reclaim.unregister(this.#token);
    this.#heap.release(this.#ptr, this.length * 4);
    this.#ptr = -1;
  }
}
