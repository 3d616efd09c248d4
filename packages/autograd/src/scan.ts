// scan: a loop over the leading axis of its inputs, differentiable because each step is ordinary traced ops.
import { customVjp } from "./custom-vjp.js";
import { invalidArgument, raise } from "./errors.js";
import { reshape, slice, stack } from "./ops.js";
import type { Tensor } from "./tensor.js";
import { leaves, replaceLeaves } from "./tree.js";

export interface ScanOptions {
  /** Run from the last index to the first (ys still indexed like xs). */
  readonly reverse?: boolean;
}

/** x[t] without the leading axis. */
export function index0(x: Tensor, t: number): Tensor {
  return reshape(slice(x, [t, ...x.shape.slice(1).map(() => 0)], [1, ...x.shape.slice(1)]), x.shape.slice(1));
}

/**
 * x[0], ..., x[T-1]: the tensor split along its leading axis, as one node whose VJP stacks the T cotangents
 * (zeros where a row got none). Slicing each row separately would cost O(T^2) in the backward pass: every slice's
 * VJP pads its cotangent to x's full shape before the T results are added.
 * @since 0.1.0
 */
export const unstack: (x: Tensor) => Tensor[] = customVjp(
  (x: Tensor) => rows(x),
  (x: Tensor) => [rows(x), undefined] as const,
  (_res: undefined, gs: Tensor[]) => [stack(gs, 0)],
);

function rows(x: Tensor): Tensor[] {
  if (x.rank === 0) raise(invalidArgument("unstack", "x", "must have a leading axis (it is a scalar)"));
  return Array.from({ length: x.shape[0] as number }, (_, t) => index0(x, t));
}

/**
 * scan(step, carry0, xs) = [carryT, ys]: the loop
 *
 *     carry = carry0
 *     for t in 0..T-1: [carry, ys[t]] = step(carry, xs[t])
 *
 * where xs is a tree of tensors sharing a leading axis of length T, and ys stacks each step's output tree along a
 * new leading axis. Equal to the loop it replaces, values and gradients (it is that loop, traced).
 *
 * @example
 * // cumulative sum: carry + x_t, emitting the running total
 * scan((c: Tensor, x: Tensor) => { const s = add(c, x); return [s, s]; }, zeros([2]), xs);
 * @since 0.1.0
 */
export function scan<C, X, Y>(step: (carry: C, x: X) => readonly [C, Y], carry0: C, xs: X, { reverse = false }: ScanOptions = {}): [C, Y] {
  const { tensors } = leaves(xs);
  const first = tensors[0];
  if (first === undefined || first.rank === 0) raise(invalidArgument("scan", "xs", "must hold at least one tensor with a leading (time) axis"));
  const T = first.shape[0] as number;
  if (T === 0) raise(invalidArgument("scan", "xs", "has length 0: scan needs at least one step"));
  for (const t of tensors) if (t.shape[0] !== T) raise(invalidArgument("scan", "xs", `leaves must share the leading axis: ${T} and ${t.shape[0]}`));
  const split = tensors.map(unstack);
  let carry = carry0;
  const outs: Y[] = new Array<Y>(T);
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    const xt = replaceLeaves(xs, split.map((rowsOfX) => rowsOfX[t] as Tensor));
    const [next, y] = step(carry, xt);
    carry = next;
    outs[t] = y;
  }
  const ysLeaves = outs.map((y) => leaves(y).tensors);
  const count = (ysLeaves[0] as Tensor[]).length;
  const stacked = Array.from({ length: count }, (_, k) => stack(ysLeaves.map((l) => l[k] as Tensor), 0));
  return [carry, replaceLeaves(outs[0] as Y, stacked)];
}
