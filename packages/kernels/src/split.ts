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
    const pool = m * n * k >= THRESHOLDS.gemmMacs ? activePool() : undefined;
    const plan = pool === undefined ? undefined : gemmPlan(m, n, pool.threads, !transA && alpha === 1);
    if (pool === undefined || plan === undefined) {
      this.raw.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work);
      return;
    }
    pool.pool.begin();
    for (let i = 0; i < plan.parts; i++) {
      if (plan.byColumns) {
        const j0 = cut(plan.units, plan.parts, i) * COL_UNIT;
        const j1 = i + 1 === plan.parts ? n : cut(plan.units, plan.parts, i + 1) * COL_UNIT;
        const bAt = b + 4 * (transB ? j0 * ldb : j0);
        pool.pool.push(this.ids.sgemm, 13, [transA, transB, m, j1 - j0, k, alpha, a, lda, bAt, ldb, beta, c + 4 * j0, ldc, 0]);
      } else {
        const i0 = cut(plan.units, plan.parts, i) * ROW_UNIT;
        const i1 = i + 1 === plan.parts ? m : cut(plan.units, plan.parts, i + 1) * ROW_UNIT;
        const aAt = a + 4 * (transA ? i0 : i0 * lda);
        pool.pool.push(this.ids.sgemm, 13, [transA, transB, i1 - i0, n, k, alpha, aAt, lda, b, ldb, beta, c + 4 * i0 * ldc, ldc, 0]);
      }
    }
    pool.pool.run();
  }

  /** sgemmPacked on addresses, the whole packed matrix (packedN = n, j0 = 0 for the raw export). */
  sgemmPacked(transA: number, m: number, n: number, k: number, alpha: number, a: number, lda: number, packed: number, beta: number, c: number, ldc: number, work: number): void {
    const pool = m * n * k >= THRESHOLDS.gemmMacs ? activePool() : undefined;
    const plan = pool === undefined ? undefined : gemmPlan(m, n, pool.threads, !transA && alpha === 1);
    if (pool === undefined || plan === undefined) {
      this.raw.sgemmPacked(transA, m, n, k, alpha, a, lda, packed, n, 0, beta, c, ldc, work);
      return;
    }
    pool.pool.begin();
    for (let i = 0; i < plan.parts; i++) {
      if (plan.byColumns) {
        const j0 = cut(plan.units, plan.parts, i) * COL_UNIT;
        const j1 = i + 1 === plan.parts ? n : cut(plan.units, plan.parts, i + 1) * COL_UNIT;
        pool.pool.push(this.ids.sgemmPacked, 13, [transA, m, j1 - j0, k, alpha, a, lda, packed, n, j0, beta, c + 4 * j0, ldc, 0]);
      } else {
        const i0 = cut(plan.units, plan.parts, i) * ROW_UNIT;
        const i1 = i + 1 === plan.parts ? m : cut(plan.units, plan.parts, i + 1) * ROW_UNIT;
        const aAt = a + 4 * (transA ? i0 : i0 * lda);
        pool.pool.push(this.ids.sgemmPacked, 13, [transA, i1 - i0, n, k, alpha, aAt, lda, packed, n, 0, beta, c + 4 * i0 * ldc, ldc, 0]);
      }
    }
    pool.pool.run();
  }

  /** sgemv on addresses: y by blocks of 8 rows. */
  sgemv(m: number, n: number, alpha: number, a: number, lda: number, x: number, beta: number, y: number): void {
    const pool = m * n >= THRESHOLDS.gemvElements ? activePool() : undefined;
    const units = Math.floor(m / 8);
    if (pool === undefined || units < 2) {
      this.raw.sgemv(m, n, alpha, a, lda, x, beta, y);
      return;
    }
    const parts = Math.min(units, pool.threads);
    pool.pool.begin();
    for (let i = 0; i < parts; i++) {
      const i0 = cut(units, parts, i) * 8;
      const i1 = i + 1 === parts ? m : cut(units, parts, i + 1) * 8;
      pool.pool.push(this.ids.sgemv, -1, [i1 - i0, n, alpha, a + 4 * i0 * lda, lda, x, beta, y + 4 * i0]);
    }
    pool.pool.run();
  }

  /**
   * A row kernel: `ptrs` then `rows` then `tail` are its arguments; pointer i advances `strides[i]` floats per row
   * (0: the same for every row, as a bias). Address 0 (an absent mask or dy) stays 0.
   */
  rows(name: KernelName, ptrs: readonly number[], strides: readonly number[], rows: number, tail: readonly number[]): void {
    let perRow = 0;
    for (const s of strides) perRow += s;
    const pool = rows >= 2 && worthSplitting(name, rows * perRow) ? activePool() : undefined;
    const args = this.args;
    if (pool === undefined) {
      args.length = 0;
      args.push(...ptrs, rows, ...tail);
      this.raw[name](...args);
      return;
    }
    const parts = Math.min(rows, pool.threads);
    pool.pool.begin();
    for (let i = 0; i < parts; i++) {
      const r0 = cut(rows, parts, i);
      const r1 = cut(rows, parts, i + 1);
      pool.pool.push(this.ids[name], -1, [...ptrs.map((p, j) => (p === 0 ? 0 : p + 4 * r0 * (strides[j] as number))), r1 - r0, ...tail]);
    }
    pool.pool.run();
  }

  /** An element kernel over n elements of every pointer: `ptrs` then `n` then `tail` are its arguments. */
  elements(name: KernelName, ptrs: readonly number[], n: number, tail: readonly number[]): void {
    const units = Math.floor(n / 64);
    const pool = units >= 2 && worthSplitting(name, n * ptrs.length) ? activePool() : undefined;
    const args = this.args;
    if (pool === undefined) {
      args.length = 0;
      args.push(...ptrs, n, ...tail);
      this.raw[name](...args);
      return;
    }
    const parts = Math.min(units, pool.threads);
    pool.pool.begin();
    for (let i = 0; i < parts; i++) {
      const e0 = cut(units, parts, i) * 64;
      const e1 = i + 1 === parts ? n : cut(units, parts, i + 1) * 64;
      pool.pool.push(this.ids[name], -1, [...ptrs.map((p) => p + 4 * e0), e1 - e0, ...tail]);
    }
    pool.pool.run();
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
