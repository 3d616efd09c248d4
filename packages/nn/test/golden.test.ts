// Golden tests against PyTorch: fixtures written once by scripts/make_fixtures.py (torch.nn.RNN / LSTM / GRU,
// batch_first, float64) are reproduced by `recurrent`: outputs, final states, and the gradient of the fixture's
// loss with respect to every parameter and the input. Float64 must agree to 1e-9 (same math); float32 (the fused
// recurrence and the composed cells) to a relative error <= 1e-4 of each tensor's largest magnitude.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { relError } from "@gated/autograd/testing";
import { describe, expect, it } from "vitest";
import { type Mode, type RecurrentConfig, readSafetensors, recurrent } from "../src/index.js";

const dir = join(dirname(fileURLToPath(import.meta.url)), "fixtures");

function load(name: string) {
  const parsed = readSafetensors(new Uint8Array(readFileSync(join(dir, `${name}.safetensors`))));
  if (E.isLeft(parsed)) throw new Error(parsed.left.message);
  return parsed.right;
}


const CASES = ["rnn-tanh", "rnn-relu", "lstm-2layer-bidirectional", "gru-2layer", "lstm-bidirectional-lengths", "gru-lengths"];

describe("golden tests against PyTorch", () => {
  for (const name of CASES) {
    // float32 runs both the fused recurrence (the default) and the composed cells.
    for (const [dtype, tol, fused] of [["float64", 1e-9, false], ["float32", 1e-4, true], ["float32", 1e-4, false]] as const) {
      it(`${name} (${dtype}${dtype === "float32" ? (fused ? ", fused" : ", composed") : ""}): outputs, final states and every gradient`, () => {
        const { tensors: t, metadata: meta } = load(name);
        const cast = (x: Tensor | undefined) => (x === undefined ? undefined : ag.astype(x, dtype));
        const config: RecurrentConfig = {
          mode: meta.mode as Mode,
          inputSize: Number(meta.input_size),
          hiddenSize: Number(meta.hidden_size),
          numLayers: Number(meta.num_layers),
          bidirectional: meta.bidirectional === "true",
        };
        const params: Record<string, Tensor> = {};
        for (const [k, v] of Object.entries(t)) if (k.startsWith("param.")) params[k.slice(6)] = cast(v) as Tensor;
        const lengths = t.lengths ? Array.from(t.lengths.toArray()) : undefined;
        const h0 = cast(t.h0);
        const c0 = cast(t.c0);
        const R = cast(t.R) as Tensor;
        const S = cast(t.S) as Tensor;
        const U = cast(t.U);
        const run = (p: Record<string, Tensor>, x: Tensor) =>
          recurrent(p, config, x, { fused, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}), ...(lengths ? { lengths } : {}) });
        const loss = (p: Record<string, Tensor>, x: Tensor) => {
          const out = run(p, x);
          const l = ag.add(ag.sum(ag.mul(out.output, R)), ag.sum(ag.mul(out.h, S)));
          return [U && out.c ? ag.add(l, ag.sum(ag.mul(out.c, U))) : l, out] as const;
        };
        const x = cast(t.input) as Tensor;
        const [, [gp, gx], aux] = ag.valueAndGrad(loss, { argnums: [0, 1], hasAux: true })(params, x);
        const out = aux as ReturnType<typeof run>;
        const checks: [string, Tensor, Tensor | undefined][] = [
          ["output", out.output, t.output],
          ["h_n", out.h, t.h_n],
          ["c_n", out.c as Tensor, t.c_n],
          ["grad.input", gx as Tensor, t["grad.input"]],
          ...Object.keys(params).map((k): [string, Tensor, Tensor | undefined] => [`grad.${k}`, (gp as Record<string, Tensor>)[k] as Tensor, t[`grad.${k}`]]),
        ];
        let compared = 0;
        for (const [what, got, want] of checks) {
          if (want === undefined) continue;
          const e = relError(got, want, 1e-6);
          if (!(e <= tol)) expect.fail(`${name} ${dtype} ${what}: relative error ${e} > ${tol}`);
          compared++;
        }
        expect(compared).toBeGreaterThanOrEqual(4 + Object.keys(params).length - 1);
      });
    }
  }

  it("loads a state dict saved from torch.nn.LSTM (float32, PyTorch's names) and reproduces its output", () => {
    const { tensors: sd } = load("lstm-state-dict");
    const { tensors: io } = load("lstm-state-dict-io");
    expect(Object.keys(sd).sort()).toEqual(
      ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse"].sort(),
    );
    const { output } = recurrent(sd, { mode: "lstm", inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true }, io.input as Tensor);
    expect(relError(output, io.output as Tensor, 1e-6)).toBeLessThan(1e-5);
  });

  it("the state dict we wrote (ours-lstm) loads in PyTorch: the committed check's inputs are consistent", () => {
    const { tensors: ours, metadata } = load("ours-lstm");
    const { tensors: io } = load("ours-lstm-io");
    expect(metadata.format).toBe("pt");
    const { output } = recurrent(ours, { mode: "lstm", inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true }, io.input as Tensor);
    expect(relError(output, io.output as Tensor, 1e-6)).toBeLessThan(1e-6);
  });
});
