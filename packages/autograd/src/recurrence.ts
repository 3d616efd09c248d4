// recurrence: the time loop of one recurrent layer and direction as ONE differentiable operation, with a
// hand-written VJP (as cuDNN's and PyTorch's fused paths do), for float32 on the WebAssembly kernels.
//
// Forward, per step: one sgemm adds h W_hh^T into that step's pre-activations (W_hh^T packed once for all
// steps), then one fused kernel applies every gate nonlinearity and the state update; the activated gates and
// the states are kept for the backward pass. Backward, per step in reverse: one fused kernel gives the
// pre-activation gradients, one sgemm (on W_hh packed once) gives their W_hh part of dh. The weight and bias
// gradients are then single products over all steps: dW_hh = dPre^T [G*H, T*B] x hPrev [T*B, H] and db_hh =
// column sums of dPre. The input projections x W_ih^T of all steps are one product before the loop (both biases
// added in the same pass), so dx = dxp W_ih, dW_ih = dxp^T x and db_ih are single products (or column sums)
// after it.
//
// Buffers are time-major and indexed by time step t whatever the direction: hPrev[t] is the state the step at
// time t started from. Every buffer is allocated before the loop, so the loop allocates nothing and the views
// of WebAssembly memory it takes stay valid.
import { kernels, type WasmF32 } from "@gated/kernels";
import { customVjp } from "./custom-vjp.js";
import { invalidArgument, raise, shapeMismatch } from "./errors.js";
import { showShape } from "./shape.js";
import { inScope, withScope } from "./storage.js";
import { empty, type Tensor, tensorFromArray } from "./tensor.js";
import { leaves } from "./tree.js";

/** The cell: PyTorch's nn.LSTM, nn.GRU (reset gate after the product), nn.RNN with tanh or relu. */
export type RecurrenceCell = "lstm" | "gru" | "rnn_tanh" | "rnn_relu";

/** One layer and direction's parameters, PyTorch's weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh [G*H]. */
export interface RecurrenceParams {
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  readonly biasIh: Tensor;
  readonly biasHh: Tensor;
}

export interface RecurrenceOptions {
  /** Run from the last step to the first (the backward direction of a bidirectional layer). */
  readonly reverse?: boolean;
  /**
   * Valid length of each sequence (1..T). A step at t >= length leaves that sequence's state unchanged and
   * outputs zeros, as PyTorch's packed sequences do.
   */
  readonly lengths?: readonly number[];
}

export interface RecurrenceOutput {
  /** Output of every step, time-major [T, B, H] (zeros at padded steps). */
  readonly y: Tensor;
  /** Final hidden state [B, H]. */
  readonly h: Tensor;
  /** Final cell state [B, H] (LSTM only). */
  readonly c?: Tensor;
}

const gatesOf = (cell: RecurrenceCell): number => (cell === "lstm" ? 4 : cell === "gru" ? 3 : 1);

function check(cell: RecurrenceCell, x: Tensor, p: RecurrenceParams, h0: Tensor, c0: Tensor | undefined, lengths: readonly number[] | undefined): [number, number, number, number] {
  const op = "recurrence";
  if (!["lstm", "gru", "rnn_tanh", "rnn_relu"].includes(cell)) raise(invalidArgument(op, "cell", `must be "lstm", "gru", "rnn_tanh" or "rnn_relu", got ${String(cell)}`));
  const G = gatesOf(cell);
  for (const name of ["weightIh", "weightHh", "biasIh", "biasHh"] as const) if (!(p?.[name] instanceof Object)) raise(invalidArgument(op, "params", `has no tensor '${name}'`));
  const { weightIh, weightHh, biasIh, biasHh } = p;
  if (weightHh.rank !== 2 || weightHh.shape[0] !== G * (weightHh.shape[1] as number)) raise(shapeMismatch(op, `weightHh of shape [${G}*H, H]`, showShape(weightHh.shape)));
  const H = weightHh.shape[1] as number;
  if (x.rank !== 3) raise(shapeMismatch(op, "time-major input [T, B, I]", showShape(x.shape)));
  const [T, B, I] = x.shape as [number, number, number];
  if (T === 0) raise(invalidArgument(op, "x", "has no time steps"));
  if (weightIh.rank !== 2 || weightIh.shape[0] !== G * H || weightIh.shape[1] !== I) raise(shapeMismatch(op, `weightIh of shape [${G * H}, ${I}]`, showShape(weightIh.shape)));
  for (const [name, b] of [["biasIh", biasIh], ["biasHh", biasHh]] as const) if (b.rank !== 1 || b.shape[0] !== G * H) raise(shapeMismatch(op, `${name} of shape [${G * H}]`, showShape(b.shape)));
  const states: [string, Tensor | undefined][] = [["h0", h0], ...(cell === "lstm" ? [["c0", c0] as [string, Tensor | undefined]] : [])];
  for (const [name, s] of states) {
    if (s === undefined) raise(invalidArgument(op, name, "is needed"));
    if (s.rank !== 2 || s.shape[0] !== B || s.shape[1] !== H) raise(shapeMismatch(op, `${name} of shape [${B}, ${H}]`, showShape(s.shape)));
  }
  for (const t of [x, weightIh, weightHh, biasIh, biasHh, h0, ...(c0 ? [c0] : [])]) if (t.dtype !== "float32") raise(invalidArgument(op, "dtype", `is float32 only (got ${t.dtype}): use the composed cells for float64`));
  if (lengths !== undefined) {
    if (lengths.length !== B) raise(shapeMismatch(op, `${B} lengths (one per sequence)`, `${lengths.length}`));
    for (const [b, n] of lengths.entries()) if (!Number.isInteger(n) || n < 1 || n > T) raise(invalidArgument(op, "lengths", `length ${n} of sequence ${b} is not in [1, ${T}]`));
  }
  return [T, B, I, H];
}

/** Views of one tensor's WebAssembly memory, step by step: valid while nothing allocates. */
class Steps {
  private readonly data: Float32Array;
  constructor(
    t: Tensor,
    private readonly size: number,
  ) {
    this.data = t.storage.wasm().view();
  }
  at(step: number): Float32Array {
    return this.data.subarray(step * this.size, (step + 1) * this.size);
  }
  get all(): Float32Array {
    return this.data;
  }
}

interface Saved {
  readonly cell: RecurrenceCell;
  readonly T: number;
  readonly B: number;
  readonly H: number;
  readonly I: number;
  readonly order: readonly number[];
  readonly x: Tensor;
  readonly weightIh: Tensor;
  readonly weightHh: Tensor;
  /** LSTM: activated gates [T, B, 4H]; GRU: r, z, n, hn + b_hn [T, B, 4H]; RNN: activations [T, B, H]. */
  readonly gates: Tensor;
  readonly hPrev: Tensor;
  readonly cPrev?: Tensor;
  readonly cT?: Tensor;
  readonly mask?: Tensor;
}

function forward(cell: RecurrenceCell, x: Tensor, p: RecurrenceParams, h0: Tensor, c0: Tensor | undefined, options: RecurrenceOptions): [RecurrenceOutput, Saved] {
  const [T, B, I] = x.shape as [number, number, number];
  const H = p.weightHh.shape[1] as number;
  const G = gatesOf(cell);
  const n = B * H;
  const lstm = cell === "lstm";
  const gru = cell === "gru";
  const order = Array.from({ length: T }, (_, s) => (options.reverse ? T - 1 - s : s));
  // Inputs into WebAssembly memory and every buffer allocated first: the loop below takes views of that memory.
  const [xW, Wih, W, bih, bhh, h0W] = [x, p.weightIh, p.weightHh, p.biasIh, p.biasHh, h0].map((t) => t.storage.wasm()) as WasmF32[] as [WasmF32, WasmF32, WasmF32, WasmF32, WasmF32, WasmF32];
  const c0W = lstm ? c0?.storage.wasm() : undefined;
  // LSTM and RNN: the pre-activations [T, B, G*H], then the activated gates. GRU: r, z, n, hn + b_hn [T, B, 4H]
  // (the input projections go to xp).
  const gates = empty([T, B, gru ? 4 * H : G * H], "float32");
  const xp = gru ? empty([T, B, 3 * H], "float32") : gates;
  const hPrev = empty([T, B, H], "float32");
  const y = empty([T, B, H], "float32");
  const hT = empty([B, H], "float32");
  const cPrev = lstm ? empty([T, B, H], "float32") : undefined;
  const cT = lstm ? empty([B, H], "float32") : undefined;
  const hp = gru ? empty([B, 3 * H], "float32") : undefined;
  const bias = gru ? bih : empty([G * H], "float32").storage.wasm();
  const mask = options.lengths === undefined ? undefined : stepMask(options.lengths, T);
  mask?.storage.wasm();
  const K = kernels;
  // W_hh^T packed once for the T products h W_hh^T.
  const packed = empty([K.packedBSize(H, G * H)], "float32").storage.wasm();
  K.packB(true, H, G * H, W, 0, H, packed);
  // The input projections of every step in one product, and the biases in one pass: b_ih + b_hh (LSTM, RNN),
  // b_ih alone (GRU, whose b_hn sits inside the reset gate's product).
  if (!gru) K.add(bias, bih, bhh, G * H);
  const xpW = xp.storage.wasm();
  K.sgemm(false, true, T * B, G * H, I, 1, xW, 0, I, Wih, 0, I, 0, xpW, 0, G * H);
  K.addBias(xpW, xpW, bias, T * B, G * H);
  const gS = new Steps(gates, cell === "gru" ? 4 * n : G * n);
  const hS = new Steps(hPrev, n);
  const yS = new Steps(y, n);
  const cS = cPrev && new Steps(cPrev, n);
  const xS = xp === gates ? gS : new Steps(xp, G * n); // the GRU's input projections; the others' are the gates
  const mS = mask && new Steps(mask, B);
  const hTv = hT.storage.wasm().view();
  const cTv = cT?.storage.wasm().view();
  const hpv = hp?.storage.wasm().view();
  const first = order[0] as number;
  hS.at(first).set(h0W.view());
  if (cS && c0W) cS.at(first).set(c0W.view());
  for (let s = 0; s < T; s++) {
    const t = order[s] as number;
    const next = s + 1 < T ? (order[s + 1] as number) : -1;
    const hOut = next < 0 ? hTv : hS.at(next);
    const m = mS ? mS.at(t) : null;
    if (gru && hpv) {
      K.sgemmPacked(false, B, 3 * H, H, 1, hS.all, t * n, H, packed, 0, hpv, 0, 3 * H);
      K.gruForward(gS.at(t), hOut, yS.at(t), xS.at(t), hpv, bhh, hS.at(t), m, B, H);
    } else {
      K.sgemmPacked(false, B, G * H, H, 1, hS.all, t * n, H, packed, 1, gS.all, t * G * n, G * H);
      if (cS && cTv) K.lstmForward(gS.at(t), next < 0 ? cTv : cS.at(next), hOut, yS.at(t), cS.at(t), hS.at(t), m, B, H);
      else K.rnnForward(gS.at(t), hOut, yS.at(t), hS.at(t), m, B, H, cell === "rnn_relu");
    }
  }
  const out: RecurrenceOutput = { y, h: hT, ...(cT ? { c: cT } : {}) };
  return [out, { cell, T, B, H, I, order, x, weightIh: p.weightIh, weightHh: p.weightHh, gates, hPrev, ...(cPrev ? { cPrev } : {}), ...(cT ? { cT } : {}), ...(mask ? { mask } : {}) }];
}

/** [T, B] ones then zeros per sequence, in WebAssembly memory like every other buffer of the loop. */
function stepMask(lengths: readonly number[], T: number): Tensor {
  const B = lengths.length;
  const m = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t < (lengths[b] as number) ? 1 : 0;
  return tensorFromArray(m, [T, B]);
}

function backward(r: Saved, g: RecurrenceOutput): (Tensor | undefined)[] {
  const { cell, T, B, H, I, order } = r;
  const G = gatesOf(cell);
  const n = B * H;
  const K = kernels;
  // Cotangents and saved tensors into WebAssembly memory, and every buffer allocated, before any view is taken.
  const [W, Wih, xW, ghW] = [r.weightHh, r.weightIh, r.x, g.h].map((t) => t.storage.wasm()) as [WasmF32, WasmF32, WasmF32, WasmF32];
  const gcW = g.c?.storage.wasm();
  g.y.storage.wasm();
  const dPre = empty([T, B, G * H], "float32"); // gradient of the pre-activations (GRU: of h W_hh^T + b_hh)
  const dxp = cell === "gru" ? empty([T, B, 3 * H], "float32") : dPre;
  const dhA = empty([B, H], "float32");
  const dhB = empty([B, H], "float32");
  const dc = cell === "lstm" ? empty([B, H], "float32") : undefined;
  const dW = empty([G * H, H], "float32");
  const db = empty([G * H], "float32");
  const dx = empty([T, B, I], "float32");
  const dWih = empty([G * H, I], "float32");
  const dbih = cell === "gru" ? empty([3 * H], "float32") : db;
  // W_hh packed once for the T products dPre W_hh.
  const packed = empty([K.packedBSize(G * H, H)], "float32").storage.wasm();
  K.packB(false, G * H, H, W, 0, H, packed);
  const gy = new Steps(g.y, n);
  const gS = new Steps(r.gates, cell === "gru" ? 4 * n : G * n);
  const hS = new Steps(r.hPrev, n);
  const cS = r.cPrev && new Steps(r.cPrev, n);
  const dS = new Steps(dPre, G * n);
  const dxS = dxp === dPre ? dS : new Steps(dxp, G * n);
  const mS = r.mask && new Steps(r.mask, B);
  const cTv = r.cT?.storage.wasm().view();
  let dh = dhA.storage.wasm().view();
  let dhNext = dhB.storage.wasm().view();
  dh.set(ghW.view());
  const dcv = dc?.storage.wasm().view();
  if (dcv) {
    if (gcW) dcv.set(gcW.view());
    else dcv.fill(0);
  }
  for (let s = T - 1; s >= 0; s--) {
    const t = order[s] as number;
    const m = mS ? mS.at(t) : null;
    if (cS && dcv && cTv) {
      const cNew = s + 1 < T ? cS.at(order[s + 1] as number) : cTv;
      K.lstmBackward(dS.at(t), dhNext, dcv, gS.at(t), cS.at(t), cNew, dh, gy.at(t), dcv, m, B, H);
    } else if (cell === "gru") K.gruBackward(dxS.at(t), dS.at(t), dhNext, gS.at(t), hS.at(t), dh, gy.at(t), m, B, H);
    else K.rnnBackward(dS.at(t), dhNext, gS.at(t), dh, gy.at(t), m, B, H, cell === "rnn_relu");
    K.sgemmPacked(false, B, H, G * H, 1, dS.all, t * G * n, G * H, packed, 1, dhNext, 0, H);
    [dh, dhNext] = [dhNext, dh];
  }
  K.sgemm(true, false, G * H, H, T * B, 1, dS.all, 0, G * H, hS.all, 0, H, 0, dW.storage.wasm(), 0, H);
  K.colSum(db.storage.wasm(), dS.all, T * B, G * H);
  // The input side: dx = dxp W_ih, dW_ih = dxp^T x, db_ih = column sums of dxp (for the LSTM and the RNN dxp is
  // dPre, so db_ih = db_hh).
  const dxpW = dxp.storage.wasm();
  K.sgemm(false, false, T * B, I, G * H, 1, dxpW, 0, G * H, Wih, 0, I, 0, dx.storage.wasm(), 0, I);
  K.sgemm(true, false, G * H, I, T * B, 1, dxpW, 0, G * H, xW, 0, I, 0, dWih.storage.wasm(), 0, I);
  if (dbih !== db) K.colSum(dbih.storage.wasm(), dxpW, T * B, G * H);
  // After an even number of swaps the gradient of h0 is in dhA, after an odd number in dhB.
  const dh0 = T % 2 === 0 ? dhA : dhB;
  return [dx, dWih, dW, dbih, db, dh0, dc];
}

type Args = readonly [x: Tensor, weightIh: Tensor, weightHh: Tensor, biasIh: Tensor, biasHh: Tensor, h0: Tensor, c0: Tensor];
type Fused = (...args: Args) => RecurrenceOutput;

const fused = new Map<string, Fused>();

/** The customVjp for one cell, direction and set of lengths (lengths are not differentiable: they close over). */
function op(cell: RecurrenceCell, options: RecurrenceOptions): Fused {
  const run = (...[x, weightIh, weightHh, biasIh, biasHh, h0, c0]: Args) => forward(cell, x, { weightIh, weightHh, biasIh, biasHh }, h0, cell === "lstm" ? c0 : undefined, options);
  const key = `${cell} ${options.reverse === true}`;
  const cached = options.lengths === undefined ? fused.get(key) : undefined;
  if (cached) return cached;
  const f = customVjp((...args: Args) => run(...args)[0], run, backward);
  if (options.lengths === undefined) fused.set(key, f);
  return f;
}

/**
 * One recurrent layer and direction of an LSTM, GRU or Elman RNN over a whole sequence as one differentiable
 * operation on the fused WebAssembly kernels (float32), as PyTorch's nn.LSTM / nn.GRU / nn.RNN compute it:
 * given the time-major input x [T, B, I], the parameters and the initial state h0 (and c0 for an LSTM) [B, H],
 * returns every step's output y [T, B, H] and the final state. Equal to stepping the composed cells in a scan
 * (up to float32 rounding), with one kernel call and one product per step instead of a dozen operations.
 *
 * @example
 * const { y, h, c } = recurrence("lstm", x, { weightIh, weightHh, biasIh, biasHh }, zeros([B, H]), zeros([B, H]));
 * @since 0.2.0
 */
export function recurrence(cell: RecurrenceCell, x: Tensor, params: RecurrenceParams, h0: Tensor, c0?: Tensor, options: RecurrenceOptions = {}): RecurrenceOutput {
  check(cell, x, params, h0, c0, options.lengths);
  // The cells without a cell state pass h0 in c0's place: customVjp needs a tensor there; its gradient is unused.
  const f = op(cell, options);
  const args: Args = [x, params.weightIh, params.weightHh, params.biasIh, params.biasHh, h0, c0 ?? h0];
  if (inScope()) return f(...args);
  return withScope(
    () => f(...args),
    (out) => leaves(out).tensors.map((t) => t.storage),
  );
}
