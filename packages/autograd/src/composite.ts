// Operations composed from primitives, in numerically stable form: logsumexp subtracts the (constant) maximum
// first, and softmax, logSoftmax and crossEntropy are built on it. Their gradients come from the primitives'.
import { invalidArgument, raise, shapeMismatch } from "./errors.js";
import { mapUnary } from "./impl/elementwise.js";
import { add, exp, gather, log, max, mean, neg, reshape, sub, sum } from "./ops.js";
import { normalizeAxes, showShape } from "./shape.js";
import { detach, type Tensor } from "./tensor.js";

/** log(sum(exp(x))) over `axes` (default: the last), stable; an all -Inf slice gives -Inf. */
export function logsumexp(x: Tensor, axes: number | readonly number[] = -1, { keepDims = false } = {}): Tensor {
  const ax = normalizeAxes("logsumexp", x.rank, axes);
  // The shift is a constant (its gradient cancels exactly), so it is computed on the untraced values: no node is
  // recorded for it. Infinite maxima shift by 0 so that -Inf rows stay -Inf.
  const m = mapUnary(max(detach(x), ax, { keepDims: true }), (v) => (Number.isFinite(v) ? v : 0));
  const lse = add(log(sum(exp(sub(x, m)), ax, { keepDims: true })), m);
  return keepDims ? lse : reshape(lse, x.shape.filter((_, i) => !ax.includes(i)));
}

/** log(softmax(x)) along `axis` (default: the last) = x - logsumexp(x). */
export const logSoftmax = (x: Tensor, axis = -1): Tensor => sub(x, logsumexp(x, axis, { keepDims: true }));

/** softmax(x) along `axis` (default: the last) = exp(x - logsumexp(x)). */
export const softmax = (x: Tensor, axis = -1): Tensor => exp(logSoftmax(x, axis));

export type Reduction = "mean" | "sum" | "none";

/**
 * Cross-entropy of logits [N, C] against integer class targets (N of them): -log softmax(logits)[i, t_i],
 * reduced by mean (default), sum, or none ([N]).
 */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>, reduction: Reduction = "mean"): Tensor {
  if (logits.rank !== 2) raise(invalidArgument("crossEntropy", "logits", `must be [N, C], got ${showShape(logits.shape)}`));
  const [n, c] = logits.shape as [number, number];
  if (targets.length !== n) raise(shapeMismatch("crossEntropy", `${n} targets (one per row of logits)`, `${targets.length}`));
  const flat = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = targets[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= c) raise(invalidArgument("crossEntropy", "targets", `target ${t} at row ${i} is not a class index in [0, ${c})`));
    flat[i] = i * c + t;
  }
  const picked = gather(reshape(logSoftmax(logits), [n * c, 1]), flat, [n]);
  const losses = neg(reshape(picked, [n]));
  if (reduction === "none") return losses;
  return reduction === "sum" ? sum(losses) : mean(losses);
}
