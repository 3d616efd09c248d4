// Plain-JS twins of the fused recurrent step kernels: float64 math (Math.exp, Math.tanh), rounded on store.
import type { F32 } from "../types.js";
import { data } from "./data.js";

const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));

/** a[k] = v, returning the stored (float32-rounded) value, as the WebAssembly kernels go on with it. */
function put(a: Float32Array, k: number, v: number): number {
  a[k] = v;
  return a[k] as number;
}

/**
 * Gradients smaller than 2^-100 in magnitude (after rounding to float32) are stored as 0, as the WebAssembly
 * kernels store them: there, denormal numbers would make the next products about 100 times slower.
 */
const TINY = 2 ** -100;
const flush = (v: number): number => (Math.abs(Math.fround(v)) < TINY ? 0 : v);

/** The gradient of a step's new hidden state at k: dh, plus dy when there is one. */
const dhOf = (DH: Float32Array, DY: Float32Array | null, k: number): number => (DH[k] as number) + (DY ? (DY[k] as number) : 0);

/** The rows that step: all of them without a mask. */
const steps = (mask: Float32Array | null, r: number): boolean => mask === null || mask[r] !== 0;

/** The array behind an optional argument (views of WebAssembly memory stay valid: nothing allocates here). */
const opt = (x: F32 | null): Float32Array | null => (x === null ? null : data(x));

/** dst[d + j] = src[s + j] for j < n, reading everything first (dst may be src). */
function copyRow(dst: Float32Array, d: number, src: Float32Array, s: number, n: number): void {
  if (dst !== src || d !== s) dst.set(src.subarray(s, s + n), d);
}

export function lstmForward(gates: F32, cOut: F32, hOut: F32, y: F32, cPrev: F32, hPrev: F32, mask: F32 | null, rows: number, H: number): void {
  const G = data(gates), CO = data(cOut), HO = data(hOut), Y = data(y), CP = data(cPrev), HP = data(hPrev), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    const g0 = r * 4 * H;
    const stepping = steps(M, r);
    for (let j = 0; j < H; j++) {
      const i = put(G, g0 + j, sigmoidOf(G[g0 + j] as number));
      const f = put(G, g0 + H + j, sigmoidOf(G[g0 + H + j] as number));
      const g = put(G, g0 + 2 * H + j, Math.tanh(G[g0 + 2 * H + j] as number));
      const o = put(G, g0 + 3 * H + j, sigmoidOf(G[g0 + 3 * H + j] as number));
      if (!stepping) continue;
      const c = f * (CP[r * H + j] as number) + i * g;
      CO[r * H + j] = c;
      const h = o * Math.tanh(CO[r * H + j] as number);
      HO[r * H + j] = h;
      Y[r * H + j] = h;
    }
    if (!stepping) {
      copyRow(CO, r * H, CP, r * H, H);
      copyRow(HO, r * H, HP, r * H, H);
      Y.fill(0, r * H, (r + 1) * H);
    }
  }
}

export function lstmBackward(dPre: F32, dhPrev: F32, dcPrev: F32, gates: F32, cPrev: F32, cNew: F32, dh: F32, dy: F32 | null, dc: F32, mask: F32 | null, rows: number, H: number): void {
  const DP = data(dPre), DHP = data(dhPrev), DCP = data(dcPrev), G = data(gates), CP = data(cPrev), CN = data(cNew), DH = data(dh), DY = opt(dy), DC = data(dc), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    const g0 = r * 4 * H;
    if (!steps(M, r)) {
      DP.fill(0, g0, g0 + 4 * H);
      copyRow(DCP, r * H, DC, r * H, H);
      copyRow(DHP, r * H, DH, r * H, H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const k = r * H + j;
      const dhn = dhOf(DH, DY, k);
      const i = G[g0 + j] as number, f = G[g0 + H + j] as number, g = G[g0 + 2 * H + j] as number, o = G[g0 + 3 * H + j] as number;
      const tc = Math.tanh(CN[k] as number);
      const dct = (DC[k] as number) + dhn * o * (1 - tc * tc);
      DP[g0 + j] = flush(dct * g * i * (1 - i));
      DP[g0 + H + j] = flush(dct * (CP[k] as number) * f * (1 - f));
      DP[g0 + 2 * H + j] = flush(dct * i * (1 - g * g));
      DP[g0 + 3 * H + j] = flush(dhn * tc * o * (1 - o));
      DCP[k] = flush(dct * f);
      DHP[k] = 0;
    }
  }
}

export function gruForward(saved: F32, hOut: F32, y: F32, xp: F32, hp: F32, bias: F32, hPrev: F32, mask: F32 | null, rows: number, H: number): void {
  const S = data(saved), HO = data(hOut), Y = data(y), X = data(xp), HPj = data(hp), B = data(bias), HP = data(hPrev), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    const x0 = r * 3 * H;
    const s0 = r * 4 * H;
    const stepping = steps(M, r);
    for (let j = 0; j < H; j++) {
      const rg = put(S, s0 + j, sigmoidOf((X[x0 + j] as number) + (HPj[x0 + j] as number) + (B[j] as number)));
      const zg = put(S, s0 + H + j, sigmoidOf((X[x0 + H + j] as number) + (HPj[x0 + H + j] as number) + (B[H + j] as number)));
      const hnb = put(S, s0 + 3 * H + j, (HPj[x0 + 2 * H + j] as number) + (B[2 * H + j] as number));
      const n = put(S, s0 + 2 * H + j, Math.tanh((X[x0 + 2 * H + j] as number) + rg * hnb));
      if (!stepping) continue;
      const h = (1 - zg) * n + zg * (HP[r * H + j] as number);
      HO[r * H + j] = h;
      Y[r * H + j] = h;
    }
    if (!stepping) {
      copyRow(HO, r * H, HP, r * H, H);
      Y.fill(0, r * H, (r + 1) * H);
    }
  }
}

export function gruBackward(dxp: F32, dhp: F32, dhPrev: F32, saved: F32, hPrev: F32, dh: F32, dy: F32 | null, mask: F32 | null, rows: number, H: number): void {
  const DX = data(dxp), DHPj = data(dhp), DHP = data(dhPrev), S = data(saved), HP = data(hPrev), DH = data(dh), DY = opt(dy), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    const x0 = r * 3 * H;
    const s0 = r * 4 * H;
    if (!steps(M, r)) {
      DX.fill(0, x0, x0 + 3 * H);
      DHPj.fill(0, x0, x0 + 3 * H);
      copyRow(DHP, r * H, DH, r * H, H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const k = r * H + j;
      const dhn = dhOf(DH, DY, k);
      const rg = S[s0 + j] as number, zg = S[s0 + H + j] as number, n = S[s0 + 2 * H + j] as number, hnb = S[s0 + 3 * H + j] as number;
      const dnp = dhn * (1 - zg) * (1 - n * n);
      const dzp = flush(dhn * ((HP[k] as number) - n) * zg * (1 - zg));
      const drp = flush(dnp * hnb * rg * (1 - rg));
      DX[x0 + j] = drp;
      DX[x0 + H + j] = dzp;
      DX[x0 + 2 * H + j] = flush(dnp);
      DHPj[x0 + j] = drp;
      DHPj[x0 + H + j] = dzp;
      DHPj[x0 + 2 * H + j] = flush(dnp * rg);
      DHP[k] = flush(dhn * zg);
    }
  }
}

export function rnnForward(pre: F32, hOut: F32, y: F32, hPrev: F32, mask: F32 | null, rows: number, H: number, relu: boolean): void {
  const P = data(pre), HO = data(hOut), Y = data(y), HP = data(hPrev), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    const stepping = steps(M, r);
    for (let j = 0; j < H; j++) {
      const k = r * H + j;
      const x = P[k] as number;
      const a = put(P, k, relu ? Math.max(x, 0) : Math.tanh(x));
      if (!stepping) continue;
      HO[k] = a;
      Y[k] = a;
    }
    if (!stepping) {
      copyRow(HO, r * H, HP, r * H, H);
      Y.fill(0, r * H, (r + 1) * H);
    }
  }
}

export function rnnBackward(dPre: F32, dhPrev: F32, act: F32, dh: F32, dy: F32 | null, mask: F32 | null, rows: number, H: number, relu: boolean): void {
  const DP = data(dPre), DHP = data(dhPrev), A = data(act), DH = data(dh), DY = opt(dy), M = opt(mask);
  for (let r = 0; r < rows; r++) {
    if (!steps(M, r)) {
      DP.fill(0, r * H, (r + 1) * H);
      copyRow(DHP, r * H, DH, r * H, H);
      continue;
    }
    for (let j = 0; j < H; j++) {
      const k = r * H + j;
      const dhn = dhOf(DH, DY, k);
      const a = A[k] as number;
      DP[k] = flush(relu ? (a <= 0 ? 0 : dhn) : dhn * (1 - a * a));
      DHP[k] = 0;
    }
  }
}
