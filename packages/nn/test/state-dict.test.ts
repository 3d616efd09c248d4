// Strict loading of recurrent state dicts, as PyTorch's load_state_dict(strict=True): missing, unexpected and
// wrongly shaped tensors are all named; the configuration read off PyTorch's own state dicts (the golden
// fixtures, whose metadata holds the torch.nn module's arguments); and run-time checks of `mode`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { checkRecurrentConfig, configFromStateDict, initRecurrent, loadRecurrentStateDict, type Mode, MODES, random, readSafetensors, type RecurrentConfig, recurrent, recurrentParamCount, recurrentShapes } from "../src/index.js";

const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const leftMessage = <A>(e: E.Either<ag.GatedError, A>): string => (E.isLeft(e) ? e.left.message : "Right");

describe("loadRecurrentStateDict", () => {
  const config: RecurrentConfig = { mode: "lstm", inputSize: 3, hiddenSize: 4, numLayers: 1 };
  const params = initRecurrent(random.key(1), config);

  it("returns exactly the configuration's tensors, and with a prefix strips it", () => {
    const r = loadRecurrentStateDict(config, params);
    expect(E.isRight(r) && Object.keys(r.right).sort()).toEqual(["bias_hh_l0", "bias_ih_l0", "weight_hh_l0", "weight_ih_l0"]);
    const prefixed = Object.fromEntries(Object.entries(params).map(([k, v]) => [`rnn.${k}`, v]));
    const p = loadRecurrentStateDict(config, { ...prefixed, "head.weight": params.bias_ih_l0 as Tensor }, { prefix: "rnn." });
    expect(E.isRight(p) && p.right.weight_hh_l0).toBe(params.weight_hh_l0);
  });

  it("names a missing tensor", () => {
    const { bias_hh_l0: _, ...rest } = params;
    const r = loadRecurrentStateDict(config, rest);
    expect(E.isLeft(r) && r.left._tag).toBe("StateDictMismatch");
    expect(leftMessage(r)).toBe("lstm layer: the tensors do not match the configuration: missing bias_hh_l0");
  });

  it("names unexpected tensors (a second layer's weights when numLayers is 1), and ignores them only without strict", () => {
    const two = initRecurrent(random.key(2), { ...config, numLayers: 2 });
    const r = loadRecurrentStateDict(config, two);
    expect(leftMessage(r)).toBe("lstm layer: the tensors do not match the configuration: unexpected weight_ih_l1, weight_hh_l1, bias_ih_l1, bias_hh_l1");
    expect(E.isRight(loadRecurrentStateDict(config, two, { strict: false }))).toBe(true);
  });

  it("names each wrong shape with the expected and found shapes (a GRU's weights for an LSTM)", () => {
    const gru = initRecurrent(random.key(3), { ...config, mode: "gru" });
    const r = loadRecurrentStateDict(config, gru, { prefix: "" });
    expect(leftMessage(r)).toBe("lstm layer: the tensors do not match the configuration: weight_ih_l0 should be [16, 3], found [12, 3]; weight_hh_l0 should be [16, 4], found [12, 4]; bias_ih_l0 should be [16], found [12]; bias_hh_l0 should be [16], found [12]");
    const r2 = loadRecurrentStateDict(config, Object.fromEntries(Object.entries(gru).map(([k, v]) => [`rnn.${k}`, v])), { prefix: "rnn." });
    expect(leftMessage(r2)).toMatch(/rnn\.weight_ih_l0 should be \[16, 3\], found \[12, 3\]/);
  });

  it("knows the shape of every parameter PyTorch has, and their count", () => {
    const c: RecurrentConfig = { mode: "gru", inputSize: 7, hiddenSize: 5, numLayers: 2, bidirectional: true };
    const s = recurrentShapes(c);
    expect(s.weight_ih_l1_reverse).toEqual([15, 10]);
    expect(Object.keys(s)).toHaveLength(16);
    const p = initRecurrent(random.key(4), c);
    expect(recurrentParamCount(c)).toBe(Object.values(p).reduce((n, t) => n + t.size, 0));
  });
});

describe("configFromStateDict", () => {
  for (const name of ["lstm-2layer-bidirectional", "gru-2layer", "rnn-relu", "rnn-tanh", "lstm-bidirectional-lengths"]) {
    it(`reads PyTorch's ${name} state dict as torch built it`, () => {
      const f = readSafetensors(new Uint8Array(readFileSync(join(fixtures, `${name}.safetensors`))));
      if (E.isLeft(f)) throw new Error(f.left.message);
      const m = f.right.metadata;
      const r = configFromStateDict(f.right.tensors, "param.");
      if (E.isLeft(r)) throw new Error(r.left.message);
      expect(r.right.modes).toContain(m.mode);
      expect([r.right.inputSize, r.right.hiddenSize, r.right.numLayers, r.right.bidirectional]).toEqual([Number(m.input_size), Number(m.hidden_size), Number(m.num_layers), m.bidirectional === "true"]);
      if (m.mode?.startsWith("rnn")) {
        expect(r.right.modes).toEqual(["rnn_tanh", "rnn_relu"]);
        expect(r.right.ambiguity).toMatch(/do not say whether it uses tanh or ReLU/);
      } else expect(r.right.modes).toEqual([m.mode]);
    });
  }

  it("refuses what is not a recurrent state dict, or is inconsistent", () => {
    const t = (shape: number[]) => ag.zeros(shape);
    expect(leftMessage(configFromStateDict({ "embedding.weight": t([3, 2]) }))).toMatch(/has no weight_ih_l0 and weight_hh_l0/);
    expect(leftMessage(configFromStateDict({ weight_ih_l0: t([10, 3]), weight_hh_l0: t([10, 5]), bias_ih_l0: t([10]), bias_hh_l0: t([10]) }))).toMatch(/is \[10, 5\]: its rows are not 1, 3 or 4 times its columns/);
    const lstm = initRecurrent(random.key(5), { mode: "lstm", inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const { bias_hh_l1: _, ...broken } = lstm;
    expect(leftMessage(configFromStateDict(broken))).toMatch(/missing bias_hh_l1/);
  });
});

describe("mode checked at run time", () => {
  for (const bad of ["relu", "lstmm", "LSTM", "", undefined]) {
    it(`mode ${JSON.stringify(bad)} is an error listing the valid modes, in recurrent, initRecurrent and checkRecurrentConfig`, () => {
      const config = { mode: bad as Mode, inputSize: 2, hiddenSize: 3 };
      const want = `recurrent config: argument 'mode' must be one of ${MODES.join(", ")}, got ${JSON.stringify(bad) ?? "nothing"}`;
      expect(leftMessage(checkRecurrentConfig(config))).toBe(want);
      expect(() => initRecurrent(random.key(1), config)).toThrow(want);
      const params = initRecurrent(random.key(1), { ...config, mode: "rnn_tanh" });
      expect(() => recurrent(params, config, ag.zeros([1, 2, 2]))).toThrow(want);
    });
  }

  it("sizes, layers and dropout are checked too", () => {
    expect(leftMessage(checkRecurrentConfig({ mode: "gru", inputSize: 0, hiddenSize: 3 }))).toMatch(/'inputSize' must be a positive integer, got 0/);
    expect(leftMessage(checkRecurrentConfig({ mode: "gru", inputSize: 2, hiddenSize: 2.5 }))).toMatch(/'hiddenSize' must be a positive integer, got 2.5/);
    expect(leftMessage(checkRecurrentConfig({ mode: "gru", inputSize: 2, hiddenSize: 2, numLayers: 0 }))).toMatch(/'numLayers' must be a positive integer, got 0/);
    expect(leftMessage(checkRecurrentConfig({ mode: "gru", inputSize: 2, hiddenSize: 2, dropout: 1 }))).toMatch(/'dropout' must be in \[0, 1\), got 1/);
    expect(E.isRight(checkRecurrentConfig({ mode: "rnn_relu", inputSize: 1, hiddenSize: 1, numLayers: 3, bidirectional: true, dropout: 0 }))).toBe(true);
  });
});
