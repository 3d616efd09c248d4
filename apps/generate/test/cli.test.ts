// The generate CLI end to end on a small text (fast): train, resume, eval, sample, the Unicode round trip, and
// every bad-input case.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { charlmFiles, continueIds, parseCharlmModel } from "@gated/models";
import { onnxMetadata } from "@gated/onnx";
import * as E from "fp-ts/lib/Either.js";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "gated-generate-"));
const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", cwd: dir, env: { ...process.env, INIT_CWD: dir } });
const write = (name: string, content: string | Uint8Array) => {
  writeFileSync(join(dir, name), content);
  return name;
};

const poem = "天将降大任于是人也，必先苦其心志，劳其筋骨。".repeat(40);
write("poem.txt", poem);
const SMALL = ["--data", "poem.txt", "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "16", "--lr", "0.01", "--eval-every", "0", "--quiet"];

describe("generate CLI", () => {
  it("trains on Chinese text and round-trips its characters through vocabulary, training and sampling", () => {
    const t = run(["train", ...SMALL, "--steps", "30", "--out", "m1"]);
    expect(t.status, t.stderr).toBe(0);
    const cfg = JSON.parse(readFileSync(join(dir, "m1", "config.json"), "utf8"));
    for (const c of "天将降大任于是人也") expect(cfg.vocab).toContain(c);
    const s = run(["sample", "--model", "m1", "--prime", "天将降大任于是人也", "--length", "20", "--seed", "3"]);
    expect(s.status, s.stderr).toBe(0);
    const text = s.stdout.trim();
    expect(text.startsWith("天将降大任于是人也")).toBe(true);
    expect(Array.from(text).length).toBe(9 + 20);
    for (const c of Array.from(text)) expect(cfg.vocab).toContain(c);
    const greedy = run(["sample", "--model", "m1", "--temperature", "0", "--length", "15"]).stdout;
    expect(run(["sample", "--model", "m1", "--temperature", "0", "--length", "15", "--seed", "9"]).stdout).toBe(greedy);
    expect(run(["sample", "--model", "m1", "--beam", "3", "--length", "10"]).status).toBe(0);
  });

  it("a model folder read by @gated/models (as the playground reads it) samples the CLI's text, and one it writes is read by the CLI", () => {
    const config = readFileSync(join(dir, "m1", "config.json"), "utf8");
    const weights = readFileSync(join(dir, "m1", "weights.safetensors"));
    const parsed = parseCharlmModel(config, weights);
    if (E.isLeft(parsed)) throw new Error(parsed.left);
    const { meta, params } = parsed.right;
    const V = meta.vocab.length;
    const prime = Array.from("天将降大任于是人也", (c) => meta.vocab.indexOf(c));
    const ids = continueIds(params, meta.config, prime, V, { length: 20, temperature: 0.8, topK: V, topP: 1, seed: 3 });
    const cli = run(["sample", "--model", "m1", "--prime", "天将降大任于是人也", "--length", "20", "--seed", "3"]).stdout.trim();
    expect(`天将降大任于是人也${ids.map((i) => meta.vocab[i]).join("")}`).toBe(cli);
    // The files @gated/models writes are the CLI's, byte for byte, and the CLI samples from them.
    const files = charlmFiles(meta, params);
    expect(files["config.json"]).toBe(config);
    expect(Buffer.from(files["weights.safetensors"]).equals(weights)).toBe(true);
    mkdirSync(join(dir, "m1-page"));
    write("m1-page/config.json", files["config.json"]);
    write("m1-page/weights.safetensors", files["weights.safetensors"]);
    expect(run(["sample", "--model", "m1-page", "--prime", "天将降大任于是人也", "--length", "20", "--seed", "3"]).stdout.trim()).toBe(cli);
  });

  it("export writes an ONNX file that ONNX Runtime samples, token by token carrying the state, as greedy 'sample' does; a file it wrote is replaced", async () => {
    const e = run(["export", "--model", "m1", "--onnx", "m1.onnx"]);
    expect(e.status, e.stderr).toBe(0);
    expect(e.stdout).toMatch(/^wrote m1\.onnx \(\d+ bytes\): embedding 8 -> lstm 16 x 1 -> \d+ characters; inputs tokens, h0, c0; outputs logits, hn, cn\n$/);
    const bytes = readFileSync(join(dir, "m1.onnx"));
    const vocab = JSON.parse(onnxMetadata(bytes)["gated.vocab"] as string) as string[];
    const session = await ort.InferenceSession.create(bytes);
    const zeros = () => new ort.Tensor("float32", new Float32Array(16), [1, 1, 16]);
    // Greedy decoding: feed the prime, then always the most likely next character.
    let state: Record<string, ort.Tensor> = { h0: zeros(), c0: zeros() };
    let logits: Float32Array<ArrayBufferLike> = new Float32Array(0);
    for (const c of Array.from("天将")) {
      const out = await session.run({ tokens: new ort.Tensor("int64", BigInt64Array.of(BigInt(vocab.indexOf(c))), [1, 1]), ...state });
      state = { h0: out.hn as ort.Tensor, c0: out.cn as ort.Tensor };
      logits = out.logits?.data as Float32Array;
    }
    let sampled = "天将";
    for (let i = 0; i < 25; i++) {
      const next = logits.indexOf(Math.max(...logits));
      sampled += vocab[next];
      const out = await session.run({ tokens: new ort.Tensor("int64", BigInt64Array.of(BigInt(next)), [1, 1]), ...state });
      state = { h0: out.hn as ort.Tensor, c0: out.cn as ort.Tensor };
      logits = out.logits?.data as Float32Array;
    }
    const cli = run(["sample", "--model", "m1", "--prime", "天将", "--length", "25", "--temperature", "0"]);
    expect(cli.status, cli.stderr).toBe(0);
    expect(sampled).toBe(cli.stdout.trimEnd());
    // Exporting again over its own file is allowed (and gives the same bytes).
    expect(run(["export", "--model", "m1", "--onnx", "m1.onnx"]).status).toBe(0);
    expect(readFileSync(join(dir, "m1.onnx")).equals(bytes)).toBe(true);
  });

  it("eval prints the model's test BPC beside Kneser-Ney n-grams, and --json has the documented fields", () => {
    const e = run(["eval", "--model", "m1", "--json"]);
    expect(e.status, e.stderr).toBe(0);
    const r = JSON.parse(e.stdout);
    expect(typeof r.test_bpc).toBe("number");
    expect(Object.keys(r.ngram)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(r.best_ngram.bpc).toBeLessThanOrEqual(r.ngram["1"]);
    expect(run(["eval", "--model", "m1"]).stdout).toMatch(/Kneser-Ney 7-gram/);
  });

  it("resuming gives the same trajectory as an uninterrupted run with the same seed", () => {
    for (const batching of ["contiguous", "random-windows"]) {
      const a = run(["train", ...SMALL, "--batching", batching, "--steps", "8", "--out", `a-${batching}`]);
      expect(a.status, a.stderr).toBe(0);
      expect(run(["train", ...SMALL, "--batching", batching, "--steps", "8", "--stop-after", "3", "--out", `b-${batching}`]).status).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, `b-${batching}`, "config.json"), "utf8")).training.done).toBe(3);
      const r = run(["train", "--resume", "--quiet", "--eval-every", "0", "--out", `b-${batching}`]);
      expect(r.status, r.stderr).toBe(0);
      expect(Buffer.compare(readFileSync(join(dir, `a-${batching}`, "weights.safetensors")), readFileSync(join(dir, `b-${batching}`, "weights.safetensors")))).toBe(0);
    }
  });

  const bad: [string, () => string[], RegExp][] = [
    ["an empty file", () => ["train", "--data", write("empty.txt", ""), "--quiet"], /empty\.txt: is empty/],
    ["a binary file", () => ["train", "--data", write("bin.dat", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff])), "--quiet"], /bin\.dat(:1)?: is not valid UTF-8|NUL bytes/],
    ["a corpus too short for one batch", () => ["train", "--data", write("short.txt", "just a few characters"), "--quiet"], /too short for one batch/],
    ["sampling from a missing model", () => ["sample", "--model", "nowhere"], /no model in '.*nowhere'/],
    ["a checkpoint of another version", () => {
      write("old-config.json", "");
      const d = join(dir, "oldv");
      spawnSync("mkdir", ["-p", d]);
      writeFileSync(join(d, "config.json"), JSON.stringify({ format: "gated-char-lm", version: 7 }));
      return ["eval", "--model", "oldv"];
    }, /format version 7; this program reads version 1/],
    ["resuming a checkpoint on text with other characters", () => {
      const d = join(dir, "m1");
      const cfg = JSON.parse(readFileSync(join(d, "config.json"), "utf8"));
      cfg.data = join(dir, write("latin.txt", "completely different latin text ".repeat(50)));
      cfg.training.steps += 10; // unfinished, so that --resume continues it
      spawnSync("cp", ["-r", d, join(dir, "m1-other")]);
      writeFileSync(join(dir, "m1-other", "config.json"), JSON.stringify(cfg));
      return ["train", "--resume", "--out", "m1-other", "--quiet"];
    }, /vocabulary lacks/],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what} with a one-line error and a non-zero exit`, () => {
      const r = run(args());
      expect(r.status).not.toBe(0);
      expect(r.stderr.trim().split("\n")[0]).toMatch(message);
    });
  }

  it("never leaves a broken checkpoint: an interrupted run keeps the last complete one", () => {
    // SIGINT during training: the run saves and exits 130, and the directory holds a complete checkpoint.
    const child = spawnSync(process.execPath, ["-e", `
      const { spawn } = require("node:child_process");
      const c = spawn(process.execPath, [${JSON.stringify(main)}, "train", ${SMALL.map((s) => JSON.stringify(s)).join(", ")}, "--steps", "100000", "--out", "int"], { cwd: ${JSON.stringify(dir)}, env: { ...process.env, INIT_CWD: ${JSON.stringify(dir)} } });
      // Interrupt once training has started (its settings line is printed just before the loop).
      let sent = false;
      c.stdout.on("data", (d) => { if (!sent && String(d).includes("model:")) { sent = true; setTimeout(() => c.kill("SIGINT"), 1000); } });
      c.on("exit", (code) => { console.log(code); });
    `], { encoding: "utf8" });
    expect(child.stdout.trim()).toBe("130");
    const cfg = JSON.parse(readFileSync(join(dir, "int", "config.json"), "utf8"));
    expect(cfg.training.done).toBeGreaterThan(0);
    expect(existsSync(join(dir, "int", "weights.safetensors"))).toBe(true);
    expect(run(["eval", "--model", "int", "--json"]).status).toBe(0);
  });
});
