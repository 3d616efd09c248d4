// Distribution functions for the statistical tests (standard formulas, written here).

/** erf(x) by its Taylor series near 0 and a continued fraction of erfc beyond: |error| < 1e-14. */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 2.5) {
    // erf x = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc x = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))), evaluated from the tail.
  let f = x;
  for (let n = 60; n >= 1; n--) f = x + n / 2 / f;
  return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The standard normal CDF. */
export const phi = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

/** Upper tail P(X >= x) of a chi-square with k degrees of freedom (Wilson-Hilferty; good for k >= 20). */
export function chiSquareUpper(x: number, k: number): number {
  const z = (Math.cbrt(x / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
  return 1 - phi(z);
}

/** Pearson's statistic of observed counts against equal expected counts. */
export function chiSquareUniform(counts: ArrayLike<number>): { stat: number; df: number; p: number } {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i] as number;
  const e = total / counts.length;
  let stat = 0;
  for (let i = 0; i < counts.length; i++) stat += ((counts[i] as number) - e) ** 2 / e;
  const df = counts.length - 1;
  return { stat, df, p: chiSquareUpper(stat, df) };
}

/** Kolmogorov's limiting distribution, P(sqrt(n) D > lambda), with Stephens' small-sample correction. */
export function ksPValue(d: number, n: number): number {
  const s = Math.sqrt(n);
  const lambda = (s + 0.12 + 0.11 / s) * d;
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) sum += (j % 2 === 1 ? 2 : -2) * Math.exp(-2 * j * j * lambda * lambda);
  return Math.min(1, Math.max(0, sum));
}

/** The one-sample Kolmogorov-Smirnov statistic D of samples against a CDF, and its p-value. */
export function ksTest(samples: ArrayLike<number>, cdf: (x: number) => number): { d: number; p: number } {
  const x = Float64Array.from(samples).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i] as number);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return { d, p: ksPValue(d, n) };
}

/** Adds 1 to count i. */
export function bump(counts: Float64Array, i: number): void {
  counts[i] = (counts[i] as number) + 1;
}

/** Counts of values in [0, 1) in `bins` equal bins. */
export function histogram(u: ArrayLike<number>, bins: number): Float64Array {
  const c = new Float64Array(bins);
  for (let i = 0; i < u.length; i++) bump(c, Math.floor((u[i] as number) * bins));
  return c;
}

/** Counts of pairs (a[i], b[i]) of values in [0, 1) in a bins x bins grid. */
export function histogram2(a: ArrayLike<number>, b: ArrayLike<number>, bins: number): Float64Array {
  const c = new Float64Array(bins * bins);
  for (let i = 0; i < a.length; i++) bump(c, Math.floor((a[i] as number) * bins) * bins + Math.floor((b[i] as number) * bins));
  return c;
}
