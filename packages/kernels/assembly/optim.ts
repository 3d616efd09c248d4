// Optimiser steps over n parameters in one pass: the moments and the parameters are read once and written once.
// Outputs may be the very arrays of their inputs (pOut = p, mOut = m, vOut = v): each element is read before it
// is written. No fused multiply-add, so both builds give the same numbers.

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/**
 * Adam / AdamW: g' = g + l2 p; m = beta1 m + a1 g'; v = beta2 v + a2 g'^2; p = p shrink - lr (m / c1) / (sqrt(v /
 * c2) + eps). The caller passes a1 = 1 - beta1, a2 = 1 - beta2, shrink = 1 - lr wd (AdamW, else 1) and l2 = wd
 * (Adam, else 0) computed in float64, as PyTorch computes its scalars: 1 - beta2 rounded from float32's
 * 0.999 would be 1.3e-5 off.
 */
export function adamStep(
  pOut: usize, mOut: usize, vOut: usize, p: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, a1: f32, a2: f32, eps: f32, c1: f32, c2: f32, l2: f32, shrink: f32,
): void {
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), va1 = f32x4.splat(a1), va2 = f32x4.splat(a2);
  const vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2), ve = f32x4.splat(eps), vlr = f32x4.splat(lr);
  const vl2 = f32x4.splat(l2), vshrink = f32x4.splat(shrink);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at(p, i));
    const gi = f32x4.add(v128.load(at(g, i)), f32x4.mul(vl2, x));
    const mi = f32x4.add(f32x4.mul(b1, v128.load(at(m, i))), f32x4.mul(va1, gi));
    const vi = f32x4.add(f32x4.mul(b2, v128.load(at(v, i))), f32x4.mul(f32x4.mul(va2, gi), gi));
    const upd = f32x4.div(f32x4.div(mi, vc1), f32x4.add(f32x4.sqrt(f32x4.div(vi, vc2)), ve));
    v128.store(at(mOut, i), mi);
    v128.store(at(vOut, i), vi);
    v128.store(at(pOut, i), f32x4.sub(f32x4.mul(x, vshrink), f32x4.mul(vlr, upd)));
  }
  for (; i < n; i++) {
    const x = load<f32>(at(p, i));
    const gi = load<f32>(at(g, i)) + l2 * x;
    const mi = beta1 * load<f32>(at(m, i)) + a1 * gi;
    const vi = beta2 * load<f32>(at(v, i)) + (a2 * gi) * gi;
    const upd = (mi / c1) / (Mathf.sqrt(vi / c2) + eps);
    store<f32>(at(mOut, i), mi);
    store<f32>(at(vOut, i), vi);
    store<f32>(at(pOut, i), x * shrink - lr * upd);
  }
}

/**
 * SGD as torch.optim.SGD: d = g + wd p; with momentum, v = mu v + d and d = v (Nesterov: d + mu v);
 * p -= lr d. Without momentum (momentum = 0) v is neither read nor written.
 */
export function sgdStep(pOut: usize, vOut: usize, p: usize, g: usize, v: usize, n: i32, lr: f32, momentum: f32, nesterov: i32, weightDecay: f32): void {
  const vmu = f32x4.splat(momentum), vwd = f32x4.splat(weightDecay), vlr = f32x4.splat(lr);
  const withMomentum = momentum > 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at(p, i));
    let d = f32x4.add(v128.load(at(g, i)), f32x4.mul(vwd, x));
    if (withMomentum) {
      const vi = f32x4.add(f32x4.mul(vmu, v128.load(at(v, i))), d);
      v128.store(at(vOut, i), vi);
      d = nesterov ? f32x4.add(d, f32x4.mul(vmu, vi)) : vi;
    }
    v128.store(at(pOut, i), f32x4.sub(x, f32x4.mul(vlr, d)));
  }
  for (; i < n; i++) {
    const x = load<f32>(at(p, i));
    let d = load<f32>(at(g, i)) + weightDecay * x;
    if (withMomentum) {
      const vi = momentum * load<f32>(at(v, i)) + d;
      store<f32>(at(vOut, i), vi);
      d = nesterov ? d + momentum * vi : vi;
    }
    store<f32>(at(pOut, i), x - lr * d);
  }
}
