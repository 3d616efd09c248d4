// Instantiates the embedded WebAssembly kernels synchronously, on one memory.
//
// Both builds import the same WebAssembly.Memory, so a WasmF32 allocated once works with either. Their static
// data (the log table of Mathf.log) is identical and sits below the heap base. The relaxed-SIMD build is used
// only where WebAssembly.validate accepts it (Chromium does; Node 20 needs --experimental-wasm-relaxed-simd).
//
// The memory is shared (a SharedArrayBuffer) wherever the engine allows it, so that worker threads (threads.ts)
// can instantiate the same modules on it; otherwise (a page that is not cross-origin isolated) it is ordinary
// memory, the modules are patched to import it (see scripts/build.mjs), and the kernels run on one thread.
import {
  RELAXED_SIMD_WASM_BASE64,
  RELAXED_SIMD_WASM_SHARED_FLAG_OFFSET,
  SIMD_WASM_BASE64,
  SIMD_WASM_SHARED_FLAG_OFFSET,
} from "./generated/wasm.js";
import { Heap } from "./heap.js";

/** The raw exports of the kernels module: byte pointers and sizes, no checks. */
export interface RawKernels {
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: number, lda: number, b: number, ldb: number,
    beta: number, c: number, ldc: number, work: number,
  ): void;
  sgemmPacked(
    transA: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, packed: number, packedN: number, j0: number,
    beta: number, c: number, ldc: number, work: number,
  ): void;
  sgemv(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void;
  packB(transB: number, k: number, n: number, b: number, ldb: number, dst: number): void;
  packedBSize(k: number, n: number): number;
  add(out: number, a: number, b: number, n: number): void;
  mul(out: number, a: number, b: number, n: number): void;
  addBias(out: number, x: number, bias: number, rows: number, cols: number): void;
  exp(out: number, x: number, n: number): void;
  sigmoid(out: number, x: number, n: number): void;
  tanh(out: number, x: number, n: number): void;
  relu(out: number, x: number, n: number): void;
  sigmoidBackward(dx: number, y: number, dy: number, n: number): void;
  tanhBackward(dx: number, y: number, dy: number, n: number): void;
  reluBackward(dx: number, x: number, dy: number, n: number): void;
  colSum(out: number, x: number, rows: number, cols: number): void;
  softmaxRows(out: number, x: number, rows: number, cols: number): void;
  logSumExpRows(out: number, x: number, rows: number, cols: number): void;
  crossEntropyBackward(dx: number, x: number, lse: number, targets: number, g: number, rows: number, cols: number): void;
  lstmForward(gates: number, cOut: number, hOut: number, y: number, cPrev: number, hPrev: number, mask: number, rows: number, hidden: number): void;
  lstmBackward(dPre: number, dhPrev: number, dcPrev: number, gates: number, cPrev: number, cNew: number, dh: number, dy: number, dc: number, mask: number, rows: number, hidden: number): void;
  gruForward(saved: number, hOut: number, y: number, xp: number, hp: number, bias: number, hPrev: number, mask: number, rows: number, hidden: number): void;
  gruBackward(dxp: number, dhp: number, dhPrev: number, saved: number, hPrev: number, dh: number, dy: number, mask: number, rows: number, hidden: number): void;
  rnnForward(pre: number, hOut: number, y: number, hPrev: number, mask: number, rows: number, hidden: number, relu: number): void;
  rnnBackward(dPre: number, dhPrev: number, act: number, dh: number, dy: number, mask: number, rows: number, hidden: number, relu: number): void;
  adamStep(
    pOut: number, mOut: number, vOut: number, p: number, g: number, m: number, v: number, n: number,
    lr: number, beta1: number, beta2: number, a1: number, a2: number, eps: number, c1: number, c2: number, l2: number, shrink: number,
  ): void;
  sgdStep(pOut: number, vOut: number, p: number, g: number, v: number, n: number, lr: number, momentum: number, nesterov: number, weightDecay: number): void;
  heapBase(): number;
  gemmWorkBytes(): number;
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const text = atob(b64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The largest memory WebAssembly allows (4 GiB): a shared memory must declare its maximum. */
const MAX_PAGES = 65536;

function sharedMemory(): WebAssembly.Memory | undefined {
  if (typeof SharedArrayBuffer !== "function") return undefined;
  try {
    return new WebAssembly.Memory({ initial: 32, maximum: MAX_PAGES, shared: true });
  } catch {
    return undefined;
  }
}

const shared = sharedMemory();

/** The memory every module imports; `memory.buffer` is a SharedArrayBuffer when `isShared`. */
export const memory: WebAssembly.Memory = shared ?? new WebAssembly.Memory({ initial: 32, maximum: MAX_PAGES });

/** True when the memory is shared, so that worker threads can use it. */
export const isShared = shared !== undefined;

function moduleBytes(b64: string, flagOffset: number): Uint8Array<ArrayBuffer> {
  const bytes = decodeBase64(b64);
  if (!isShared) bytes[flagOffset] = 1;
  return bytes;
}

function instantiate(module: WebAssembly.Module): RawKernels {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as RawKernels;
}

/** The compiled plain-SIMD module (workers instantiate it on the same memory). */
export const simdModule: WebAssembly.Module = new WebAssembly.Module(moduleBytes(SIMD_WASM_BASE64, SIMD_WASM_SHARED_FLAG_OFFSET));

/** The plain-SIMD build (WebAssembly SIMD is in every current engine). */
export const simdRaw: RawKernels = instantiate(simdModule);

const relaxedBytes = moduleBytes(RELAXED_SIMD_WASM_BASE64, RELAXED_SIMD_WASM_SHARED_FLAG_OFFSET);

/** The compiled relaxed-SIMD module, or undefined where the engine does not validate it. */
export const relaxedModule: WebAssembly.Module | undefined = WebAssembly.validate(relaxedBytes) ? new WebAssembly.Module(relaxedBytes) : undefined;

/** The relaxed-SIMD build, or undefined where the engine does not validate it. */
export const relaxedRaw: RawKernels | undefined = relaxedModule === undefined ? undefined : instantiate(relaxedModule);

/** The heap shared by both builds. */
export const heap = new Heap(memory, Math.max(simdRaw.heapBase(), relaxedRaw?.heapBase() ?? 0));

/** Scratch memory for sgemm on the calling thread, allocated first (at the bottom of the heap, where it never blocks trimming) and kept. */
const gemmWork = heap.alloc(simdRaw.gemmWorkBytes());

export function gemmWorkPtr(): number {
  return gemmWork;
}
