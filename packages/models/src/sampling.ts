// Choosing the next character: greedy, temperature, top-k, top-p (nucleus); and beam search for the most
// likely continuation. Randomness comes from a uniform number given by the caller (seeded upstream).

export interface SamplerOptions {
  /** 0 means greedy (argmax). */
  readonly temperature: number;
  readonly topK?: number;
  readonly topP?: number;
}

/** Probabilities from log-probabilities at a temperature, keeping the top k and the smallest nucleus of mass p. */
export function filtered(logp: ArrayLike<number>, { temperature, topK, topP }: SamplerOptions): number[] {
  const n = logp.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (logp[b] as number) - (logp[a] as number));
  if (temperature <= 0) return Array.from({ length: n }, (_, i) => (i === order[0] ? 1 : 0));
  const scaled = Array.from({ length: n }, (_, i) => (logp[i] as number) / temperature);
  const m = Math.max(...scaled);
  let probs = scaled.map((v) => Math.exp(v - m));
  const keep = new Set<number>();
  let mass = 0;
  const z0 = probs.reduce((a, b) => a + b, 0);
  for (const [rank, i] of order.entries()) {
    if (topK !== undefined && rank >= topK) break;
    if (topP !== undefined && mass >= topP) break;
    keep.add(i);
    mass += (probs[i] as number) / z0;
  }
  probs = probs.map((v, i) => (keep.has(i) ? v : 0));
  const z = probs.reduce((a, b) => a + b, 0);
  return probs.map((v) => v / z);
}

/** The index whose cumulative probability first exceeds u in [0, 1). */
export function pick(probs: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i] as number;
    if (u < acc) return i;
  }
  // Rounding left u above the total: the last index with mass.
  for (let i = probs.length - 1; i >= 0; i--) if ((probs[i] as number) > 0) return i;
  return 0;
}

/**
 * `pick(filtered(log-softmax(logits), options), u)` over a vocabulary of `size`, computed in buffers made once, so
 * that sampling a character allocates nothing (the same arithmetic in the same order: the same choices).
 */
export class Sampler {
  private readonly lp: Float64Array;
  private readonly probs: Float64Array;
  private readonly keep: Uint8Array;
  private readonly order: number[];
  private readonly byLogProb = (a: number, b: number): number => (this.lp[b] as number) - (this.lp[a] as number);

  constructor(
    readonly size: number,
    readonly options: SamplerOptions,
  ) {
    this.lp = new Float64Array(size);
    this.probs = new Float64Array(size);
    this.keep = new Uint8Array(size);
    this.order = Array.from({ length: size }, (_, i) => i);
  }

  /** The index chosen for `logits` (at least `size` of them) and a uniform number u in [0, 1). */
  next(logits: ArrayLike<number>, u: number): number {
    const { size: n, lp, probs, keep, order } = this;
    const { temperature, topK, topP } = this.options;
    let m = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) m = Math.max(m, logits[i] as number);
    let z = 0;
    for (let i = 0; i < n; i++) z += Math.exp((logits[i] as number) - m);
    const lse = m + Math.log(z);
    for (let i = 0; i < n; i++) lp[i] = (logits[i] as number) - lse;
    // Ranks as filtered makes them: a stable sort of 0..n-1 by log-probability.
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort(this.byLogProb);
    if (temperature <= 0) return order[0] as number;
    let sm = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) sm = Math.max(sm, (lp[i] as number) / temperature);
    let z0 = 0;
    for (let i = 0; i < n; i++) {
      probs[i] = Math.exp((lp[i] as number) / temperature - sm);
      z0 += probs[i] as number;
    }
    keep.fill(0);
    let mass = 0;
    for (let rank = 0; rank < n; rank++) {
      if (topK !== undefined && rank >= topK) break;
      if (topP !== undefined && mass >= topP) break;
      const i = order[rank] as number;
      keep[i] = 1;
      mass += (probs[i] as number) / z0;
    }
    let zk = 0;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 0) probs[i] = 0;
      zk += probs[i] as number;
    }
    for (let i = 0; i < n; i++) probs[i] = (probs[i] as number) / zk;
    return pick(probs, u);
  }
}
