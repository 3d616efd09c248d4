// Truncated backpropagation through time: a long sequence cut into windows of k steps; the state is carried
// from one window to the next, but its gradient is stopped at the window boundary (each window's valueAndGrad
// sees the incoming state as a constant).
import { invalidArgument, raise, slice, type Tensor, valueAndGrad } from "@gated/autograd";
import type { Optimizer } from "./optim.js";

/** [start, length] of each window of k steps over T (the last may be shorter). */
export function windows(T: number, k: number): [number, number][] {
  if (!Number.isInteger(k) || k < 1) raise(invalidArgument("tbptt", "window", `must be a positive integer, got ${k}`));
  const out: [number, number][] = [];
  for (let s = 0; s < T; s += k) out.push([s, Math.min(k, T - s)]);
  return out;
}

/** Steps [start, start + length) of a batch-first tensor [B, T, ...]. */
export function timeSlice(x: Tensor, start: number, length: number): Tensor {
  return slice(x, x.shape.map((_, i) => (i === 1 ? start : 0)), x.shape.map((d, i) => (i === 1 ? length : d)));
}

export interface TbpttResult<P, S, O> {
  readonly params: P;
  readonly optState: O;
  readonly state: S;
  /** The loss of each window. */
  readonly losses: number[];
}

/**
 * Runs truncated BPTT over batch-first inputs xs [B, T, ...]: for each window of k steps, computes
 * [loss, nextState] = lossFn(params, state, xsWindow, start), takes the gradient with respect to params only,
 * transforms it (e.g. clipping), and updates params with the optimiser; nextState is carried to the next window
 * as a constant (its gradient stopped).
 */
export function tbptt<P, S, O>(
  lossFn: (params: P, state: S, xs: Tensor, start: number) => readonly [Tensor, S],
  optimizer: Optimizer<O>,
  init: { params: P; optState: O; state: S },
  xs: Tensor,
  { window, transformGrads = (g: P) => g }: { window: number; transformGrads?: (grads: P) => P },
): TbpttResult<P, S, O> {
  let { params, optState, state } = init;
  const losses: number[] = [];
  for (const [start, len] of windows(xs.shape[1] as number, window)) {
    const xw = timeSlice(xs, start, len);
    const [loss, grads, next] = valueAndGrad((p: P) => lossFn(p, state, xw, start), { hasAux: true })(params);
    [optState, params] = optimizer.update(optState, params, transformGrads(grads as unknown as P));
    state = next as S;
    losses.push(loss.item());
  }
  return { params, optState, state, losses };
}
