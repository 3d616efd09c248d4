// The allocation scheme for WebAssembly memory (one memory, shared by the plain and the relaxed SIMD module).
//
// Layout: bytes [0, base) hold the modules' static data; the heap owns [base, memory end). Blocks are 16-byte
// aligned and rounded up to a size class (multiples of 16 bytes up to 256, then 8 classes per power of two, so
// at most 12.5% is wasted). A freed block goes on its class's free list and is handed out again for the next
// request of that class; a block freed at the top of the heap lowers the top instead, and so does every free
// block that then ends at the top (cascading), so when a computation frees all it allocated, the heap shrinks
// back to its long-lived blocks whatever the order of the frees. Training loops allocate the same shapes step
// after step and reuse blocks; loops whose shapes vary (batches of different lengths) get the space back.
//
// Growth: when the top passes the end of memory, memory grows by at least half its size (amortised). Growing
// an unshared memory detaches every Float32Array view of the old buffer (a shared one leaves old views valid but
// short), so nothing here keeps a view across an allocation:
// `f32()` re-creates the whole-memory view whenever `memory.buffer` has changed, and handles (WasmF32) store
// byte addresses, never views.
//
// Reclaiming: a WasmF32 handle returns its block when it is garbage-collected (FinalizationRegistry), or at once
// when library code calls `free()`. Users never have to free anything.
import { WasmMemoryError } from "./errors.js";

const PAGE = 65536;
const MAX_PAGES = 65536;

/** Rounds a request up to its size class (bytes). */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return Math.max(16, Math.ceil(bytes / 16) * 16);
  const e = 31 - Math.clz32(bytes - 1);
  const step = 2 ** (e - 3);
  return Math.ceil(bytes / step) * step;
}

/**
 * What the heap needs of a `WebAssembly.Memory`, written out so that the published types do not require the DOM
 * library's `WebAssembly` namespace (a Node project compiled without lib "DOM" does not have it).
 */
export interface LinearMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** Byte counts that describe the heap, for tests and for memory reports. */
export interface HeapStats {
  /** Bytes in blocks handed out and not yet returned. */
  readonly liveBytes: number;
  /** Bytes in blocks on free lists, ready for reuse. */
  readonly freeBytes: number;
  /** Current top of the heap (highest byte ever in use, less blocks trimmed at the top). */
  readonly topBytes: number;
  /** Size of WebAssembly memory. */
  readonly memoryBytes: number;
}

export class Heap {
  private top: number;
  private live = 0;
  private freeTotal = 0;
  private readonly freeLists = new Map<number, Set<number>>();
  /** Free blocks by end address, for cascading trims of the top. */
  private readonly freeByEnd = new Map<number, { readonly ptr: number; readonly cls: number }>();
  private view: Float32Array;

  constructor(
    readonly memory: LinearMemory,
    readonly base: number,
  ) {
    this.top = Math.ceil(base / 16) * 16;
    this.view = new Float32Array(memory.buffer);
  }

  /** A Float32Array over all of memory, valid until the next allocation (which may grow memory). */
  f32(): Float32Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
    return this.view;
  }

  /** Allocates at least `bytes` bytes, 16-byte aligned; returns the byte address. */
  alloc(bytes: number): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new WasmMemoryError(`cannot allocate ${bytes} bytes: expected a non-negative integer`);
    if (bytes > 2 ** 31) throw new WasmMemoryError(`cannot allocate ${bytes} bytes: WebAssembly memory holds at most 4 GiB and one block at most 2 GiB`);
    const cls = sizeClass(bytes);
    const list = this.freeLists.get(cls);
    if (list !== undefined && list.size > 0) {
      const reused = list.values().next().value as number;
      list.delete(reused);
      this.freeByEnd.delete(reused + cls);
      this.freeTotal -= cls;
      this.live += cls;
      return reused;
    }
    const ptr = this.top;
    this.ensure(ptr + cls);
    this.top = ptr + cls;
    this.live += cls;
    return ptr;
  }

  /** Returns a block from `alloc(bytes)`. */
  release(ptr: number, bytes: number): void {
    const cls = sizeClass(bytes);
    this.live -= cls;
    if (ptr + cls === this.top) {
      this.top = ptr;
      for (let below = this.freeByEnd.get(this.top); below !== undefined; below = this.freeByEnd.get(this.top)) {
        this.freeByEnd.delete(this.top);
        this.freeLists.get(below.cls)?.delete(below.ptr);
        this.freeTotal -= below.cls;
        this.top = below.ptr;
      }
      return;
    }
    let list = this.freeLists.get(cls);
    if (list === undefined) {
      list = new Set();
      this.freeLists.set(cls, list);
    }
    list.add(ptr);
    this.freeByEnd.set(ptr + cls, { ptr, cls });
    this.freeTotal += cls;
  }

  stats(): HeapStats {
    return { liveBytes: this.live, freeBytes: this.freeTotal, topBytes: this.top - this.base, memoryBytes: this.memory.buffer.byteLength };
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const havePages = have / PAGE;
    const needPages = Math.ceil((end - have) / PAGE);
    const wantPages = Math.min(Math.max(needPages, Math.ceil(havePages / 2)), MAX_PAGES - havePages);
    for (const pages of [wantPages, needPages]) {
      if (pages < needPages) continue;
      try {
        this.memory.grow(pages);
        return;
      } catch {
        // try the smaller request, then give up
      }
    }
    throw new WasmMemoryError(
      `WebAssembly memory cannot grow to ${end} bytes (it holds ${have} bytes, ${this.live} of them live): ` +
        "use smaller batches or models, or let unused tensors go out of scope",
    );
  }
}
