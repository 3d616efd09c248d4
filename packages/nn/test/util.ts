// Test helpers: seeded random tensors, fast-check arbitraries for shapes, and the VJP check against central
// differences in float64.
import fc from "fast-check";
import { expect } from "vitest";
import { checkVjp, type DType, type Tensor, tensorOrThrow } from "@gated/autograd";

/** Deterministic values in [lo, hi) (mulberry32). */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  });
}

export const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A random tensor of `shape` with values in [lo, hi). */
export function rand(shape: readonly number[], seed: number, lo = -1, hi = 1, dtype: DType = "float64"): Tensor {
  return tensorOrThrow(randomValues(sizeOfShape(shape), seed, lo, hi), shape, dtype);
}

/** Values in [lo, hi) in magnitude with a random sign (away from 0: for kinks and division). */
export function randAway(shape: readonly number[], seed: number, lo: number, hi: number): Tensor {
  const mags = randomValues(sizeOfShape(shape), seed, lo, hi);
  const signs = randomValues(mags.length, seed + 99);
  return tensorOrThrow(mags.map((m, i) => ((signs[i] as number) < 0 ? -m : m)), shape, "float64");
}

export const dimArb = fc.integer({ min: 1, max: 4 });
export const shapeArb = (minRank = 0, maxRank = 3) => fc.array(dimArb, { minLength: minRank, maxLength: maxRank });

/** A shape that broadcasts to `shape`: some axes set to 1, some leading axes dropped. */
export const broadcastableArb = (shape: readonly number[]) =>
  fc.tuple(fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }), fc.integer({ min: 0, max: shape.length })).map(([ones, drop]) =>
    shape.map((d, i) => ((ones[i] as boolean) ? 1 : d)).slice(drop),
  );

export const TOL = { atol: 1e-6, rtol: 1e-5 };

/**
 * Expects f's VJP to match central differences in one random direction and cotangent (float64), printing the
 * shapes on failure.
 */
export function expectVjp(name: string, f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], seed: number, tol = TOL): void {
  const out = f(...inputs);
  const dirs = inputs.map((x, k) => rand(x.shape, seed * 31 + k));
  const ct = rand(out.shape, seed * 17 + 5);
  const r = checkVjp(f, inputs, dirs, ct);
  const ok = r.absError <= tol.atol + tol.rtol * Math.abs(r.numeric);
  if (!ok) {
    expect.fail(`${name}: <u, vjp(v)> = ${r.analytic} but central difference gives ${r.numeric} (inputs ${inputs.map((x) => `[${x.shape.join(",")}]`).join(" ")}, seed ${seed})`);
  }
}
