// The character model's continuation: greedy equals the argmax of the sequence path's logits, sampling is fixed by
// the seed, and beam search of width 1 is greedy.
import { linear, random, recurrent, embedding } from "@gated/nn";
import { describe, expect, it } from "vitest";
import { continueIds, initLm, type LmConfig, rnnConfig } from "../src/index.js";

const V = 7;
const configs: LmConfig[] = [
  { cell: "lstm", embed: 5, hidden: 8, layers: 2 },
  { cell: "gru", embed: 4, hidden: 6, layers: 1 },
  { cell: "irnn", embed: 3, hidden: 5, layers: 1 },
];

/** The next id after `ids` by the whole-sequence path: argmax of the head's output at the last step. */
function greedyBySequence(config: LmConfig, params: ReturnType<typeof initLm>, ids: number[]): number {
  const x = embedding(params.embedding, ids, [1, ids.length]);
  const out = recurrent(params.rnn, rnnConfig(config), x).output;
  const logits = linear(params.head, out).toArray();
  const last = Array.from(logits.subarray((ids.length - 1) * V, ids.length * V));
  return last.indexOf(Math.max(...last));
}

describe("continueIds", () => {
  it.each(configs)("greedy (temperature 0) follows the argmax of the sequence path: $cell", (config) => {
    const params = initLm(random.key(3), config, V);
    const prime = [1, 4, 2];
    const ids = continueIds(params, config, prime, V, { length: 8, temperature: 0, seed: 1 });
    expect(ids).toHaveLength(8);
    ids.forEach((id, i) => {
      expect(id).toBe(greedyBySequence(config, params, [...prime, ...ids.slice(0, i)]));
    });
    expect(continueIds(params, config, prime, V, { length: 8, temperature: 0, seed: 1, beam: 1 })).toEqual(ids);
  });

  it("samples by the seed: the same seed the same ids, another seed other ids; top-k 1 is greedy", () => {
    const config = configs[0] as LmConfig;
    const params = initLm(random.key(5), config, V);
    const a = continueIds(params, config, [0], V, { length: 40, temperature: 1.5, seed: 11 });
    expect(continueIds(params, config, [0], V, { length: 40, temperature: 1.5, seed: 11 })).toEqual(a);
    expect(continueIds(params, config, [0], V, { length: 40, temperature: 1.5, seed: 12 })).not.toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(2);
    expect(continueIds(params, config, [0], V, { length: 10, temperature: 1.5, topK: 1, seed: 11 })).toEqual(continueIds(params, config, [0], V, { length: 10, temperature: 0, seed: 99 }));
  });
});
