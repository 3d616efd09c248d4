// Timing for benchmarks: warm up, then time batches of calls until a time budget is spent; report the median
// batch (robust to a noisy neighbour on a shared 2-core machine).

export interface TimingOptions {
  /** Seconds to spend measuring one case (after warm-up). */
  readonly seconds: number;
}

/**
 * Seconds of warm-up before any timing. V8 first runs WebAssembly with its baseline compiler (Liftoff) and
 * tiers hot functions up to TurboFan in the background; a large module such as tfjs-wasm's needs a few hundred
 * milliseconds of calls before its hot code is optimised, and timing it earlier would halve its speed.
 */
const WARMUP_SECONDS = 0.2;

/** Median seconds per call of `fn`. */
export function timeCall(fn: () => void, { seconds }: TimingOptions): number {
  // Tiny budgets (smoke tests of the command line) shorten warm-up and take a single sample.
  const warmEnd = performance.now() + Math.min(WARMUP_SECONDS, 10 * seconds) * 1000;
  const minSamples = seconds < 0.1 ? 1 : 5;
  while (performance.now() < warmEnd) fn();
  // Size batches to about 1/20 of the budget.
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
  while (samples.length < minSamples || (performance.now() < end && samples.length < 200)) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push((performance.now() - t0) / 1000 / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}
