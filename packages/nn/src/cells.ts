// Recurrent cells as pure step functions (params, carry, x) => carry', with PyTorch's parameter layout:
// weight_ih [G*H, I], weight_hh [G*H, H], bias_ih [G*H], bias_hh [G*H], gates stacked in PyTorch's order.
// Shapes: x [B, I], h and c [B, H].
import { add, matmul, mul, relu, sigmoid, slice, sub, type Tensor, tanh } from "@gated/autograd";

/** One direction of one layer: PyTorch's weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}. */
export interface CellParams {
  readonly weight_ih: Tensor;
  readonly weight_hh: Tensor;
  readonly bias_ih: Tensor;
  readonly bias_hh: Tensor;
}

export interface LstmState {
  readonly h: Tensor;
  readonly c: Tensor;
}

export type Activation = "tanh" | "relu";

/** x W_ih^T + b_ih: the input half of every gate pre-activation, [B, G*H]. */
export const inputProjection = (p: CellParams, x: Tensor): Tensor => add(matmul(x, p.weight_ih, { transB: true }), p.bias_ih);

/** h W_hh^T + b_hh: the recurrent half, [B, G*H]. */
export const hiddenProjection = (p: CellParams, h: Tensor): Tensor => add(matmul(h, p.weight_hh, { transB: true }), p.bias_hh);

/** Columns [k*H, (k+1)*H) of a [B, G*H] pre-activation: gate k. */
export function gate(pre: Tensor, k: number, H: number): Tensor {
  return slice(pre, [0, k * H], [pre.shape[0] as number, H]);
}

/** Elman RNN step from a precomputed input projection: h' = act(xp + h W_hh^T + b_hh). */
export function rnnStep(p: CellParams, h: Tensor, xp: Tensor, activation: Activation = "tanh"): Tensor {
  const pre = add(xp, hiddenProjection(p, h));
  return activation === "relu" ? relu(pre) : tanh(pre);
}

/**
 * Elman RNN cell, the lecture's h_t = act(W_xh x_t + W_hh h_{t-1} + b): tanh, or relu (trick 1: a larger
 * derivative than tanh's, which is at most 1).
 */
export const rnnCell = (p: CellParams, h: Tensor, x: Tensor, activation: Activation = "tanh"): Tensor => rnnStep(p, h, inputProjection(p, x), activation);

/** LSTM step from a precomputed input projection (gate order i, f, g, o). */
export const lstmStep = (p: CellParams, state: LstmState, xp: Tensor): LstmState => lstmStepWithPre(p, state, xp).state;

/**
 * The LSTM step, also returning the gate pre-activations it used, [B, 4H] in the order i, f, g, o (so that a
 * test or an experiment reads the gates of this very forward pass: f = sigmoid(pre[:, H:2H])).
 */
export function lstmStepWithPre(p: CellParams, { h, c }: LstmState, xp: Tensor): { state: LstmState; pre: Tensor } {
  const H = h.shape[1] as number;
  const pre = add(xp, hiddenProjection(p, h));
  const i = sigmoid(gate(pre, 0, H)); // input gate: how much of the candidate to store
  const f = sigmoid(gate(pre, 1, H)); // forget gate: how much of the old cell state to keep
  const g = tanh(gate(pre, 2, H)); // cell candidate: what could be stored
  const o = sigmoid(gate(pre, 3, H)); // output gate: how much of the cell state to show
  const c2 = add(mul(f, c), mul(i, g)); // the cell state: an additive path, no matrix product
  return { state: { h: mul(o, tanh(c2)), c: c2 }, pre };
}

/** LSTM cell: a separate cell state c carried by forget / store (input) / output gates. */
export const lstmCell = (p: CellParams, state: LstmState, x: Tensor): LstmState => lstmStep(p, state, inputProjection(p, x));

/** GRU step from a precomputed input projection, in PyTorch's form (gate order r, z, n; r applied after W_hn h). */
export function gruStep(p: CellParams, h: Tensor, xp: Tensor): Tensor {
  const H = h.shape[1] as number;
  const hp = hiddenProjection(p, h);
  const r = sigmoid(add(gate(xp, 0, H), gate(hp, 0, H))); // reset gate
  const z = sigmoid(add(gate(xp, 1, H), gate(hp, 1, H))); // update gate: 1 keeps the old state
  const n = tanh(add(gate(xp, 2, H), mul(r, gate(hp, 2, H)))); // candidate, with r applied after the matmul
  return add(mul(sub(1, z), n), mul(z, h)); // h' = (1 - z) n + z h
}

/** GRU cell (PyTorch's nn.GRU form). */
export const gruCell = (p: CellParams, h: Tensor, x: Tensor): Tensor => gruStep(p, h, inputProjection(p, x));
