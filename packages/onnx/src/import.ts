// The other direction, where it is cheap: the one LSTM / GRU / RNN operator of an ONNX file (as torch.onnx.export
// writes an nn.LSTM, nn.GRU or nn.RNN of one layer) read back as gated's recurrent configuration and parameters
// with PyTorch's names, so that `recurrent` from @gated/nn computes what the file computes.
import { type Tensor, tensorFromArray } from "@gated/autograd";
import { gatesOf, type Mode, paramName, type RecurrentConfig, type RecurrentParams } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { type Attribute, DataType, decodeModel, type ModelMessage, type NodeMessage, type TensorMessage } from "./proto.js";
import { reorderGates } from "./weights.js";

/** A recurrent layer read from an ONNX file. */
export interface ImportedLayer {
  readonly config: RecurrentConfig;
  readonly params: RecurrentParams;
  /** The operator's node name and type in the file. */
  readonly node: { readonly name: string; readonly opType: string };
}

const RECURRENT_OPS = ["LSTM", "GRU", "RNN"];
const utf8 = new TextDecoder();

/** The float32 numbers of an initializer (raw_data or float_data). */
export function tensorData(t: TensorMessage): Float32Array | string {
  if (t.dataLocation === 1) return `${t.name} is stored in an external file, which this reader does not follow`;
  if (t.dataType !== DataType.FLOAT) return `${t.name} holds data type ${t.dataType}, not float32 (1)`;
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.rawData !== undefined && t.rawData.length > 0) {
    if (t.rawData.length !== 4 * n) return `${t.name} has ${t.rawData.length} bytes of data for ${n} float32 values`;
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
  }
  const data = t.floatData ?? [];
  if (data.length !== n) return `${t.name} has ${data.length} float values for dims [${t.dims.join(", ")}]`;
  return Float32Array.from(data);
}

function attributeOf(node: NodeMessage, name: string): Attribute | undefined {
  return node.attribute?.find((a) => a.name === name);
}

/** Constant values of the graph by name: initializers and the outputs of Constant nodes. */
function constants(model: ModelMessage): Map<string, TensorMessage> {
  const out = new Map<string, TensorMessage>();
  for (const t of model.graph.initializer ?? []) out.set(t.name, t);
  for (const n of model.graph.node ?? []) {
    const value = n.opType === "Constant" ? attributeOf(n, "value")?.t : undefined;
    if (value && n.output[0]) out.set(n.output[0], { ...value, name: n.output[0] });
  }
  return out;
}

/**
 * The single LSTM, GRU or RNN operator of an ONNX file, as gated's configuration and parameters (PyTorch's names
 * and gate order, so the result also loads into PyTorch). Left with the reason for a file that is not ONNX, holds no
 * or several recurrent operators, or uses what PyTorch's layers do not have (peepholes, clipping, coupled gates,
 * other activations, a GRU with `linear_before_reset = 0`, batch-first layout).
 * @since 0.2.0
 */
export function importRecurrentLayer(bytes: Uint8Array): E.Either<string, ImportedLayer> {
  let model: ModelMessage;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    return E.left(`not an ONNX file (the bytes are not a ModelProto: ${(e as Error).message})`);
  }
  if (!model.graph) return E.left("the ONNX file has no graph");
  const found = (model.graph.node ?? []).filter((n) => RECURRENT_OPS.includes(n.opType) && (n.domain ?? "") === "");
  if (found.length !== 1) return E.left(`the ONNX file holds ${found.length} recurrent operators (LSTM, GRU, RNN); this reader takes a file with exactly one`);
  const node = found[0] as NodeMessage;
  const op = node.opType;
  const H = attributeOf(node, "hidden_size")?.i;
  if (H === undefined || !Number.isInteger(H) || H < 1) return E.left(`the ${op} operator has no hidden_size`);
  const text = (a: Attribute | undefined) => (a?.s ? utf8.decode(a.s) : undefined);
  const texts = (a: Attribute | undefined) => (a?.strings ?? []).map((s) => utf8.decode(s));
  const direction = text(attributeOf(node, "direction")) ?? "forward";
  if (direction === "reverse") return E.left(`the ${op} operator runs in reverse only, which PyTorch's layers do not`);
  if (direction !== "forward" && direction !== "bidirectional") return E.left(`the ${op} operator's direction is ${JSON.stringify(direction)}`);
  const D = direction === "bidirectional" ? 2 : 1;
  for (const unsupported of ["clip", "input_forget", "activation_alpha", "activation_beta"]) {
    const a = attributeOf(node, unsupported);
    if (a !== undefined && !(unsupported === "input_forget" && a.i === 0)) return E.left(`the ${op} operator sets ${unsupported}, which PyTorch's layers do not have`);
  }
  if ((attributeOf(node, "layout")?.i ?? 0) !== 0) return E.left(`the ${op} operator uses layout 1 (batch first); this reader takes layout 0`);
  const activations = texts(attributeOf(node, "activations"));
  let mode: Mode;
  if (op === "LSTM") {
    mode = "lstm";
    if (activations.length > 0 && activations.join() !== Array.from({ length: D }, () => "Sigmoid,Tanh,Tanh").join()) return E.left(`the LSTM operator's activations are ${activations.join(", ")}, not PyTorch's Sigmoid, Tanh, Tanh`);
    if ((node.input[7] ?? "") !== "") return E.left("the LSTM operator has peephole weights (P), which PyTorch's LSTM does not");
  } else if (op === "GRU") {
    mode = "gru";
    if ((attributeOf(node, "linear_before_reset")?.i ?? 0) !== 1) return E.left("the GRU operator has linear_before_reset = 0; PyTorch's GRU (and gated's) applies the reset gate after the linear map (linear_before_reset = 1)");
    if (activations.length > 0 && activations.join() !== Array.from({ length: D }, () => "Sigmoid,Tanh").join()) return E.left(`the GRU operator's activations are ${activations.join(", ")}, not PyTorch's Sigmoid, Tanh`);
  } else {
    const kinds = activations.length === 0 ? ["Tanh"] : [...new Set(activations)];
    if (kinds.length !== 1 || !["Tanh", "Relu"].includes(kinds[0] as string)) return E.left(`the RNN operator's activations are ${activations.join(", ")}; PyTorch's RNN takes Tanh or Relu`);
    mode = kinds[0] === "Relu" ? "rnn_relu" : "rnn_tanh";
  }
  const G = gatesOf(mode);
  const values = constants(model);
  const weight = (index: number, what: string): Float32Array | string => {
    const name = node.input[index] ?? "";
    const t = values.get(name);
    if (name === "" || t === undefined) return `the ${op} operator's ${what} (${name || "absent"}) is not a constant of the file: this reader takes weights stored in it`;
    return tensorData(t);
  };
  const W = weight(1, "W");
  if (typeof W === "string") return E.left(W);
  const R = weight(2, "R");
  if (typeof R === "string") return E.left(R);
  const I = W.length / (D * G * H);
  if (!Number.isInteger(I) || I < 1) return E.left(`W holds ${W.length} values, not ${D} x ${G * H} x input size`);
  if (R.length !== D * G * H * H) return E.left(`R holds ${R.length} values, not ${D} x ${G * H} x ${H}`);
  let Bias: Float32Array | string = new Float32Array(D * 2 * G * H);
  if ((node.input[3] ?? "") !== "") Bias = weight(3, "B");
  if (typeof Bias === "string") return E.left(Bias);
  if (Bias.length !== D * 2 * G * H) return E.left(`B holds ${Bias.length} values, not ${D} x ${2 * G * H}`);
  const params: Record<string, Tensor> = {};
  for (let d = 0; d < D; d++) {
    const reverse = d === 1;
    const part = (a: Float32Array, size: number, at: number) => a.subarray(at, at + size);
    params[paramName("weight_ih", 0, reverse)] = tensorFromArray(reorderGates(part(W, G * H * I, d * G * H * I), mode, H, I, true), [G * H, I]);
    params[paramName("weight_hh", 0, reverse)] = tensorFromArray(reorderGates(part(R, G * H * H, d * G * H * H), mode, H, H, true), [G * H, H]);
    params[paramName("bias_ih", 0, reverse)] = tensorFromArray(reorderGates(part(Bias, G * H, d * 2 * G * H), mode, H, 1, true), [G * H]);
    params[paramName("bias_hh", 0, reverse)] = tensorFromArray(reorderGates(part(Bias, G * H, d * 2 * G * H + G * H), mode, H, 1, true), [G * H]);
  }
  return E.right({ config: { mode, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: D === 2 }, params, node: { name: node.name ?? "", opType: op } });
}

