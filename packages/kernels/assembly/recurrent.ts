// Fused recurrent cell kernels: one pass over a step's [rows, G*H] gate pre-activations that applies every
// nonlinearity and the state update (forward), or the whole cell's derivative (backward). The matrix products
// h W_hh^T and dPre W_hh run as sgemm between calls; these kernels do everything else of a step.
//
// Layouts (row-major, byte pointers): gates [rows, G*H] with PyTorch's gate order (LSTM i, f, g, o; GRU r, z, n);
// states [rows, H]. `mask` is 0 (every row steps) or one float per row: 1 steps the row, 0 freezes it (its state
// is copied through, its output is 0, and its backward passes the state gradients through unchanged): that is
// how sequences of different lengths share a batch. An output may be the same array as the input it replaces
// element by element (hOut = hPrev, cOut = cPrev, dhPrev = dh, dcPrev = dc): every element is read before it
// is written.
//
// SIMD over H, four lanes at a time; the scalar tail computes each lane with the same operations in the same
// order (sigmoid1 / tanh1 are the SIMD functions on one lane), so a value never depends on its column. No
// fused multiply-add here, so both builds give the same numbers.
//
// The backward steps store every gradient smaller than 2^-100 (7.9e-31) in magnitude as 0. WebAssembly cannot
// set the CPU's flush-to-zero mode, and a vanishing gradient reaches the denormal range (below 1.2e-38) within a
// few hundred steps: every multiply-add that touches a denormal then takes a microcode assist, about 100 times as
// long (a GRU on the adding problem at T = 200 trained at 900 ms per step instead of 60). 2^-100 leaves the
// products of the next step's GEMM, gradient times weight, clear of the denormal range for weights down to 2^-26.
// NaN is kept.
import { sigmoid4, tanh4 } from "./simd";

/** Gradients below this in magnitude are stored as 0 (see above): 2^-100. */
const TINY: f32 = 7.888609052210118e-31;

// @ts-ignore: decorator
@inline
function flush4(v: v128): v128 {
  return v128.andnot(v, f32x4.lt(f32x4.abs(v), f32x4.splat(TINY)));
}

// @ts-ignore: decorator
@inline
function flush1(x: f32): f32 {
  return abs<f32>(x) < TINY ? 0 : x;
}

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline
function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline
function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline
function stepsRow(mask: usize, r: i32): bool {
  return mask == 0 || load<f32>(at(mask, r)) != 0;
}

/** The gradient of a step's new hidden state, four lanes: dh, plus dy when there is one (dyr != 0). */
// @ts-ignore: decorator
@inline
function dhPlusDy4(dhr: usize, dyr: usize, j: i32): v128 {
  const dh = v128.load(at(dhr, j));
  return dyr == 0 ? dh : f32x4.add(dh, v128.load(at(dyr, j)));
}

/** The same for one element (the scalar tail). */
// @ts-ignore: decorator
@inline
function dhPlusDy1(dhr: usize, dyr: usize, j: i32): f32 {
  const dh = load<f32>(at(dhr, j));
  return dyr == 0 ? dh : dh + load<f32>(at(dyr, j));
}

/** Copies n floats (the frozen rows' state). */
// @ts-ignore: decorator
@inline
function copy(dst: usize, src: usize, n: i32): void {
  if (dst != src) memory.copy(dst, src, <usize>n << 2);
}

/**
 * LSTM forward step. gates: in the pre-activations [i | f | g | o] (each H wide) of every row, out the activated
 * gates (what the backward step reads). c = f * cPrev + i * g, h = o * tanh(c); y (the step's output) = h, or 0
 * for a frozen row.
 */
export function lstmForward(gates: usize, cOut: usize, hOut: usize, y: usize, cPrev: usize, hPrev: usize, mask: usize, rows: i32, H: i32): void {
  for (let r = 0; r < rows; r++) {
    const gi = at(gates, r * 4 * H);
    const gf = at(gi, H), gg = at(gi, 2 * H), go = at(gi, 3 * H);
    const cp = at(cPrev, r * H), hp = at(hPrev, r * H);
    const co = at(cOut, r * H), ho = at(hOut, r * H), yo = at(y, r * H);
    const steps = stepsRow(mask, r);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const i = sigmoid4(v128.load(at(gi, j)));
      const f = sigmoid4(v128.load(at(gf, j)));
      const g = tanh4(v128.load(at(gg, j)));
      const o = sigmoid4(v128.load(at(go, j)));
      v128.store(at(gi, j), i);
      v128.store(at(gf, j), f);
      v128.store(at(gg, j), g);
      v128.store(at(go, j), o);
      if (steps) {
        const c = f32x4.add(f32x4.mul(f, v128.load(at(cp, j))), f32x4.mul(i, g));
        const h = f32x4.mul(o, tanh4(c));
        v128.store(at(co, j), c);
        v128.store(at(ho, j), h);
        v128.store(at(yo, j), h);
      }
    }
    for (; j < H; j++) {
      const i = sigmoid1(load<f32>(at(gi, j)));
      const f = sigmoid1(load<f32>(at(gf, j)));
      const g = tanh1(load<f32>(at(gg, j)));
      const o = sigmoid1(load<f32>(at(go, j)));
      store<f32>(at(gi, j), i);
      store<f32>(at(gf, j), f);
      store<f32>(at(gg, j), g);
      store<f32>(at(go, j), o);
      if (steps) {
        const c = f * load<f32>(at(cp, j)) + i * g;
        const h = o * tanh1(c);
        store<f32>(at(co, j), c);
        store<f32>(at(ho, j), h);
        store<f32>(at(yo, j), h);
      }
    }
    if (!steps) {
      copy(co, cp, H);
      copy(ho, hp, H);
      memory.fill(yo, 0, <usize>H << 2);
    }
  }
}

/**
 * LSTM backward step. In: the activated gates and cPrev, cNew (= this step's c) of the forward step; dh, dc the
 * gradients of the step's new state; dy the gradient of its output (0 pointer: none). Out: dPre [rows, 4H] the
 * gradient of the pre-activations; dcPrev the gradient of cPrev; dhPrev the part of the gradient of hPrev that
 * does not go through W_hh (0 for a row that stepped, dh for a frozen row); the caller adds dPre W_hh.
 */
export function lstmBackward(dPre: usize, dhPrev: usize, dcPrev: usize, gates: usize, cPrev: usize, cNew: usize, dh: usize, dy: usize, dc: usize, mask: usize, rows: i32, H: i32): void {
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const gi = at(gates, r * 4 * H);
    const gf = at(gi, H), gg = at(gi, 2 * H), go = at(gi, 3 * H);
    const di = at(dPre, r * 4 * H);
    const df = at(di, H), dg = at(di, 2 * H), dO = at(di, 3 * H);
    const cp = at(cPrev, r * H), cn = at(cNew, r * H);
    const dhr = at(dh, r * H), dyr = dy == 0 ? <usize>0 : at(dy, r * H), dcr = at(dc, r * H);
    const dhp = at(dhPrev, r * H), dcp = at(dcPrev, r * H);
    if (!stepsRow(mask, r)) {
      memory.fill(di, 0, <usize>(4 * H) << 2);
      copy(dcp, dcr, H);
      copy(dhp, dhr, H);
      continue;
    }
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const dhn = dhPlusDy4(dhr, dyr, j);
      const i = v128.load(at(gi, j)), f = v128.load(at(gf, j)), g = v128.load(at(gg, j)), o = v128.load(at(go, j));
      const tc = tanh4(v128.load(at(cn, j)));
      const dct = f32x4.add(v128.load(at(dcr, j)), f32x4.mul(f32x4.mul(dhn, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      v128.store(at(di, j), flush4(f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)))));
      v128.store(at(df, j), flush4(f32x4.mul(f32x4.mul(dct, v128.load(at(cp, j))), f32x4.mul(f, f32x4.sub(one, f)))));
      v128.store(at(dg, j), flush4(f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)))));
      v128.store(at(dO, j), flush4(f32x4.mul(f32x4.mul(dhn, tc), f32x4.mul(o, f32x4.sub(one, o)))));
      v128.store(at(dcp, j), flush4(f32x4.mul(dct, f)));
      v128.store(at(dhp, j), f32x4.splat(0));
    }
    for (; j < H; j++) {
      const dhn = dhPlusDy1(dhr, dyr, j);
      const i = load<f32>(at(gi, j)), f = load<f32>(at(gf, j)), g = load<f32>(at(gg, j)), o = load<f32>(at(go, j));
      const tc = tanh1(load<f32>(at(cn, j)));
      const dct = load<f32>(at(dcr, j)) + (dhn * o) * (<f32>1 - tc * tc);
      store<f32>(at(di, j), flush1((dct * g) * (i * (<f32>1 - i))));
      store<f32>(at(df, j), flush1((dct * load<f32>(at(cp, j))) * (f * (<f32>1 - f))));
      store<f32>(at(dg, j), flush1((dct * i) * (<f32>1 - g * g)));
      store<f32>(at(dO, j), flush1((dhn * tc) * (o * (<f32>1 - o))));
      store<f32>(at(dcp, j), flush1(dct * f));
      store<f32>(at(dhp, j), 0);
    }
  }
}

/**
 * GRU forward step (PyTorch's form, reset gate applied after the product). xp [rows, 3H] = x W_ih^T + b_ih;
 * hp [rows, 3H] = hPrev W_hh^T (no bias); bias [3H] = b_hh. r = sigmoid(xr + (hr + br)), z = sigmoid(xz + (hz +
 * bz)), n = tanh(xn + r * (hn + bn)), h = (<f32>1 - z) * n + z * hPrev. saved [rows, 4H] receives r, z, n, hn + bn.
 */
export function gruForward(saved: usize, hOut: usize, y: usize, xp: usize, hp: usize, bias: usize, hPrev: usize, mask: usize, rows: i32, H: i32): void {
  const one = f32x4.splat(1);
  const br = bias, bz = at(bias, H), bn = at(bias, 2 * H);
  for (let r = 0; r < rows; r++) {
    const xr = at(xp, r * 3 * H), xz = at(xr, H), xn = at(xr, 2 * H);
    const hr = at(hp, r * 3 * H), hz = at(hr, H), hn = at(hr, 2 * H);
    const sr = at(saved, r * 4 * H), sz = at(sr, H), sn = at(sr, 2 * H), sh = at(sr, 3 * H);
    const h0 = at(hPrev, r * H), ho = at(hOut, r * H), yo = at(y, r * H);
    const steps = stepsRow(mask, r);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const rg = sigmoid4(f32x4.add(v128.load(at(xr, j)), f32x4.add(v128.load(at(hr, j)), v128.load(at(br, j)))));
      const zg = sigmoid4(f32x4.add(v128.load(at(xz, j)), f32x4.add(v128.load(at(hz, j)), v128.load(at(bz, j)))));
      const hnb = f32x4.add(v128.load(at(hn, j)), v128.load(at(bn, j)));
      const n = tanh4(f32x4.add(v128.load(at(xn, j)), f32x4.mul(rg, hnb)));
      v128.store(at(sr, j), rg);
      v128.store(at(sz, j), zg);
      v128.store(at(sn, j), n);
      v128.store(at(sh, j), hnb);
      if (steps) {
        const h = f32x4.add(f32x4.mul(f32x4.sub(one, zg), n), f32x4.mul(zg, v128.load(at(h0, j))));
        v128.store(at(ho, j), h);
        v128.store(at(yo, j), h);
      }
    }
    for (; j < H; j++) {
      const rg = sigmoid1(load<f32>(at(xr, j)) + (load<f32>(at(hr, j)) + load<f32>(at(br, j))));
      const zg = sigmoid1(load<f32>(at(xz, j)) + (load<f32>(at(hz, j)) + load<f32>(at(bz, j))));
      const hnb = load<f32>(at(hn, j)) + load<f32>(at(bn, j));
      const n = tanh1(load<f32>(at(xn, j)) + rg * hnb);
      store<f32>(at(sr, j), rg);
      store<f32>(at(sz, j), zg);
      store<f32>(at(sn, j), n);
      store<f32>(at(sh, j), hnb);
      if (steps) {
        const h = (<f32>1 - zg) * n + zg * load<f32>(at(h0, j));
        store<f32>(at(ho, j), h);
        store<f32>(at(yo, j), h);
      }
    }
    if (!steps) {
      copy(ho, h0, H);
      memory.fill(yo, 0, <usize>H << 2);
    }
  }
}

/**
 * GRU backward step. In: saved (r, z, n, hn + bn) and hPrev of the forward step, dh, dy (0: none). Out: dxp
 * [rows, 3H] the gradient of x W_ih^T + b_ih; dhp [rows, 3H] the gradient of hPrev W_hh^T + b_hh; dhPrev the
 * part of hPrev's gradient that does not go through W_hh (dh z; dh for a frozen row); the caller adds dhp W_hh.
 */
export function gruBackward(dxp: usize, dhp: usize, dhPrev: usize, saved: usize, hPrev: usize, dh: usize, dy: usize, mask: usize, rows: i32, H: i32): void {
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const sr = at(saved, r * 4 * H), sz = at(sr, H), sn = at(sr, 2 * H), sh = at(sr, 3 * H);
    const xr = at(dxp, r * 3 * H), xz = at(xr, H), xn = at(xr, 2 * H);
    const hr = at(dhp, r * 3 * H), hz = at(hr, H), hn = at(hr, 2 * H);
    const h0 = at(hPrev, r * H), dhr = at(dh, r * H), dyr = dy == 0 ? <usize>0 : at(dy, r * H), dho = at(dhPrev, r * H);
    if (!stepsRow(mask, r)) {
      memory.fill(xr, 0, <usize>(3 * H) << 2);
      memory.fill(hr, 0, <usize>(3 * H) << 2);
      copy(dho, dhr, H);
      continue;
    }
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const dhn = dhPlusDy4(dhr, dyr, j);
      const rg = v128.load(at(sr, j)), zg = v128.load(at(sz, j)), n = v128.load(at(sn, j)), hnb = v128.load(at(sh, j));
      const dnp = f32x4.mul(f32x4.mul(dhn, f32x4.sub(one, zg)), f32x4.sub(one, f32x4.mul(n, n)));
      const dzp = flush4(f32x4.mul(f32x4.mul(dhn, f32x4.sub(v128.load(at(h0, j)), n)), f32x4.mul(zg, f32x4.sub(one, zg))));
      const drp = flush4(f32x4.mul(f32x4.mul(dnp, hnb), f32x4.mul(rg, f32x4.sub(one, rg))));
      v128.store(at(xr, j), drp);
      v128.store(at(xz, j), dzp);
      v128.store(at(xn, j), flush4(dnp));
      v128.store(at(hr, j), drp);
      v128.store(at(hz, j), dzp);
      v128.store(at(hn, j), flush4(f32x4.mul(dnp, rg)));
      v128.store(at(dho, j), flush4(f32x4.mul(dhn, zg)));
    }
    for (; j < H; j++) {
      const dhn = dhPlusDy1(dhr, dyr, j);
      const rg = load<f32>(at(sr, j)), zg = load<f32>(at(sz, j)), n = load<f32>(at(sn, j)), hnb = load<f32>(at(sh, j));
      const dnp = (dhn * (<f32>1 - zg)) * (<f32>1 - n * n);
      const dzp = flush1((dhn * (load<f32>(at(h0, j)) - n)) * (zg * (<f32>1 - zg)));
      const drp = flush1((dnp * hnb) * (rg * (<f32>1 - rg)));
      store<f32>(at(xr, j), drp);
      store<f32>(at(xz, j), dzp);
      store<f32>(at(xn, j), flush1(dnp));
      store<f32>(at(hr, j), drp);
      store<f32>(at(hz, j), dzp);
      store<f32>(at(hn, j), flush1(dnp * rg));
      store<f32>(at(dho, j), flush1(dhn * zg));
    }
  }
}

/** Elman RNN forward step: pre [rows, H] in: pre-activations, out: act(pre) (tanh, or relu when relu != 0). */
export function rnnForward(pre: usize, hOut: usize, y: usize, hPrev: usize, mask: usize, rows: i32, H: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const p = at(pre, r * H), h0 = at(hPrev, r * H), ho = at(hOut, r * H), yo = at(y, r * H);
    const steps = stepsRow(mask, r);
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const x = v128.load(at(p, j));
      const a = relu ? f32x4.max(x, zero) : tanh4(x);
      v128.store(at(p, j), a);
      if (steps) {
        v128.store(at(ho, j), a);
        v128.store(at(yo, j), a);
      }
    }
    for (; j < H; j++) {
      const x = load<f32>(at(p, j));
      const a = relu ? max<f32>(x, 0) : tanh1(x);
      store<f32>(at(p, j), a);
      if (steps) {
        store<f32>(at(ho, j), a);
        store<f32>(at(yo, j), a);
      }
    }
    if (!steps) {
      copy(ho, h0, H);
      memory.fill(yo, 0, <usize>H << 2);
    }
  }
}

/**
 * Elman RNN backward step. act [rows, H]: the forward step's activations. dPre = (dh + dy) act'(pre) (tanh:
 * 1 - act^2; relu: 0 where act <= 0, as threshold_backward); dhPrev = 0, or dh for a frozen row.
 */
export function rnnBackward(dPre: usize, dhPrev: usize, act: usize, dh: usize, dy: usize, mask: usize, rows: i32, H: i32, relu: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const d = at(dPre, r * H), a0 = at(act, r * H), dhr = at(dh, r * H), dyr = dy == 0 ? <usize>0 : at(dy, r * H), dho = at(dhPrev, r * H);
    if (!stepsRow(mask, r)) {
      memory.fill(d, 0, <usize>H << 2);
      copy(dho, dhr, H);
      continue;
    }
    let j = 0;
    for (; j + 4 <= H; j += 4) {
      const dhn = dhPlusDy4(dhr, dyr, j);
      const a = v128.load(at(a0, j));
      const g = relu ? v128.and(dhn, v128.not(f32x4.le(a, zero))) : f32x4.mul(dhn, f32x4.sub(one, f32x4.mul(a, a)));
      v128.store(at(d, j), flush4(g));
      v128.store(at(dho, j), zero);
    }
    for (; j < H; j++) {
      const dhn = dhPlusDy1(dhr, dyr, j);
      const a = load<f32>(at(a0, j));
      store<f32>(at(d, j), flush1(relu ? (a <= 0 ? 0 : dhn) : dhn * (<f32>1 - a * a)));
      store<f32>(at(dho, j), 0);
    }
  }
}
