// Losses. sequenceCrossEntropy is the lecture's choice of how per-step losses L_t make one number: summed,
// averaged, or only the last step's; padded steps never count.
import { crossEntropy, invalidArgument, linearCrossEntropy, mean, mul, raise, reshape, shapeMismatch, sub, sum, type Tensor, tensorFromArray } from "@gated/autograd";
import type { LinearParams } from "./layers.js";

export { crossEntropy };

export type SequenceReduction = "sum" | "mean" | "last";

export interface SequenceLossOptions {
  /** "sum" of L_t over every valid step of every sequence; "mean" over them; "last": each sequence's last valid L_T, averaged over sequences. */
  readonly reduction?: SequenceReduction;
  /** Valid length of each sequence (default: all T steps). */
  readonly lengths?: readonly number[];
}

/** Each step's weight in the reduced loss and the targets with padded steps set to 0, after checking both. */
function stepWeights(op: string, B: number, T: number, C: number, dtype: "float32" | "float64", targets: ArrayLike<number>, { reduction = "mean", lengths }: SequenceLossOptions): { w: Tensor; safe: Int32Array } {
  if (targets.length !== B * T) raise(shapeMismatch(op, `${B * T} targets (B*T)`, `${targets.length}`));
  if (lengths !== undefined && (lengths.length !== B || lengths.some((n) => !Number.isInteger(n) || n < 1 || n > T))) {
    raise(invalidArgument(op, "lengths", `must give ${B} lengths in [1, ${T}]`));
  }
  const len = (b: number) => (lengths ? (lengths[b] as number) : T);
  const w = dtype === "float64" ? new Float64Array(B * T) : new Float32Array(B * T);
  const safe = new Int32Array(B * T);
  let valid = 0;
  for (let b = 0; b < B; b++) valid += len(b);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (t >= len(b)) continue; // a padded step: its target is ignored (0 in `safe`, weight 0)
      // Checked before it goes into the Int32Array, which would truncate 1.5 to a valid 1.
      const tg = targets[i] as number;
      if (!Number.isInteger(tg) || tg < 0 || tg >= C) raise(invalidArgument(op, "targets", `target ${tg} at position ${i} is not a class index in [0, ${C})`));
      safe[i] = tg;
      if (reduction !== "last") w[i] = reduction === "sum" ? 1 : 1 / valid;
    }
    if (reduction === "last") w[b * T + len(b) - 1] = 1 / B;
  }
  return { w: tensorFromArray(w, [B * T]), safe };
}

/**
 * Cross-entropy of logits [B, T, C] against integer targets (B*T of them, row-major [B, T]; targets at padded
 * steps are ignored and may be anything).
 */
export function sequenceCrossEntropy(logits: Tensor, targets: ArrayLike<number>, options: SequenceLossOptions = {}): Tensor {
  if (logits.rank !== 3) raise(invalidArgument("sequenceCrossEntropy", "logits", `must be [B, T, C], got [${logits.shape.join(", ")}]`));
  const [B, T, C] = logits.shape as [number, number, number];
  const { w, safe } = stepWeights("sequenceCrossEntropy", B, T, C, logits.dtype, targets, options);
  return sum(mul(crossEntropy(reshape(logits, [B * T, C]), safe, "none"), w));
}

/**
 * sequenceCrossEntropy(linear(head, h), targets, options) for hidden states h [B, T, H] and a linear head
 * (weight [C, H], bias [C]), as one fused operation (`linearCrossEntropy`): in float32 the logits' softmax is
 * never stored, and the head's gradients are one product each.
 */
export function linearSequenceCrossEntropy(head: LinearParams, h: Tensor, targets: ArrayLike<number>, options: SequenceLossOptions = {}): Tensor {
  if (h.rank !== 3) raise(invalidArgument("linearSequenceCrossEntropy", "h", `must be [B, T, H], got [${h.shape.join(", ")}]`));
  const [B, T, H] = h.shape as [number, number, number];
  const C = head.weight.shape[0] as number;
  const { w, safe } = stepWeights("linearSequenceCrossEntropy", B, T, C, h.dtype, targets, options);
  return sum(mul(linearCrossEntropy(reshape(h, [B * T, H]), head.weight, head.bias, safe), w));
}

/** Mean (or sum) squared error. */
export function mse(pred: Tensor, target: Tensor, reduction: "mean" | "sum" = "mean"): Tensor {
  const d = sub(pred, target);
  const sq = mul(d, d);
  return reduction === "sum" ? sum(sq) : mean(sq);
}
