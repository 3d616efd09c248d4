// Recurrent weights between PyTorch's layout (gated's: weight_ih_l{k}[_reverse] [G*H, I], gates i, f, g, o for an
// LSTM and r, z, n for a GRU, separate input and hidden biases) and ONNX's (W [D, G*H, I], R [D, G*H, H],
// B [D, 2*G*H] = Wb then Rb; gates i, o, f, c for an LSTM and z, r, h for a GRU).
import type { Mode } from "@gated/nn";

/** ONNX's gate block k holds PyTorch's gate block ORDER[mode][k]. */
export const GATE_ORDER: Record<Mode, readonly number[]> = {
  lstm: [0, 3, 1, 2], // ONNX i, o, f, c  <-  PyTorch i, f, g, o
  gru: [1, 0, 2], // ONNX z, r, h  <-  PyTorch r, z, n
  rnn_tanh: [0],
  rnn_relu: [0],
};

/** Rows of a [G*H, cols] matrix (or a [G*H] vector, cols = 1) in ONNX's gate order; `inverse` goes back. */
export function reorderGates(data: ArrayLike<number>, mode: Mode, H: number, cols: number, inverse = false): Float32Array {
  const order = GATE_ORDER[mode];
  const block = H * cols;
  const out = new Float32Array(order.length * block);
  order.forEach((from, to) => {
    const [src, dst] = inverse ? [to, from] : [from, to];
    for (let i = 0; i < block; i++) out[dst * block + i] = data[src * block + i] as number;
  });
  return out;
}

/** Arrays one after another. */
export function concatFloats(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
