// Where a tensor's numbers live: float32 in WebAssembly memory (a WasmF32, so kernels run in place), float64 in
// a JS Float64Array (the reference dtype for gradient checks).
//
// Reclaiming: a WasmF32 returns its memory when it is garbage-collected, but a synchronous training loop never
// gives the finaliser a chance to run. So the transforms (vjp, grad, valueAndGrad) run their function inside an
// allocation scope: every float32 storage allocated in the scope is recorded, and when the scope ends, each one
// that the results do not use is freed at once. Scopes nest: what an inner scope keeps passes to the outer one.
// Users never see any of this.
import { allocF32, type WasmF32 } from "@gated/kernels";

export type DType = "float32" | "float64";

export class Storage {
  private constructor(
    readonly dtype: DType,
    readonly length: number,
    private readonly f32: WasmF32 | undefined,
    private readonly f64: Float64Array | undefined,
  ) {}

  /** New storage of `length` elements; zero-filled only when `zero` (float64 always is). */
  static alloc(dtype: DType, length: number, zero = false): Storage {
    if (dtype === "float64") return new Storage(dtype, length, undefined, new Float64Array(length));
    const s = new Storage(dtype, length, allocF32(length, zero), undefined);
    scopes[scopes.length - 1]?.add(s);
    return s;
  }

  /** Storage holding a copy of `values`. */
  static from(dtype: DType, values: ArrayLike<number>): Storage {
    const s = Storage.alloc(dtype, values.length);
    s.view().set(values);
    return s;
  }

  /**
   * The numbers. For float32 this is a view of WebAssembly memory that is valid only until the next float32
   * allocation (memory may grow): allocate outputs first, then take views.
   */
  view(): Float32Array | Float64Array {
    return this.f64 ?? (this.f32 as WasmF32).view();
  }

  /** The WebAssembly buffer (float32 only). */
  wasm(): WasmF32 {
    return this.f32 as WasmF32;
  }

  /** A copy of the numbers in ordinary JS memory. */
  read(): Float32Array | Float64Array {
    return this.f64 ? this.f64.slice() : (this.f32 as WasmF32).read();
  }

  /** Frees float32 memory now (library use only: the storage must be dead). */
  free(): void {
    this.f32?.free();
  }
}

const scopes: Set<Storage>[] = [];

/**
 * Runs `f` in an allocation scope; when it returns, frees every float32 storage allocated inside that `keep`
 * does not list (those pass to the enclosing scope). If `f` throws, everything allocated inside is freed.
 */
export function withScope<A>(f: () => A, keep: (result: A) => Iterable<Storage>): A {
  const scope = new Set<Storage>();
  scopes.push(scope);
  let result: A;
  try {
    result = f();
  } catch (e) {
    scopes.pop();
    for (const s of scope) s.free();
    throw e;
  }
  scopes.pop();
  const kept = new Set(keep(result));
  const parent = scopes[scopes.length - 1];
  for (const s of scope) {
    if (kept.has(s)) parent?.add(s);
    else s.free();
  }
  return result;
}
