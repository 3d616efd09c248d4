// The promise that LSTM cell-state gradients survive long sequences, as properties that can fail (float64,
// T up to 1000). Each compares the autograd's gradient with an exact value computed independently:
// (a) W_hh = 0: dL/dc_0 = dL/dc_T * prod_t f_t elementwise, f_t = sigmoid of the forget pre-activation that the
//     cell's own forward pass computed (lstmStepWithPre), to a relative 1e-9, compared in logarithms;
// (b) W_hh != 0: dL/dc_0 and dL/dh_0 of the LSTM, and dL/dh_0 of the tanh RNN, equal the product of the per-step
//     Jacobians written out in closed form in plain JS (forward pass included), to a relative 1e-9;
// (c) "survives" two-sided: forget gates above 0.9999 keep ||dL/dc_0|| / ||dL/dc_T|| >= 0.1 at T = 1000; forget
//     gates between 0.5 and 0.7 bring it below 1e-6, as a tanh RNN's is; either way the ratio lies between the
//     smallest and largest per-unit product of the gates (the recurrent weights kept small enough that the path
//     through h_t moves it by less than 1e-3: scale 1e-4 of PyTorch's initialisation, see SMALL_WHH).
// A companion test runs every property on three broken cells (forget gate removed, tanh forget gate, gradient
// through c cut) and checks that each property fails on each of them.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { rand, randomValues } from "@gated/autograd/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CellParams, inputProjection, lstmStepWithPre, type LstmState, rnnCell } from "../src/index.js";

/** A cell step under test: the next state and the gate pre-activations it used, [B, 4H] (i, f, g, o). */
type LstmStepFn = (p: CellParams, s: LstmState, xp: Tensor) => { state: LstmState; pre: Tensor };

// Three broken cells, each a plausible bug; every property below must fail on each.
const gateOf = (pre: Tensor, k: number, H: number) => ag.slice(pre, [0, k * H], [pre.shape[0] as number, H]);
function brokenCell(kind: "no forget gate" | "tanh forget gate" | "c gradient cut"): LstmStepFn {
  return (p, { h, c }, xp) => {
    const H = h.shape[1] as number;
    const pre = ag.add(xp, ag.add(ag.matmul(h, p.weight_hh, { transB: true }), p.bias_hh));
    const i = ag.sigmoid(gateOf(pre, 0, H));
    const f = kind === "tanh forget gate" ? ag.tanh(gateOf(pre, 1, H)) : ag.sigmoid(gateOf(pre, 1, H));
    const g = ag.tanh(gateOf(pre, 2, H));
    const o = ag.sigmoid(gateOf(pre, 3, H));
    const kept = kind === "no forget gate" ? c : kind === "c gradient cut" ? ag.mul(f, ag.stopGradient(c)) : ag.mul(f, c);
    const c2 = ag.add(kept, ag.mul(i, g));
    return { state: { h: ag.mul(o, ag.tanh(c2)), c: c2 }, pre };
  };
}
const BROKEN = (["no forget gate", "tanh forget gate", "c gradient cut"] as const).map((k) => [k, brokenCell(k)] as const);

const sigmoid = (a: number) => 1 / (1 + Math.exp(-a));

/** Random float64 LSTM weights: U(-s/sqrt(H), s/sqrt(H)) for W_ih, biases; W_hh scaled by `whh`; forget bias raised. */
function lstmParams(I: number, H: number, seed: number, whh: number, forgetBias: number): CellParams {
  const k = 1 / Math.sqrt(H);
  const bias = randomValues(4 * H, seed + 2, -k, k).map((v, r) => (r >= H && r < 2 * H ? v + forgetBias : v));
  return {
    weight_ih: rand([4 * H, I], seed, -k, k),
    weight_hh: ag.tensorOrThrow(randomValues(4 * H * H, seed + 1, -k, k).map((v) => v * whh), [4 * H, H], "float64"),
    bias_ih: ag.tensorOrThrow(bias, [4 * H], "float64"),
    bias_hh: ag.zeros([4 * H], "float64"),
  };
}

/** The autograd's dL/dc_0, dL/dh_0 for L = <v, c_T> + <w, h_T> through `step`, and the pre-activations of each step [T, B, 4H]. */
function autogradGrads(step: LstmStepFn, p: CellParams, xs: Tensor, h0: Tensor, c0: Tensor, v: Tensor, w: Tensor) {
  const f = (c0: Tensor, h0: Tensor): [Tensor, Tensor] => {
    const [fin, pres] = ag.scan((s: LstmState, x: Tensor): [LstmState, Tensor] => {
      const r = step(p, s, inputProjection(p, x));
      return [r.state, r.pre];
    }, { h: h0, c: c0 }, xs);
    return [ag.add(ag.sum(ag.mul(fin.c, v)), ag.sum(ag.mul(fin.h, w))), pres];
  };
  const [, grads, pres] = ag.valueAndGrad(f, { argnums: [0, 1], hasAux: true })(c0, h0) as unknown as [Tensor, [Tensor, Tensor], Tensor];
  return { dc0: grads[0].toArray(), dh0: grads[1].toArray(), pre: pres.toArray() };
}

/** Plain-JS float64 copies of tensors. */
const arr = (t: Tensor) => Array.from(t.toArray());

/**
 * The exact gradients of L = <v, c_T> + <w, h_T> for the LSTM of the lecture, by its closed-form forward pass
 * and the transposed per-step Jacobians of (h_t, c_t) with respect to (h_{t-1}, c_{t-1}), in plain JS.
 */
function closedFormLstm(p: CellParams, xs: Tensor, h0: Tensor, c0: Tensor, v: Tensor, w: Tensor) {
  const [T, B, I] = xs.shape as [number, number, number];
  const H = h0.shape[1] as number;
  const [Wih, Whh, bih, bhh, x] = [arr(p.weight_ih), arr(p.weight_hh), arr(p.bias_ih), arr(p.bias_hh), arr(xs)];
  type Step = { h: number[]; c: number[]; i: number[]; f: number[]; g: number[]; o: number[]; tc: number[] };
  const steps: Step[] = [];
  let h = arr(h0);
  let c = arr(c0);
  for (let t = 0; t < T; t++) {
    const s: Step = { h, c, i: [], f: [], g: [], o: [], tc: [] };
    const hn: number[] = [];
    const cn: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const a = [0, 1, 2, 3].map((k) => {
          const r = k * H + j;
          let sum = (bih[r] as number) + (bhh[r] as number);
          for (let q = 0; q < I; q++) sum += (Wih[r * I + q] as number) * (x[(t * B + b) * I + q] as number);
          for (let q = 0; q < H; q++) sum += (Whh[r * H + q] as number) * (h[b * H + q] as number);
          return sum;
        }) as [number, number, number, number];
        const [ig, fg, gg, og] = [sigmoid(a[0]), sigmoid(a[1]), Math.tanh(a[2]), sigmoid(a[3])];
        const cc = fg * (c[b * H + j] as number) + ig * gg;
        s.i.push(ig);
        s.f.push(fg);
        s.g.push(gg);
        s.o.push(og);
        s.tc.push(Math.tanh(cc));
        cn.push(cc);
        hn.push(og * Math.tanh(cc));
      }
    }
    steps.push(s);
    h = hn;
    c = cn;
  }
  let dh = arr(w);
  let dc = arr(v);
  for (let t = T - 1; t >= 0; t--) {
    const s = steps[t] as Step;
    const da = new Array<number>(B * 4 * H).fill(0);
    const dcPrev = new Array<number>(B * H).fill(0);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        const e = b * H + j;
        const [ig, fg, gg, og, tc] = [s.i[e], s.f[e], s.g[e], s.o[e], s.tc[e]] as number[] as [number, number, number, number, number];
        const dct = (dc[e] as number) + (dh[e] as number) * og * (1 - tc * tc); // through c_t and through h_t = o tanh(c_t)
        da[b * 4 * H + j] = dct * gg * ig * (1 - ig);
        da[b * 4 * H + H + j] = dct * (s.c[e] as number) * fg * (1 - fg);
        da[b * 4 * H + 2 * H + j] = dct * ig * (1 - gg * gg);
        da[b * 4 * H + 3 * H + j] = (dh[e] as number) * tc * og * (1 - og);
        dcPrev[e] = dct * fg;
      }
    }
    const dhPrev = new Array<number>(B * H).fill(0);
    for (let b = 0; b < B; b++) for (let q = 0; q < H; q++) for (let r = 0; r < 4 * H; r++) dhPrev[b * H + q] = (dhPrev[b * H + q] as number) + (da[b * 4 * H + r] as number) * (Whh[r * H + q] as number);
    dh = dhPrev;
    dc = dcPrev;
  }
  return { dc0: dc, dh0: dh, forget: steps.map((s) => s.f) };
}

/**
 * The exact dL/dh_0 of a tanh RNN for L = <w, h_T>, closed form in plain JS: prod_t W_hh^T diag(1 - h_t^2) w, as
 * dh0 * exp(logScale): rescaled on the way so that a product far below the smallest double is still known.
 */
function closedFormRnn(p: CellParams, xs: Tensor, h0: Tensor, w: Tensor): { dh0: number[]; logScale: number } {
  const [T, B, I] = xs.shape as [number, number, number];
  const H = h0.shape[1] as number;
  const [Wih, Whh, bih, bhh, x] = [arr(p.weight_ih), arr(p.weight_hh), arr(p.bias_ih), arr(p.bias_hh), arr(xs)];
  const hs: number[][] = [];
  let h = arr(h0);
  for (let t = 0; t < T; t++) {
    const hn: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        let a = (bih[j] as number) + (bhh[j] as number);
        for (let q = 0; q < I; q++) a += (Wih[j * I + q] as number) * (x[(t * B + b) * I + q] as number);
        for (let q = 0; q < H; q++) a += (Whh[j * H + q] as number) * (h[b * H + q] as number);
        hn.push(Math.tanh(a));
      }
    }
    hs.push(hn);
    h = hn;
  }
  let dh = arr(w);
  let logScale = 0;
  for (let t = T - 1; t >= 0; t--) {
    const n = norm(dh);
    if (n > 0 && n < 1e-100) {
      dh = dh.map((d) => d / n);
      logScale += Math.log(n);
    }
    const ht = hs[t] as number[];
    const da = dh.map((d, e) => d * (1 - (ht[e] as number) ** 2));
    const prev = new Array<number>(B * H).fill(0);
    for (let b = 0; b < B; b++) for (let q = 0; q < H; q++) for (let j = 0; j < H; j++) prev[b * H + q] = (prev[b * H + q] as number) + (da[b * H + j] as number) * (Whh[j * H + q] as number);
    dh = prev;
  }
  return { dh0: dh, logScale };
}

/** The Euclidean norm, scaled first so that squares of tiny values (1e-238) do not underflow. */
function norm(a: ArrayLike<number>): number {
  const m = Math.max(...Array.from(a, Math.abs));
  return m === 0 || !Number.isFinite(m) ? m : m * Math.sqrt(Array.from(a).reduce((s, v) => s + (v / m) ** 2, 0));
}
/** ||got - want|| / ||want||, or Infinity when want is 0 or either is not finite. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  const d = Array.from(got).map((g, i) => g - (want[i] as number));
  const r = norm(d) / norm(want);
  return Number.isFinite(r) ? r : Number.POSITIVE_INFINITY;
}

// ---- (a) ------------------------------------------------------------------------------------------------------

const SMALLEST_NORMAL = 2 ** -1022;

/** Property (a) for one case; throws with what differs. */
function checkA(step: LstmStepFn, { T, B, H, I, bias, seed }: { T: number; B: number; H: number; I: number; bias: number; seed: number }): void {
  const p = lstmParams(I, H, seed, 0, bias);
  const xs = rand([T, B, I], seed + 3);
  const v = rand([B, H], seed + 4);
  const { dc0, pre } = autogradGrads(step, p, xs, rand([B, H], seed + 5), rand([B, H], seed + 6), v, ag.zeros([B, H], "float64"));
  const vv = v.toArray();
  for (let e = 0; e < B * H; e++) {
    const [b, j] = [Math.floor(e / H), e % H];
    // log|v| + sum_t log f_t: the exact product in logarithms (it would underflow as a product at small f).
    let logWant = Math.log(Math.abs(vv[e] as number));
    for (let t = 0; t < T; t++) logWant += Math.log(sigmoid(pre[(t * B + b) * 4 * H + H + j] as number));
    const got = dc0[e] as number;
    const want = Math.sign(vv[e] as number) * Math.exp(logWant);
    if (Math.abs(want) >= SMALLEST_NORMAL) {
      const rel = Math.abs(Math.expm1(Math.log(Math.abs(got)) - logWant));
      if (!(Math.sign(got) === Math.sign(want) && rel <= 1e-9)) throw new Error(`(a) T=${T}: dL/dc0[${e}] = ${got}, want ${want} (relative error ${rel})`);
    } else {
      // Below the smallest normal double the product keeps fewer bits: each of the T steps may round it by half a
      // unit of the subnormal range (2^-1075), an absolute error, so the relative 1e-9 cannot hold there.
      const err = Math.abs(got - want);
      if (!(err <= 1e-9 * Math.abs(want) + T * Number.MIN_VALUE)) throw new Error(`(a) T=${T}: subnormal dL/dc0[${e}] = ${got}, want ${want} (error ${err})`);
    }
  }
}
const caseA = fc.record({ T: fc.integer({ min: 1, max: 1000 }), B: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 6 }), I: fc.integer({ min: 1, max: 3 }), bias: fc.double({ min: 0.5, max: 4, noNaN: true }), seed: fc.nat(10_000) });
const LONG_A = { T: 1000, B: 2, H: 5, I: 2, bias: 1, seed: 7 };
// A case whose product of forget gates falls into the subnormal range (found by fast-check: 4.8e-316).
const SUBNORMAL_A = { T: 729, B: 2, H: 1, I: 3, bias: 0.5, seed: 1683 };

// ---- (b) ------------------------------------------------------------------------------------------------------

function checkB(step: LstmStepFn, { T, B, H, I, whh, bias, seed }: { T: number; B: number; H: number; I: number; whh: number; bias: number; seed: number }): void {
  const p = lstmParams(I, H, seed, whh, bias);
  const xs = rand([T, B, I], seed + 3);
  const [h0, c0, v, w] = [rand([B, H], seed + 4), rand([B, H], seed + 5), rand([B, H], seed + 6), rand([B, H], seed + 7)];
  const got = autogradGrads(step, p, xs, h0, c0, v, w);
  const want = closedFormLstm(p, xs, h0, c0, v, w);
  const [ec, eh] = [relErr(got.dc0, want.dc0), relErr(got.dh0, want.dh0)];
  if (!(ec <= 1e-9 && eh <= 1e-9)) throw new Error(`(b) T=${T}: relative error of dL/dc0 ${ec}, of dL/dh0 ${eh} (||want|| ${norm(want.dc0)}, ${norm(want.dh0)})`);
}
const caseB = fc.record({ T: fc.integer({ min: 1, max: 1000 }), B: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 1, max: 5 }), I: fc.integer({ min: 1, max: 3 }), whh: fc.double({ min: 0.1, max: 1, noNaN: true }), bias: fc.double({ min: 1, max: 4, noNaN: true }), seed: fc.nat(10_000) });
const LONG_B = { T: 1000, B: 2, H: 4, I: 2, whh: 1, bias: 2, seed: 3 };

/** The tanh RNN's dL/dh0 against its closed form; W_hh = a I + noise keeps the gradient representable at T = 1000. */
function checkRnn({ T, B, H, a, seed }: { T: number; B: number; H: number; a: number; seed: number }): void {
  const noise = randomValues(H * H, seed + 1, -0.05, 0.05);
  const p: CellParams = { weight_ih: rand([H, 2], seed, -0.3, 0.3), weight_hh: ag.tensorOrThrow(noise.map((n, r) => n + (Math.floor(r / H) === r % H ? a : 0)), [H, H], "float64"), bias_ih: rand([H], seed + 2, -0.1, 0.1), bias_hh: ag.zeros([H], "float64") };
  const xs = rand([T, B, 2], seed + 3, -0.3, 0.3);
  const w = rand([B, H], seed + 4);
  const h0 = rand([B, H], seed + 5);
  const got = ag.grad((h0: Tensor) => ag.sum(ag.mul(ag.scan((h: Tensor, x: Tensor): [Tensor, Tensor] => [rnnCell(p, h, x), h], h0, xs)[0], w)))(h0) as Tensor;
  const exact = closedFormRnn(p, xs, h0, w);
  const want = exact.dh0.map((d) => d * Math.exp(exact.logScale)); // about 1e-200 at the least here: a double holds it
  const e = relErr(got.toArray(), want);
  if (!(e <= 1e-9)) throw new Error(`(b) RNN T=${T}: relative error of dL/dh0 ${e}`);
}

// ---- (c) ------------------------------------------------------------------------------------------------------

/**
 * W_hh = this times PyTorch's initialisation in (c): small enough that the path through h_t moves the log of the
 * ratio by less than 1e-3 (measured: at 1e-4 the high-gate ratio sits inside its band; at 1e-2 the h path already
 * lifts it 2e-3 above the band's top, at 0.1 by 0.03; at PyTorch's own scale the ratio is 7, above 1).
 */
const SMALL_WHH = 1e-4;

/** ||dL/dc_0|| / ||dL/dc_T|| for L = <v, c_T> at T = 1000, and the smallest and largest per-unit product of the forget gates (in logs). */
function survival(step: LstmStepFn, forgetBias: number, seed: number) {
  const [T, B, H, I] = [1000, 1, 8, 4];
  const p = lstmParams(I, H, seed, SMALL_WHH, forgetBias);
  // Small inputs keep each gate near its bias: f in (0.9999, 1) at bias 12, in (0.55, 0.65) at bias 0.4.
  const xs = rand([T, B, I], seed + 11, -0.1, 0.1);
  const v = rand([B, H], seed + 12);
  const { dc0, pre } = autogradGrads(step, p, xs, ag.zeros([B, H], "float64"), ag.zeros([B, H], "float64"), v, ag.zeros([B, H], "float64"));
  const logProd = Array.from({ length: H }, (_, j) => Array.from({ length: T }, (_, t) => Math.log(sigmoid(pre[t * 4 * H + H + j] as number))).reduce((a, b) => a + b, 0));
  const gates = Array.from({ length: T * H }, (_, e) => sigmoid(pre[Math.floor(e / H) * 4 * H + H + (e % H)] as number));
  return { logRatio: Math.log(norm(dc0) / norm(v.toArray())), lo: Math.min(...logProd), hi: Math.max(...logProd), fMin: Math.min(...gates), fMax: Math.max(...gates) };
}

function checkC(step: LstmStepFn): void {
  // Forget gates above 0.9999 (forget bias 12): the gradient survives.
  const high = survival(step, 12, 3);
  if (!(high.fMin > 0.9999)) throw new Error(`(c) set-up: smallest forget gate ${high.fMin}`);
  if (!(high.logRatio >= Math.log(0.1))) throw new Error(`(c) high forget gates: ratio ${Math.exp(high.logRatio)} < 0.1`);
  if (!(high.logRatio >= high.lo - 1e-3 && high.logRatio <= high.hi + 1e-3)) throw new Error(`(c) high forget gates: ratio ${Math.exp(high.logRatio)} outside the gates' products [${Math.exp(high.lo)}, ${Math.exp(high.hi)}]`);
  // Forget gates between 0.5 and 0.7 (forget bias 0.4): it vanishes, as a tanh RNN's does.
  const low = survival(step, 0.4, 3);
  if (!(low.fMin > 0.5 && low.fMax < 0.7)) throw new Error(`(c) set-up: forget gates in [${low.fMin}, ${low.fMax}]`);
  if (!(low.logRatio < Math.log(1e-6))) throw new Error(`(c) forget gates near 0.5: ratio ${Math.exp(low.logRatio)} >= 1e-6`);
  if (!(low.logRatio >= low.lo - 1e-3 && low.logRatio <= low.hi + 1e-3)) throw new Error(`(c) forget gates near 0.5: log ratio ${low.logRatio} outside the gates' products [${low.lo}, ${low.hi}]`);
}

describe("LSTM cell-state gradients over long sequences (float64, T up to 1000)", () => {
  it("(a) W_hh = 0: dL/dc0 = dL/dcT * prod f_t, f_t from the cell's own forward pass, to a relative 1e-9", () => {
    fc.assert(fc.property(caseA, (c) => checkA(lstmStepWithPre, c)), { numRuns: 12, examples: [[LONG_A], [SUBNORMAL_A]] });
  });

  it("(b) W_hh != 0: dL/dc0 and dL/dh0 equal the closed-form product of per-step Jacobians, to a relative 1e-9", () => {
    fc.assert(fc.property(caseB, (c) => checkB(lstmStepWithPre, c)), { numRuns: 8, examples: [[LONG_B]] });
  });

  it("(b) the tanh RNN's dL/dh0 equals its closed form W_hh^T diag(1 - h_t^2) ... u, to a relative 1e-9", () => {
    const caseRnn = fc.record({ T: fc.integer({ min: 1, max: 1000 }), B: fc.integer({ min: 1, max: 2 }), H: fc.integer({ min: 1, max: 5 }), a: fc.double({ min: 0.9, max: 1, noNaN: true }), seed: fc.nat(10_000) });
    fc.assert(fc.property(caseRnn, (c) => checkRnn(c)), { numRuns: 8, examples: [[{ T: 1000, B: 2, H: 4, a: 0.95, seed: 1 }], [{ T: 614, B: 1, H: 1, a: 0.9, seed: 9416 }]] });
  });

  it("(c) survives with forget gates above 0.9999 (ratio >= 0.1), vanishes with gates near 0.5 (< 1e-6), within the gates' products", () => {
    checkC(lstmStepWithPre);
  });

  it("(c) a tanh RNN of the same width, PyTorch's initialisation, loses it: ratio below 1e-6, and exactly its closed form", () => {
    const H = 8;
    const k = 1 / Math.sqrt(H);
    const p: CellParams = { weight_ih: rand([H, 4], 21, -k, k), weight_hh: rand([H, H], 22, -k, k), bias_ih: rand([H], 23, -k, k), bias_hh: rand([H], 24, -k, k) };
    const w = rand([1, H], 26);
    const logRatio = (T: number) => {
      const xs = rand([T, 1, 4], 25);
      const got = (ag.grad((h0: Tensor) => ag.sum(ag.mul(ag.scan((h: Tensor, x: Tensor): [Tensor, Tensor] => [rnnCell(p, h, x), h], h0, xs)[0], w)))(ag.zeros([1, H], "float64")) as Tensor).toArray();
      const want = closedFormRnn(p, xs, ag.zeros([1, H], "float64"), w);
      return { got: Math.log(norm(got) / norm(w.toArray())), want: Math.log(norm(want.dh0) / norm(w.toArray())) + want.logScale };
    };
    // Below 1e-6 already at T = 100; about 1e-238 at T = 1000, still a double: the autograd's equals the closed form.
    for (const T of [100, 1000]) {
      const r = logRatio(T);
      expect(r.want).toBeLessThan(Math.log(1e-6));
      expect(Math.abs(r.got - r.want)).toBeLessThan(1e-9);
    }
  });
});

/** Largest singular value by power iteration on W^T W (float64). */
function sigmaMax(w: Tensor): number {
  const n = w.shape[1] as number;
  let v = ag.tensorOrThrow(Array.from({ length: n }, (_, i) => 1 + i / n), [n, 1], "float64");
  let s = 0;
  for (let it = 0; it < 500; it++) {
    const u = ag.matmul(w, ag.matmul(w, v), { transA: true });
    const n2 = norm(u.toArray());
    v = ag.div(u, n2);
    s = Math.sqrt(n2);
  }
  return s;
}

describe("vanishing gradients, as the lecture says", () => {
  it("tanh RNN, loss at step T: dL/dh0 is the closed-form product exactly, and ||dL/dh0|| <= s_max(W_hh)^T ||dL/dhT||, T up to 1000", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 3 }), fc.double({ min: 0.2, max: 1.5, noNaN: true }), fc.nat(10_000), (T, H, I, scale, seed) => {
        const p: CellParams = { weight_ih: rand([H, I], seed), weight_hh: ag.mul(rand([H, H], seed + 1), scale), bias_ih: rand([H], seed + 2), bias_hh: rand([H], seed + 3) };
        const xs = rand([T, 1, I], seed + 4);
        const v = rand([1, H], seed + 5);
        const h0 = rand([1, H], seed + 6);
        const g = (ag.grad((h0: Tensor) => ag.sum(ag.mul(ag.scan((h: Tensor, x: Tensor): [Tensor, Tensor] => [rnnCell(p, h, x), h], h0, xs)[0], v)))(h0) as Tensor).toArray();
        const exact = closedFormRnn(p, xs, h0, v);
        const logExact = Math.log(norm(exact.dh0)) + exact.logScale;
        // The bound, in logarithms: s_max^T underflows for small s_max at large T.
        expect(logExact).toBeLessThanOrEqual(T * Math.log(sigmaMax(p.weight_hh)) + Math.log(norm(v.toArray())) + 1e-9);
        // Where a double holds it, the autograd's gradient is that exact value (a zero gradient fails here).
        if (logExact > Math.log(1e-300)) expect(relErr(g, exact.dh0.map((d) => d * Math.exp(exact.logScale)))).toBeLessThan(1e-9);
      }),
      { numRuns: 30 },
    );
  });
});

describe("the same properties fail on broken cells", () => {
  for (const [kind, step] of BROKEN) {
    it(`${kind}: (a), (b) and (c) each fail`, () => {
      expect(() => checkA(step, LONG_A)).toThrow(/^\(a\)/);
      expect(() => checkB(step, LONG_B)).toThrow(/^\(b\)/);
      expect(() => checkC(step)).toThrow(/^\(c\) (high|forget)/);
      // And on random cases, not only the long ones: fast-check finds a failure at once.
      expect(fc.check(fc.property(caseA, (c) => checkA(step, c)), { numRuns: 20 }).failed).toBe(true);
      expect(fc.check(fc.property(caseB, (c) => checkB(step, c)), { numRuns: 20 }).failed).toBe(true);
    });
  }
});
