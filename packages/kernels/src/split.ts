// How a kernel call is cut into blocks of its output for the worker threads (threads.ts runs them).
//
// Every block is computed exactly as the whole call computes those elements, so any thread count gives
// bit-identical results:
// - GEMM: C by columns at multiples of 32 (a whole number of the micro-kernel's 8-column panels, and of the
//   4-wide vectors of the few-row paths), or by rows at multiples of the 4-row tile with every block at least 4
//   rows (fewer take the few-row path, which sums in another order). K is never split.
// - sgemv: y by rows at multiples of 8 (its 8-row body and 1-row tail sum differently).
// - Row kernels (recurrent steps, softmax, log-sum-exp, cross-entropy, bias): by whole rows.
// - Element kernels (activations, optimiser steps): by runs of 64 elements (whole vectors; the scalar tail stays
//   on the last block, where the whole call has it too).
// Calls below a size threshold run on the calling thread: a B = 1 generation step gains nothing from a worker.
import { activePool, KERNEL_NAMES, type KernelName } from "./threads.js";

/**
 * Work below which a call stays on the calling thread: a job costs the caller 2-5 microseconds (publishing it,
 * and waiting for the last block), so a call is split when one thread would take about 10 microseconds or more.
 * Measured on a 2-core Xeon (Node 20, relaxed SIMD): a GEMM of 2^18 multiply-adds takes 10-13 us; sgemv of 2^18
 * matrix elements 20 us (it streams the matrix from memory).
 */
export const THRESHOLDS = {
  /** Multiply-adds (m n k) of a GEMM. */
  gemmMacs: 1 << 18,
  /** Matrix elements (m n) of sgemv. */
  gemvElements: 1 << 18,
  /** Estimated microseconds on one thread of a row or element kernel (floats touched times `NS_PER_FLOAT`). */
  micros: 10,
};

/**
 * Nanoseconds per float read or written, by kernel, measured on the same machine: the exponentials of the
 * activations, softmax and the gates cost 10-30 times a memory-bound add.
 */
export const NS_PER_FLOAT: Readonly<Record<KernelName, number>> = {
  sgemm: 0, sgemmPacked: 0, sgemv: 0,
  add: 0.055, mul: 0.055, addBias: 0.06, relu: 0.06, reluBackward: 0.055, sigmoidBackward: 0.055, tanhBackward: 0.055,
  exp: 1.2, sigmoid: 1.4, tanh: 1.4,
  softmaxRows: 2.5, logSumExpRows: 4, crossEntropyBackward: 1.5,
  lstmForward: 1.4, gruForward: 1.2, rnnForward: 1.2,
  lstmBackward: 0.32, gruBackward: 0.32, rnnBackward: 0.3,
  adamStep: 0.12, sgdStep: 0.06,
};

const worthSplitting = (name: KernelName, floats: number): boolean => (floats * NS_PER_FLOAT[name]) / 1000 >= THRESHOLDS.micros;

const COL_UNIT = 32;
const ROW_UNIT = 4;

/** Boundaries that cut `units` units into `parts` near-equal runs. */
function cut(units: number, parts: number, i: number): number {
  return Math.round((units * i) / parts);
}

/** The kernels of one WebAssembly build, called with byte addresses, split across threads where worth it. */
export class Split {
  private readonly ids: Record<KernelName, number>;
  private readonly args: number[] = [];

  constructor(
    private readonly raw: Record<KernelName, (...a: number[]) => void>,
    build: number,
  ) {
    this.ids = Object.fromEntries(KERNEL_NAMES.map((name, f) => [name, build * 32 + f])) as Record<KernelName, number>;
  }

  /** sgemm on addresses (the raw export's arguments, `work` last). */
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number, work: number,
  ): void {
    const split = this.gemm("sgemm", m, n, k, !transA && alpha === 1, (byColumns, lo, hi) =>
      byColumns
        ? [transA, transB, m, hi - lo, k, alpha, a, lda, b + 4 * (transB ? lo * ldb : lo), ldb, beta, c + 4 * lo, ldc, 0]
        : [transA, transB, hi - lo, n, k, alpha, a + 4 * (transA ? lo : lo * lda), lda, b, ldb, beta, c + 4 * lo * ldc, ldc, 0],
    );
    if (!split) this.raw.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
  }

  /** sgemmPacked on addresses, the whole packed matrix (packedN = n, j0 = 0 for the raw export). */
  sgemmPacked(transA: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, packed: number, beta: number, c: number, ldc: number, work: number): void {
    const split = this.gemm("sgemmPacked", m, n, k, !transA && alpha === 1, (byColumns, lo, hi) =>
      byColumns
        ? [transA, m, hi - lo, k, alpha, a, lda, packed, n, lo, beta, c + 4 * lo, ldc, 0]
        : [transA, hi - lo, n, k, alpha, a + 4 * (transA ? lo : lo * lda), lda, packed, n, 0, beta, c + 4 * lo * ldc, ldc, 0],
    );
    if (!split) this.raw.sgemmPacked(transA, m, n, k, alpha, a, lda, packed, n, 0, beta, c, ldc, work);
  }

  /**
   * Splits an m x n x k GEMM by its plan, `block(byColumns, lo, hi)` giving the arguments of columns (or rows)
   * [lo, hi); false when it is too small or too narrow to split (the caller runs it whole).
   */
  private gemm(name: "sgemm" | "sgemmPacked", m: number, n: number, k: number, aInPlace: boolean, block: (byColumns: boolean, lo: number, hi: number) => number[]): boolean {
    const use = m * n * k >= THRESHOLDS.gemmMacs ? activePool() : undefined;
    const plan = use === undefined ? undefined : gemmPlan(m, n, use.threads, aInPlace);
    if (use === undefined || plan === undefined) return false;
    const unit = plan.byColumns ? COL_UNIT : ROW_UNIT;
    // The scratch pointer is the raw exports' last argument (13) for both products.
    this.job(use, name, 13, plan.units, plan.parts, unit, plan.byColumns ? n : m, (lo, hi) => block(plan.byColumns, lo, hi));
    return true;
  }

  /** sgemv on addresses: y by blocks of 8 rows. */
  sgemv(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void {
    const use = m * n >= THRESHOLDS.gemvElements ? activePool() : undefined;
    const units = Math.floor(m / 8);
    if (use === undefined || units < 2) {
      this.raw.sgemv(m, n, alpha, a, lda, x, beta, y);
      return;
    }
    this.job(use, "sgemv", -1, units, Math.min(units, use.threads), 8, m, (lo, hi) => [hi - lo, n, alpha, a + 4 * lo * lda, lda, x, beta, y + 4 * lo]);
  }

  /**
   * A row kernel: `ptrs` then `rows` then `tail` are its arguments; pointer i advances `strides[i]` floats per row
   * (0: the same for every row, as a bias). Address 0 (an absent mask or dy) stays 0.
   */
  rows(name: KernelName, ptrs: readonly number[], strides: readonly number[], rows: number, tail: readonly number[]): void {
    let perRow = 0;
    for (const s of strides) perRow += s;
    const use = rows >= 2 && worthSplitting(name, rows * perRow) ? activePool() : undefined;
    if (use === undefined) {
      this.whole(name, ptrs, rows, tail);
      return;
    }
    this.job(use, name, -1, rows, Math.min(rows, use.threads), 1, rows, (lo, hi) => [...ptrs.map((p, j) => (p === 0 ? 0 : p + 4 * lo * (strides[j] as number))), hi - lo, ...tail]);
  }

  /** An element kernel over n elements of every pointer: `ptrs` then `n` then `tail` are its arguments. */
  elements(name: KernelName, ptrs: readonly number[], n: number, tail: readonly number[]): void {
    const units = Math.floor(n / 64);
    const use = units >= 2 && worthSplitting(name, n * ptrs.length) ? activePool() : undefined;
    if (use === undefined) {
      this.whole(name, ptrs, n, tail);
      return;
    }
    this.job(use, name, -1, units, Math.min(units, use.threads), 64, n, (lo, hi) => [...ptrs.map((p) => p + 4 * lo), hi - lo, ...tail]);
  }

  /** One call of a row or element kernel on the calling thread. */
  private whole(name: KernelName, ptrs: readonly number[], count: number, tail: readonly number[]): void {
    const args = this.args;
    args.length = 0;
    args.push(...ptrs, count, ...tail);
    this.raw[name](...args);
  }

  /**
   * Runs `name` as `parts` blocks: `units` units of `unit` elements cut into near-equal runs, the last ending at
   * `total` (so it takes any remainder); `block(lo, hi)` gives the arguments for elements [lo, hi).
   */
  private job(
    use: NonNullable<ReturnType<typeof activePool>>, name: KernelName, workAt: number, units: number, parts: number, unit: number, total: number,
    block: (lo: number, hi: number) => number[],
  ): void {
    use.pool.begin();
    for (let i = 0; i < parts; i++) {
      const lo = cut(units, parts, i) * unit;
      const hi = i + 1 === parts ? total : cut(units, parts, i + 1) * unit;
      use.pool.push(this.ids[name], workAt, block(lo, hi));
    }
    use.pool.run();
  }
}

/**
 * How to split an m x n GEMM over `threads`: by columns when C has enough 32-column blocks and op(A) is read in
 * place or is no larger than op(B) (a column block re-packs all of op(A), a row block all of op(B)); by rows
 * otherwise; not at all when neither has two blocks.
 */
export function gemmPlan(m: number, n: number, threads: number, aInPlace: boolean): { byColumns: boolean; units: number; parts: number } | undefined {
  const colUnits = Math.floor(n / COL_UNIT);
  const rowUnits = m >= 2 * ROW_UNIT ? Math.floor(m / ROW_UNIT) : 0;
  const byColumns = colUnits >= threads && (aInPlace || m <= n) ? true : rowUnits >= threads ? false : colUnits >= rowUnits;
  const units = byColumns ? colUnits : rowUnits;
  if (units < 2) return undefined;
  return { byColumns, units, parts: Math.min(units, threads) };
}
