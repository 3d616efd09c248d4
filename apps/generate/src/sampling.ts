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
export function pick(probs: readonly number[], u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i] as number;
    if (u < acc) return i;
  }
  // Rounding left u above the total: the last index with mass.
  for (let i = probs.length - 1; i >= 0; i--) if ((probs[i] as number) > 0) return i;
  return 0;
}
