// Parameters for a recurrent layer, by PyTorch's names, and the lecture's presets (IRNN, LSTM forget bias).
import { type DType, invalidArgument, raise, type Tensor, tensorFromArray } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { checkRecurrentConfig } from "./recurrent-config.js";
import { identity, orthogonal, pytorchDefault, xavierUniform } from "./init.js";
import type { CellParams, } from "./cells.js";
import { gatesOf, paramName, type RecurrentConfig, type RecurrentParams } from "./layers.js";
import { foldIn, type Key, uniform } from "@gated/random";

export interface RecurrentInitOptions {
  /**
   * Weights: "pytorch" (U(-1/sqrt(H), 1/sqrt(H)) for every weight and bias, nn.LSTM's default), "xavier"
   * (Xavier-uniform weights, zero biases), "orthogonal" (Xavier input weights, orthogonal recurrent blocks, zero
   * biases), or "irnn" (relu RNN: recurrent weights = gain * I, zero biases; Le, Jaitly and Hinton 2015).
   */
  readonly scheme?: "pytorch" | "xavier" | "orthogonal" | "irnn";
  /** LSTM only: the forget gate's total bias (set in bias_ih, with bias_hh's forget part 0). 1 is common. */
  readonly forgetBias?: number;
  /**
   * LSTM only: chrono initialisation for dependencies up to about this many steps (Tallec and Ollivier 2018):
   * each unit's forget bias is log(u), u uniform on [1, chrono - 1], and its input bias the negative of that, so
   * units start with memory time scales spread from 1 to `chrono` steps. Excludes `forgetBias`.
   */
  readonly chrono?: number;
  /** Scale of the identity for "irnn" (default 1). */
  readonly gain?: number;
  readonly dtype?: DType;
}

/** Parameters for `recurrent`, keyed weight_ih_l0, ..., bias_hh_l{L-1}_reverse; every tensor from its own key. */
export function initRecurrent(k: Key, config: RecurrentConfig, options: RecurrentInitOptions = {}): RecurrentParams {
  const { scheme = "pytorch", forgetBias, chrono, gain = 1, dtype = "float32" } = options;
  const valid = checkRecurrentConfig(config);
  if (E.isLeft(valid)) raise(valid.left);
  if (chrono !== undefined) {
    if (config.mode !== "lstm") raise(invalidArgument("initRecurrent", "chrono", `applies to LSTMs only, not to mode '${config.mode}'`));
    if (forgetBias !== undefined) raise(invalidArgument("initRecurrent", "chrono", "sets the forget bias itself: give chrono or forgetBias, not both"));
    if (!(chrono >= 2)) raise(invalidArgument("initRecurrent", "chrono", `is the longest dependency in steps and must be >= 2, got ${chrono}`));
  }
  const { hiddenSize: H, numLayers: L = 1, bidirectional = false } = config;
  const G = gatesOf(config.mode);
  const D = bidirectional ? 2 : 1;
  const out: Record<string, Tensor> = {};
  let n = 0;
  const next = () => foldIn(k, n++);
  const zeros = (len: number) => tensorFromArray(dtype === "float64" ? new Float64Array(len) : new Float32Array(len), [len]);
  for (let l = 0; l < L; l++) {
    const inSize = l === 0 ? config.inputSize : D * H;
    for (let d = 0; d < D; d++) {
      const name = (kind: keyof CellParams) => paramName(kind, l, d === 1);
      const ih: [number, number] = [G * H, inSize];
      const hh: [number, number] = [G * H, H];
      if (scheme === "pytorch") {
        out[name("weight_ih")] = pytorchDefault(next(), ih, H, dtype);
        out[name("weight_hh")] = pytorchDefault(next(), hh, H, dtype);
        out[name("bias_ih")] = pytorchDefault(next(), [G * H], H, dtype);
        out[name("bias_hh")] = pytorchDefault(next(), [G * H], H, dtype);
      } else {
        out[name("weight_ih")] = scheme === "irnn" ? pytorchDefault(next(), ih, H, dtype) : xavierUniform(next(), ih, 1, dtype);
        out[name("weight_hh")] = scheme === "irnn" ? identity(hh, gain, dtype) : scheme === "orthogonal" ? orthogonalBlocks(next(), G, H, dtype) : xavierUniform(next(), hh, 1, dtype);
        out[name("bias_ih")] = zeros(G * H);
        out[name("bias_hh")] = zeros(G * H);
      }
      if (chrono !== undefined) {
        const bi = out[name("bias_ih")]?.toArray() as Float32Array | Float64Array;
        const bh = out[name("bias_hh")]?.toArray() as Float32Array | Float64Array;
        const u = uniform(foldIn(k, 1_000_000 + 2 * l + d), H); // its own keys: the other tensors stay as without chrono
        for (let j = 0; j < H; j++) {
          const bf = Math.log(1 + (u[j] as number) * (chrono - 2)); // log of U[1, chrono - 1]
          bi[H + j] = bf;
          bi[j] = -bf;
          bh[H + j] = 0;
          bh[j] = 0;
        }
        out[name("bias_ih")] = tensorFromArray(bi, [G * H]);
        out[name("bias_hh")] = tensorFromArray(bh, [G * H]);
      }
      if (config.mode === "lstm" && forgetBias !== undefined) {
        const bi = out[name("bias_ih")]?.toArray() as Float32Array | Float64Array;
        const bh = out[name("bias_hh")]?.toArray() as Float32Array | Float64Array;
        for (let j = H; j < 2 * H; j++) {
          bi[j] = forgetBias;
          bh[j] = 0;
        }
        out[name("bias_ih")] = tensorFromArray(bi, [G * H]);
        out[name("bias_hh")] = tensorFromArray(bh, [G * H]);
      }
    }
  }
  return out;
}

/** G orthogonal [H, H] blocks stacked into [G*H, H]: each gate's recurrent matrix orthogonal. */
function orthogonalBlocks(k: Key, G: number, H: number, dtype: DType): Tensor {
  const blocks = Array.from({ length: G }, (_, g) => orthogonal(foldIn(k, g), [H, H], 1, dtype).toArray());
  const out = dtype === "float64" ? new Float64Array(G * H * H) : new Float32Array(G * H * H);
  blocks.forEach((b, g) => {
    out.set(b, g * H * H);
  });
  return tensorFromArray(out, [G * H, H]);
}

/** The IRNN preset: a relu RNN with W_hh = gain * I and zero biases (trick 2 of the lecture). */
export function irnn(k: Key, inputSize: number, hiddenSize: number, { numLayers = 1, gain = 1, dtype = "float32" as DType } = {}): { config: RecurrentConfig; params: RecurrentParams } {
  const config: RecurrentConfig = { mode: "rnn_relu", inputSize, hiddenSize, numLayers };
  return { config, params: initRecurrent(k, config, { scheme: "irnn", gain, dtype }) };
}
