// A recurrent model as an ONNX file: [embedding | float inputs] -> stacked and/or bidirectional LSTM / GRU / RNN
// layers (ONNX's own operators) -> [pooling over the valid steps] -> [linear layer], with dynamic batch and
// sequence axes, optional initial states and lengths as inputs, and the final states as outputs.
import type { Tensor } from "@gated/autograd";
import { checkRecurrentConfig, gatesOf, type LinearParams, paramName, type RecurrentConfig, type RecurrentParams } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { GraphBuilder } from "./graph.js";
import { DataType, encodeModel } from "./proto.js";
import { concatFloats, reorderGates } from "./weights.js";

/** The ONNX operator set the files use (ONNX 1.12; ONNX Runtime 1.12 and later run it). */
export const OPSET = 17;
/** The ONNX IR version that goes with opset 17. */
export const IR_VERSION = 8;

export type Pooling = "last" | "mean" | "max";

/** What to export: the parts of the model, each optional but the recurrent layers. */
export interface OnnxModelSpec {
  /**
   * An embedding [V, E]: the model then reads token ids, input `tokens` [batch, sequence] (int64). Without it the
   * model reads `inputs` [batch, sequence, inputSize] (float32).
   */
  readonly embedding?: Tensor;
  /** Float features per step concatenated after the embedding: input `token_features` [batch, sequence, n]. */
  readonly tokenFeatures?: number;
  /** The recurrent layers, with PyTorch's parameter names (as `recurrent` in @gated/nn takes them). */
  readonly recurrent: { readonly config: RecurrentConfig; readonly params: RecurrentParams };
  /**
   * Pool the last layer's outputs over each sequence's valid steps into one vector (as the sentiment model does):
   * "last" takes the final states (the forward direction after the last valid step, the backward after step 0),
   * "mean" and "max" the outputs. Without it the model has an output per step.
   */
  readonly pooling?: Pooling;
  /** Float features per sequence concatenated after pooling: input `sequence_features` [batch, n]. */
  readonly sequenceFeatures?: number;
  /** A linear layer on top (weight [outputs, in], bias [outputs]), whose result is output `logits`. */
  readonly head?: LinearParams;
  /** Text stored in the file's metadata_props (ONNX Runtime and Netron show them; `onnxMetadata` reads them). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The graph's name and description. */
  readonly name?: string;
  readonly description?: string;
}

export interface OnnxExportOptions {
  /** Take the initial states as inputs `h0` (and `c0` for an LSTM), [layers x directions, batch, hidden] (default true). */
  readonly initialStates?: boolean;
  /** Take the valid length of each sequence as input `lengths` [batch] (int32; default true; pooling needs it). */
  readonly lengths?: boolean;
}

const ELEM = DataType.FLOAT;

/** Float32 numbers of a tensor. */
const f32 = (t: Tensor): Float32Array => Float32Array.from(t.toArray());

function shapeProblem(spec: OnnxModelSpec): string | undefined {
  const c = spec.recurrent.config;
  const valid = checkRecurrentConfig(c);
  if (E.isLeft(valid)) return valid.left.message;
  const H = c.hiddenSize;
  const D = c.bidirectional ? 2 : 1;
  const L = c.numLayers ?? 1;
  const G = gatesOf(c.mode);
  const E0 = spec.embedding ? (spec.embedding.shape[1] as number) : undefined;
  if (spec.embedding && spec.embedding.rank !== 2) return `the embedding must be [vocabulary, size], got [${spec.embedding.shape.join(", ")}]`;
  const tf = spec.tokenFeatures ?? 0;
  if (!Number.isInteger(tf) || tf < 0) return `tokenFeatures must be a whole number >= 0, got ${tf}`;
  if (E0 !== undefined && E0 + tf !== c.inputSize) return `the embedding's size ${E0} plus ${tf} token features is not the recurrent layer's input size ${c.inputSize}`;
  if (E0 === undefined && tf > 0) return "tokenFeatures needs an embedding (without one, the inputs are the features)";
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? c.inputSize : D * H;
    for (let d = 0; d < D; d++) {
      for (const [kind, shape] of [["weight_ih", [G * H, I]], ["weight_hh", [G * H, H]], ["bias_ih", [G * H]], ["bias_hh", [G * H]]] as const) {
        const name = paramName(kind, l, d === 1);
        const t = spec.recurrent.params[name];
        if (t === undefined) return `the recurrent parameters have no ${name}`;
        if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) return `${name} must be [${shape.join(", ")}], got [${t.shape.join(", ")}]`;
      }
    }
  }
  const sf = spec.sequenceFeatures ?? 0;
  if (!Number.isInteger(sf) || sf < 0) return `sequenceFeatures must be a whole number >= 0, got ${sf}`;
  if (sf > 0 && spec.pooling === undefined) return "sequenceFeatures needs pooling (they join the pooled vector)";
  if (spec.head) {
    const inSize = D * H + sf;
    const [outSize, w] = spec.head.weight.shape as [number, number];
    if (spec.head.weight.rank !== 2 || w !== inSize) return `the head's weight must be [outputs, ${inSize}], got [${spec.head.weight.shape.join(", ")}]`;
    if (spec.head.bias && (spec.head.bias.rank !== 1 || spec.head.bias.shape[0] !== outSize)) return `the head's bias must be [${outSize}], got [${spec.head.bias.shape.join(", ")}]`;
  }
  return undefined;
}

/**
 * The bytes of an ONNX file computing the model; Left with the reason when the parts do not fit together. Inputs:
 * `tokens` or `inputs`, then `token_features`, `lengths`, `h0`, `c0`, `sequence_features` where they apply; outputs:
 * `logits` (with a head) or `outputs`, then `hn` and (LSTM) `cn`, the final states [layers x directions, batch,
 * hidden] in PyTorch's order (layer by layer, forward before backward). Per-step outputs are zero at padded steps.
 * The file holds float32 numbers (float64 parameters are rounded to float32).
 *
 * @example
 * const bytes = exportOnnx({ recurrent: { config, params } });
 * @since 0.2.0
 */
export function exportOnnx(spec: OnnxModelSpec, options: OnnxExportOptions = {}): E.Either<string, Uint8Array> {
  const problem = shapeProblem(spec);
  if (problem !== undefined) return E.left(problem);
  const c = spec.recurrent.config;
  const { mode, hiddenSize: H } = c;
  const L = c.numLayers ?? 1;
  const D = c.bidirectional ? 2 : 1;
  const pooling = spec.pooling;
  const withLengths = options.lengths ?? true;
  if (pooling !== undefined && !withLengths) return E.left("pooling over the valid steps needs the lengths input (lengths: true)");
  const withStates = options.initialStates ?? true;
  const g = new GraphBuilder();
  const B = "batch";
  const T = "sequence";

  // Inputs, made time-major [T, B, I] (ONNX's recurrent operators' default layout).
  let x: string;
  if (spec.embedding) {
    const tokens = g.input("tokens", DataType.INT64, [B, T], "token ids, [batch, sequence]");
    const table = g.floats("embedding.weight", f32(spec.embedding), spec.embedding.shape);
    x = g.op("Gather", [table, g.op("Transpose", [tokens], "tokens_tm", { perm: [1, 0] })], "embedded", { axis: 0 });
    if ((spec.tokenFeatures ?? 0) > 0) {
      const tf = g.input("token_features", ELEM, [B, T, spec.tokenFeatures as number], "features of each token joined to its embedding, [batch, sequence, n]");
      x = g.op("Concat", [x, g.op("Transpose", [tf], "token_features_tm", { perm: [1, 0, 2] })], "layer_input", { axis: 2 });
    }
  } else {
    const inputs = g.input("inputs", ELEM, [B, T, c.inputSize], "input vectors, [batch, sequence, input size]");
    x = g.op("Transpose", [inputs], "inputs_tm", { perm: [1, 0, 2] });
  }
  const lengths = withLengths ? g.input("lengths", DataType.INT32, [B], "valid steps of each sequence, 1 to sequence; steps after them are padding") : "";
  const states = withStates ? [g.input("h0", ELEM, [L * D, B, H], "initial hidden states, [layers x directions, batch, hidden]")] : [];
  if (withStates && mode === "lstm") states.push(g.input("c0", ELEM, [L * D, B, H], "initial cell states, [layers x directions, batch, hidden]"));

  // The recurrent layers.
  const op = mode === "lstm" ? "LSTM" : mode === "gru" ? "GRU" : "RNN";
  const finalH: string[] = [];
  const finalC: string[] = [];
  let lastY = "";
  for (let l = 0; l < L; l++) {
    const I = l === 0 ? c.inputSize : D * H;
    const dirs = Array.from({ length: D }, (_, d) => d === 1);
    const p = (kind: "weight_ih" | "weight_hh" | "bias_ih" | "bias_hh", reverse: boolean) => (spec.recurrent.params[paramName(kind, l, reverse)] as Tensor).toArray();
    const G = gatesOf(mode);
    const W = g.floats(`W_l${l}`, concatFloats(dirs.map((r) => reorderGates(p("weight_ih", r), mode, H, I))), [D, G * H, I]);
    const R = g.floats(`R_l${l}`, concatFloats(dirs.map((r) => reorderGates(p("weight_hh", r), mode, H, H))), [D, G * H, H]);
    const Bias = g.floats(`B_l${l}`, concatFloats(dirs.flatMap((r) => [reorderGates(p("bias_ih", r), mode, H, 1), reorderGates(p("bias_hh", r), mode, H, 1)])), [D, 2 * G * H]);
    const slice = (s: string) => (L === 1 ? s : g.op("Slice", [s, g.int64s("start", [l * D]), g.int64s("end", [(l + 1) * D]), g.int64s("axes", [0])], `${s}_l${l}`));
    const init = states.map(slice);
    const ins = [x, W, R, Bias, lengths, ...init];
    while (ins[ins.length - 1] === "") ins.pop();
    const attrs: Record<string, string | number | readonly string[]> = { hidden_size: H, direction: D === 2 ? "bidirectional" : "forward" };
    if (mode === "gru") attrs.linear_before_reset = 1;
    if (mode === "rnn_tanh" || mode === "rnn_relu") attrs.activations = dirs.map(() => (mode === "rnn_relu" ? "Relu" : "Tanh"));
    const single = L === 1;
    const outs = mode === "lstm" ? [`Y_l${l}`, single ? "=hn" : `Y_h_l${l}`, single ? "=cn" : `Y_c_l${l}`] : [`Y_l${l}`, single ? "=hn" : `Y_h_l${l}`];
    const [Y, Yh, Yc] = g.node(op, ins, outs, attrs) as [string, string, string?];
    finalH.push(Yh);
    if (Yc !== undefined) finalC.push(Yc);
    // [T, D, B, H] -> [T, B, D*H], the next layer's input.
    lastY = g.op("Reshape", [g.op("Transpose", [Y], `Y_l${l}_tbdh`, { perm: [0, 2, 1, 3] }), g.int64s("shape", [0, 0, -1])], `out_l${l}`);
    x = lastY;
  }
  if (L > 1) {
    g.node("Concat", finalH, ["=hn"], { axis: 0 });
    if (mode === "lstm") g.node("Concat", finalC, ["=cn"], { axis: 0 });
  }

  // Pooling and the head.
  const DH = D * H;
  const outName = spec.head ? "logits" : "outputs";
  const outSize = spec.head ? (spec.head.weight.shape[0] as number) : DH;
  if (pooling === undefined) {
    let y = lastY;
    if (spec.head) {
      const wt = g.floats("head.weight_t", transpose2(f32(spec.head.weight), outSize, DH), [DH, outSize]);
      y = g.op("MatMul", [y, wt], "head_matmul");
      if (spec.head.bias) y = g.op("Add", [y, g.floats("head.bias", f32(spec.head.bias), [outSize])], "head_out");
    }
    g.node("Transpose", [y], [`=${outName}`], { perm: [1, 0, 2] });
    g.output(outName, ELEM, [B, T, outSize], spec.head ? "scores (logits) at every step, [batch, sequence, outputs]" : "the last layer's outputs at every step, [batch, sequence, directions x hidden] (zeros after each sequence's length)");
  } else {
    let pooled: string;
    if (pooling === "last") {
      const top = L === 1 ? "hn" : g.op("Slice", ["hn", g.int64s("start", [(L - 1) * D]), g.int64s("end", [L * D]), g.int64s("axes", [0])], "h_top");
      pooled = g.op("Reshape", [g.op("Transpose", [top], "h_top_bdh", { perm: [1, 0, 2] }), g.int64s("shape", [0, -1])], "pooled");
    } else {
      // mask[t, b, 1] = t < lengths[b]
      const steps = g.op("Range", [g.int64s("zero", [0], []), g.op("Gather", [g.op("Shape", [lastY], "y_shape"), g.int64s("zero_index", [0], [])], "T", { axis: 0 }), g.int64s("one", [1], [])], "steps");
      const lens = g.op("Cast", [lengths], "lengths_i64", { to: DataType.INT64 });
      const less = g.op("Less", [g.op("Unsqueeze", [steps, g.int64s("axes", [1])], "steps_t1"), g.op("Unsqueeze", [lens, g.int64s("axes", [0])], "lengths_1b")], "valid");
      const mask = g.op("Unsqueeze", [less, g.int64s("axes", [2])], "valid_tb1");
      if (pooling === "mean") {
        const sum = g.op("ReduceSum", [g.op("Mul", [lastY, g.op("Cast", [mask], "valid_f", { to: DataType.FLOAT })], "masked"), g.int64s("axes", [0])], "sum", { keepdims: 0 });
        const count = g.op("Unsqueeze", [g.op("Cast", [lengths], "lengths_f", { to: DataType.FLOAT }), g.int64s("axes", [1])], "count");
        pooled = g.op("Div", [sum, count], "pooled");
      } else {
        const low = g.floats("minus_1e9", Float32Array.of(-1e9), []);
        pooled = g.op("ReduceMax", [g.op("Where", [mask, lastY, low], "masked")], "pooled", { axes: [0], keepdims: 0 });
      }
    }
    if ((spec.sequenceFeatures ?? 0) > 0) {
      const sf = g.input("sequence_features", ELEM, [B, spec.sequenceFeatures as number], "features of each sequence joined to the pooled vector, [batch, n]");
      pooled = g.op("Concat", [pooled, sf], "pooled_features", { axis: 1 });
    }
    if (spec.head) {
      const inSize = DH + (spec.sequenceFeatures ?? 0);
      const w = g.floats("head.weight", f32(spec.head.weight), [outSize, inSize]);
      const bias = spec.head.bias ? [g.floats("head.bias", f32(spec.head.bias), [outSize])] : [];
      g.node("Gemm", [pooled, w, ...bias], ["=logits"], { transB: 1 });
    } else {
      g.node("Identity", [pooled], ["=outputs"]);
    }
    g.output(outName, ELEM, [B, outSize], spec.head ? "scores (logits) of each sequence, [batch, outputs]" : "the pooled outputs of each sequence, [batch, size]");
  }
  g.output("hn", ELEM, [L * D, B, H], "final hidden states, [layers x directions, batch, hidden] (each sequence's, after its last valid step)");
  if (mode === "lstm") g.output("cn", ELEM, [L * D, B, H], "final cell states, [layers x directions, batch, hidden]");

  const description = spec.description ?? `${L} ${op} layer${L > 1 ? "s" : ""}, ${D === 2 ? "bidirectional" : "one direction"}, hidden size ${H}`;
  return E.right(
    encodeModel({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: "", version: OPSET }],
      producerName: "gated",
      producerVersion: "0.2.0",
      docString: description,
      graph: g.graph(spec.name ?? "gated_recurrent", description),
      metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    }),
  );
}

/** [rows, cols] -> [cols, rows]. */
function transpose2(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) out[q * rows + r] = a[r * cols + q] as number;
  return out;
}
