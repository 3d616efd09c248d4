// The README's @gated/nn example, with concrete inputs.
import * as ag from "@gated/autograd";
import { describe, expect, it } from "vitest";
import { initRecurrent, random, recurrent } from "../src/index.js";

describe("README example", () => {
  it("runs a 2-layer LSTM over a padded batch", () => {
    const config = { mode: "lstm", inputSize: 64, hiddenSize: 256, numLayers: 2, bidirectional: false } as const;
    const params = initRecurrent(random.key(0), config, { forgetBias: 1 });
    const x = ag.tensorFromArray(Float32Array.from(random.normal(random.key(1), 3 * 5 * 64)), [3, 5, 64]);
    const lengths = [5, 2, 4];
    const { output, h, c, last } = recurrent(params, config, x, { lengths });
    expect(output.shape).toEqual([3, 5, 256]);
    expect(h.shape).toEqual([2, 3, 256]);
    expect(c?.shape).toEqual([2, 3, 256]);
    expect(last.shape).toEqual([3, 256]);
    // Padded steps output zeros; the last valid output of sequence 1 is at t = 1.
    const o = output.toArray();
    expect(o.subarray(1 * 5 * 256 + 2 * 256, 1 * 5 * 256 + 3 * 256).every((v) => v === 0)).toBe(true);
    expect(Array.from(last.toArray().subarray(256, 512))).toEqual(Array.from(o.subarray(1 * 5 * 256 + 1 * 256, 1 * 5 * 256 + 2 * 256)));
    // The same batch through a [B, T] mask instead of lengths.
    const mask = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0];
    expect(Array.from(recurrent(params, config, x, { mask }).output.toArray())).toEqual(Array.from(o));
    expect(ag.attempt(() => recurrent(params, config, x, { mask: [1, 0, 1, 1, 1, ...mask.slice(5)] }))._tag).toBe("Left");
  });
});

describe("dropout between stacked layers", () => {
  it("applies in training only, between layers, seeded by the key", () => {
    const config = { mode: "gru", inputSize: 4, hiddenSize: 6, numLayers: 2, dropout: 0.5 } as const;
    const params = initRecurrent(random.key(3), config);
    const x = ag.tensorFromArray(Float32Array.from(random.normal(random.key(4), 2 * 5 * 4)), [2, 5, 4]);
    const evalOut = Array.from(recurrent(params, config, x).output.toArray());
    const a = Array.from(recurrent(params, config, x, { training: true, key: random.key(9) }).output.toArray());
    const b = Array.from(recurrent(params, config, x, { training: true, key: random.key(9) }).output.toArray());
    const c = Array.from(recurrent(params, config, x, { training: true, key: random.key(10) }).output.toArray());
    expect(a).toEqual(b);
    expect(a).not.toEqual(evalOut);
    expect(a).not.toEqual(c);
    // One layer: nothing between layers, so training mode changes nothing.
    const single = { ...config, numLayers: 1 };
    const p1 = initRecurrent(random.key(3), single);
    expect(Array.from(recurrent(p1, single, x, { training: true, key: random.key(9) }).output.toArray())).toEqual(Array.from(recurrent(p1, single, x).output.toArray()));
    expect(ag.attempt(() => recurrent(params, config, x, { training: true }))._tag).toBe("Left");
  });
});
