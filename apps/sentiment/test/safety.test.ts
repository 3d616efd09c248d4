// Nothing lost, nothing silent: every way of misusing `pnpm sentiment` gives its exit code (0 done, 1 runtime or
// data error, 2 usage error, 130 interrupted), one line that names the problem, no stack trace, and the path that
// was there before hashed identical afterwards.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { refusalProblems, treeHash } from "@gated/train/testing";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "gated-sentiment-safety-"));
const home = mkdtempSync(join(tmpdir(), "gated-home-"));
const env = { ...process.env, INIT_CWD: dir, HOME: home };
const run = (args: string[], input = "") => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", input, cwd: dir, env });
const write = (name: string, content: string | Uint8Array) => {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), content);
  return name;
};


const rows = ["text,label"];
for (let i = 0; i < 60; i++) rows.push(`"this is ${i % 2 === 0 ? "great" : "awful"}, really",${i % 2 === 0 ? "pos" : "neg"}`);
write("small.csv", `${rows.join("\n")}\n`);
const SMALL = ["--data", "small.csv", "--epochs", "2", "--embed", "4", "--hidden", "4", "--batch", "8", "--quiet"];
const trained = (out: string, extra: string[] = []) => {
  const r = run(["train", ...SMALL, ...extra, "--out", out]);
  if (r.status !== 0) throw new Error(r.stderr);
  return out;
};
trained("model");

interface Case {
  readonly what: string;
  /** Prepares the situation; returns the arguments and the path whose bytes must not change. */
  readonly setup: () => { args: string[]; keep: string; input?: string };
  readonly code: number;
  readonly message: RegExp;
}

const cases: Case[] = [
  { what: "--out . (the current folder)", setup: () => ({ args: ["train", ...SMALL, "--out", "."], keep: dir }), code: 2, message: /^sentiment train: error: --out '\.' is the current folder/ },
  { what: "--out .. (an ancestor of it)", setup: () => ({ args: ["train", ...SMALL, "--out", ".."], keep: dir }), code: 2, message: /^sentiment train: error: --out '\.\.' contains the current folder/ },
  { what: '--out "" (an unset variable)', setup: () => ({ args: ["train", ...SMALL, "--out", ""], keep: dir }), code: 2, message: /^sentiment train: error: --out is empty \(an unset shell variable\?\)/ },
  { what: "--out / (the root)", setup: () => ({ args: ["train", ...SMALL, "--out", "/"], keep: dir }), code: 2, message: /^sentiment train: error: --out '\/' is the root of the file system/ },
  { what: "--out HOME", setup: () => ({ args: ["train", ...SMALL, "--out", home], keep: home }), code: 2, message: /^sentiment train: error: --out '.*' is your home folder/ },
  { what: "--out an existing file", setup: () => ({ args: ["train", ...SMALL, "--out", write("report.txt", "my report")], keep: join(dir, "report.txt") }), code: 2, message: /^sentiment train: error: --out 'report\.txt' is a file, not a folder/ },
  { what: "--out a folder of someone's documents", setup: () => (write("docs/letter.txt", "dear"), { args: ["train", ...SMALL, "--out", "docs"], keep: join(dir, "docs") }), code: 2, message: /^sentiment train: error: --out 'docs' holds files that are not a gated-sentiment-model \(letter\.txt\): it is left alone/ },
  { what: "--out a model of the other app", setup: () => (write("charlm/config.json", JSON.stringify({ format: "gated-char-lm", version: 1 })), { args: ["train", ...SMALL, "--out", "charlm"], keep: join(dir, "charlm") }), code: 2, message: /holds a 'gated-char-lm', not a gated-sentiment-model/ },
  {
    what: "--out a model folder with the user's own file in it",
    setup: () => {
      trained("withnotes");
      write("withnotes/notes.md", "mine");
      return { args: ["train", ...SMALL, "--out", "withnotes"], keep: join(dir, "withnotes") };
    },
    code: 2,
    message: /holds a gated-sentiment-model and also files this program did not write \(notes\.md\)/,
  },
  { what: "--out under a file", setup: () => ({ args: ["train", ...SMALL, "--out", `${write("plain.txt", "x")}/model`], keep: join(dir, "plain.txt") }), code: 2, message: /--out 'plain\.txt\/model' cannot be used: a part of the path is a file, not a folder/ },
  { what: "--out with a name too long", setup: () => ({ args: ["train", ...SMALL, "--out", "n".repeat(250)], keep: dir }), code: 2, message: /has a name of 250 bytes: at most 235/ },
  { what: "a dangling symbolic link as --out", setup: () => (symlinkSync(join(dir, "gone"), join(dir, "dangling")), { args: ["train", ...SMALL, "--out", "dangling"], keep: dir }), code: 2, message: /symbolic link to a path that does not exist/ },
  { what: "train -h (help, not training)", setup: () => ({ args: ["train", "-h", "--out", "model"], keep: join(dir, "model") }), code: 0, message: /^$/ },
  { what: "a stray positional", setup: () => ({ args: ["train", ...SMALL, "extra", "--out", "model"], keep: join(dir, "model") }), code: 2, message: /^sentiment train: unexpected argument 'extra' \(this command takes no positional arguments\)$/ },
  { what: "an unknown flag", setup: () => ({ args: ["train", ...SMALL, "--epoch", "3", "--out", "model"], keep: join(dir, "model") }), code: 2, message: /^sentiment train: unknown option --epoch$/ },
  { what: "a flag without its value", setup: () => ({ args: ["train", ...SMALL, "--out"], keep: join(dir, "model") }), code: 2, message: /^sentiment train: --out needs a value$/ },
  { what: "a value given to a switch", setup: () => ({ args: ["train", ...SMALL, "--quiet=no"], keep: join(dir, "model") }), code: 2, message: /^sentiment train: --quiet is a switch and takes no value$/ },
  { what: "an unknown command", setup: () => ({ args: ["trian"], keep: dir }), code: 2, message: /^sentiment: unknown command 'trian' \(commands: train, eval, predict, export\)$/ },
  { what: "help for an unknown command", setup: () => ({ args: ["help", "trian"], keep: dir }), code: 2, message: /^sentiment: no command 'trian'/ },
  { what: "a model too big for memory", setup: () => ({ args: ["train", ...SMALL, "--hidden", "4096", "--embed", "4096", "--layers", "8", "--out", "model"], keep: join(dir, "model") }), code: 2, message: /^sentiment train: error: this model would need about \d+(\.\d)? GiB to train \(parameters .*\), over the limit of 3\.0 GiB/ },
  { what: "a data file over --data-limit", setup: () => ({ args: ["train", ...SMALL, "--data-limit", "1K", "--out", "model"], keep: join(dir, "model") }), code: 1, message: /small\.csv: is 2\.\d KiB|small\.csv: is 0\.0 MiB, over the limit of 0\.0 MiB|over the limit/ },
  { what: "/dev/zero as data (a link zero.csv to it)", setup: () => (symlinkSync("/dev/zero", join(dir, "zero.csv")), { args: ["train", ...SMALL.slice(2), "--data", "zero.csv", "--out", "model"], keep: join(dir, "model") }), code: 1, message: /^sentiment train: error: .*zero\.csv: is a character device, not a regular file/ },
  { what: "a named pipe as data (no writer: must not hang)", setup: () => (spawnSync("mkfifo", [join(dir, "pipe.csv")]), { args: ["train", ...SMALL.slice(2), "--data", "pipe.csv", "--out", "model"], keep: join(dir, "model") }), code: 1, message: /^sentiment train: error: .*pipe\.csv: is a named pipe, not a regular file/ },
  { what: "a CSV with a broken quote", setup: () => ({ args: ["train", ...SMALL.slice(2), "--data", write("quote.csv", 'text,label\n"good stuff,pos\n"bad stuff",neg\n'), "--out", "model"], keep: join(dir, "model") }), code: 1, message: /quote\.csv:3: has "b" right after the closing quote of a quoted field \(the field opened on line 2: is a quote missing or doubled there\?\)/ },
  { what: 'a CSV field "x"y', setup: () => ({ args: ["train", ...SMALL.slice(2), "--data", write("xy.csv", 'text,label\n"x"y,pos\n'), "--out", "model"], keep: join(dir, "model") }), code: 1, message: /xy\.csv:2: has "y" right after the closing quote/ },
  { what: "a CSV whose quote never closes", setup: () => ({ args: ["train", ...SMALL.slice(2), "--data", write("open.csv", 'text,label\nfine,pos\n"never closed,neg\nmore,pos\n'), "--out", "model"], keep: join(dir, "model") }), code: 1, message: /open\.csv:3: has a quoted field opened on line 3 that is never closed/ },
  { what: "config.json holding []", setup: () => (write("arr/config.json", "[]"), { args: ["eval", "--model", "arr"], keep: join(dir, "arr") }), code: 1, message: /^sentiment eval: error: '.*arr\/config\.json' holds an array, not a JSON object/ },
  { what: "config.json with an unknown cell", setup: () => (write("cellx/config.json", readFileSync(join(dir, "model", "config.json"), "utf8").replace('"cell": "lstm"', '"cell": "lstmm"')), write("cellx/weights.safetensors", readFileSync(join(dir, "model", "weights.safetensors"))), { args: ["eval", "--model", "cellx"], keep: join(dir, "cellx") }), code: 1, message: /config\.cell is "lstmm", not one of lstm, gru, rnn/ },
  {
    what: "a GRU's weights in an LSTM model folder",
    setup: () => {
      trained("gru", ["--cell", "gru"]);
      write("mixed/config.json", readFileSync(join(dir, "model", "config.json")));
      write("mixed/weights.safetensors", readFileSync(join(dir, "gru", "weights.safetensors")));
      return { args: ["predict", "--model", "mixed", "hello"], keep: join(dir, "mixed") };
    },
    code: 1,
    message: /weights\.safetensors' does not match config\.json \(lstm with input size 4, hidden size 4, 1 layer\): rnn\.weight_ih_l0 should be \[16, 4\], found \[12, 4\];.* the file holds a GRU with input size 4, hidden size 4, 1 layer$/,
  },
  { what: "predict without --model", setup: () => ({ args: ["predict", "hi"], keep: dir }), code: 2, message: /^sentiment predict: --model DIR is required/ },
  { what: "export --onnx onto the data file", setup: () => ({ args: ["export", "--model", "model", "--onnx", "small.csv"], keep: join(dir, "small.csv") }), code: 2, message: /^sentiment export: error: --onnx 'small\.csv' already exists and is not an ONNX file this program wrote: it is left alone/ },
  { what: "export --onnx onto the model folder", setup: () => ({ args: ["export", "--model", "model", "--onnx", "model"], keep: join(dir, "model") }), code: 2, message: /^sentiment export: error: --onnx 'model' is a folder, not a file name/ },
  { what: "export without --model", setup: () => ({ args: ["export", "--onnx", "x.onnx"], keep: dir }), code: 2, message: /^sentiment export: --model DIR is required/ },
  { what: "predict with non-UTF-8 stdin", setup: () => ({ args: ["predict", "--model", "model"], keep: join(dir, "model"), input: "caf\xe9 ok\n" }), code: 1, message: /^sentiment predict: error: standard input:1: is not valid UTF-8 text/ },
];

describe("sentiment: bad input and unsafe paths", () => {
  for (const c of cases) {
    it(`${c.what}: exit ${c.code}, one line naming it, nothing changed`, () => {
      const { args, keep, input } = c.setup();
      const before = treeHash(keep);
      const r = input === undefined ? run(args) : spawnSync(process.execPath, [main, ...args], { input: Buffer.from(input, "latin1"), cwd: dir, env, encoding: "utf8" });
      expect(refusalProblems(r, c.code, c.message)).toEqual([]);
      expect(treeHash(keep)).toBe(before);
      expect(readdirSync(dir).filter((e) => e.startsWith(".") && e.includes("lock"))).toEqual([]);
    });
  }
});

describe("sentiment: what is allowed", () => {
  it("replaces its own finished model, follows a symbolic link to one (the link kept), and writes through --flag=value", () => {
    trained("v1");
    symlinkSync(join(dir, "v1"), join(dir, "current"));
    const before = readFileSync(join(dir, "v1", "weights.safetensors"));
    const r = run(["train", ...SMALL, "--seed=2", "--out=current"]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(join(dir, "current")).isSymbolicLink()).toBe(true);
    expect(Buffer.compare(readFileSync(join(dir, "v1", "weights.safetensors")), before)).not.toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "v1", "config.json"), "utf8")).training.seed).toBe(2);
    expect(readdirSync(dir).filter((e) => e.startsWith(".v1") || e.startsWith(".current"))).toEqual([]);
  });

  it("help on every command: -h, --help, help <command>; exit 0", () => {
    for (const args of [["train", "-h"], ["eval", "--help"], ["help", "predict"], ["predict", "--model", "x", "-h"]]) {
      const r = run(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: pnpm sentiment (train|eval|predict)/);
    }
    expect(existsSync(join(dir, "sentiment-model"))).toBe(false);
  });

  it("echoes no control character raw: predict escapes them in its output", () => {
    const r = run(["predict", "--model", "model", "bad \u001b[31mred\u0007 text"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\tbad \\u001b\[31mred\\u0007 text\n$/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const json = run(["predict", "--model", "model", "--json", "x\u009by"]);
    expect(JSON.parse(json.stdout).text).toBe("x\u009by");
    expect(json.stdout).toMatch(/x\\u009by/);
  });

  it("a full disk or a closed pipe on stdout: exit 1 with a message", async () => {
    const full = openSync("/dev/full", "w");
    const r = spawnSync(process.execPath, [main, "predict", "--model", "model", "great", "awful"], { stdio: ["ignore", full, "pipe"], cwd: dir, env, encoding: "utf8" });
    closeSync(full);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("sentiment: error: cannot write to standard output: no space left on the device (ENOSPC)");
    const child = spawn(process.execPath, [main, "predict", "--model", "model", "great"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let err = "";
    child.stderr.on("data", (d) => {
      err += String(d);
    });
    const code = await new Promise((res) => child.on("exit", res));
    expect(code).toBe(1);
    expect(err.trim()).toBe("sentiment: error: cannot write to standard output: the reader closed the pipe (EPIPE)");
  });

  it("one writer at a time: a second training into the same folder fails at once naming the first's PID; SIGTERM stops the first (130) and writes nothing", async () => {
    trained("busy");
    const before = treeHash(join(dir, "busy"));
    const first = spawn(process.execPath, [main, "train", ...SMALL, "--epochs", "10000", "--patience", "10000", "--out", "busy"], { cwd: dir, env });
    let out = "";
    first.stdout.on("data", (d) => {
      out += String(d);
    });
    let exited = false;
    first.on("exit", () => {
      exited = true;
    });
    while (!out.includes("model:") && !exited) await new Promise((r) => setTimeout(r, 50));
    const second = run(["train", ...SMALL, "--out", "busy"]);
    expect(second.status).toBe(1);
    expect(second.stderr.trim()).toMatch(new RegExp(`^sentiment train: error: --out 'busy' is being written by process ${first.pid} \\(since .*\\): wait for it to finish or stop it`));
    first.kill("SIGTERM");
    const code = await new Promise((r) => first.on("exit", r));
    expect(code).toBe(130);
    expect(out).toMatch(/interrupted \(SIGTERM\): nothing written; the model in busy is unchanged/);
    expect(treeHash(join(dir, "busy"))).toBe(before);
    expect(readdirSync(dir).filter((e) => e.startsWith(".busy"))).toEqual([]);
  });

  it("a stale lock left by a killed run is taken over", () => {
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    write(".stale.lock", JSON.stringify({ pid: dead, host: hostname(), started: "then" }));
    const r = run(["train", ...SMALL, "--out", "stale"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(dir).filter((e) => e.startsWith(".stale"))).toEqual([]);
  });
});
