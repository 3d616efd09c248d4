// Where a tensor's numbers live, and when WebAssembly memory is used and returned.
//
// float64 numbers live in a Float64Array (the reference dtype for gradient checks). float32 numbers live either
// in WebAssembly memory (a WasmF32: kernels run on it in place) or in an ordinary Float32Array ("host").
//
// The rule that keeps memory deterministic with no dispose and no finaliser: WebAssembly memory is used only
// inside an allocation scope. Transforms (valueAndGrad, vjp, ...) run their whole computation in one scope, and
// an operation called outside any transform runs in a scope of its own. In a scope:
// - new float32 storage is allocated in WebAssembly memory and recorded;
// - a host storage that a kernel needs is mirrored into WebAssembly memory once (cached for the scope).
// When the scope ends, every recorded block is freed, except the storages the results use: an enclosing scope
// takes those over, and at the outermost level they move to host memory, where the JS garbage collector owns
// them like any other array. So WebAssembly memory holds the working set of the running computation, plus:
//
// Pinned mirrors. Tensors are immutable, so a large host storage that kernels read in a second scope (a model's
// weights, evaluated batch after batch) keeps its mirror instead of being copied in again every call. Pinned
// mirrors are bounded: past a budget (default 256 MiB, `setPinnedBudget`) the least recently used is freed, and
// a pinned mirror is freed with its storage when the garbage collector takes that. A storage read in one scope
// only (the parameters of one training step, replaced by the optimiser) is never pinned, so training memory
// stays flat.
import { allocF32, type WasmF32 } from "@gated/kernels";

export type DType = "float32" | "float64";

interface Scope {
  readonly owned: Set<Storage>;
  readonly mirrors: Storage[];
  active: boolean;
}

const scopes: Scope[] = [];

/** Host storages smaller than this are copied per scope (cheap); larger ones may be pinned. */
const PIN_MIN_BYTES = 16 * 1024;

interface Pin {
  readonly mirror: WasmF32;
  readonly bytes: number;
  /** The last scope that read it: while that scope runs, the mirror is in use and is not evicted. */
  usedIn: Scope;
}

/** Pinned mirrors, least recently used first. */
const pinned = new Map<Pin, true>();
let pinnedBytes = 0;
let pinnedBudget = 256 * 1024 * 1024;
/** Bytes copied from host storages into WebAssembly memory so far (a test's measure of copies saved). */
let mirroredBytes = 0;

function unpin(pin: Pin): void {
  if (!pinned.delete(pin)) return;
  pinnedBytes -= pin.bytes;
  pin.mirror.free();
}

/** A storage collected by the garbage collector takes its pinned mirror with it. */
const unpinWhenCollected = new FinalizationRegistry<Pin>(unpin);

/**
 * The most WebAssembly memory that pinned mirrors of immutable host tensors may hold (default 256 MiB); lowering
 * it frees the least recently used at once. 0 turns pinning off.
 */
export function setPinnedBudget(bytes: number): void {
  if (!(Number.isSafeInteger(bytes) && bytes >= 0)) throw new RangeError(`setPinnedBudget: bytes must be a non-negative integer, got ${bytes}`);
  pinnedBudget = bytes;
  evict();
}

/** Frees least recently used pinned mirrors until they fit the budget, skipping those a running scope reads. */
function evict(): void {
  for (const pin of pinned.keys()) {
    if (pinnedBytes <= pinnedBudget) return;
    if (!pin.usedIn.active) unpin(pin);
  }
}

/** Byte counts of the mirrors of host storages, for tests and memory reports. */
export function mirrorStats(): { readonly pinnedBytes: number; readonly pinnedBudget: number; readonly mirroredBytes: number } {
  return { pinnedBytes, pinnedBudget, mirroredBytes };
}

const current = (): Scope | undefined => scopes[scopes.length - 1];

export class Storage {
  private host: Float32Array | Float64Array | undefined;
  private buf: WasmF32 | undefined;
  private mirror: WasmF32 | undefined;
  private mirrorScope: Scope | undefined;
  /** Scopes this host storage was mirrored in so far (a second one pins it, if large). */
  private mirrorCount = 0;
  private pin: Pin | undefined;

  private constructor(
    readonly dtype: DType,
    readonly length: number,
  ) {}

  /** New storage of `length` elements, contents unspecified (float64 and host float32 start at zero). */
  static alloc(dtype: DType, length: number): Storage {
    const s = new Storage(dtype, length);
    const scope = current();
    if (dtype === "float64") s.host = new Float64Array(length);
    else if (scope === undefined) s.host = new Float32Array(length);
    else {
      s.buf = allocF32(length, false);
      scope.owned.add(s);
    }
    return s;
  }

  /** Host storage over `array` itself (no copy). */
  static adopt(array: Float32Array | Float64Array): Storage {
    const s = new Storage(array instanceof Float64Array ? "float64" : "float32", array.length);
    s.host = array;
    return s;
  }

  /** Storage holding a copy of `values`. */
  static from(dtype: DType, values: ArrayLike<number>): Storage {
    const s = Storage.alloc(dtype, values.length);
    s.view().set(values);
    return s;
  }

  /**
   * The numbers. For float32 in WebAssembly memory this view is valid only until the next float32 allocation
   * (memory may grow): allocate outputs first, then take views.
   */
  view(): Float32Array | Float64Array {
    return this.host ?? this.live().view();
  }

  private live(): WasmF32 {
    if (this.buf === undefined) {
      throw new Error(
        "this tensor was an intermediate value of a transform (valueAndGrad, vjp, ...) that has returned, and its memory was reclaimed: return it from the function (e.g. as aux) to keep it",
      );
    }
    return this.buf;
  }

  /** The numbers in WebAssembly memory, for a kernel (float32 only; inside a scope). */
  wasm(): WasmF32 {
    if (this.buf !== undefined) return this.buf;
    const scope = current();
    if (scope === undefined) throw new Error("internal: a kernel ran outside an allocation scope");
    const pin = this.pin;
    if (pin !== undefined && pin.mirror.alive) {
      // Most recently used: to the end of the eviction order.
      pinned.delete(pin);
      pinned.set(pin, true);
      pin.usedIn = scope;
      return pin.mirror;
    }
    if (this.mirror === undefined || this.mirrorScope?.active !== true) {
      const bytes = 4 * this.length;
      this.mirrorCount++;
      mirroredBytes += bytes;
      if (this.mirrorCount >= 2 && bytes >= PIN_MIN_BYTES && bytes <= pinnedBudget) return this.pinMirror(bytes, scope);
      this.mirror = allocF32(this.length, false);
      this.mirror.write(this.host as Float32Array);
      this.mirrorScope = scope;
      scope.mirrors.push(this);
    }
    return this.mirror;
  }

  /** A mirror that outlives the scope: kept until evicted or until this storage is collected. */
  private pinMirror(bytes: number, scope: Scope): WasmF32 {
    const mirror = allocF32(this.length, false).write(this.host as Float32Array);
    const pin: Pin = { mirror, bytes, usedIn: scope };
    this.pin = pin;
    pinned.set(pin, true);
    pinnedBytes += bytes;
    unpinWhenCollected.register(this, pin);
    evict();
    return mirror;
  }

  /** A copy of the numbers in ordinary JS memory. */
  read(): Float32Array | Float64Array {
    return this.host ? this.host.slice() : this.live().read();
  }

  /** Moves WebAssembly-resident numbers to host memory. */
  private toHost(): void {
    if (this.buf === undefined) return;
    this.host = this.buf.read();
    this.buf.free();
    this.buf = undefined;
  }

  private dropMirror(): void {
    this.mirror?.free();
    this.mirror = undefined;
    this.mirrorScope = undefined;
  }

  /** Ends a scope: frees what it owns but `kept`, hands kept storage to the parent (or to host memory). */
  static endScope(scope: Scope, kept: ReadonlySet<Storage>): void {
    scope.active = false;
    // Pinned mirrors this scope kept from eviction may go now.
    if (pinnedBytes > pinnedBudget) evict();
    for (const s of scope.mirrors) if (s.mirrorScope === scope) s.dropMirror();
    const parent = current();
    for (const s of scope.owned) {
      if (!kept.has(s)) {
        s.buf?.free();
        s.buf = undefined;
      } else if (parent !== undefined) parent.owned.add(s);
      else s.toHost();
    }
  }
}

/** True inside an allocation scope (a transform, or an operation's own scope). */
export const inScope = (): boolean => scopes.length > 0;

/**
 * Runs `f` in an allocation scope. When it returns, everything allocated inside is freed except the storages
 * `keep` lists, which pass to the enclosing scope (or, at the outermost level, to host memory). If `f` throws,
 * everything allocated inside is freed.
 */
export function withScope<A>(f: () => A, keep: (result: A) => Iterable<Storage>): A {
  const scope: Scope = { owned: new Set(), mirrors: [], active: true };
  scopes.push(scope);
  let result: A;
  try {
    result = f();
  } catch (e) {
    scopes.pop();
    Storage.endScope(scope, new Set());
    throw e;
  }
  scopes.pop();
  Storage.endScope(scope, new Set(keep(result)));
  return result;
}
