// linearCrossEntropy: a linear layer, log-softmax and cross-entropy as one differentiable operation, the head of
// every language model. For float32 the softmax is never stored: the forward pass keeps the logits and their
// row-wise log-sum-exp; the backward pass makes g (softmax - onehot) in one kernel pass over the logits, then
// dx, dW and db are one product (or column sum) each. float64 runs the composed operations (the oracle).
import { kernels, type WasmF32 } from "@gated/kernels";
import { crossEntropy } from "./composite.js";
import { customVjp } from "./custom-vjp.js";
import { invalidArgument, raise, shapeMismatch } from "./errors.js";
import { add, matmul } from "./ops.js";
import { showShape } from "./shape.js";
import { inScope, withScope } from "./storage.js";
import { empty, type Tensor, tensorFromArray } from "./tensor.js";

interface Saved {
  readonly x: Tensor;
  readonly weight: Tensor;
  readonly logits: Tensor;
  readonly lse: Tensor;
  readonly targets: Tensor;
  readonly bias: boolean;
}

function forward(x: Tensor, weight: Tensor, bias: Tensor | undefined, targets: Tensor): [Tensor, Saved] {
  const [N, D] = x.shape as [number, number];
  const C = weight.shape[0] as number;
  const K = kernels;
  const [xW, wW, tW] = [x, weight, targets].map((t) => t.storage.wasm()) as [WasmF32, WasmF32, WasmF32];
  const bW = bias?.storage.wasm();
  const logits = empty([N, C], "float32");
  const lse = empty([N], "float32");
  const loss = empty([N], "float32");
  const lw = logits.storage.wasm();
  K.sgemm(false, true, N, C, D, 1, xW, 0, D, wW, 0, D, 0, lw, 0, C);
  if (bW) K.addBias(lw, lw, bW, N, C);
  K.logSumExpRows(lse.storage.wasm(), lw, N, C);
  const L = logits.storage.view();
  const S = lse.storage.view();
  const T = tW.view();
  const out = loss.storage.view();
  for (let i = 0; i < N; i++) out[i] = (S[i] as number) - (L[i * C + (T[i] as number)] as number);
  return [loss, { x, weight, logits, lse, targets, bias: bias !== undefined }];
}

function backward(r: Saved, g: Tensor): (Tensor | undefined)[] {
  const [N, D] = r.x.shape as [number, number];
  const C = r.weight.shape[0] as number;
  const K = kernels;
  const [xW, wW, lW, sW, tW, gW] = [r.x, r.weight, r.logits, r.lse, r.targets, g].map((t) => t.storage.wasm()) as [WasmF32, WasmF32, WasmF32, WasmF32, WasmF32, WasmF32];
  const dLogits = empty([N, C], "float32");
  const dx = empty([N, D], "float32");
  const dW = empty([C, D], "float32");
  const dl = dLogits.storage.wasm();
  K.crossEntropyBackward(dl, lW, sW, tW, gW, N, C);
  K.sgemm(false, false, N, D, C, 1, dl, 0, C, wW, 0, D, 0, dx.storage.wasm(), 0, D);
  K.sgemm(true, false, C, D, N, 1, dl, 0, C, xW, 0, D, 0, dW.storage.wasm(), 0, D);
  if (!r.bias) return [dx, dW];
  const db = empty([C], "float32");
  K.colSum(db.storage.wasm(), dl, N, C);
  return [dx, dW, db];
}

const withBias = customVjp(
  (x: Tensor, w: Tensor, b: Tensor, t: Tensor) => forward(x, w, b, t)[0],
  (x: Tensor, w: Tensor, b: Tensor, t: Tensor) => forward(x, w, b, t),
  backward,
);
const withoutBias = customVjp(
  (x: Tensor, w: Tensor, t: Tensor) => forward(x, w, undefined, t)[0],
  (x: Tensor, w: Tensor, t: Tensor) => forward(x, w, undefined, t),
  backward,
);

/**
 * Per-row cross-entropy [N] of the logits x W^T + b (x [N, D], weight [C, D] as PyTorch's nn.Linear, bias [C]
 * or undefined) against integer class targets (N of them): -log softmax(x W^T + b)[i, t_i]. Equal to
 * `crossEntropy(add(matmul(x, weight, { transB: true }), bias), targets, "none")`, as one operation whose
 * float32 backward pass never stores the softmax.
 *
 * @example
 * const loss = mean(linearCrossEntropy(h, head.weight, head.bias, targets));
 * @since 0.2.0
 */
export function linearCrossEntropy(x: Tensor, weight: Tensor, bias: Tensor | undefined, targets: ArrayLike<number>): Tensor {
  const op = "linearCrossEntropy";
  if (x.rank !== 2) raise(invalidArgument(op, "x", `must be [N, D], got ${showShape(x.shape)}`));
  const [N, D] = x.shape as [number, number];
  if (weight.rank !== 2 || weight.shape[1] !== D) raise(shapeMismatch(op, `weight of shape [C, ${D}]`, showShape(weight.shape)));
  const C = weight.shape[0] as number;
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== C)) raise(shapeMismatch(op, `bias of shape [${C}]`, showShape(bias.shape)));
  if (targets.length !== N) raise(shapeMismatch(op, `${N} targets (one per row of x)`, `${targets.length}`));
  const dtypes = [x, weight, ...(bias ? [bias] : [])].map((t) => t.dtype);
  if (dtypes.some((d) => d !== x.dtype)) raise(invalidArgument(op, "dtype", `x, weight and bias must share a dtype, got ${dtypes.join(", ")}`));
  if (x.dtype === "float64") {
    const logits = matmul(x, weight, { transB: true });
    return crossEntropy(bias ? add(logits, bias) : logits, targets, "none");
  }
  const t = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const v = targets[i] as number;
    if (!Number.isInteger(v) || v < 0 || v >= C) raise(invalidArgument(op, "targets", `target ${v} at row ${i} is not a class index in [0, ${C})`));
    t[i] = v;
  }
  const tt = tensorFromArray(t, [N]);
  const run = () => (bias ? withBias(x, weight, bias, tt) : withoutBias(x, weight, tt));
  return inScope() ? run() : withScope(run, (out) => [out.storage]);
}
