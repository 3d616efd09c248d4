// The memory estimate that refuses too-big models up front is honest: within a factor of two of what one
// training step of a character LSTM really grows WebAssembly memory by; and its refusal says why and what to do.
import { tensorFromArray, valueAndGrad } from "@gated/autograd";
import { heapStats } from "@gated/kernels";
import { embedding, initRecurrent, linearSequenceCrossEntropy, random, recurrent, recurrentParamCount } from "@gated/nn";
import { describe, expect, it } from "vitest";
import { memoryRefusal, trainingMemory } from "../src/index.js";

describe("trainingMemory", () => {
  it("is within a factor of two of one training step's measured growth of WebAssembly memory", () => {
    const [H, E, V, B, T] = [192, 32, 60, 24, 48];
    const cfg = { mode: "lstm" as const, inputSize: E, hiddenSize: H };
    const k = random.key(1);
    const params = { emb: tensorFromArray(Float32Array.from(random.normal(k, V * E)), [V, E]), rnn: initRecurrent(k, cfg), head: { weight: tensorFromArray(new Float32Array(V * H), [V, H]), bias: tensorFromArray(new Float32Array(V), [V]) } };
    const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7) % V);
    // As generate trains: the fused recurrence and the fused head.
    const loss = (p: typeof params) => linearSequenceCrossEntropy(p.head, recurrent(p.rnn, cfg, embedding(p.emb, ids, [B, T])).output, ids);
    const before = heapStats().memoryBytes;
    valueAndGrad(loss)(params);
    const grown = heapStats().memoryBytes - before;
    const e = trainingMemory({ params: 2 * V * E + recurrentParamCount(cfg) + V * H, batch: B, steps: T, layers: 1, directions: 1, hidden: H, gates: 4, embed: E, outputs: V, outputEveryStep: true });
    expect(grown).toBeGreaterThan(0);
    expect(e.activations / grown).toBeGreaterThan(0.5);
    expect(e.activations / grown).toBeLessThan(2);
    expect(e.total).toBe(e.parameters + e.optimizer + e.activations);
    expect(e.optimizer).toBe(3 * e.parameters);
  });

  it("refuses over the limit with the estimate, its parts and the way out; accepts at the limit", () => {
    const e = { parameters: 2 ** 30, optimizer: 3 * 2 ** 30, activations: 2 ** 29, total: 4.5 * 2 ** 30 };
    expect(memoryRefusal(e, 3 * 2 ** 30, "use a smaller --hidden")).toBe(
      "this model would need about 4.5 GiB to train (parameters 1.0 GiB, gradients and Adam 3.0 GiB, activations 512 MiB), over the limit of 3.0 GiB: use a smaller --hidden, or raise --memory-limit (WebAssembly memory holds at most 4 GiB)",
    );
    expect(memoryRefusal(e, e.total, "x")).toBeUndefined();
  });
});
