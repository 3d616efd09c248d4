// Gradient checks against central differences in float64: gradcheck (every element, like
// torch.autograd.gradcheck) and checkVjp (one random direction: cheap enough for property tests).
import * as E from "fp-ts/lib/Either.js";
import { attempt, type GatedError, invalidFunction, raise } from "./errors.js";
import { astype } from "./ops.js";
import { Storage } from "./storage.js";
import { Tensor } from "./tensor.js";
import { grad, vjp } from "./transforms.js";

export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  readonly eps?: number;
  /** |analytic - numeric| <= atol + rtol |numeric| passes (defaults 1e-5 and 1e-3). */
  readonly atol?: number;
  readonly rtol?: number;
}

export interface WorstElement {
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
  readonly absError: number;
}

export interface GradcheckReport {
  readonly ok: boolean;
  /** Per input: the element whose error, relative to the tolerance, is largest. */
  readonly inputs: readonly (WorstElement | undefined)[];
}

const f64 = (t: Tensor): Tensor => astype(t, "float64");

function perturbed(t: Tensor, i: number, delta: number): Tensor {
  const s = Storage.from("float64", t.storage.view());
  const v = s.view();
  v[i] = (v[i] as number) + delta;
  return new Tensor(s, t.shape);
}

function scalarOf(op: string, out: unknown): number {
  if (!(out instanceof Tensor) || out.size !== 1) raise(invalidFunction(op, "the function must return a tensor with one element"));
  return out.item();
}

/**
 * Compares the gradient of scalar-valued f (by `grad`) with central differences, element by element, in float64
 * (inputs are converted). Returns the worst element of each input.
 *
 * @example
 * gradcheck((x: Tensor) => sum(tanh(x)), [tensorOrThrow([0.1, -0.4])]); // Right({ ok: true, ... })
 * @since 0.1.0
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): E.Either<GatedError, GradcheckReport> {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = options;
  return attempt(() => {
    const xs = inputs.map(f64);
    const analytic = grad((...a: Tensor[]) => f(...a), { argnums: xs.map((_, i) => i) })(...xs) as unknown as Tensor[];
    let ok = true;
    const worst = xs.map((x, k) => {
      const a = (analytic[k] as Tensor).toArray();
      let w: WorstElement | undefined;
      let wScore = -1;
      for (let i = 0; i < x.size; i++) {
        const plus = scalarOf("gradcheck", f(...xs.map((y, j) => (j === k ? perturbed(x, i, eps) : y))));
        const minus = scalarOf("gradcheck", f(...xs.map((y, j) => (j === k ? perturbed(x, i, -eps) : y))));
        const numeric = (plus - minus) / (2 * eps);
        const absError = Math.abs((a[i] as number) - numeric);
        const score = absError / (atol + rtol * Math.abs(numeric));
        if (!(score <= 1)) ok = false;
        if (score > wScore || Number.isNaN(score)) {
          wScore = Number.isNaN(score) ? Number.POSITIVE_INFINITY : score;
          w = { index: i, analytic: a[i] as number, numeric, absError };
        }
      }
      return w;
    });
    return { ok, inputs: worst };
  });
}

export interface VjpCheck {
  /** <u, J^T v>: the pullback of v, dotted with the direction u. */
  readonly analytic: number;
  /** <v, (f(x + eps u) - f(x - eps u)) / 2 eps>. */
  readonly numeric: number;
  readonly absError: number;
}

/**
 * Checks f's VJP in one direction: <u, vjp(v)> against the central-difference directional derivative <v, J u>,
 * in float64, for given direction u (one per input) and cotangent v (f's output shape).
 */
export function checkVjp(f: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], directions: readonly Tensor[], cotangent: Tensor, eps = 1e-6): VjpCheck {
  const xs = inputs.map(f64);
  const us = directions.map(f64);
  const v = f64(cotangent).toArray();
  const [, pullback] = vjp((...a: Tensor[]) => f(...a), ...xs);
  const gs = pullback(f64(cotangent) as never) as unknown as Tensor[];
  let analytic = 0;
  gs.forEach((g, k) => {
    const ga = g.toArray();
    const ua = (us[k] as Tensor).toArray();
    for (let i = 0; i < ga.length; i++) analytic += (ga[i] as number) * (ua[i] as number);
  });
  const shifted = (sign: number) =>
    f(...xs.map((x, k) => {
      const s = Storage.from("float64", x.storage.view());
      const sv = s.view();
      const ua = (us[k] as Tensor).storage.view();
      for (let i = 0; i < sv.length; i++) sv[i] = (sv[i] as number) + sign * eps * (ua[i] as number);
      return new Tensor(s, x.shape);
    })).toArray();
  const plus = shifted(1);
  const minus = shifted(-1);
  let numeric = 0;
  for (let i = 0; i < v.length; i++) numeric += (v[i] as number) * (((plus[i] as number) - (minus[i] as number)) / (2 * eps));
  return { analytic, numeric, absError: Math.abs(analytic - numeric) };
}

export const isOk = (r: E.Either<GatedError, GradcheckReport>): boolean => E.isRight(r) && r.right.ok;
