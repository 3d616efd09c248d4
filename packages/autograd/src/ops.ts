// The tensor operations users call. Each applies one primitive (recording it when inside a transform); numbers
// are accepted where a tensor is, as scalars of the other operand's dtype. Bad shapes throw a GatedException;
// wrap a computation in `attempt` to get an Either instead.
import { invalidArgument, raise } from "./errors.js";
import { apply } from "./primitive.js";
import { primitives as P } from "./primitives/index.js";
import { normalizeAxes, type Shape } from "./shape.js";
import type { DType } from "./storage.js";
import { full, scalar, type Tensor } from "./tensor.js";

/** A tensor or a number (a scalar of the other operand's dtype). */
export type TensorLike = Tensor | number;

function lift(x: TensorLike, like: TensorLike, op: string): Tensor {
  if (typeof x !== "number") return x;
  if (typeof like === "number") raise(invalidArgument(op, "operands", "need at least one tensor"));
  return scalar(x, like.dtype);
}

function pair(op: string, a: TensorLike, b: TensorLike): readonly [Tensor, Tensor] {
  return [lift(a, b, op), lift(b, a, op)];
}

/** a + b, broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => apply(P.add, pair("add", a, b), undefined);
/** a - b, broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => apply(P.sub, pair("sub", a, b), undefined);
/** a * b elementwise, broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => apply(P.mul, pair("mul", a, b), undefined);
/** a / b elementwise, broadcasting. */
export const div = (a: TensorLike, b: TensorLike): Tensor => apply(P.div, pair("div", a, b), undefined);
/** -x. */
export const neg = (x: Tensor): Tensor => apply(P.neg, [x], undefined);
/** e^x. */
export const exp = (x: Tensor): Tensor => apply(P.exp, [x], undefined);
/** Natural logarithm. */
export const log = (x: Tensor): Tensor => apply(P.log, [x], undefined);
/** Square root. */
export const sqrt = (x: Tensor): Tensor => apply(P.sqrt, [x], undefined);
/** x^p for a constant p. */
export const pow = (x: Tensor, exponent: number): Tensor => apply(P.pow, [x], { exponent });
/** Hyperbolic tangent. */
export const tanh = (x: Tensor): Tensor => apply(P.tanh, [x], undefined);
/** Logistic sigmoid 1 / (1 + e^-x). */
export const sigmoid = (x: Tensor): Tensor => apply(P.sigmoid, [x], undefined);
/** max(x, 0). */
export const relu = (x: Tensor): Tensor => apply(P.relu, [x], undefined);

/** Matrix product of 2-D tensors: op(a) [m, k] x op(b) [k, n], op = transpose when transA / transB. */
export const matmul = (a: Tensor, b: Tensor, { transA = false, transB = false }: { transA?: boolean; transB?: boolean } = {}): Tensor =>
  apply(P.matmul, [a, b], { transA, transB });

/** Permutes axes (default: reverses them, so a matrix is transposed). */
export const transpose = (x: Tensor, perm?: readonly number[]): Tensor =>
  apply(P.transpose, [x], { perm: perm ?? x.shape.map((_, i) => x.rank - 1 - i) });

/** The same values under another shape (one size may be -1). No copy. */
export const reshape = (x: Tensor, shape: readonly number[]): Tensor => apply(P.reshape, [x], { shape });

/** x[begin : begin + size] along every axis. */
export const slice = (x: Tensor, begin: readonly number[], size: readonly number[]): Tensor => apply(P.slice, [x], { begin, size });

/** Joins tensors along `axis` (negative counts from the end). */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  const rank = xs[0]?.rank ?? 1;
  return apply(P.concat, xs, { axis: normalizeAxes("concat", rank, axis)[0] as number });
}

/** Stacks equal-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  const first = xs[0];
  if (first === undefined) raise(invalidArgument("stack", "tensors", "must hold at least one tensor"));
  const ax = normalizeAxes("stack", first.rank + 1, axis)[0] as number;
  const expanded = xs.map((x) => reshape(x, [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]));
  return concat(expanded, ax);
}

/** Rows of a table by index (an embedding lookup): shape indexShape ++ table.shape[1:]. */
export function gather(table: Tensor, indices: ArrayLike<number>, indexShape?: Shape): Tensor {
  const idx = Int32Array.from(indices);
  for (let i = 0; i < indices.length; i++) {
    if (idx[i] !== indices[i]) raise(invalidArgument("gather", "indices", `must be integers, got ${indices[i]} at position ${i}`));
  }
  return apply(P.gather, [table], { indices: idx, indexShape: indexShape ?? [idx.length] });
}

/** x stretched to `shape` by broadcasting. */
export const broadcastTo = (x: Tensor, shape: readonly number[]): Tensor => apply(P.broadcastTo, [x], { shape });

export interface ReduceOptions {
  readonly keepDims?: boolean;
}

/** Sum over `axes` (default: all). */
export const sum = (x: Tensor, axes?: number | readonly number[], { keepDims = false }: ReduceOptions = {}): Tensor =>
  apply(P.sum, [x], { axes: normalizeAxes("sum", x.rank, axes), keepDims });

/** Mean over `axes` (default: all). */
export function mean(x: Tensor, axes?: number | readonly number[], options: ReduceOptions = {}): Tensor {
  const ax = normalizeAxes("mean", x.rank, axes);
  const count = ax.reduce((n, a) => n * (x.shape[a] as number), 1);
  return div(sum(x, ax, options), count);
}

/** Maximum over `axes` (default: all); the gradient is shared among tied maxima. */
export const max = (x: Tensor, axes?: number | readonly number[], { keepDims = false }: ReduceOptions = {}): Tensor =>
  apply(P.max, [x], { axes: normalizeAxes("max", x.rank, axes), keepDims });

/** mask != 0 ? a : b, broadcasting (mask has no gradient). */
export function where(mask: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = pair("where", a, b);
  return apply(P.where, [mask, ta, tb], undefined);
}

/** The same values, treated as a constant by every transform. */
export const stopGradient = (x: Tensor): Tensor => apply(P.stopGradient, [x], undefined);

/** The values in another dtype. */
export const astype = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : apply(P.cast, [x], { dtype }));

/** Zeros with x's shape and dtype. */
export const zerosLike = (x: Tensor): Tensor => full(x.shape, 0, x.dtype);
