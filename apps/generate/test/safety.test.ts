// Nothing lost, nothing silent: every way of misusing `pnpm generate` gives its exit code (0 done, 1 runtime or
// data error, 2 usage error, 130 interrupted), one line that names the problem, no stack trace, and the path that
// was there before hashed identical afterwards; unfinished checkpoints are never clobbered.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { refusalProblems, treeHash } from "@gated/train/testing";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "gated-generate-safety-"));
const env = { ...process.env, INIT_CWD: dir };
const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", cwd: dir, env });
const write = (name: string, content: string | Uint8Array) => {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), content);
  return name;
};


write("poem.txt", "天将降大任于是人也，必先苦其心志，劳其筋骨。".repeat(40));
write("other.txt", "天将降大任于是人也，必先苦其心志，劳其筋骨。".repeat(30));
const SMALL = ["--data", "poem.txt", "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "16", "--lr", "0.01", "--eval-every", "0", "--quiet"];
const train = (args: string[]) => {
  const r = run(["train", ...SMALL, ...args]);
  if (r.status !== 0) throw new Error(r.stderr);
};
train(["--steps", "8", "--stop-after", "3", "--out", "unfinished"]);
train(["--steps", "4", "--out", "finished"]);
train(["--steps", "4", "--out", "gru", "--cell", "gru"]);
const copyModel = (from: string, to: string) => cpSync(join(dir, from), join(dir, to), { recursive: true });

interface Case {
  readonly what: string;
  readonly setup: () => { args: string[]; keep: string };
  readonly code: number;
  readonly message: RegExp;
}

const cases: Case[] = [
  { what: "--out . (the current folder)", setup: () => ({ args: ["train", ...SMALL, "--out", "."], keep: dir }), code: 2, message: /^generate train: error: --out '\.' is the current folder/ },
  { what: '--out ""', setup: () => ({ args: ["train", ...SMALL, "--out", ""], keep: dir }), code: 2, message: /^generate train: error: --out is empty/ },
  { what: "--out an existing file", setup: () => ({ args: ["train", ...SMALL, "--out", "poem.txt"], keep: join(dir, "poem.txt") }), code: 2, message: /^generate train: error: --out 'poem\.txt' is a file, not a folder/ },
  { what: "--out a sentiment model", setup: () => (write("sm/config.json", JSON.stringify({ format: "gated-sentiment-model", version: 1 })), { args: ["train", ...SMALL, "--out", "sm"], keep: join(dir, "sm") }), code: 2, message: /holds a 'gated-sentiment-model', not a gated-char-lm/ },
  { what: "an unfinished checkpoint without --resume", setup: () => ({ args: ["train", ...SMALL, "--steps", "8", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /^generate train: error: 'unfinished' holds an unfinished checkpoint \(step 3 of 8\): add --resume to continue it, or --force to start over$/ },
  { what: "--resume with --hidden 32 on a hidden-16 run", setup: () => ({ args: ["train", "--resume", "--hidden", "32", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /^generate train: error: --hidden 32 disagrees with the checkpoint in 'unfinished' \(hidden 16\): leave it out to resume, or use --force to start over$/ },
  { what: "--resume with another --data", setup: () => ({ args: ["train", "--resume", "--data", "other.txt", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /^generate train: error: --data other\.txt disagrees with the checkpoint in 'unfinished' \(trained on .*poem\.txt\)/ },
  { what: "--resume with another --cell", setup: () => ({ args: ["train", "--resume", "--cell", "gru", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /--cell gru disagrees with the checkpoint in 'unfinished' \(cell lstm\)/ },
  { what: "--resume and --force together", setup: () => ({ args: ["train", "--resume", "--force", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /^generate train: --resume and --force contradict each other/ },
  { what: "--resume on a finished run", setup: () => ({ args: ["train", "--resume", "--out", "finished"], keep: join(dir, "finished") }), code: 2, message: /the run in 'finished' is finished \(step 4 of 4\): nothing to continue/ },
  { what: "--resume with nothing to resume", setup: () => ({ args: ["train", "--resume", "--out", "nothing-here"], keep: join(dir, "nothing-here") }), code: 2, message: /--resume: 'nothing-here' holds no checkpoint to continue/ },
  { what: "train -h", setup: () => ({ args: ["train", "-h", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 0, message: /^$/ },
  { what: "a stray positional", setup: () => ({ args: ["train", "poem.txt", "--out", "unfinished"], keep: join(dir, "unfinished") }), code: 2, message: /^generate train: unexpected argument 'poem\.txt'/ },
  { what: "/dev/zero as data", setup: () => ({ args: ["train", "--data", "/dev/zero", "--out", "z"], keep: join(dir, "z") }), code: 1, message: /^generate train: error: \/dev\/zero: is a character device, not a regular file/ },
  { what: "a text too short to split", setup: () => ({ args: ["train", "--data", write("short.txt", "ab\n"), "--out", "z"], keep: join(dir, "z") }), code: 1, message: /short\.txt: holds only 3 characters, too short to split: a language model needs at least 20/ },
  { what: "a text whose end has a character of its own", setup: () => ({ args: ["train", "--data", write("tail.txt", `${"abcab".repeat(10)}\n`), "--out", "z"], keep: join(dir, "z") }), code: 1, message: /the test text \(the last 10%\) holds "\\n", which the training text \(the first 90%\) never does/ },
  { what: "--hidden 4096 --embed 4096 --layers 8", setup: () => ({ args: ["train", ...SMALL, "--hidden", "4096", "--embed", "4096", "--layers", "8", "--out", "z"], keep: join(dir, "z") }), code: 2, message: /^generate train: error: this model would need about \d+ GiB to train \(parameters 4\.0 GiB, gradients and Adam 12 GiB, activations .*\), over the limit of 3\.0 GiB/ },
  { what: "sample --prime ''", setup: () => ({ args: ["sample", "--model", "finished", "--prime", ""], keep: join(dir, "finished") }), code: 2, message: /^generate sample: --prime is empty: give at least one character/ },
  { what: "sample without --model", setup: () => ({ args: ["sample"], keep: dir }), code: 2, message: /^generate sample: --model DIR is required/ },
  { what: "export --onnx onto a text file", setup: () => ({ args: ["export", "--model", "finished", "--onnx", "poem.txt"], keep: join(dir, "poem.txt") }), code: 2, message: /^generate export: error: --onnx 'poem\.txt' already exists and is not an ONNX file this program wrote: it is left alone; choose a new file name/ },
  { what: "export --onnx onto a folder", setup: () => ({ args: ["export", "--model", "finished", "--onnx", "gru"], keep: join(dir, "gru") }), code: 2, message: /^generate export: error: --onnx 'gru' is a folder, not a file name: give the file to write, e.g\. --onnx gru\/model\.onnx$/ },
  { what: "export --onnx onto a foreign .onnx file", setup: () => ({ args: ["export", "--model", "finished", "--onnx", write("theirs.onnx", Uint8Array.of(8, 7, 18, 4, 0x74, 0x6f, 0x72, 0x63, 0x68))], keep: join(dir, "theirs.onnx") }), code: 2, message: /--onnx 'theirs\.onnx' already exists and is not an ONNX file this program wrote/ },
  { what: "export without --onnx", setup: () => ({ args: ["export", "--model", "finished"], keep: dir }), code: 2, message: /^generate export: --onnx FILE is required/ },
  { what: "export a sentiment model", setup: () => (write("sm2/config.json", JSON.stringify({ format: "gated-sentiment-model", version: 1 })), { args: ["export", "--model", "sm2", "--onnx", "out.onnx"], keep: dir }), code: 1, message: /gated-sentiment-model/ },
  { what: "config.json holding []", setup: () => (write("arr/config.json", "[]"), { args: ["eval", "--model", "arr"], keep: join(dir, "arr") }), code: 1, message: /^generate eval: error: '.*arr\/config\.json' holds an array, not a JSON object/ },
  {
    what: "a GRU's weights in an LSTM checkpoint",
    setup: () => {
      copyModel("finished", "mixed");
      cpSync(join(dir, "gru", "weights.safetensors"), join(dir, "mixed", "weights.safetensors"));
      return { args: ["sample", "--model", "mixed"], keep: join(dir, "mixed") };
    },
    code: 1,
    message: /does not match config\.json \(lstm with input size 8, hidden size 16, 1 layer\): rnn\.weight_ih_l0 should be \[64, 8\], found \[48, 8\];.*the file holds a GRU with input size 8, hidden size 16, 1 layer$/,
  },
  {
    what: "an optimiser file of another model on --resume",
    setup: () => {
      copyModel("unfinished", "badopt");
      cpSync(join(dir, "gru", "optimizer.safetensors"), join(dir, "badopt", "optimizer.safetensors"));
      return { args: ["train", "--resume", "--out", "badopt"], keep: join(dir, "badopt") };
    },
    code: 1,
    message: /^generate train: error: cannot resume: '.*badopt\/optimizer\.safetensors': m\.\d+ should have \d+ values, found \[\d+\]: it belongs to another model$/,
  },
  {
    what: "an unknown mode in config.json",
    setup: () => {
      copyModel("finished", "modex");
      const c = JSON.parse(readFileSync(join(dir, "modex", "config.json"), "utf8"));
      c.config.cell = "relu";
      writeFileSync(join(dir, "modex", "config.json"), JSON.stringify(c));
      return { args: ["eval", "--model", "modex"], keep: join(dir, "modex") };
    },
    code: 1,
    message: /config\.cell is "relu", not one of lstm, gru, rnn, irnn/,
  },
];

describe("generate: bad input and unsafe paths", () => {
  for (const c of cases) {
    it(`${c.what}: exit ${c.code}, one line naming it, nothing changed`, () => {
      const { args, keep } = c.setup();
      const before = treeHash(keep);
      const r = run(args);
      expect(refusalProblems(r, c.code, c.message)).toEqual([]);
      expect(treeHash(keep)).toBe(before);
      expect(readdirSync(dir).filter((e) => e.startsWith("."))).toEqual([]);
    });
  }
});

describe("generate: what is allowed", () => {
  it("--force starts an unfinished checkpoint over; a finished one is replaced without it", () => {
    copyModel("unfinished", "again");
    const r = run(["train", ...SMALL, "--steps", "5", "--force", "--out", "again"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "again", "config.json"), "utf8")).training).toMatchObject({ done: 5, steps: 5 });
    const s = run(["train", ...SMALL, "--steps", "2", "--out", "again"]);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "again", "config.json"), "utf8")).training).toMatchObject({ done: 2, steps: 2 });
  });

  it("--resume with flags that agree with the checkpoint continues it", () => {
    copyModel("unfinished", "agree");
    const r = run(["train", "--resume", "--hidden", "16", "--data", "poem.txt", "--quiet", "--out", "agree"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "agree", "config.json"), "utf8")).training.done).toBe(8);
  });

  it("eval and sample read a checkpoint whose save was interrupted mid-swap, and put it in place", () => {
    copyModel("finished", ".swapped.next");
    const r = run(["sample", "--model", "swapped", "--length", "5"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).filter((e) => e.includes("swapped"))).toEqual(["swapped"]);
  });

  it("SIGINT during the test-BPC evaluation answers at once: saves the checkpoint and exits 130", async () => {
    // A text whose test part takes seconds to score at this size, and an evaluation at step 1.
    // (Sized so that the scoring takes well over the 1.5 s below even on two threads: 330,000 test characters at
    // H = 512 take about 14 s here on two threads; the earlier 82,000 at H = 256 took under 1.5 s once threads came.)
    write("long.txt", Array.from({ length: 96000 }, (_, i) => `line ${i % 97} of the long text, word ${(i * 7) % 13}.`).join("\n"));
    const child = spawn(process.execPath, [main, "train", "--data", "long.txt", "--hidden", "512", "--batch", "2", "--seq", "8", "--steps", "50", "--eval-every", "1", "--quiet", "--out", "sig"], { cwd: dir, env });
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    while (!out.includes("model:")) await new Promise((r) => setTimeout(r, 20));
    // The first step takes well under a second; then the scoring of the test characters starts.
    await new Promise((r) => setTimeout(r, 1500));
    const sent = performance.now();
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("exit", r));
    const waited = performance.now() - sent;
    expect(code).toBe(130);
    expect(out).toMatch(/interrupted \(SIGINT\) at step 1: saving/);
    expect(out).not.toMatch(/step 1: train/); // the evaluation was cut short, not finished
    expect(waited).toBeLessThan(2000); // finishing the scoring first would take about 9 s more
    expect(JSON.parse(readFileSync(join(dir, "sig", "config.json"), "utf8")).training.done).toBe(1);
  });
});

describe("generate: a symbolic link as --out", () => {
  it("is followed; the checkpoint goes where it points and the link stays", () => {
    mkdirSync(join(dir, "target"));
    symlinkSync(join(dir, "target"), join(dir, "link"));
    const r = run(["train", ...SMALL, "--steps", "2", "--out", "link"]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "link")).isSymbolicLink()).toBe(true);
    expect(readdirSync(join(dir, "target")).sort()).toEqual(["config.json", "curves.svg", "optimizer.safetensors", "weights.safetensors"]);
  });
});
