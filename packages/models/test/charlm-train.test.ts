// The step-by-step trainer of the character model: a run continued from where another stopped ends with the same
// weights as one uninterrupted run, the loss falls, and a text too short for one batch is refused.
import { describe, expect, it } from "vitest";
import { random } from "@gated/nn";
import { CharlmTrainer, type CharlmTraining, charlmTrainingSize, initLm, type LmConfig } from "../src/index.js";

const text = "abcabd abcabd abcabd ".repeat(40);
const vocab = [...new Set(text)].sort();
const ids = Int32Array.from(text, (c) => vocab.indexOf(c));
const o: CharlmTraining = { config: { cell: "gru", embed: 4, hidden: 8, layers: 1 }, seed: 3, steps: 30, batch: 4, seq: 8, lr: 0.02, clip: 5, batching: "contiguous", schedule: "cosine" };

describe("CharlmTrainer", () => {
  it.each(["contiguous", "random-windows"] as const)("continued from a snapshot equals an uninterrupted run (%s)", (batching) => {
    const opts = { ...o, batching };
    const whole = new CharlmTrainer(ids, vocab.length, opts);
    const losses = Array.from({ length: 30 }, () => whole.step());
    const first = new CharlmTrainer(ids, vocab.length, opts);
    for (let i = 0; i < 12; i++) first.step();
    const rest = new CharlmTrainer(ids, vocab.length, opts, { params: first.params, opt: first.opt, state: first.state, cursor: first.cursor, done: first.done });
    for (let i = 12; i < 30; i++) expect(rest.step()).toBe(losses[i]);
    expect(Array.from(rest.params.head.weight.toArray())).toEqual(Array.from(whole.params.head.weight.toArray()));
    expect(rest.done).toBe(30);
    expect(losses[29]).toBeLessThan(0.8 * (losses[0] as number));
  });

  it("refuses a text too short for one batch", () => {
    expect(() => new CharlmTrainer(ids.subarray(0, 20), vocab.length, o)).toThrow("the training text (20 characters) is too short for one batch of 4 x 9");
  });
});

describe("charlmTrainingSize", () => {
  it.each([
    { cell: "lstm", embed: 5, hidden: 7, layers: 2 },
    { cell: "gru", embed: 3, hidden: 4, layers: 1 },
    { cell: "rnn", embed: 6, hidden: 2, layers: 3 },
    { cell: "irnn", embed: 1, hidden: 9, layers: 1 },
  ] as LmConfig[])("counts the parameters initLm makes, and the gates of the cell: %o", (config) => {
    const V = 11;
    const p = initLm(random.key(0), config, V);
    const count = (t: { readonly size: number }[]) => t.reduce((n, x) => n + x.size, 0);
    const recurrent = Object.values(p.rnn);
    const size = charlmTrainingSize(config, V, 6, 13);
    expect(size.params).toBe(count([p.embedding, p.head.weight, p.head.bias, ...recurrent]));
    expect(size).toMatchObject({ batch: 6, steps: 13, layers: config.layers, directions: 1, hidden: config.hidden, embed: config.embed, outputs: V, outputEveryStep: true });
    expect(size.gates).toBe({ lstm: 4, gru: 3, rnn: 1, irnn: 1 }[config.cell]);
  });
});
