// Plain-JS twins of the optimiser steps: float64 math, rounded once on store (what @gated/nn's optimisers
// computed in JS before these kernels).
import type { F32 } from "../types.js";
import { data } from "./data.js";

export function adamStep(
  pOut: F32, mOut: F32, vOut: F32, p: F32, g: F32, m: F32, v: F32, n: number,
  lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, weightDecay: number, decoupled: boolean,
): void {
  const [PO, MO, VO, P, G, M, Vv] = [pOut, mOut, vOut, p, g, m, v].map(data) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < n; i++) {
    const x = P[i] as number;
    const gi = (G[i] as number) + (decoupled ? 0 : weightDecay * x);
    const mi = beta1 * (M[i] as number) + (1 - beta1) * gi;
    const vi = beta2 * (Vv[i] as number) + (1 - beta2) * gi * gi;
    MO[i] = mi;
    VO[i] = vi;
    PO[i] = (decoupled ? x * (1 - lr * weightDecay) : x) - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}

export function sgdStep(pOut: F32, vOut: F32, p: F32, g: F32, v: F32, n: number, lr: number, momentum: number, nesterov: boolean, weightDecay: number): void {
  const [PO, VO, P, G, Vv] = [pOut, vOut, p, g, v].map(data) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < n; i++) {
    const x = P[i] as number;
    let d = (G[i] as number) + weightDecay * x;
    if (momentum > 0) {
      const vi = momentum * (Vv[i] as number) + d;
      VO[i] = vi;
      d = nesterov ? d + momentum * vi : vi;
    }
    PO[i] = x - lr * d;
  }
}
