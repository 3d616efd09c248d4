// Worker threads for the kernels: a pool of workers that instantiate the same WebAssembly modules on the same
// shared memory, and run blocks of a kernel's output while the calling thread runs others (split.ts decides the
// blocks). The API stays synchronous: the caller takes part in every job and then waits with Atomics.wait.
//
// Where threads run: in Node (worker_threads, reached through process.getBuiltinModule so that a browser bundle
// imports nothing from node:*), and in a browser when the caller is itself a worker of a cross-origin isolated
// page (shared memory needs isolation, and a page's main thread may not block in Atomics.wait). Elsewhere the
// kernels run on the calling thread, with the same results: a call's output is split into blocks that every
// thread computes the same way, so 1 and N threads give bit-identical numbers.
//
// Lifetime: workers start on the first call large enough to split, never keep a Node process alive (unref), spin
// briefly after each job and then sleep. A worker whose call throws makes the caller throw that error; a worker
// that ends in the middle of a call (Node: process.exit in the thread) makes the caller throw ThreadError
// instead of waiting forever, and the kernels fall back to one thread until setThreads is called again.
import { ThreadError } from "./errors.js";
import { gemmWorkPtr, heap, isShared, memory, relaxedModule, relaxedRaw, simdModule, simdRaw } from "./instance.js";
import { CTRL, ENTRY, INJECT, LAYOUT, MAX_CALLS, type WorkerInit, workerMain } from "./worker-main.js";

/** The kernels a job may call, by index (build b's function f is b * 32 + f). */
export const KERNEL_NAMES = [
  "sgemm", "sgemmPacked", "sgemv", "add", "mul", "addBias", "exp", "sigmoid", "tanh", "relu",
  "sigmoidBackward", "tanhBackward", "reluBackward", "softmaxRows", "logSumExpRows", "crossEntropyBackward",
  "lstmForward", "lstmBackward", "gruForward", "gruBackward", "rnnForward", "rnnBackward", "adamStep", "sgdStep",
] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** Spins of an idle worker (about 0.1-0.3 ms) before it sleeps, and of a waiting caller before it sleeps. */
const WORKER_SPINS = 100_000;
const CALLER_SPINS = 2_000_000;

interface Environment {
  readonly cores: number;
  spawn(init: WorkerInit, onError: (message: string) => void): void;
}

interface WebWorker {
  onerror: ((e: { message?: string }) => void) | null;
  postMessage(message: unknown): void;
}

interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (e: Error) => void): void;
}
interface NodeBuiltins {
  getBuiltinModule?(id: string): unknown;
  env?: Record<string, string | undefined>;
}

const nodeProcess = (globalThis as { process?: NodeBuiltins }).process;

/** How to start workers here, or why threads are off. */
function detect(): Environment | string {
  if (!isShared) return "shared WebAssembly memory is unavailable (a browser page must be cross-origin isolated: COOP same-origin and COEP require-corp)";
  if (typeof Atomics?.wait !== "function") return "Atomics.wait is unavailable";
  const builtin = nodeProcess?.getBuiltinModule;
  if (typeof builtin === "function") {
    const threads = builtin("node:worker_threads") as { Worker: new (src: string, o: object) => NodeWorker } | undefined;
    const os = builtin("node:os") as { availableParallelism?(): number; cpus(): unknown[] } | undefined;
    if (threads === undefined || os === undefined) return "node:worker_threads is unavailable";
    // getBuiltinModule, not require: a worker inherits --input-type=module, which makes eval'd code a module.
    const source = `const { workerData } = process.getBuiltinModule("node:worker_threads");\n(${workerMain.toString()})(workerData, (hook) => process.on("exit", hook));`;
    return {
      cores: os.availableParallelism?.() ?? os.cpus().length,
      spawn(init, onError) {
        const worker = new threads.Worker(source, { eval: true, workerData: init });
        worker.on("error", (e) => onError(e.message));
        worker.unref();
      },
    };
  }
  const scope = globalThis as { WorkerGlobalScope?: unknown; crossOriginIsolated?: boolean; Worker?: new (url: string) => WebWorker };
  if (typeof scope.WorkerGlobalScope === "undefined") return "a page's main thread cannot wait for workers: run gated in a Web Worker to use threads";
  if (scope.crossOriginIsolated !== true) return "the page is not cross-origin isolated (COOP same-origin and COEP require-corp)";
  const WorkerClass = scope.Worker;
  if (typeof WorkerClass !== "function") return "this worker cannot start nested workers";
  let url: string | undefined; // made at the first start
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return {
    cores,
    spawn(init, onError) {
      url ??= URL.createObjectURL(
        new Blob([`self.onmessage = (e) => { self.onmessage = null; (${workerMain.toString()})(e.data, undefined); self.close(); };`], { type: "text/javascript" }),
      );
      const worker = new WorkerClass(url);
      worker.onerror = (e) => onError(e.message ?? "worker error");
      worker.postMessage(init);
    },
  };
}

const environment = detect();

/** A running set of workers with their control block, job table and scratch memory. */
class Pool {
  readonly ctrl: Int32Array;
  readonly table: Float64Array;
  private readonly ctrlPtr: number;
  private readonly tablePtr: number;
  private seq = 0;
  private count = 0;
  private readonly args: number[] = [];
  private readonly fns: ((...a: number[]) => void)[] = [];
  readonly workers: number;
  /** Messages of workers that failed outside a call (Node's 'error' event). */
  readonly startErrors: string[] = [];

  constructor(env: Environment, threads: number) {
    this.workers = threads - 1;
    // Never freed: a worker that has not yet seen STOP may still read them (a few KB and one GEMM scratch per
    // worker, per setThreads call that changes the count).
    this.ctrlPtr = heap.alloc(4 * CTRL.WORDS);
    this.tablePtr = heap.alloc(8 * ENTRY * MAX_CALLS);
    this.ctrl = new Int32Array(memory.buffer, this.ctrlPtr, CTRL.WORDS);
    this.table = new Float64Array(memory.buffer, this.tablePtr, ENTRY * MAX_CALLS);
    this.ctrl.fill(0);
    Atomics.store(this.ctrl, CTRL.SPIN, WORKER_SPINS);
    for (const [b, raw] of [simdRaw, relaxedRaw].entries()) {
      if (raw === undefined) continue;
      KERNEL_NAMES.forEach((name, f) => {
        this.fns[b * 32 + f] = raw[name] as (...a: number[]) => void;
      });
    }
    const modules = [simdModule, relaxedModule];
    for (let w = 1; w <= this.workers; w++) {
      const init: WorkerInit = {
        memory,
        modules,
        names: KERNEL_NAMES,
        layout: LAYOUT,
        ctrlPtr: this.ctrlPtr,
        tablePtr: this.tablePtr,
        workPtr: heap.alloc(simdRaw.gemmWorkBytes()),
        index: w,
      };
      env.spawn(init, (message) => this.startErrors.push(`kernel worker ${w}: ${message}`));
    }
  }

  /** Starts a job: calls are added with `push`, then `run` executes them. */
  begin(): void {
    this.count = 0;
  }

  /** Adds one call of kernel `fn` (build * 32 + index) with `args`; `workAt` is where each thread's scratch pointer goes (-1: none). */
  push(fn: number, workAt: number, args: readonly number[]): void {
    const e = this.count * ENTRY;
    this.table[e] = fn;
    this.table[e + 1] = workAt;
    this.table[e + 2] = args.length;
    for (let j = 0; j < args.length; j++) this.table[e + 3 + j] = args[j] as number;
    this.count++;
  }

  /** Runs the job's calls across the threads and returns when all are done. */
  run(): void {
    const total = this.count;
    const ctrl = this.ctrl;
    if (Atomics.load(ctrl, CTRL.DEAD) !== 0) this.died();
    Atomics.store(ctrl, CTRL.DONE, 0);
    this.seq = (this.seq + 1) & 0xffff;
    let v = (this.seq << 16) | (total << 8);
    Atomics.store(ctrl, CTRL.CLAIM, v);
    if (Atomics.load(ctrl, CTRL.SLEEPERS) > 0) Atomics.notify(ctrl, CTRL.CLAIM);
    // An error on this thread is thrown only once every block is done: a worker must not still be writing this
    // job's output (or counting it as done) when the next job starts.
    let failure: unknown;
    for (;;) {
      const next = v & 255;
      if (next >= total) break;
      const seen = Atomics.compareExchange(ctrl, CTRL.CLAIM, v, v + 1);
      if (seen !== v) {
        v = seen;
        continue;
      }
      try {
        this.runHere(next);
      } catch (e) {
        failure ??= e;
      }
      Atomics.add(ctrl, CTRL.DONE, 1);
      v = Atomics.load(ctrl, CTRL.CLAIM);
    }
    let spins = CALLER_SPINS;
    for (let done = Atomics.load(ctrl, CTRL.DONE); done < total; done = Atomics.load(ctrl, CTRL.DONE)) {
      if (spins > 0) {
        spins--;
        continue;
      }
      if (Atomics.load(ctrl, CTRL.DEAD) !== 0) this.died();
      Atomics.wait(ctrl, CTRL.DONE, done, 50);
    }
    if (failure !== undefined) throw failure;
    if (Atomics.load(ctrl, CTRL.ERROR) !== 0) {
      const who = Atomics.load(ctrl, CTRL.ERROR);
      const message = this.message();
      Atomics.store(ctrl, CTRL.ERROR, 0);
      throw new ThreadError(`a kernel failed in worker thread ${who}: ${message}`);
    }
  }

  private runHere(i: number): void {
    const e = i * ENTRY;
    const table = this.table;
    const count = table[e + 2] as number;
    const args = this.args;
    args.length = count;
    for (let j = 0; j < count; j++) args[j] = table[e + 3 + j] as number;
    const workAt = table[e + 1] as number;
    if (workAt >= 0) args[workAt] = gemmWorkPtr();
    const id = table[e] as number;
    // The fault-injection numbers mean something in a worker only.
    if (id === INJECT.THROW || id === INJECT.EXIT) return;
    const f = this.fns[id];
    if (f === undefined) throw new ThreadError(`no kernel number ${id}`);
    f(...args);
  }

  private message(): string {
    let text = "";
    for (let i = CTRL.MESSAGE; i < CTRL.WORDS && this.ctrl[i] !== 0; i++) text += String.fromCharCode(this.ctrl[i] as number);
    return text;
  }

  private died(): never {
    stop();
    settled = { threads: 1, pool: undefined, reason: "a worker thread exited; call setThreads to start new ones" };
    const detail = this.startErrors.length > 0 ? ` (${this.startErrors.join("; ")})` : Atomics.load(this.ctrl, CTRL.ERROR) !== 0 ? ` (${this.message()})` : "";
    throw new ThreadError(
      `a kernel worker thread exited before finishing its part of a call${detail}: the result of this call is incomplete. ` +
        "The kernels now run on one thread; setThreads(n) starts new workers.",
    );
  }

  /** Asks every worker to finish; they exit once idle. */
  stop(): void {
    Atomics.store(this.ctrl, CTRL.STOP, 1);
    this.seq = (this.seq + 1) & 0xffff;
    Atomics.store(this.ctrl, CTRL.CLAIM, this.seq << 16);
    Atomics.notify(this.ctrl, CTRL.CLAIM);
  }

  /** Workers that have instantiated the kernels and entered their loop. */
  ready(): number {
    return Atomics.load(this.ctrl, CTRL.READY);
  }

  /** Calls run by workers so far (not by the calling thread). */
  workerCalls(): number {
    return Atomics.load(this.ctrl, CTRL.WORKED);
  }
}

interface State {
  threads: number;
  pool: Pool | undefined;
  reason: string | undefined;
}

function parseEnv(): number | undefined {
  const raw = nodeProcess?.env?.GATED_THREADS;
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ThreadError(`GATED_THREADS must be a whole number of threads from 1 to ${MAX_THREADS}, got '${raw}': unset it to use every core`);
  }
  return n;
}

/** More threads than this would overflow a job's 8-bit call counter long before it helps. */
const MAX_THREADS = 64;

/** The state in effect; set at first use (so that a bad GATED_THREADS is an error of the call that needs it, not of the import). */
let settled: State | undefined;
let retired = 0;

function state(): State {
  if (settled === undefined) {
    if (typeof environment === "string") settled = { threads: 1, pool: undefined, reason: environment };
    else settled = { threads: parseEnv() ?? Math.max(1, environment.cores), pool: undefined, reason: undefined };
  }
  return settled;
}

function stop(): void {
  const current = settled;
  if (current?.pool !== undefined) {
    current.pool.stop();
    retired += current.pool.workerCalls();
    current.pool = undefined;
  }
}

/**
 * Sets how many threads the kernels use (the calling thread included; 1 runs everything on it) and returns the
 * number in effect: 1 where threads cannot run (see `threadInfo().reason`). The default is every available core
 * (`os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in a worker), or `GATED_THREADS` in Node.
 * Results are bit-identical for every count. Workers start at the first call large enough to split.
 *
 * @example
 * import { setThreads } from "@gated/kernels";
 * setThreads(2); // the calling thread and one worker
 * @since 0.2.0
 */
export function setThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ThreadError(`setThreads: the thread count must be a whole number from 1 to ${MAX_THREADS}, got ${n}`);
  }
  if (typeof environment === "string") return 1;
  // Fewer threads than the pool has keep its workers (idle ones sleep); more start a new pool. An explicit count
  // needs no GATED_THREADS: it is not read.
  const pool = settled?.reason === undefined ? settled?.pool : undefined;
  const keep = pool !== undefined && pool.workers >= n - 1;
  if (!keep) stop();
  settled = { threads: n, pool: keep ? pool : undefined, reason: undefined };
  return n;
}

/** What threading the kernels use here. */
export interface ThreadInfo {
  /** Threads in effect (the calling thread included). */
  readonly threads: number;
  /** Cores the engine reports; 1 where threads cannot run. */
  readonly cores: number;
  /** Worker threads started (they start at the first call large enough to split). */
  readonly workers: number;
  /** Kernel calls (blocks of an output) that worker threads have run, for tests and reports. */
  readonly workerCalls: number;
  /** Why threads are off where they are, or why a worker failed to start. */
  readonly reason?: string;
}

/**
 * The thread count in effect, the cores, and why threads are off where they are.
 * @since 0.2.0
 */
export function threadInfo(): ThreadInfo {
  const current = state();
  const base = {
    threads: current.threads,
    cores: typeof environment === "string" ? 1 : environment.cores,
    workers: current.pool?.workers ?? 0,
    workerCalls: retired + (current.pool?.workerCalls() ?? 0),
  };
  const reason = current.reason ?? (current.pool !== undefined && current.pool.startErrors.length > 0 ? current.pool.startErrors.join("; ") : undefined);
  return reason === undefined ? base : { ...base, reason };
}

/**
 * Starts the worker threads now (they otherwise start at the first call large enough to split) and resolves when
 * every one is running, so that a benchmark's first timed call uses them; with one thread, at once. Rejects with
 * ThreadError when a worker fails to start or does not start within `timeoutMs`.
 * @since 0.2.0
 */
export async function threadsReady(timeoutMs = 30_000): Promise<ThreadInfo> {
  const use = activePool();
  const deadline = Date.now() + timeoutMs;
  while (use !== undefined && use.pool.ready() < use.pool.workers) {
    const info = threadInfo();
    if (use.pool.startErrors.length > 0 || Date.now() > deadline) {
      throw new ThreadError(`kernel worker threads did not start: ${info.reason ?? `${use.pool.ready()} of ${use.pool.workers} running after ${timeoutMs} ms`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return threadInfo();
}

/** The pool to split a call over (started on first use) and the threads to use; undefined when one thread is in effect. */
export function activePool(): { readonly pool: Pool; readonly threads: number } | undefined {
  const current = state();
  if (current.threads <= 1 || typeof environment === "string") return undefined;
  current.pool ??= new Pool(environment, current.threads);
  return { pool: current.pool, threads: current.threads };
}

export type { Pool };

export { INJECT };
