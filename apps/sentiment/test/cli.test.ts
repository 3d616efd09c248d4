// The sentiment CLI end to end on a small data set (fast), and every bad-input case: one-line error, non-zero
// exit, nothing existing overwritten.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vocabFromTokens } from "@gated/data";
import { idsOf, nbFeaturesOf, parseSentimentModel } from "@gated/models/sentiment";
import * as E from "fp-ts/lib/Either.js";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "gated-sentiment-"));
const run = (args: string[], input?: string) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", input: input ?? "", cwd: dir, env: { ...process.env, INIT_CWD: dir } });

const good = ["great", "excellent", "love", "wonderful", "fine"];
const bad = ["awful", "terrible", "hate", "broken", "poor"];
const rows: string[] = ["text,label"];
for (let i = 0; i < 60; i++) {
  const pos = i % 2 === 0;
  // Blocks of 10 rows share a word, so every test row (index % 5 === 4) has its words in training rows too.
  const w = (pos ? good : bad)[Math.floor(i / 10) % 5] as string;
  rows.push(`"this is ${w}, really ${w}",${pos ? "pos" : "neg"}`);
}
writeFileSync(join(dir, "small.csv"), `${rows.join("\n")}\n`);
const SMALL = ["--data", "small.csv", "--epochs", "8", "--embed", "8", "--hidden", "8", "--batch", "8", "--lr", "0.02", "--quiet"];

describe("sentiment CLI", () => {
  it("trains, evaluates and predicts on a small CSV", () => {
    const t = run(["train", ...SMALL, "--out", "m1", "--cell", "gru", "--pooling", "mean"]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/wrote .*m1/);
    expect(readdirSync(join(dir, "m1")).sort()).toEqual(["config.json", "curves.svg", "weights.safetensors"]);
    expect(readFileSync(join(dir, "m1", "curves.svg"), "utf8")).toMatch(/^<svg/);
    const e = run(["eval", "--model", "m1", "--json"]);
    expect(e.status, e.stderr).toBe(0);
    const report = JSON.parse(e.stdout);
    expect(typeof report.accuracy).toBe("number");
    expect(Object.keys(report.per_source)).toHaveLength(1);
    expect(Object.keys(report.per_source)[0]).toMatch(/small\.csv$/);
    expect(typeof report.baselines.majority).toBe("number");
    expect(typeof report.baselines.naive_bayes).toBe("number");
    expect(report.baselines.naive_bayes).toBe(1);
    const table = run(["eval", "--model", "m1"]);
    expect(table.stdout).toMatch(/naive Bayes \(unigrams \+ bigrams\)/);
    const p = run(["predict", "--model", "m1", "this is great, really great", "this is awful, really awful"]);
    expect(p.status, p.stderr).toBe(0);
    const lines = p.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^(pos|neg)\t[01]\.\d{3}\tthis is great/);
    const stdin = run(["predict", "--model", "m1", "--json"], "nice one\nbad one\n");
    expect(stdin.stdout.trim().split("\n").map((l) => JSON.parse(l).text)).toEqual(["nice one", "bad one"]);
  });

  it("trains with naive-Bayes-weighted inputs (--nb) and evaluates that model", () => {
    const t = run(["train", ...SMALL, "--out", "m2", "--nb", "--bidirectional", "--pooling", "last", "--cell", "rnn"]);
    expect(t.status, t.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(join(dir, "m2", "config.json"), "utf8"));
    expect(cfg.config.nbClasses).toBe(2);
    expect(Object.keys(cfg.nb.features).length).toBeGreaterThan(10);
    const e = run(["eval", "--model", "m2", "--json"]);
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBeGreaterThan(0.5);
  });

  it.each([
    ["m1", "a GRU with mean pooling"],
    ["m2", "a bidirectional RNN, last states, naive-Bayes inputs"],
  ])("export writes an ONNX file whose probabilities in ONNX Runtime are 'predict --json''s (%s: %s)", async (name) => {
    const e = run(["export", "--model", name, "--onnx", `${name}.onnx`]);
    expect(e.status, e.stderr).toBe(0);
    const nb = name === "m2";
    expect(e.stdout).toMatch(new RegExp(`^wrote ${name}\\.onnx \\(\\d+ bytes\\): .* 2 classes \\(neg, pos\\); inputs tokens, ${nb ? "token_features, lengths, sequence_features" : "lengths"}; output logits\\n$`));
    const loaded = parseSentimentModel(readFileSync(join(dir, name, "config.json"), "utf8"), readFileSync(join(dir, name, "weights.safetensors")));
    if (E.isLeft(loaded)) throw new Error(loaded.left);
    const { model } = loaded.right;
    const sentences = ["this is great, really great", "awful and broken", "fine", "hate it"];
    const predicted = run(["predict", "--model", name, "--json", ...sentences]).stdout.trim().split("\n").map((l) => JSON.parse(l).probabilities as Record<string, number>);
    const session = await ort.InferenceSession.create(readFileSync(join(dir, `${name}.onnx`)));
    const vocab = vocabFromTokens(model.vocab);
    for (const [i, text] of sentences.entries()) {
      const ids = idsOf(vocab, text, model.maxLen);
      const feeds: Record<string, ort.Tensor> = { tokens: new ort.Tensor("int64", BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]), lengths: new ort.Tensor("int32", Int32Array.of(ids.length), [1]) };
      if (model.nb) {
        const f = nbFeaturesOf(model.nb, text, model.maxLen);
        feeds.token_features = new ort.Tensor("float32", f.tok, [1, ids.length, 4]);
        feeds.sequence_features = new ort.Tensor("float32", f.sent, [1, 2]);
      }
      const logits = Array.from((await session.run(feeds)).logits?.data as Float32Array);
      const m = Math.max(...logits);
      const z = logits.reduce((a, v) => a + Math.exp(v - m), 0);
      for (const [k, c] of model.classes.entries()) expect(Math.abs(Math.exp((logits[k] as number) - m) / z - (predicted[i]?.[c] as number)), `${text}: P(${c})`).toBeLessThan(1e-5);
    }
  });

  it("handles JSONL data with three classes and custom columns", () => {
    const kinds = [["sunny", "bright"], ["rainy", "wet"], ["snowy", "cold"]] as const;
    const lines = Array.from({ length: 90 }, (_, i) => {
      const k = i % 3;
      const w = kinds[k]?.[Math.floor(i / 10) % 2] as string;
      return JSON.stringify({ sentence: `a ${w} day, so ${w}`, weather: ["sun", "rain", "snow"][k] });
    });
    writeFileSync(join(dir, "weather.jsonl"), `${lines.join("\n")}\n`);
    const t = run(["train", "--data", "weather.jsonl", "--text-column", "sentence", "--label-column", "weather", "--epochs", "15", "--embed", "8", "--hidden", "8", "--batch", "8", "--lr", "0.03", "--quiet", "--out", "m3"]);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/3 classes/);
    const e = JSON.parse(run(["eval", "--model", "m3", "--json"]).stdout);
    expect(e.confusion.classes).toEqual(["rain", "snow", "sun"]);
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect(run(["predict", "--model", "m3", "a snowy day, so cold"]).stdout).toMatch(/^snow\t/);
  });

  it("prints help for the app and each command", () => {
    expect(run(["--help"]).stdout).toMatch(/train .*eval .*predict/s);
    for (const c of ["train", "eval", "predict", "export"]) {
      const h = run([c, "--help"]);
      expect(h.status).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`usage: pnpm sentiment ${c}`));
    }
  });

  const write = (name: string, content: string | Uint8Array) => {
    writeFileSync(join(dir, name), content);
    return name;
  };
  const badInputs: [string, () => string[], RegExp][] = [
    ["an empty file", () => ["train", "--data", write("empty.csv", ""), "--quiet"], /empty\.csv: is empty/],
    ["a missing column", () => ["train", "--data", write("cols.csv", "sentence,label\na,b\n"), "--quiet"], /no text column 'text'/],
    ["a single class", () => ["train", "--data", write("one.csv", `text,label\n${Array.from({ length: 10 }, (_, i) => `t${i},pos`).join("\n")}\n`), "--quiet"], /single class \('pos'\)/],
    ["a non-UTF-8 file", () => ["train", "--data", write("latin.csv", new Uint8Array([0x74, 0x65, 0x78, 0x74, 0x2c, 0x6c, 0x0a, 0xe9, 0x2c, 0x31, 0x0a])), "--quiet"], /latin\.csv:2: is not valid UTF-8/],
    ["an unreadable file", () => ["train", "--data", "missing.csv", "--quiet"], /missing\.csv: cannot be read: ENOENT/],
    ["a bad option value", () => ["train", "--cell", "cnn"], /--cell must be one of lstm, gru, rnn/],
    ["a missing model", () => ["eval", "--model", "nowhere"], /no model in '.*nowhere' \(config\.json is missing\)/],
    ["a corrupt model directory", () => {
      mkdirSync(join(dir, "corrupt"), { recursive: true });
      write("corrupt/config.json", "{oops");
      return ["predict", "--model", "corrupt", "hi"];
    }, /config\.json' is corrupt/],
    ["a model from another version", () => {
      mkdirSync(join(dir, "old"), { recursive: true });
      write("old/config.json", JSON.stringify({ format: "gated-sentiment-model", version: 0 }));
      return ["eval", "--model", "old"];
    }, /format version 0; this program reads version 1: retrain/],
    ["corrupt weights", () => {
      mkdirSync(join(dir, "badw"), { recursive: true });
      const cfg = JSON.parse(readFileSync(join(dir, "m1", "config.json"), "utf8"));
      write("badw/config.json", JSON.stringify(cfg));
      write("badw/weights.safetensors", "not a safetensors file at all");
      return ["predict", "--model", "badw", "hi"];
    }, /weights\.safetensors' is corrupt/],
  ];
  for (const [what, args, message] of badInputs) {
    it(`rejects ${what} with a one-line error and a non-zero exit`, () => {
      const r = run(args());
      expect(r.status).not.toBe(0);
      const first = r.stderr.trim().split("\n")[0] as string;
      expect(first).toMatch(message);
      expect(first).toMatch(/^sentiment (train|eval|predict)/);
    });
  }

  it("leaves an existing model directory untouched when training fails", () => {
    const before = readFileSync(join(dir, "m1", "weights.safetensors"));
    const r = run(["train", "--data", "empty.csv", "--out", "m1", "--quiet"]);
    expect(r.status).not.toBe(0);
    expect(existsSync(join(dir, "m1", "config.json"))).toBe(true);
    expect(Buffer.compare(readFileSync(join(dir, "m1", "weights.safetensors")), before)).toBe(0);
  });
});
