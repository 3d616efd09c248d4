/**
 * The error every kernel throws for a bad argument: which argument, what was wrong, and what was expected.
 *
 * Kernels are the innermost layer (like BLAS): a bad argument here is a programming error in the caller, so it
 * throws rather than returning a value; packages above validate shapes first and return `Either`.
 *
 * @example
 * try { kernels.relu(out, x, -1); } catch (e) { if (e instanceof KernelArgumentError) console.log(e.argument); }
 * @since 0.1.0
 */
export class KernelArgumentError extends RangeError {
  readonly _tag = "InvalidArgument" as const;
  constructor(
    readonly kernel: string,
    readonly argument: string,
    readonly reason: string,
  ) {
    super(`${kernel}: argument '${argument}' ${reason}`);
    this.name = "KernelArgumentError";
  }
}

/** Raised when WebAssembly memory cannot grow to hold an allocation. */
export class WasmMemoryError extends RangeError {
  readonly _tag = "OutOfMemory" as const;
  constructor(message: string) {
    super(message);
    this.name = "WasmMemoryError";
  }
}

/**
 * Raised for a bad thread count (`setThreads`, `GATED_THREADS`), and when a kernel worker thread fails: its call
 * threw, or the thread ended before finishing its part of a call (the call's result is then incomplete).
 * @since 0.2.0
 */
export class ThreadError extends Error {
  readonly _tag = "ThreadError" as const;
  constructor(message: string) {
    super(message);
    this.name = "ThreadError";
  }
}
