import type { WasmF32 } from "./wasm-f32.js";

/** An array a kernel reads or writes: an ordinary Float32Array, or a WasmF32 that lives in WebAssembly memory. */
export type F32 = Float32Array | WasmF32;

/** Which implementation runs the kernels. */
export type Backend = "wasm-relaxed-simd" | "wasm-simd" | "js";

/**
 * The kernel set. Every implementation (relaxed SIMD, plain SIMD, plain JS) has exactly these signatures and
 * checks its arguments the same way. Matrices are row-major; `n`, `rows`, `cols` count elements. Outputs come
 * first (as in llm.c), except sgemm, which keeps the BLAS argument order.
 *
 * In place: a pointwise kernel's output may be one of its inputs (same array, same range); any other overlap
 * between an output and an input is rejected.
 *
 * Recurrent steps (lstm*, gru*, rnn*) fuse every pointwise operation of one time step of a cell, for `rows`
 * sequences of `hidden` (H) units; the matrix products with W_hh run as sgemm between them. States are
 * [rows, H]. `mask` is null (every row steps) or one float per row: 1 steps the row, 0 freezes it (state copied
 * through, output 0, state gradients passed through): sequences of different lengths share a batch that way.
 * A state output may be the very array of the state it replaces (hOut = hPrev, cOut = cPrev, dhPrev = dh,
 * dcPrev = dc); no other overlap is allowed.
 *
 * @since 0.1.0
 */
export interface KernelOps {
  /**
   * C <- alpha * op(A) * op(B) + beta * C, op(X) = X or X^T. op(A) is [m, k], op(B) is [k, n], C is [m, n].
   * A is stored [m, k] (or [k, m] when transA) from element aOffset with row stride lda; likewise B and C.
   * As in the reference BLAS, beta = 0 does not read C, and alpha = 0 or k = 0 does not read A or B.
   */
  sgemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number,
    alpha: number, a: F32, aOffset: number, lda: number,
    b: F32, bOffset: number, ldb: number,
    beta: number, c: F32, cOffset: number, ldc: number,
  ): void;
  /**
   * y <- alpha * A x + beta * y for a row-major A [m, n] stored from aOffset with row stride lda, x [n] from
   * xOffset, y [m] from yOffset: the matrix-vector product of one-token steps. beta = 0 does not read y.
   */
  sgemv(m: number, n: number, alpha: number, a: F32, aOffset: number, lda: number, x: F32, xOffset: number, beta: number, y: F32, yOffset: number): void;
  /** Floats that `packB` writes for a [k, n] op(B). */
  packedBSize(k: number, n: number): number;
  /**
   * packed <- op(B) ([k, n], stored as for sgemm) in the blocked panel layout sgemm packs into internally, so
   * that a matrix used in many products (a recurrent weight, once per time step) is packed once. The layout is
   * the same for every backend.
   */
  packB(transB: boolean, k: number, n: number, b: F32, bOffset: number, ldb: number, packed: F32): void;
  /** C <- alpha * op(A) * B + beta * C, B [k, n] packed by `packB`; otherwise as sgemm. */
  sgemmPacked(
    transA: boolean, m: number, n: number, k: number, alpha: number, a: F32, aOffset: number, lda: number,
    packed: F32, beta: number, c: F32, cOffset: number, ldc: number,
  ): void;
  /** out[i] = a[i] + b[i], i < n. */
  add(out: F32, a: F32, b: F32, n: number): void;
  /** out[i] = a[i] * b[i], i < n. */
  mul(out: F32, a: F32, b: F32, n: number): void;
  /** out[r, c] = x[r, c] + bias[c] for a [rows, cols] x. */
  addBias(out: F32, x: F32, bias: F32, rows: number, cols: number): void;
  /** out[i] = exp(x[i]). */
  exp(out: F32, x: F32, n: number): void;
  /** out[i] = 1 / (1 + exp(-x[i])). */
  sigmoid(out: F32, x: F32, n: number): void;
  /** out[i] = tanh(x[i]). */
  tanh(out: F32, x: F32, n: number): void;
  /** out[i] = max(x[i], 0); NaN stays NaN. */
  relu(out: F32, x: F32, n: number): void;
  /** dx[i] = dy[i] * y[i] * (1 - y[i]) with y = sigmoid(x), the forward output. */
  sigmoidBackward(dx: F32, y: F32, dy: F32, n: number): void;
  /** dx[i] = dy[i] * (1 - y[i]^2) with y = tanh(x), the forward output. */
  tanhBackward(dx: F32, y: F32, dy: F32, n: number): void;
  /** dx[i] = x[i] <= 0 ? 0 : dy[i], on the forward input x (NaN passes dy, as in PyTorch). */
  reluBackward(dx: F32, x: F32, dy: F32, n: number): void;
  /** out[c] = sum over r of x[r, c] (the gradient of a broadcast bias). */
  colSum(out: F32, x: F32, rows: number, cols: number): void;
  /** out[r, :] = softmax(x[r, :]), with the row maximum subtracted first. */
  softmaxRows(out: F32, x: F32, rows: number, cols: number): void;
  /** out[r] = log(sum over c of exp(x[r, c])), with the row maximum subtracted first. */
  logSumExpRows(out: F32, x: F32, rows: number, cols: number): void;
  /**
   * The logits' gradient of row-wise cross-entropy (lse[r] - x[r, t_r]) times the loss cotangent g [rows]:
   * dx[r, c] = g[r] (exp(x[r, c] - lse[r]) - [c = t_r]), with lse from logSumExpRows and targets [rows] class
   * indices held as floats (integers in [0, cols)). No softmax is stored.
   */
  crossEntropyBackward(dx: F32, x: F32, lse: F32, targets: F32, g: F32, rows: number, cols: number): void;
  /**
   * One Adam step over n parameters (torch.optim.Adam; decoupled: AdamW's p <- p (1 - lr wd)), reading p, the
   * gradient g and the moments m, v once and writing pOut, mOut, vOut once. c1 = 1 - beta1^t and c2 = 1 - beta2^t
   * are step t's bias corrections. Each output may be the very array of its input (pOut = p, ...).
   */
  adamStep(
    pOut: F32, mOut: F32, vOut: F32, p: F32, g: F32, m: F32, v: F32, n: number,
    lr: number, beta1: number, beta2: number, eps: number, c1: number, c2: number, weightDecay: number, decoupled: boolean,
  ): void;
  /**
   * One SGD step over n parameters as torch.optim.SGD: d = g + wd p; with momentum v = mu v + d, d = v (Nesterov:
   * d + mu v); pOut = p - lr d. With momentum 0, v and vOut are not touched (any arrays, even empty, will do).
   */
  sgdStep(pOut: F32, vOut: F32, p: F32, g: F32, v: F32, n: number, lr: number, momentum: number, nesterov: boolean, weightDecay: number): void;
  /**
   * One LSTM step for `rows` sequences (see "Recurrent steps" above). gates [rows, 4H]: in the pre-activations
   * (i, f, g, o), out the activated gates. c = f cPrev + i g and h = o tanh(c) go to cOut, hOut and y.
   */
  lstmForward(gates: F32, cOut: F32, hOut: F32, y: F32, cPrev: F32, hPrev: F32, mask: F32 | null, rows: number, hidden: number): void;
  /**
   * The LSTM step's backward: from the saved gates, cPrev and cNew and the gradients dh, dc (of the new state)
   * and dy (of the output; null for none), writes dPre [rows, 4H], dcPrev, and dhPrev without its dPre W_hh part.
   */
  lstmBackward(dPre: F32, dhPrev: F32, dcPrev: F32, gates: F32, cPrev: F32, cNew: F32, dh: F32, dy: F32 | null, dc: F32, mask: F32 | null, rows: number, hidden: number): void;
  /**
   * One GRU step (PyTorch's form): xp [rows, 3H] = x W_ih^T + b_ih, hp [rows, 3H] = hPrev W_hh^T, bias = b_hh
   * [3H]. saved [rows, 4H] receives r, z, n and hn + b_hn for the backward step.
   */
  gruForward(saved: F32, hOut: F32, y: F32, xp: F32, hp: F32, bias: F32, hPrev: F32, mask: F32 | null, rows: number, hidden: number): void;
  /** The GRU step's backward: dxp and dhp [rows, 3H] (gradients of xp and of hp + b_hh), dhPrev without its dhp W_hh part. */
  gruBackward(dxp: F32, dhp: F32, dhPrev: F32, saved: F32, hPrev: F32, dh: F32, dy: F32 | null, mask: F32 | null, rows: number, hidden: number): void;
  /** One Elman RNN step: pre [rows, H] in the pre-activations, out act(pre) (tanh, or relu when `relu`). */
  rnnForward(pre: F32, hOut: F32, y: F32, hPrev: F32, mask: F32 | null, rows: number, hidden: number, relu: boolean): void;
  /** The RNN step's backward: dPre from the saved activations, dhPrev without its dPre W_hh part. */
  rnnBackward(dPre: F32, dhPrev: F32, act: F32, dh: F32, dy: F32 | null, mask: F32 | null, rows: number, hidden: number, relu: boolean): void;
}

/** A kernel set and the name of the implementation behind it. */
export interface Kernels extends KernelOps {
  readonly backend: Backend;
}
