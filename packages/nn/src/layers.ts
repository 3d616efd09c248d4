// Layers: embedding, linear, dropout, and the recurrent layer over batch-first [B, T, I] built on scan.
import { add, concat, gather, invalidArgument, matmul, mul, raise, recurrence, reshape, scan, shapeMismatch, stack, type Tensor, tensorFromArray, transpose, zeros } from "@gated/autograd";
import { type Activation, type CellParams, gruStep, type LstmState, lstmStep, rnnStep } from "./cells.js";
import { type Key, foldIn, uniform } from "@gated/random";
import { checkRecurrentConfig } from "./recurrent-config.js";
import * as E from "fp-ts/lib/Either.js";

/** out[..., :] = weight[indices[...], :]: an embedding lookup (weight [V, D]). */
export function embedding(weight: Tensor, indices: ArrayLike<number>, indexShape?: readonly number[]): Tensor {
  return gather(weight, indices, indexShape);
}

export interface LinearParams {
  readonly weight: Tensor;
  readonly bias?: Tensor;
}

/** y = x W^T + b for x [..., in], W [out, in] (PyTorch's nn.Linear layout). */
export function linear(p: LinearParams, x: Tensor): Tensor {
  const inF = p.weight.shape[1] as number;
  const outF = p.weight.shape[0] as number;
  if (x.shape[x.rank - 1] !== inF) raise(shapeMismatch("linear", `input with last axis ${inF} (weight is [${outF}, ${inF}])`, `[${x.shape.join(", ")}]`));
  const flat = x.rank === 2 ? x : reshape(x, [-1, inF]);
  const y = matmul(flat, p.weight, { transB: true });
  const yb = p.bias ? add(y, p.bias) : y;
  return x.rank === 2 ? yb : reshape(yb, [...x.shape.slice(0, -1), outF]);
}

/** Inverted dropout: zeroes each element with probability `rate` and scales the rest by 1 / (1 - rate). */
export function dropout(x: Tensor, rate: number, k: Key): Tensor {
  if (!(rate >= 0 && rate < 1)) raise(invalidArgument("dropout", "rate", `must be in [0, 1), got ${rate}`));
  if (rate === 0) return x;
  const u = uniform(k, x.size);
  const keep = 1 / (1 - rate);
  const m = x.dtype === "float64" ? new Float64Array(x.size) : new Float32Array(x.size);
  for (let i = 0; i < m.length; i++) m[i] = (u[i] as number) >= rate ? keep : 0;
  return mul(x, tensorFromArray(m, x.shape));
}

export type Mode = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";

export interface RecurrentConfig {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers?: number;
  readonly bidirectional?: boolean;
  /** Dropout on the outputs of every layer but the last (in training only), as nn.LSTM(dropout=...). */
  readonly dropout?: number;
}

/** Gates stacked in weight_ih / weight_hh: 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n), 1 for an RNN. */
export const gatesOf = (mode: Mode): number => (mode === "lstm" ? 4 : mode === "gru" ? 3 : 1);

/** PyTorch's state-dict name of one parameter: weight_ih_l0, bias_hh_l1_reverse, ... */
export const paramName = (kind: keyof CellParams, layer: number, reverse: boolean): string => `${kind}_l${layer}${reverse ? "_reverse" : ""}`;

/** The parameters of a recurrent layer, keyed by PyTorch's state-dict names. */
export type RecurrentParams = Readonly<Record<string, Tensor>>;

/** The cell parameters of one layer and direction. */
export function cellParams(params: RecurrentParams, layer: number, reverse: boolean): CellParams {
  const get = (kind: keyof CellParams): Tensor => {
    const t = params[paramName(kind, layer, reverse)];
    if (t === undefined) raise(invalidArgument("recurrent", "params", `has no '${paramName(kind, layer, reverse)}' (expected PyTorch state-dict names)`));
    return t;
  };
  return { weight_ih: get("weight_ih"), weight_hh: get("weight_hh"), bias_ih: get("bias_ih"), bias_hh: get("bias_hh") };
}

export interface RecurrentOptions {
  /** Initial hidden state [L*D, B, H] (default zeros); for an LSTM also c0. */
  readonly h0?: Tensor;
  readonly c0?: Tensor;
  /** Valid length of each sequence (padded steps freeze the state and output zeros, like packed sequences). */
  readonly lengths?: readonly number[];
  /** Or a [B, T] 0/1 mask, row-major, each row ones then zeros (converted to lengths). */
  readonly mask?: ArrayLike<number>;
  /** Training mode turns dropout on; it then needs a key. */
  readonly training?: boolean;
  readonly key?: Key;
  /**
   * Run each layer and direction as one fused operation (`recurrence` from @gated/autograd: one kernel per
   * step, a hand-written backward pass), which is the default for float32. false steps the composed cells in a
   * scan (the oracle the fused path is tested against). float64 always runs the composed cells.
   */
  readonly fused?: boolean;
}

export interface RecurrentOutput {
  /** Outputs of the last layer at every step, [B, T, D*H] (zeros at padded steps). */
  readonly output: Tensor;
  /** Final hidden state of every layer and direction, [L*D, B, H] (PyTorch's h_n). */
  readonly h: Tensor;
  /** Final cell state, LSTM only, [L*D, B, H]. */
  readonly c?: Tensor;
  /** Output at each sequence's last valid step, [B, D*H]. */
  readonly last: Tensor;
}

function checkInput(config: RecurrentConfig, x: Tensor, lengths: readonly number[] | undefined): void {
  if (x.rank !== 3 || x.shape[2] !== config.inputSize) raise(shapeMismatch("recurrent", `batch-first input [B, T, ${config.inputSize}]`, `[${x.shape.join(", ")}]`));
  const [B, T] = x.shape as [number, number, number];
  if (T === 0) raise(invalidArgument("recurrent", "x", "has no time steps"));
  if (lengths !== undefined) {
    if (lengths.length !== B) raise(shapeMismatch("recurrent", `${B} lengths (one per sequence)`, `${lengths.length}`));
    for (const [b, n] of lengths.entries()) if (!Number.isInteger(n) || n < 1 || n > T) raise(invalidArgument("recurrent", "lengths", `length ${n} of sequence ${b} is not in [1, ${T}]`));
  }
}

/** Time-major mask [T, B, 1]: 1 where t < length. */
function stepMask(lengths: readonly number[], T: number, like: Tensor): Tensor {
  const B = lengths.length;
  const m = like.dtype === "float64" ? new Float64Array(T * B) : new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t < (lengths[b] as number) ? 1 : 0;
  return tensorFromArray(m, [T, B, 1]);
}

/** carry' = m new + (1 - m) old = old + m (new - old): frozen where m = 0. */
const freeze = (m: Tensor, next: Tensor, old: Tensor): Tensor => add(old, mul(m, add(next, mul(old, -1))));

/** The initial state of layer l, direction d: row l*D+d of h0 (or zeros). */
function initial(s: Tensor | undefined, row: number, B: number, H: number, like: Tensor): Tensor {
  if (s === undefined) return zeros([B, H], like.dtype);
  return reshape(gather(reshape(s, [s.shape[0] as number, B * H]), [row]), [B, H]);
}

/**
 * A (stacked, optionally bidirectional) RNN / LSTM / GRU over batch-first input x [B, T, I], as PyTorch's
 * nn.RNN / nn.LSTM / nn.GRU with batch_first=True. Each layer and direction does one GEMM for the input
 * projections of all steps, then scans the recurrence.
 */
/** Lengths from a [B, T] prefix mask. */
export function lengthsFromMask(mask: ArrayLike<number>, B: number, T: number): number[] {
  if (mask.length !== B * T) raise(shapeMismatch("recurrent", `a mask of ${B * T} values ([B, T] row-major)`, `${mask.length}`));
  return Array.from({ length: B }, (_, b) => {
    let n = 0;
    while (n < T && mask[b * T + n] === 1) n++;
    for (let t = n; t < T; t++) if (mask[b * T + t] !== 0) raise(invalidArgument("recurrent", "mask", `row ${b} is not ones followed by zeros (value ${mask[b * T + t]} at step ${t})`));
    return n;
  });
}

export function recurrent(params: RecurrentParams, config: RecurrentConfig, x: Tensor, options: RecurrentOptions = {}): RecurrentOutput {
  if (options.mask !== undefined) {
    if (options.lengths !== undefined) raise(invalidArgument("recurrent", "mask", "cannot be given together with lengths"));
    if (x.rank !== 3) raise(shapeMismatch("recurrent", "batch-first input [B, T, I]", `[${x.shape.join(", ")}]`));
    const { mask, ...rest } = options;
    return recurrent(params, config, x, { ...rest, lengths: lengthsFromMask(mask, x.shape[0] as number, x.shape[1] as number) });
  }
  const valid = checkRecurrentConfig(config);
  if (E.isLeft(valid)) raise(valid.left);
  const { mode, hiddenSize: H, numLayers: L = 1, bidirectional = false, dropout: rate = 0 } = config;
  checkInput(config, x, options.lengths);
  const [B, T] = x.shape as [number, number, number];
  const D = bidirectional ? 2 : 1;
  for (const [name, s] of [["h0", options.h0], ["c0", options.c0]] as const) {
    if (s && (s.rank !== 3 || s.shape[0] !== L * D || s.shape[1] !== B || s.shape[2] !== H)) raise(shapeMismatch("recurrent", `${name} of shape [${L * D}, ${B}, ${H}]`, `[${s.shape.join(", ")}]`));
  }
  if (options.training && rate > 0 && options.key === undefined) raise(invalidArgument("recurrent", "key", "is needed for dropout in training mode"));
  const mask = options.lengths ? stepMask(options.lengths, T, x) : undefined;
  let input = transpose(x, [1, 0, 2]); // [T, B, I]
  const hs: Tensor[] = [];
  const cs: Tensor[] = [];
  for (let l = 0; l < L; l++) {
    const outs: Tensor[] = [];
    for (let d = 0; d < D; d++) {
      const p = cellParams(params, l, d === 1);
      const h0 = initial(options.h0, l * D + d, B, H, x);
      if (x.dtype === "float32" && options.fused !== false) {
        const c0 = mode === "lstm" ? initial(options.c0, l * D + d, B, H, x) : undefined;
        const cell = { weightIh: p.weight_ih, weightHh: p.weight_hh, biasIh: p.bias_ih, biasHh: p.bias_hh };
        const r = recurrence(mode, input, cell, h0, c0, { reverse: d === 1, ...(options.lengths ? { lengths: options.lengths } : {}) });
        hs.push(r.h);
        if (r.c) cs.push(r.c);
        outs.push(r.y);
        continue;
      }
      const inSize = input.shape[2] as number;
      const G = gatesOf(mode);
      const xp = reshape(add(matmul(reshape(input, [T * B, inSize]), p.weight_ih, { transB: true }), p.bias_ih), [T, B, G * H]);
      if (mode === "lstm") {
        const c0 = initial(options.c0, l * D + d, B, H, x);
        const step = (s: LstmState, xs: { xp: Tensor; m?: Tensor }): [LstmState, Tensor] => {
          const n = lstmStep(p, s, xs.xp);
          if (xs.m === undefined) return [n, n.h];
          return [{ h: freeze(xs.m, n.h, s.h), c: freeze(xs.m, n.c, s.c) }, mul(xs.m, n.h)];
        };
        const [fin, ys] = scan(step, { h: h0, c: c0 }, mask ? { xp, m: mask } : { xp }, { reverse: d === 1 });
        hs.push(fin.h);
        cs.push(fin.c);
        outs.push(ys);
      } else {
        const activation: Activation = mode === "rnn_relu" ? "relu" : "tanh";
        const cell = mode === "gru" ? (h: Tensor, xt: Tensor) => gruStep(p, h, xt) : (h: Tensor, xt: Tensor) => rnnStep(p, h, xt, activation);
        const step = (h: Tensor, xs: { xp: Tensor; m?: Tensor }): [Tensor, Tensor] => {
          const n = cell(h, xs.xp);
          if (xs.m === undefined) return [n, n];
          return [freeze(xs.m, n, h), mul(xs.m, n)];
        };
        const [fin, ys] = scan(step, h0, mask ? { xp, m: mask } : { xp }, { reverse: d === 1 });
        hs.push(fin);
        outs.push(ys);
      }
    }
    input = D === 1 ? (outs[0] as Tensor) : concat(outs, 2);
    if (options.training && rate > 0 && l < L - 1) input = dropout(input, rate, foldIn(options.key as Key, l));
  }
  const output = transpose(input, [1, 0, 2]); // [B, T, D*H]
  const lastRows = Array.from({ length: B }, (_, b) => b * T + (options.lengths ? (options.lengths[b] as number) : T) - 1);
  const last = gather(reshape(output, [B * T, D * H]), lastRows);
  return { output, h: stack(hs), ...(mode === "lstm" ? { c: stack(cs) } : {}), last };
}
