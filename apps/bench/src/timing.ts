// Timing for benchmarks: warm up, then time batches of calls until a time budget is spent; report the median
// batch (robust to a noisy neighbour on a shared 2-core machine).

export interface TimingOptions {
  /** Seconds to spend measuring one case (after warm-up). */
  readonly seconds: number;
}

/** Median seconds per call of `fn`. */
export function timeCall(fn: () => void, { seconds }: TimingOptions): number {
  // Warm up (JIT tiers, caches) and size batches to about 1/20 of the budget.
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= seconds / 20 || calls >= 1 << 20) break;
    calls *= 2;
  }
  const samples: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (samples.length < 5 || (performance.now() < end && samples.length < 200)) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push((performance.now() - t0) / 1000 / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}
