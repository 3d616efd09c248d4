// The body of a kernel worker thread. It is sent to the thread as source text (`workerSource`), so it must not
// refer to anything outside itself: no imports, no module-level names, only its parameters and globals.
//
// The protocol (threads.ts has the caller's side). One Int32 word, CLAIM, holds (job sequence << 16) | (calls in
// the job << 8) | (next unclaimed call). A thread claims call i by a compare-exchange of the word from i to i + 1,
// so every call runs exactly once, on whichever thread claims it first (the caller claims too, and does all the
// calls itself when the workers are late). A claim can only succeed on the live job: the word changes with every
// job. After each call the thread adds 1 to DONE and wakes the caller when DONE reaches the count. Between jobs a
// worker spins on CLAIM for a while (a training step calls the kernels every few microseconds), then sleeps in
// Atomics.wait until the caller bumps CLAIM and notifies it.

/** Int32 word indices of the control block. */
export const CTRL = {
  CLAIM: 0,
  DONE: 1,
  SLEEPERS: 2,
  ERROR: 3,
  DEAD: 4,
  WORKED: 5,
  STOP: 6,
  SPIN: 7,
  READY: 8,
  /** Char codes of the first error's message, 0-terminated. */
  MESSAGE: 16,
  WORDS: 128,
} as const;

/** Float64 slots per call in the job table: function, position of the work pointer (-1: none), argument count, arguments. */
export const ENTRY = 24;
export const MAX_CALLS = 64;

/** Fault injection for the tests: kernel numbers that make a worker throw (31) or end its thread (30). */
export const INJECT = { THROW: 31, EXIT: 30 } as const;

/** The shared layout, sent with every worker's start so that its body repeats none of it. */
export const LAYOUT = { ctrl: CTRL, entry: ENTRY, maxCalls: MAX_CALLS, inject: INJECT } as const;

/** What a worker receives when it starts. */
export interface WorkerInit {
  /** The shared WebAssembly.Memory (typed as `object` so that the published types need no DOM library). */
  readonly memory: { readonly buffer: ArrayBuffer | SharedArrayBuffer };
  /** The compiled builds (WebAssembly.Module); function f of build b has index b * 32 + f (names[f]). */
  readonly modules: readonly (object | undefined)[];
  readonly names: readonly string[];
  readonly layout: typeof LAYOUT;
  readonly ctrlPtr: number;
  readonly tablePtr: number;
  /** This thread's GEMM scratch memory. */
  readonly workPtr: number;
  /** 1-based worker number, reported with an error. */
  readonly index: number;
}

// Stryker disable all: this function runs in another thread from its source text, where Stryker's
// instrumentation would be undefined; its behaviour is tested through threads.ts.
/**
 * Runs the worker loop until STOP; `onExit` registers a hook that runs if the thread ends abruptly (Node's
 * `process.exit` in the worker), so that a caller waiting for this thread learns it is gone.
 */
export function workerMain(init: WorkerInit, onExit: ((hook: () => void) => void) | undefined): void {
  const { ctrl: C, entry: ENTRY_SLOTS, maxCalls, inject } = init.layout;
  const ctrl = new Int32Array(init.memory.buffer, init.ctrlPtr, C.WORDS);
  const table = new Float64Array(init.memory.buffer, init.tablePtr, maxCalls * ENTRY_SLOTS);
  let finished = false;
  const fail = (message: string): void => {
    if (Atomics.compareExchange(ctrl, C.ERROR, 0, init.index) !== 0) return;
    const text = `${message}`.slice(0, C.WORDS - C.MESSAGE - 1);
    for (let i = 0; i < text.length; i++) ctrl[C.MESSAGE + i] = text.charCodeAt(i);
    ctrl[C.MESSAGE + text.length] = 0;
  };
  onExit?.(() => {
    if (finished) return;
    Atomics.add(ctrl, C.DEAD, 1);
    Atomics.notify(ctrl, C.DONE);
  });
  const fns: (((...a: number[]) => void) | undefined)[] = [];
  try {
    init.modules.forEach((module, b) => {
      if (module === undefined) return;
      const exports = new WebAssembly.Instance(module as WebAssembly.Module, { env: { memory: init.memory as WebAssembly.Memory } }).exports as Record<string, (...a: number[]) => void>;
      init.names.forEach((name, f) => {
        fns[b * 32 + f] = exports[name];
      });
    });
  } catch (e) {
    fail(`could not instantiate the kernels: ${e instanceof Error ? e.message : String(e)}`);
    finished = true;
    Atomics.add(ctrl, C.DEAD, 1);
    Atomics.notify(ctrl, C.DONE);
    return;
  }
  Atomics.add(ctrl, C.READY, 1);
  const args: number[] = [];
  const run = (i: number, total: number): void => {
    const e = i * ENTRY_SLOTS;
    const count = table[e + 2] as number;
    args.length = count;
    for (let j = 0; j < count; j++) args[j] = table[e + 3 + j] as number;
    const workAt = table[e + 1] as number;
    if (workAt >= 0) args[workAt] = init.workPtr;
    try {
      const id = table[e] as number;
      // Fault injection for the tests: one number throws, one ends the thread (Node) in the middle of a call.
      if (id === inject.THROW) throw new Error("a failure injected by a test");
      if (id === inject.EXIT && onExit !== undefined) (globalThis as unknown as { process: { exit(code: number): void } }).process.exit(3);
      const f = fns[id];
      if (f === undefined) throw new Error(`no kernel number ${id}`);
      f(...args);
    } catch (err) {
      fail(err instanceof Error ? err.message : String(err));
    }
    Atomics.add(ctrl, C.WORKED, 1);
    if (Atomics.add(ctrl, C.DONE, 1) + 1 === total) Atomics.notify(ctrl, C.DONE);
  };
  let v = Atomics.load(ctrl, C.CLAIM);
  for (;;) {
    for (;;) {
      const total = (v >>> 8) & 255;
      const next = v & 255;
      if (next >= total) break;
      const seen = Atomics.compareExchange(ctrl, C.CLAIM, v, v + 1);
      if (seen !== v) {
        v = seen;
        continue;
      }
      run(next, total);
      v = Atomics.load(ctrl, C.CLAIM);
    }
    if (Atomics.load(ctrl, C.STOP) !== 0) break;
    let spins = Atomics.load(ctrl, C.SPIN);
    while (spins-- > 0 && Atomics.load(ctrl, C.CLAIM) === v) {
      // spin: the next job usually comes within microseconds
    }
    if (Atomics.load(ctrl, C.CLAIM) === v) {
      Atomics.add(ctrl, C.SLEEPERS, 1);
      Atomics.wait(ctrl, C.CLAIM, v);
      Atomics.sub(ctrl, C.SLEEPERS, 1);
    }
    v = Atomics.load(ctrl, C.CLAIM);
  }
  finished = true;
}
// Stryker restore all
