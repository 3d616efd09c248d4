// Helpers for tests of code built on @gated/autograd (exported as @gated/autograd/testing): seeded random
// tensors and a VJP check that throws with the shapes and seed when the VJP and central differences disagree.
import { key, uniform } from "@gated/random";
import { checkVjp } from "./gradcheck.js";
import type { DType } from "./storage.js";
import { type Tensor, tensorOrThrow } from "./tensor.js";

/** Deterministic values in [lo, hi): the uniforms of `key(seed)` from `@gated/random`, scaled. */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  return Array.from(uniform(key(seed), n), (u) => lo + (hi - lo) * u);
}

const sizeOfShape = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A random tensor of `shape` with values in [lo, hi) (float64 by default: for gradient checks). */
export function rand(shape: readonly number[], seed: number, lo = -1, hi = 1, dtype: DType = "float64"): Tensor {
  return tensorOrThrow(randomValues(sizeOfShape(shape), seed, lo, hi), shape, dtype);
}

/** Values in [lo, hi) in magnitude with a random sign (away from 0: for kinks and division). */
export function randAway(shape: readonly number[], seed: number, lo: number, hi: number): Tensor {
  const mags = randomValues(sizeOfShape(shape), seed, lo, hi);
  const signs = randomValues(mags.length, seed + 99);
  return tensorOrThrow(mags.map((m, i) => ((signs[i] as number) < 0 ? -m : m)), shape, "float64");
}

export const TOL = { atol: 1e-6, rtol: 1e-5 };

/**
 * Throws unless f's VJP matches central differences in one random direction and cotangent (float64): the
 * message names the function, the input shapes and the seed.
 */
export function expectVjp(name: string, f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], seed: number, tol = TOL): void {
  const out = f(...inputs);
  const dirs = inputs.map((x, k) => rand(x.shape, seed * 31 + k));
  const ct = rand(out.shape, seed * 17 + 5);
  const r = checkVjp(f, inputs, dirs, ct);
  if (!(r.absError <= tol.atol + tol.rtol * Math.abs(r.numeric))) {
    throw new Error(`${name}: <u, vjp(v)> = ${r.analytic} but central difference gives ${r.numeric} (inputs ${inputs.map((x) => `[${x.shape.join(",")}]`).join(" ")}, seed ${seed})`);
  }
}

/**
 * The files that ran `f` up to the error it throws, read off the raw call sites (the printed stack cannot tell a
 * build from its source: source maps rewrite dist/*.js to src/*.ts). Tests use it to show that a package's tests
 * import their siblings' source.
 */
export function filesOnStack(f: () => unknown): string[] {
  const saved = Error.prepareStackTrace;
  let files: string[] = [];
  Error.prepareStackTrace = (_e, sites) => {
    files = sites.map((s) => s.getFileName() ?? "");
    return "";
  };
  try {
    f();
  } catch (e) {
    void (e as Error).stack;
  } finally {
    Error.prepareStackTrace = saved;
  }
  return files;
}

/**
 * max |got - want| / max(max |want|, floor): an error relative to the expected tensor's own scale (what float32
 * rounding is measured against), with a floor for tensors that are all near zero. Infinity if got has a
 * non-finite value.
 */
export function relError(got: Tensor, want: Tensor, floor = 1e-3): number {
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) return Number.POSITIVE_INFINITY;
  const g = got.toArray();
  const w = want.toArray();
  let err = 0;
  let scale = floor;
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(g[i] as number)) return Number.POSITIVE_INFINITY;
    err = Math.max(err, Math.abs((g[i] as number) - (w[i] as number)));
    scale = Math.max(scale, Math.abs(w[i] as number));
  }
  return err / scale;
}
