// The file's interface as declared in it (what Netron and ONNX Runtime's metadata show): each input and output with
// its element type, its shape (symbolic batch and sequence axes) and a description; the model's producer, versions
// and metadata.
import { tensorFromArray } from "@gated/autograd";
import { initRecurrent, random } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { initLm } from "@gated/models";
import { charlmToOnnx, DataType, decodeModel, exportOnnx, IR_VERSION, isGatedOnnx, OPSET } from "../src/index.js";
import { encodeModel } from "../src/proto.js";

const dims = (v: { type: { tensorType: { shape: { dim: readonly { dimValue?: number; dimParam?: string }[] } } } }) => v.type.tensorType.shape.dim.map((d) => d.dimParam ?? d.dimValue);

describe("exportOnnx's declared interface", () => {
  it("names, types, shapes and describes every input and output", () => {
    const config = { mode: "lstm" as const, inputSize: 7, hiddenSize: 3, numLayers: 2, bidirectional: true };
    const bytes = exportOnnx({
      embedding: tensorFromArray(new Float32Array(20), [4, 5]),
      tokenFeatures: 2,
      recurrent: { config, params: initRecurrent(random.key(1), config) },
      pooling: "mean",
      sequenceFeatures: 1,
      head: { weight: tensorFromArray(new Float32Array(14), [2, 7]), bias: tensorFromArray(new Float32Array(2), [2]) },
      metadata: { note: "x" },
      name: "g",
      description: "d",
    });
    if (E.isLeft(bytes)) throw new Error(bytes.left);
    const m = decodeModel(bytes.right);
    expect([m.irVersion, m.opsetImport, m.producerName, m.docString, m.graph.name, m.metadataProps]).toEqual([IR_VERSION, [{ domain: "", version: OPSET }], "gated", "d", "g", [{ key: "note", value: "x" }]]);
    expect(isGatedOnnx(bytes.right)).toBe(false); // no gated.kind: not one of the apps' models
    const io = (vs: typeof m.graph.input) => vs.map((v) => [v.name, v.type.tensorType.elemType, dims(v), v.docString]);
    expect(io(m.graph.input)).toEqual([
      ["tokens", DataType.INT64, ["batch", "sequence"], "token ids, [batch, sequence]"],
      ["token_features", DataType.FLOAT, ["batch", "sequence", 2], "features of each token joined to its embedding, [batch, sequence, n]"],
      ["lengths", DataType.INT32, ["batch"], "valid steps of each sequence, 1 to sequence; steps after them are padding"],
      ["h0", DataType.FLOAT, [4, "batch", 3], "initial hidden states, [layers x directions, batch, hidden]"],
      ["c0", DataType.FLOAT, [4, "batch", 3], "initial cell states, [layers x directions, batch, hidden]"],
      ["sequence_features", DataType.FLOAT, ["batch", 1], "features of each sequence joined to the pooled vector, [batch, n]"],
    ]);
    expect(io(m.graph.output)).toEqual([
      ["logits", DataType.FLOAT, ["batch", 2], "scores (logits) of each sequence, [batch, outputs]"],
      ["hn", DataType.FLOAT, [4, "batch", 3], "final hidden states, [layers x directions, batch, hidden] (each sequence's, after its last valid step)"],
      ["cn", DataType.FLOAT, [4, "batch", 3], "final cell states, [layers x directions, batch, hidden]"],
    ]);
  });

  it("describes per-step outputs, without a head, for a GRU (no cell state)", () => {
    const config = { mode: "gru" as const, inputSize: 2, hiddenSize: 5 };
    const bytes = exportOnnx({ recurrent: { config, params: initRecurrent(random.key(1), config) } }, { initialStates: false, lengths: false });
    if (E.isLeft(bytes)) throw new Error(bytes.left);
    const m = decodeModel(bytes.right);
    expect(m.graph.input.map((v) => [v.name, dims(v)])).toEqual([["inputs", ["batch", "sequence", 2]]]);
    expect(m.graph.output.map((v) => [v.name, dims(v), v.docString])).toEqual([
      ["outputs", ["batch", "sequence", 5], "the last layer's outputs at every step, [batch, sequence, directions x hidden] (zeros after each sequence's length)"],
      ["hn", [1, "batch", 5], "final hidden states, [layers x directions, batch, hidden] (each sequence's, after its last valid step)"],
    ]);
    expect(m.docString).toBe("1 GRU layer, one direction, hidden size 5");
  });

  it("is recognised by isGatedOnnx only when gated wrote it with a kind", () => {
    const config = { cell: "gru" as const, embed: 2, hidden: 3, layers: 1 };
    const bytes = charlmToOnnx({ config, vocab: ["a", "b"] }, initLm(random.key(1), config, 2));
    if (E.isLeft(bytes)) throw new Error(bytes.left);
    expect(isGatedOnnx(bytes.right)).toBe(true);
    const m = decodeModel(bytes.right);
    expect(isGatedOnnx(encodeModel({ ...m, producerName: "pytorch" }))).toBe(false);
    expect(isGatedOnnx(Uint8Array.of(1, 2, 3))).toBe(false);
  });

  it("describes itself by default, and writes each RNN's activation per direction", () => {
    const lstm = { mode: "lstm" as const, inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true };
    const a = exportOnnx({ recurrent: { config: lstm, params: initRecurrent(random.key(1), lstm) } });
    if (E.isLeft(a)) throw new Error(a.left);
    expect(decodeModel(a.right).docString).toBe("2 LSTM layers, bidirectional, hidden size 3");
    for (const [mode, want] of [["rnn_relu", ["Relu", "Relu"]], ["rnn_tanh", ["Tanh", "Tanh"]]] as const) {
      const config = { mode, inputSize: 2, hiddenSize: 3, bidirectional: true };
      const b = exportOnnx({ recurrent: { config, params: initRecurrent(random.key(1), config) } });
      if (E.isLeft(b)) throw new Error(b.left);
      const node = decodeModel(b.right).graph.node.find((n) => n.opType === "RNN");
      const activations = node?.attribute?.find((x) => x.name === "activations")?.strings?.map((x) => new TextDecoder().decode(x));
      expect(activations, mode).toEqual(want);
    }
  });

  it("refuses every part that does not fit, naming it", () => {
    const gru = { mode: "gru" as const, inputSize: 2, hiddenSize: 4, bidirectional: true };
    const params = initRecurrent(random.key(1), gru);
    const bad = (spec: Parameters<typeof exportOnnx>[0]) => {
      const r = exportOnnx(spec);
      return E.isLeft(r) ? r.left : "accepted";
    };
    expect(bad({ embedding: tensorFromArray(new Float32Array(8), [2, 2, 2]), recurrent: { config: gru, params } })).toBe("the embedding must be [vocabulary, size], got [2, 2, 2]");
    expect(bad({ tokenFeatures: 2, recurrent: { config: gru, params } })).toBe("tokenFeatures needs an embedding (without one, the inputs are the features)");
    expect(bad({ tokenFeatures: 1.5, recurrent: { config: gru, params } })).toBe("tokenFeatures must be a whole number >= 0, got 1.5");
    expect(bad({ recurrent: { config: gru, params }, pooling: "max", sequenceFeatures: -1 })).toBe("sequenceFeatures must be a whole number >= 0, got -1");
    const { weight_ih_l0_reverse: _, ...forwardOnly } = params;
    expect(bad({ recurrent: { config: gru, params: forwardOnly } })).toBe("the recurrent parameters have no weight_ih_l0_reverse");
    expect(bad({ recurrent: { config: gru, params: { ...params, weight_ih_l0: tensorFromArray(new Float32Array(12), [12]) } } })).toBe("weight_ih_l0 must be [12, 2], got [12]");
    const weight = tensorFromArray(new Float32Array(16), [2, 8]);
    expect(bad({ recurrent: { config: gru, params }, head: { weight, bias: tensorFromArray(new Float32Array(3), [3]) } })).toBe("the head's bias must be [2], got [3]");
    expect(bad({ recurrent: { config: gru, params }, head: { weight, bias: tensorFromArray(new Float32Array(2), [1, 2]) } })).toBe("the head's bias must be [2], got [1, 2]");
    expect(bad({ recurrent: { config: gru, params }, head: { weight: tensorFromArray(new Float32Array(8), [8]) } })).toBe("the head's weight must be [outputs, 8], got [8]");
    expect(bad({ recurrent: { config: gru, params }, head: { weight } })).toBe("accepted");
  });
});
