// The other direction: one-layer nn.LSTM / nn.GRU / nn.RNN modules exported by torch.onnx.export (fixtures made once
// by fixtures/make-fixtures.py with Debian's python3-torch) read back into gated: the parameters are PyTorch's
// state dict, and gated's recurrent layer computes PyTorch's outputs from them (as does ONNX Runtime from the file).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tensorFromArray, transpose } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { decodeModel, exportOnnx, importRecurrentLayer, tensorData } from "../src/index.js";
import { encodeModel, type ModelMessage, type NodeMessage, type TensorMessage } from "../src/proto.js";
import { initRecurrent, random, recurrent } from "@gated/nn";

const here = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
interface Case {
  readonly mode: string;
  readonly bidirectional: boolean;
  readonly x: number[];
  readonly h0: number[];
  readonly c0?: number[];
  readonly y: number[];
  readonly hn: number[];
  readonly cn?: number[];
  readonly state_dict: Record<string, number[]>;
}
const fixtures = JSON.parse(readFileSync(join(here, "torch-outputs.json"), "utf8")) as { sizes: { input: number; hidden: number; steps: number; batch: number }; cases: Record<string, Case> };
const { input: I, hidden: H, steps: T, batch: B } = fixtures.sizes;

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs((got[i] as number) - (want[i] as number)), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(want[i] as number)));
}

describe("importRecurrentLayer on files torch.onnx.export wrote", () => {
  it.each(Object.keys(fixtures.cases))("reads %s into PyTorch's state dict, and gated then computes PyTorch's outputs", async (name) => {
    const c = fixtures.cases[name] as Case;
    const bytes = readFileSync(join(here, `${name}.onnx`));
    const layer = importRecurrentLayer(bytes);
    if (E.isLeft(layer)) throw new Error(layer.left);
    const { config, params } = layer.right;
    expect(config).toEqual({ mode: c.mode, inputSize: I, hiddenSize: H, numLayers: 1, bidirectional: c.bidirectional });
    // The same numbers as PyTorch's state dict, exactly (float32 both ways).
    expect(Object.keys(params).sort()).toEqual(Object.keys(c.state_dict).sort());
    for (const [k, v] of Object.entries(c.state_dict)) expect(Array.from((params[k] as { toArray(): Float32Array }).toArray()), k).toEqual(Array.from(Float32Array.from(v)));
    // gated's recurrent layer on PyTorch's inputs (time-major there, batch-first here).
    const D = c.bidirectional ? 2 : 1;
    const x = transpose(tensorFromArray(Float32Array.from(c.x), [T, B, I]), [1, 0, 2]);
    const out = recurrent(params, config, x, { h0: tensorFromArray(Float32Array.from(c.h0), [D, B, H]), ...(c.c0 ? { c0: tensorFromArray(Float32Array.from(c.c0), [D, B, H]) } : {}) });
    expectClose(transpose(out.output, [1, 0, 2]).toArray(), c.y, "y");
    expectClose(out.h.toArray(), c.hn, "h_n");
    if (c.cn) expectClose((out.c as { toArray(): Float32Array }).toArray(), c.cn, "c_n");
    // And ONNX Runtime, running the file itself, agrees with both: the fixture is what it claims to be.
    const s = await ort.InferenceSession.create(bytes);
    const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor("float32", Float32Array.from(c.x), [T, B, I]), h0: new ort.Tensor("float32", Float32Array.from(c.h0), [D, B, H]) };
    if (c.c0) feeds.c0 = new ort.Tensor("float32", Float32Array.from(c.c0), [D, B, H]);
    const r = await s.run(feeds);
    expectClose(r.y?.data as Float32Array, c.y, "ONNX Runtime's y");
  });

  it("reads back what exportOnnx writes, for a two-direction layer of each cell", () => {
    for (const name of ["lstm-bidirectional", "gru-bidirectional", "rnn-relu-bidirectional"]) {
      const first = importRecurrentLayer(readFileSync(join(here, `${name}.onnx`)));
      if (E.isLeft(first)) throw new Error(first.left);
      const bytes = exportOnnx({ recurrent: first.right });
      if (E.isLeft(bytes)) throw new Error(bytes.left);
      const again = importRecurrentLayer(bytes.right);
      if (E.isLeft(again)) throw new Error(again.left);
      expect(again.right.config).toEqual(first.right.config);
      for (const [k, t] of Object.entries(first.right.params)) expect(Array.from((again.right.params[k] as typeof t).toArray()), k).toEqual(Array.from(t.toArray()));
    }
  });

  it("reads weights stored as float_data, and as Constant nodes, as it reads raw_data", () => {
    const m = decodeModel(readFileSync(join(here, "lstm.onnx")));
    const node = m.graph.node.find((n) => n.opType === "LSTM") as NodeMessage;
    const [wName, rName] = [node.input[1] as string, node.input[2] as string];
    const floats = (t: TensorMessage) => Array.from(tensorData(t) as Float32Array);
    const initializer = m.graph.initializer.flatMap((t) => (t.name === rName ? [] : t.name === wName ? [{ name: t.name, dims: t.dims, dataType: t.dataType, floatData: floats(t) }] : [t]));
    const r = m.graph.initializer.find((t) => t.name === rName) as TensorMessage;
    const constant: NodeMessage = { input: [], output: [rName], opType: "Constant", attribute: [{ name: "value", type: 4, t: { ...r, name: "" } }] };
    const edited = importRecurrentLayer(encodeModel({ ...m, graph: { ...m.graph, initializer, node: [constant, ...m.graph.node] } }));
    const original = importRecurrentLayer(readFileSync(join(here, "lstm.onnx")));
    if (E.isLeft(edited) || E.isLeft(original)) throw new Error("not read");
    for (const [k, t] of Object.entries(original.right.params)) expect(Array.from((edited.right.params[k] as typeof t).toArray()), k).toEqual(Array.from(t.toArray()));
  });

  it("takes what PyTorch's layers also are: a one-unit layer, input_forget = 0, explicit default activations, no bias, an RNN without activations", () => {
    const one = { mode: "lstm" as const, inputSize: 2, hiddenSize: 1 };
    const tiny = exportOnnx({ recurrent: { config: one, params: initRecurrent(random.key(1), one) } });
    if (E.isLeft(tiny)) throw new Error(tiny.left);
    expect(E.isRight(importRecurrentLayer(tiny.right))).toBe(true);
    const lstm = decodeModel(readFileSync(join(here, "lstm.onnx")));
    const text = (s: string) => new TextEncoder().encode(s);
    const withAttrs = (m: ModelMessage, op: string, extra: NodeMessage["attribute"], input?: (i: readonly string[]) => string[]) =>
      encodeModel({ ...m, graph: { ...m.graph, node: m.graph.node.map((n) => (n.opType === op ? { ...n, input: input ? input(n.input) : n.input, attribute: [...(n.attribute ?? []).filter((a) => !(extra ?? []).some((e) => e.name === a.name)), ...(extra ?? [])] } : n)) } });
    const defaults = importRecurrentLayer(withAttrs(lstm, "LSTM", [{ name: "input_forget", type: 2, i: 0 }, { name: "activations", type: 8, strings: ["Sigmoid", "Tanh", "Tanh"].map(text) }]));
    expect(E.isRight(defaults) && defaults.right.config.mode).toBe("lstm");
    const gru = decodeModel(readFileSync(join(here, "gru.onnx")));
    expect(E.isRight(importRecurrentLayer(withAttrs(gru, "GRU", [{ name: "activations", type: 8, strings: ["Sigmoid", "Tanh"].map(text) }])))).toBe(true);
    const noBias = importRecurrentLayer(withAttrs(lstm, "LSTM", [], (i) => i.map((x, k) => (k === 3 ? "" : x))));
    if (E.isLeft(noBias)) throw new Error(noBias.left);
    expect(Array.from(noBias.right.params.bias_ih_l0?.toArray() ?? [1])).toEqual(new Array(16).fill(0));
    expect(Array.from(noBias.right.params.bias_hh_l0?.toArray() ?? [1])).toEqual(new Array(16).fill(0));
    const rnn = decodeModel(readFileSync(join(here, "rnn-tanh.onnx")));
    const plain = importRecurrentLayer(encodeModel({ ...rnn, graph: { ...rnn.graph, node: rnn.graph.node.map((n) => (n.opType === "RNN" ? { ...n, attribute: (n.attribute ?? []).filter((a) => a.name !== "activations") } : n)) } }));
    expect(E.isRight(plain) && plain.right.config.mode).toBe("rnn_tanh");
  });

  describe("refuses, saying why", () => {
    const lstm = decodeModel(readFileSync(join(here, "lstm.onnx")));
    const gru = decodeModel(readFileSync(join(here, "gru.onnx")));
    /** The model with its recurrent node changed. */
    const edit = (m: ModelMessage, f: (n: NodeMessage) => NodeMessage): Uint8Array => encodeModel({ ...m, graph: { ...m.graph, node: m.graph.node.map((n) => (["LSTM", "GRU", "RNN"].includes(n.opType) ? f(n) : n)) } });
    const attr = (n: NodeMessage, a: { name: string; type: number; i?: number; f?: number; s?: Uint8Array; strings?: Uint8Array[] }): NodeMessage => ({ ...n, attribute: [...(n.attribute ?? []).filter((x) => x.name !== a.name), a] });
    const text = (s: string) => new TextEncoder().encode(s);
    /** The model with one initializer (W, by default) changed. */
    const initializers = (m: ModelMessage, f: (t: TensorMessage) => TensorMessage, name = "onnx::LSTM_89"): Uint8Array => encodeModel({ ...m, graph: { ...m.graph, initializer: m.graph.initializer.map((t) => (t.name === name ? f(t) : t)) } });
    it.each([
      ["bytes that are not ONNX", Uint8Array.of(0xff, 0xff, 0xff, 0xff), /^not an ONNX file/],
      ["a file with no recurrent operator", encodeModel({ ...lstm, graph: { ...lstm.graph, node: lstm.graph.node.filter((n) => n.opType !== "LSTM") } }), /^the ONNX file holds 0 recurrent operators/],
      ["a file with two", encodeModel({ ...lstm, graph: { ...lstm.graph, node: [...lstm.graph.node, ...lstm.graph.node.filter((n) => n.opType === "LSTM")] } }), /^the ONNX file holds 2 recurrent operators/],
      ["peepholes", edit(lstm, (n) => ({ ...n, input: [...n.input, "onnx::LSTM_89"] })), /peephole weights/],
      ["clipping", edit(lstm, (n) => attr(n, { name: "clip", type: 1, f: 3 })), /sets clip/],
      ["a reverse-only layer", edit(lstm, (n) => attr(n, { name: "direction", type: 3, s: text("reverse") })), /reverse only/],
      ["batch-first layout", edit(lstm, (n) => attr(n, { name: "layout", type: 2, i: 1 })), /layout 1/],
      ["other activations", edit(lstm, (n) => attr(n, { name: "activations", type: 8, strings: ["Sigmoid", "Relu", "Tanh"].map(text) })), /activations are Sigmoid, Relu, Tanh/],
      ["a GRU without linear_before_reset", edit(gru, (n) => attr(n, { name: "linear_before_reset", type: 2, i: 0 })), /linear_before_reset = 0/],
      ["weights computed in the graph, not stored", edit(lstm, (n) => ({ ...n, input: n.input.map((x, i) => (i === 1 ? "computed" : x)) })), /W \(computed\) is not a constant/],
      ["float64 weights", initializers(lstm, (t) => ({ ...t, dataType: 11 })), /^onnx::LSTM_89 holds data type 11, not float32 \(1\)$/],
      ["weights in an external file", initializers(lstm, (t) => ({ ...t, dataLocation: 1 })), /^onnx::LSTM_89 is stored in an external file, which this reader does not follow$/],
      ["raw data of the wrong length", initializers(lstm, (t) => ({ ...t, rawData: (t.rawData as Uint8Array).subarray(4) })), /^onnx::LSTM_89 has 188 bytes of data for 48 float32 values$/],
      ["float data of the wrong length", initializers(lstm, (t) => ({ name: t.name, dims: t.dims, dataType: 1, floatData: [1, 2] })), /^onnx::LSTM_89 has 2 float values for dims \[1, 16, 3\]$/],
      ["no hidden_size", edit(lstm, (n) => ({ ...n, attribute: (n.attribute ?? []).filter((a) => a.name !== "hidden_size") })), /^the LSTM operator has no hidden_size$/],
      ["an unknown direction", edit(lstm, (n) => attr(n, { name: "direction", type: 3, s: text("sideways") })), /^the LSTM operator's direction is "sideways"$/],
      ["B of the wrong size", initializers(lstm, (t) => (t.name === "onnx::LSTM_91" ? { ...t, dims: [1, 16], rawData: (t.rawData as Uint8Array).subarray(0, 64) } : t), "onnx::LSTM_91"), /^B holds 16 values, not 1 x 32$/],
      ["input_forget = 1 (coupled gates)", edit(lstm, (n) => attr(n, { name: "input_forget", type: 2, i: 1 })), /^the LSTM operator sets input_forget, which PyTorch's layers do not have$/],
      ["activation_alpha", edit(lstm, (n) => attr(n, { name: "activation_alpha", type: 6, floats: [0.5] } as never)), /^the LSTM operator sets activation_alpha/],
      ["a GRU with other activations", edit(gru, (n) => attr(n, { name: "activations", type: 8, strings: ["Sigmoid", "Relu"].map(text) })), /^the GRU operator's activations are Sigmoid, Relu, not PyTorch's Sigmoid, Tanh$/],
      ["a bidirectional RNN with two activations", edit(decodeModel(readFileSync(join(here, "rnn-relu-bidirectional.onnx"))), (n) => attr(n, { name: "activations", type: 8, strings: ["Relu", "Tanh"].map(text) })), /^the RNN operator's activations are Relu, Tanh; PyTorch's RNN takes Tanh or Relu$/],
      ["no W", edit(lstm, (n) => ({ ...n, input: n.input.map((x, i) => (i === 1 ? "" : x)) })), /^the LSTM operator's W \(absent\) is not a constant of the file/],
      ["R of the wrong size", initializers(lstm, (t) => ({ ...t, dims: [1, 16, 3], rawData: (t.rawData as Uint8Array).subarray(0, 192) }), "onnx::LSTM_90"), /^R holds 48 values, not 1 x 16 x 4$/],
      ["W that fits no input size", initializers(lstm, (t) => ({ ...t, dims: [1, 8], rawData: (t.rawData as Uint8Array).subarray(0, 32) })), /^W holds 8 values, not 1 x 16 x input size$/],
      ["an R that is not stored", edit(lstm, (n) => ({ ...n, input: n.input.map((x, i) => (i === 2 ? "computed" : x)) })), /^the LSTM operator's R \(computed\) is not a constant/],
      ["a B that is not stored", edit(lstm, (n) => ({ ...n, input: n.input.map((x, i) => (i === 3 ? "computed" : x)) })), /^the LSTM operator's B \(computed\) is not a constant/],
      ["an RNN with a Sigmoid", edit(decodeModel(readFileSync(join(here, "rnn-tanh.onnx"))), (n) => attr(n, { name: "activations", type: 8, strings: [text("Sigmoid")] })), /^the RNN operator's activations are Sigmoid; PyTorch's RNN takes Tanh or Relu$/],
    ] as const)("%s", (_, bytes, message) => {
      const r = importRecurrentLayer(bytes);
      expect(E.isLeft(r) ? r.left : "accepted").toMatch(message);
    });
  });
});
