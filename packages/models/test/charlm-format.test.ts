// Saved character models from strings and bytes: a round trip, and a one-line error for every way the files can be
// wrong (as the playground's file picker meets them).
import { random, writeSafetensors } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { type CharlmMeta, charlmFiles, initLm, parseCharlmModel } from "../src/index.js";

const meta: CharlmMeta = {
  config: { cell: "gru", embed: 3, hidden: 4, layers: 1 },
  vocab: ["a", "b", "\n"],
  data: "page: pasted text",
  training: { seed: 1, steps: 10, done: 10, batching: "contiguous", schedule: "cosine", batch: 2, seq: 5, lr: 0.01, clip: 5, cursor: 0, seconds: 1.5, history: [{ step: 10, trainBpc: 1.2, seconds: 1.5 }] },
};
const params = initLm(random.key(2), meta.config, 3);
const files = charlmFiles(meta, params);
const left = (r: ReturnType<typeof parseCharlmModel>) => (E.isLeft(r) ? r.left : "right");
const withConfig = (patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(files["config.json"]), ...patch });

describe("charlmFiles / parseCharlmModel", () => {
  it("round-trip the description and every weight bit for bit", () => {
    const r = parseCharlmModel(files["config.json"], files["weights.safetensors"]);
    if (E.isLeft(r)) throw new Error(r.left);
    expect(r.right.meta).toEqual(meta);
    expect(Array.from(r.right.params.embedding.toArray())).toEqual(Array.from(params.embedding.toArray()));
    expect(Array.from((r.right.params.rnn.weight_hh_l0 ?? params.embedding).toArray())).toEqual(Array.from((params.rnn.weight_hh_l0 ?? params.embedding).toArray()));
    expect(files["config.json"].startsWith('{\n "format": "gated-char-lm",\n "version": 1,')).toBe(true);
  });

  it("say in one line what is wrong", () => {
    const w = files["weights.safetensors"];
    expect(left(parseCharlmModel("{oops", w))).toMatch(/^'config\.json' is not JSON \(.*\): choose the config\.json of a model folder$/);
    expect(left(parseCharlmModel("[1]", w))).toBe("'config.json' is not a JSON object: choose the config.json of a model folder");
    expect(left(parseCharlmModel(withConfig({ format: "gated-sentiment-model" }), w))).toBe("'config.json' describes a 'gated-sentiment-model', not a character model ('gated-char-lm'): it belongs to another app");
    expect(left(parseCharlmModel(withConfig({ format: 7 }), w))).toBe("'config.json' has no format tag: it is not a model folder's config.json");
    expect(left(parseCharlmModel(withConfig({ version: 2 }), w))).toBe("'config.json' is format version 2; this reads version 1");
    expect(left(parseCharlmModel(withConfig({ vocab: ["a", "a", "b"] }), w))).toBe("'config.json' is not a valid model description (vocab lists a character twice)");
    expect(left(parseCharlmModel(files["config.json"], Uint8Array.of(1, 2, 3)))).toMatch(/^'weights\.safetensors' is not a safetensors file: /);
    const other = writeSafetensors({ "embedding.weight": params.embedding }, {});
    if (E.isLeft(other)) throw new Error(other.left.message);
    expect(left(parseCharlmModel(files["config.json"], other.right))).toMatch(/weights\.safetensors.*missing/);
    expect(left(parseCharlmModel(files["config.json"], w, { config: "m/config.json", weights: "m/weights.safetensors" }))).toBe("right");
  });
});
