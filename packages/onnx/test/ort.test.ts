// The exported files run in ONNX Runtime (onnxruntime-node, CPU) and give gated's numbers: every cell, one and two
// layers, one and two directions, with and without initial states and lengths, on random sizes and inputs; and the
// apps' two models (the character model carried token by token, the classifier with each pooling and with
// naive-Bayes inputs). Every exported file also passes checkOnnxModel.
import { softmax, type Tensor, tensorFromArray } from "@gated/autograd";
import { initLm, type LmConfig, lossAndState, stepperOf } from "@gated/models";
import { forward, initParams, type ModelConfig } from "@gated/models/sentiment";
import { initRecurrent, linear, type Mode, random, recurrent, embedding as embed } from "@gated/nn";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { charlmToOnnx, checkOnnxModel, decodeModel, exportOnnx, onnxMetadata, sentimentToOnnx } from "../src/index.js";

const MODES: readonly Mode[] = ["lstm", "gru", "rnn_tanh", "rnn_relu"];

/** |a - b| <= tol * max(1, |b|) everywhere, and the same length. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-5): void {
  expect(got.length, what).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((got[i] as number) - (want[i] as number)) / Math.max(1, Math.abs(want[i] as number)));
  expect(worst, what).toBeLessThanOrEqual(tol);
}

const f32 = (seed: number, n: number, scale = 1) => Float32Array.from(random.normal(random.key(seed), n), (v) => v * scale);
const right = <T>(e: E.Either<string, T>): T => {
  if (E.isLeft(e)) throw new Error(e.left);
  return e.right;
};
async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  expect(checkOnnxModel(bytes)).toEqual([]);
  return ort.InferenceSession.create(bytes);
}

/** Sizes, initial states, lengths and a seed for one structure (cell, depth, direction). */
const caseArb = (structure: { readonly mode: Mode; readonly layers: number; readonly bidirectional: boolean }) =>
  fc
    .record({
      I: fc.integer({ min: 1, max: 5 }),
      H: fc.integer({ min: 1, max: 6 }),
      B: fc.integer({ min: 1, max: 3 }),
      T: fc.integer({ min: 1, max: 7 }),
      states: fc.boolean(),
      withLengths: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .chain((c) => fc.record({ c: fc.constant({ ...structure, ...c }), lengths: fc.array(fc.integer({ min: 1, max: c.T }), { minLength: c.B, maxLength: c.B }) }));

const STRUCTURES = MODES.flatMap((mode) => [1, 2].flatMap((layers) => [false, true].map((bidirectional) => ({ mode, layers, bidirectional }))));

describe("a recurrent stack exported to ONNX, run by ONNX Runtime", () => {
  it.each(STRUCTURES)("gives gated's outputs and final states, with and without initial states and lengths (1e-5): %o", async (structure) => {
    await fc.assert(
      fc.asyncProperty(caseArb(structure), async ({ c, lengths }) => {
        const config = { mode: c.mode, inputSize: c.I, hiddenSize: c.H, numLayers: c.layers, bidirectional: c.bidirectional };
        const D = c.bidirectional ? 2 : 1;
        const S = c.layers * D;
        // Weights at a larger scale than the initialiser's, so that gates saturate and a wrong gate order shows.
        const params = Object.fromEntries(Object.entries(initRecurrent(random.key(c.seed), config)).map(([k, t], i) => [k, tensorFromArray(f32(c.seed + 100 + i, t.size, 0.8), t.shape)]));
        const x = f32(c.seed + 1, c.B * c.T * c.I);
        const h0 = f32(c.seed + 2, S * c.B * c.H);
        const c0 = f32(c.seed + 3, S * c.B * c.H);
        const want = recurrent(params, config, tensorFromArray(x, [c.B, c.T, c.I]), {
          ...(c.states ? { h0: tensorFromArray(h0, [S, c.B, c.H]), ...(c.mode === "lstm" ? { c0: tensorFromArray(c0, [S, c.B, c.H]) } : {}) } : {}),
          ...(c.withLengths ? { lengths } : {}),
        });
        const s = await session(right(exportOnnx({ recurrent: { config, params } }, { initialStates: c.states, lengths: c.withLengths })));
        const feeds: Record<string, ort.Tensor> = { inputs: new ort.Tensor("float32", x, [c.B, c.T, c.I]) };
        if (c.withLengths) feeds.lengths = new ort.Tensor("int32", Int32Array.from(lengths), [c.B]);
        if (c.states) {
          feeds.h0 = new ort.Tensor("float32", h0, [S, c.B, c.H]);
          if (c.mode === "lstm") feeds.c0 = new ort.Tensor("float32", c0, [S, c.B, c.H]);
        }
        const got = await s.run(feeds);
        expect(got.outputs?.dims).toEqual([c.B, c.T, D * c.H]);
        expectClose(got.outputs?.data as Float32Array, want.output.toArray(), "outputs");
        expect(got.hn?.dims).toEqual([S, c.B, c.H]);
        expectClose(got.hn?.data as Float32Array, want.h.toArray(), "hn");
        if (c.mode === "lstm") expectClose(got.cn?.data as Float32Array, (want.c as Tensor).toArray(), "cn");
        else expect(got.cn).toBeUndefined();
      }),
      { numRuns: 12 },
    );
  });

  it("has named, documented inputs and outputs with dynamic batch and sequence axes", async () => {
    const config = { mode: "lstm" as const, inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true };
    const bytes = right(exportOnnx({ recurrent: { config, params: initRecurrent(random.key(1), config) } }));
    const s = await session(bytes);
    expect(s.inputNames).toEqual(["inputs", "lengths", "h0", "c0"]);
    expect(s.outputNames).toEqual(["outputs", "hn", "cn"]);
    // One file, two batch sizes and two lengths.
    for (const [B, T] of [[1, 4], [3, 2]] as const) {
      const out = await s.run({ inputs: new ort.Tensor("float32", new Float32Array(B * T * 2), [B, T, 2]), lengths: new ort.Tensor("int32", new Int32Array(B).fill(T), [B]), h0: new ort.Tensor("float32", new Float32Array(4 * B * 3), [4, B, 3]), c0: new ort.Tensor("float32", new Float32Array(4 * B * 3), [4, B, 3]) });
      expect(out.outputs?.dims).toEqual([B, T, 6]);
    }
  });

  it("refuses parts that do not fit together, saying which", () => {
    const config = { mode: "gru" as const, inputSize: 2, hiddenSize: 3 };
    const params = initRecurrent(random.key(1), config);
    expect(exportOnnx({ recurrent: { config: { ...config, hiddenSize: 4 }, params } })).toEqual(E.left("weight_ih_l0 must be [12, 2], got [9, 2]"));
    expect(exportOnnx({ recurrent: { config, params: { ...params, bias_hh_l0: undefined } as never } })).toEqual(E.left("the recurrent parameters have no bias_hh_l0"));
    expect(exportOnnx({ embedding: tensorFromArray(new Float32Array(10), [5, 2]), tokenFeatures: 1, recurrent: { config, params } })).toEqual(E.left("the embedding's size 2 plus 1 token features is not the recurrent layer's input size 2"));
    expect(exportOnnx({ recurrent: { config, params }, head: { weight: tensorFromArray(new Float32Array(8), [2, 4]) } })).toEqual(E.left("the head's weight must be [outputs, 3], got [2, 4]"));
    expect(exportOnnx({ recurrent: { config, params }, pooling: "mean" }, { lengths: false })).toEqual(E.left("pooling over the valid steps needs the lengths input (lengths: true)"));
    expect(exportOnnx({ recurrent: { config, params }, sequenceFeatures: 2 })).toEqual(E.left("sequenceFeatures needs pooling (they join the pooled vector)"));
    expect(E.isLeft(exportOnnx({ recurrent: { config: { ...config, hiddenSize: 0 }, params } }))).toBe(true);
  });
});

describe("the character model in ONNX Runtime", () => {
  it.each(["lstm", "gru", "rnn", "irnn"] as const)("gives gated's logits over a window and, carried token by token, the stepper's (%s, two layers)", async (cell) => {
    const config: LmConfig = { cell, embed: 5, hidden: 7, layers: 2 };
    const vocab = [..."abcdefghij"];
    const V = vocab.length;
    const params = initLm(random.key(3), config, V);
    const bytes = right(charlmToOnnx({ config, vocab }, params));
    expect(onnxMetadata(bytes)).toEqual({ "gated.kind": "gated-charlm", "gated.vocab": JSON.stringify(vocab), "gated.config": JSON.stringify(config) });
    expect(decodeModel(bytes).docString).toBe(`gated character language model: embedding 5, ${cell} 7 x 2, linear to 10 characters`);
    const s = await session(bytes);
    expect(s.inputNames).toEqual(cell === "lstm" ? ["tokens", "h0", "c0"] : ["tokens", "h0"]);
    const B = 2;
    const T = 6;
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7 + 3) % V);
    const zero = new Float32Array(2 * B * 7);
    const states = (h: Float32Array, c: Float32Array): Record<string, ort.Tensor> => ({ h0: new ort.Tensor("float32", h, [2, B, 7]), ...(cell === "lstm" ? { c0: new ort.Tensor("float32", c, [2, B, 7]) } : {}) });
    const got = await s.run({ tokens: new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]), ...states(zero, zero) });
    // gated: the logits of the same window (the language model's forward pass, from its loss function's parts).
    const h = embed(params.embedding, ids, [B, T]);
    const out = recurrent(params.rnn, { mode: cell === "lstm" ? "lstm" : cell === "gru" ? "gru" : cell === "irnn" ? "rnn_relu" : "rnn_tanh", inputSize: 5, hiddenSize: 7, numLayers: 2 }, h);
    expectClose(got.logits?.data as Float32Array, linear(params.head, out.output).toArray(), "logits");
    expectClose(got.hn?.data as Float32Array, out.h.toArray(), "hn");
    // Token by token, carrying the state: the last step's logits equal gated's stepper's after the same tokens.
    const stepper = stepperOf(params, config, 1);
    let hs: Float32Array<ArrayBuffer> = new Float32Array(2 * 7);
    let cs: Float32Array<ArrayBuffer> = new Float32Array(2 * 7);
    for (const t of [1, 4, 1, 5, 9]) {
      const r = await s.run({ tokens: new ort.Tensor("int64", BigInt64Array.of(BigInt(t)), [1, 1]), h0: new ort.Tensor("float32", hs, [2, 1, 7]), ...(cell === "lstm" ? { c0: new ort.Tensor("float32", cs, [2, 1, 7]) } : {}) });
      stepper.step([t]);
      expectClose(r.logits?.data as Float32Array, stepper.logits(), `logits after token ${t}`);
      hs = Float32Array.from(r.hn?.data as Float32Array);
      if (cell === "lstm") cs = Float32Array.from(r.cn?.data as Float32Array);
    }
    // The loss of gated's language model on a window equals the cross-entropy of the ONNX logits.
    const targets = Int32Array.from(ids, (v) => (v + 1) % V);
    const [loss] = lossAndState(params, config, ids, targets, B, T, { h: tensorFromArray(zero, [2, B, 7]), ...(cell === "lstm" ? { c: tensorFromArray(zero, [2, B, 7]) } : {}) });
    const logits = got.logits?.data as Float32Array;
    let ce = 0;
    for (let i = 0; i < B * T; i++) {
      const row = logits.subarray(i * V, (i + 1) * V);
      const m = Math.max(...row);
      ce += Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)) + m - (row[targets[i] as number] as number);
    }
    expect(Math.abs(ce / (B * T) - loss.item()) / loss.item()).toBeLessThan(1e-5);
  });
});

describe("the sentence classifier in ONNX Runtime", () => {
  const cases: [string, ModelConfig][] = [
    ["LSTM, last state", { cell: "lstm", embed: 6, hidden: 5, layers: 1, bidirectional: false, pooling: "last", dropout: 0.3 }],
    ["bidirectional LSTM, two layers, last states", { cell: "lstm", embed: 4, hidden: 3, layers: 2, bidirectional: true, pooling: "last", dropout: 0 }],
    ["bidirectional GRU, two layers, max pooling", { cell: "gru", embed: 4, hidden: 3, layers: 2, bidirectional: true, pooling: "max", dropout: 0 }],
    ["tanh RNN, mean pooling", { cell: "rnn", embed: 3, hidden: 4, layers: 1, bidirectional: false, pooling: "mean", dropout: 0 }],
    ["bidirectional LSTM, last states, naive-Bayes inputs", { cell: "lstm", embed: 5, hidden: 4, layers: 1, bidirectional: true, pooling: "last", dropout: 0, nbClasses: 3 }],
    ["bidirectional LSTM, two layers, max pooling, naive-Bayes inputs", { cell: "lstm", embed: 5, hidden: 4, layers: 2, bidirectional: true, pooling: "max", dropout: 0, nbClasses: 2 }],
  ];
  it.each(cases)("gives the probabilities of gated's forward pass on a padded batch (%s)", async (_, config) => {
    const V = 12;
    const C = config.nbClasses ?? 3;
    const params = initParams(random.key(5), config, V, C);
    const vocab = ["<pad>", "<unk>", ...Array.from({ length: V - 2 }, (_, i) => `w${i}`)];
    const classes = Array.from({ length: C }, (_, i) => `class${i}`);
    const bytes = right(sentimentToOnnx({ config, vocab, classes, maxLen: 20, data: { source: "test" }, training: {} }, params));
    expect(decodeModel(bytes).docString).toBe(`gated sentence classifier: embedding ${config.embed}, ${config.bidirectional ? "bidirectional " : ""}${config.cell} ${config.hidden} x ${config.layers}, ${config.pooling} pooling, linear to ${C} classes${config.nbClasses ? " (naive-Bayes inputs)" : ""}`);
    const meta = onnxMetadata(bytes);
    expect(JSON.parse(meta["gated.classes"] as string)).toEqual(classes);
    expect(meta["gated.maxLen"]).toBe("20");
    expect(meta["gated.kind"]).toBe("gated-sentiment");
    expect(JSON.parse(meta["gated.vocab"] as string)).toEqual(vocab);
    expect(JSON.parse(meta["gated.config"] as string)).toEqual(config);
    const s = await session(bytes);
    const B = 4;
    const T = 7;
    const lengths = [7, 3, 1, 5];
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i % T < (lengths[Math.floor(i / T)] as number) ? 2 + ((i * 5) % (V - 2)) : 0));
    const NC = config.nbClasses ?? 0;
    const nbTok = f32(8, B * T * 2 * NC);
    const nbSent = f32(9, B * NC);
    const want = softmax(forward(params, config, { ids, lengths, batch: B, time: T, ...(NC > 0 ? { nbTok, nbSent } : {}) })).toArray();
    const feeds: Record<string, ort.Tensor> = { tokens: new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [B, T]), lengths: new ort.Tensor("int32", Int32Array.from(lengths), [B]) };
    if (NC > 0) {
      feeds.token_features = new ort.Tensor("float32", nbTok, [B, T, 2 * NC]);
      feeds.sequence_features = new ort.Tensor("float32", nbSent, [B, NC]);
    }
    expect(s.inputNames).toEqual(NC > 0 ? ["tokens", "token_features", "lengths", "sequence_features"] : ["tokens", "lengths"]);
    const logits = (await s.run(feeds)).logits?.data as Float32Array;
    const probs = softmax(tensorFromArray(Float32Array.from(logits), [B, C])).toArray();
    expectClose(probs, want, "probabilities");
  });
});
