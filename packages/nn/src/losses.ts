// Losses. sequenceCrossEntropy is the lecture's choice of how per-step losses L_t make one number: summed,
// averaged, or only the last step's; padded steps never count.
import { crossEntropy, invalidArgument, mean, mul, raise, reshape, shapeMismatch, sub, sum, type Tensor, tensorFromArray } from "@gated/autograd";

export { crossEntropy };

export type SequenceReduction = "sum" | "mean" | "last";

export interface SequenceLossOptions {
  /** "sum" of L_t over every valid step of every sequence; "mean" over them; "last": each sequence's last valid L_T, averaged over sequences. */
  readonly reduction?: SequenceReduction;
  /** Valid length of each sequence (default: all T steps). */
  readonly lengths?: readonly number[];
}

/**
 * Cross-entropy of logits [B, T, C] against integer targets (B*T of them, row-major [B, T]; targets at padded
 * steps are ignored and may be anything).
 */
export function sequenceCrossEntropy(logits: Tensor, targets: ArrayLike<number>, { reduction = "mean", lengths }: SequenceLossOptions = {}): Tensor {
  if (logits.rank !== 3) raise(invalidArgument("sequenceCrossEntropy", "logits", `must be [B, T, C], got [${logits.shape.join(", ")}]`));
  const [B, T, C] = logits.shape as [number, number, number];
  if (targets.length !== B * T) raise(shapeMismatch("sequenceCrossEntropy", `${B * T} targets (B*T)`, `${targets.length}`));
  if (lengths !== undefined && (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 1 || n > T))) {
    raise(invalidArgument("sequenceCrossEntropy", "lengths", `must give ${B} lengths in [1, ${T}]`));
  }
  const len = (b: number) => (lengths ? (lengths[b] as number) : T);
  const w = logits.dtype === "float64" ? new Float64Array(B * T) : new Float32Array(B * T);
  const safeTargets = new Int32Array(B * T);
  let valid = 0;
  for (let b = 0; b < B; b++) valid += len(b);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      const counts = t < len(b);
      safeTargets[i] = counts ? (targets[i] as number) : 0;
      if (counts && reduction !== "last") w[i] = reduction === "sum" ? 1 : 1 / valid;
    }
    if (reduction === "last") w[b * T + len(b) - 1] = 1 / B;
  }
  for (let i = 0; i < B * T; i++) {
    const tg = safeTargets[i] as number;
    if (!Number.isInteger(tg) || tg < 0 || tg >= C) raise(invalidArgument("sequenceCrossEntropy", "targets", `target ${tg} at position ${i} is not a class index in [0, ${C})`));
  }
  const perStep = crossEntropy(reshape(logits, [B * T, C]), safeTargets, "none");
  return sum(mul(perStep, tensorFromArray(w, [B * T])));
}

/** Mean (or sum) squared error. */
export function mse(pred: Tensor, target: Tensor, reduction: "mean" | "sum" = "mean"): Tensor {
  const d = sub(pred, target);
  const sq = mul(d, d);
  return reduction === "sum" ? sum(sq) : mean(sq);
}
