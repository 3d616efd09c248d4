// The lab CLI end to end in its --quick forms: the files it writes, the SVGs (well-formed, one line per model),
// the JSON contract, determinism, and bad input.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");
const dir = mkdtempSync(join(tmpdir(), "gated-lab-"));
const run = (args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: "utf8", cwd: dir, env: { ...process.env, INIT_CWD: dir } });

/** Checks that an SVG is well-formed XML (balanced tags, quoted attributes, escaped text); returns its tags. */
function wellFormed(svg: string): { name: string; attrs: Record<string, string> }[] {
  const tags: { name: string; attrs: Record<string, string> }[] = [];
  const open: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let seen = 0;
  for (const m of svg.matchAll(token)) {
    seen += m[0].length;
    if (m[6] !== undefined) throw new Error(`a '<' that starts no tag at offset ${m.index}`);
    if (m[5] !== undefined) {
      if (/&(?!amp;|lt;|gt;|quot;|apos;)/.test(m[5])) throw new Error(`an unescaped '&' in text at offset ${m.index}`);
      continue;
    }
    const [, close, name, attrText, selfClose] = m as unknown as [string, string, string, string, string];
    if (close) {
      if (open.pop() !== name) throw new Error(`</${name}> closes the wrong element at offset ${m.index}`);
      continue;
    }
    const attrs = Object.fromEntries([...attrText.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1] as string, a[2] as string]));
    tags.push({ name, attrs });
    if (!selfClose) open.push(name);
  }
  if (seen !== svg.length) throw new Error("unparsed characters");
  if (open.length) throw new Error(`unclosed <${open.join(">, <")}>`);
  if (tags[0]?.name !== "svg" || tags[0].attrs.xmlns !== "http://www.w3.org/2000/svg") throw new Error("the root is not an <svg> in the SVG namespace");
  return tags;
}

const seriesIn = (svg: string) => new Set(wellFormed(svg).filter((t) => t.name === "polyline" && t.attrs.class === "series").map((t) => t.attrs["data-series"]));

describe("lab gradient-flow --quick", () => {
  it("writes the two figures, the table and the JSON, with every model and finite numbers", () => {
    const r = run(["gradient-flow", "--quick", "--json", "--out", "flow"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.experiment).toBe("gradient-flow");
    expect(Object.keys(report.models)).toEqual(["rnn", "relu", "irnn", "lstm0", "lstm1", "lstmc", "gru"]);
    for (const m of Object.values(report.models) as { h: number[]; h0ByLength: number[]; c?: number[] }[]) {
      expect(m.h).toHaveLength(report.config.T + 1);
      expect(m.h[report.config.T]).toBeCloseTo(1, 10);
      expect(m.h0ByLength).toHaveLength(report.config.lengths.length);
      for (const v of [...m.h, ...m.h0ByLength, ...(m.c ?? [])]) expect(Number.isFinite(v) && v >= 0).toBe(true);
    }
    expect(report.models.irnn.spectralRadius).toBeCloseTo(1, 6);
    expect(report.models.lstm1.meanGate).toBeGreaterThan(report.models.lstm0.meanGate);
    const names = ["tanh RNN", "ReLU RNN", "IRNN", "LSTM, forget bias 0", "LSTM, forget bias 1", "LSTM, chrono init", "GRU"];
    expect([...seriesIn(readFileSync(join(dir, "flow", "gradient-flow.svg"), "utf8"))].sort()).toEqual([...names].sort());
    expect([...seriesIn(readFileSync(join(dir, "flow", "gradient-vs-length.svg"), "utf8"))].sort()).toEqual([...names].sort());
    const md = readFileSync(join(dir, "flow", "gradient-flow.md"), "utf8");
    expect(md).toMatch(/\| IRNN \| .* \| 1\.000 \| - \|/);
    expect(JSON.parse(readFileSync(join(dir, "flow", "gradient-flow.json"), "utf8")).models.gru.h).toEqual(report.models.gru.h);
    // the same seed gives the same numbers
    const again = JSON.parse(run(["gradient-flow", "--quick", "--json", "--out", "flow2"]).stdout);
    expect(again.models).toEqual(report.models);
  });
});

describe("lab adding --quick", () => {
  it("trains every model at both lengths, beats the baseline with the LSTM at T = 10, and writes table, curves and JSON", () => {
    const r = run(["adding", "--quick", "--json", "--out", "add"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.experiment).toBe("adding");
    expect(report.complete).toBe(true);
    expect(report.baseline_mse).toBeCloseTo(1 / 6, 12);
    expect(report.runs.map((x: { model: string; T: number }) => `${x.model}@${x.T}`).sort()).toEqual(["gru@10", "gru@20", "irnn@10", "irnn@20", "lstm-chrono@10", "lstm-chrono@20", "lstm@10", "lstm@20", "rnn@10", "rnn@20"]);
    for (const x of report.runs) {
      expect(Number.isFinite(x.test_mse)).toBe(true);
      expect(x.ratio_to_baseline).toBeCloseTo(x.test_mse / (1 / 6), 10);
      expect(x.curve.at(-1).step).toBe(report.config.steps);
    }
    const lstm10 = report.runs.find((x: { model: string; T: number }) => x.model === "lstm" && x.T === 10);
    expect(lstm10.test_mse).toBeLessThan(0.9 / 6);
    for (const T of [10, 20]) {
      const svg = readFileSync(join(dir, "add", `adding-T${T}.svg`), "utf8");
      expect([...seriesIn(svg)].sort()).toEqual(["GRU", "IRNN", "LSTM", "LSTM, chrono init", "tanh RNN"]);
      expect(wellFormed(svg).some((t) => t.name === "line" && t.attrs.class === "reference")).toBe(true);
    }
    expect(readFileSync(join(dir, "add", "adding.md"), "utf8")).toMatch(/\| 10 \| LSTM \| 0\.001 \|/);
    // --from redraws the same table and figures from the saved JSON, training nothing
    const redraw = run(["adding", "--from", "add/adding.json", "--out", "redraw"]);
    expect(redraw.status, redraw.stderr).toBe(0);
    expect(readFileSync(join(dir, "redraw", "adding.md"), "utf8")).toBe(readFileSync(join(dir, "add", "adding.md"), "utf8"));
    expect(readFileSync(join(dir, "redraw", "adding-T20.svg"), "utf8")).toBe(readFileSync(join(dir, "add", "adding-T20.svg"), "utf8"));
    const notJson = run(["adding", "--from", "add/adding.md"]);
    expect(notJson.status).toBe(1);
    expect(notJson.stderr).toMatch(/cannot read --from add\/adding.md: not JSON/);
    const wrongKind = run(["adding", "--from", "flow/gradient-flow.json"]);
    expect(wrongKind.stderr).toMatch(/is not the adding.json that 'pnpm lab adding' writes/);
    // one thread or two: the same numbers (each run depends only on its seed)
    const one = JSON.parse(run(["adding", "--quick", "--json", "--models", "lstm,irnn", "--lengths", "10", "--jobs", "1", "--out", "add1"]).stdout);
    for (const x of one.runs) expect(x.test_mse).toBe(report.runs.find((y: { model: string; T: number }) => y.model === x.model && y.T === 10).test_mse);
  });
});

describe("lab adding, stopped early", () => {
  it("has saved every run that finished: adding.json (complete: false), the table and the figures", async () => {
    const out = join(dir, "partial");
    const child = spawn(process.execPath, [main, "adding", "--quick", "--models", "rnn,lstm", "--lengths", "10", "--steps", "400", "--jobs", "1", "--out", "partial"], { cwd: dir, env: { ...process.env, INIT_CWD: dir }, stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    let saved: { complete: boolean; runs: { model: string }[] } | undefined;
    for (let i = 0; i < 1200 && saved === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (existsSync(join(out, "adding.json"))) saved = JSON.parse(readFileSync(join(out, "adding.json"), "utf8"));
    }
    child.kill("SIGINT");
    await exited;
    expect(saved?.complete).toBe(false);
    expect(saved?.runs).toHaveLength(1); // the longer LSTM run goes first, then the RNN: the first file holds one run
    expect(saved?.runs[0]?.model).toBe("lstm");
    expect(readFileSync(join(out, "adding.md"), "utf8")).toMatch(/\| 10 \| LSTM \|/);
    expect(seriesIn(readFileSync(join(out, "adding-T10.svg"), "utf8"))).toEqual(new Set(["LSTM"]));
  });
});

describe("lab bad input", () => {
  it.each([
    [["adding", "--lengths", "1"], /--lengths must be a comma-separated list of integers in \[2, 100000\], got '1'/],
    [["adding", "--models", "lstm,transformer"], /'transformer' is not one of them/],
    [["adding", "--steps", "0"], /--steps must be an integer/],
    [["adding", "--forget-bias", "lots"], /--forget-bias must be a number in \[-20, 20\], got 'lots'/],
    [["gradient-flow", "--lengths", "10,x"], /--lengths must be a comma-separated list/],
    [["gradient-flow", "--bogus"], /unknown option --bogus/],
    [["fly"], /unknown command 'fly'/],
  ])("%j fails with a message that names the problem", (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  it("refuses an --out that is a file, empty, or holds files of its names that it did not write, before training anything", () => {
    const file = join(dir, "not-a-dir");
    writeFileSync(file, "keep me");
    mkdirSync(join(dir, "mine"), { recursive: true });
    writeFileSync(join(dir, "mine", "adding.md"), "my notes");
    writeFileSync(join(dir, "mine", "gradient-flow.svg"), "my drawing");
    for (const experiment of ["adding", "gradient-flow"]) {
      for (const [out, message] of [
        ["not-a-dir", /^lab .*: error: --out 'not-a-dir' is a file, not a folder/],
        ["", /^lab .*: error: --out is empty \(an unset shell variable\?\)/],
        ["/", /^lab .*: error: --out '\/' is the root of the file system/],
        ["mine", new RegExp(`^lab .*: error: --out 'mine' already holds ${experiment === "adding" ? "adding\\.md" : "gradient-flow\\.svg"}, which this program did not write`)],
      ] as const) {
        const r = run([experiment, "--quick", "--out", out]);
        expect(r.status).toBe(2);
        expect(r.stderr.trim()).toMatch(message);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stdout).toBe("");
      }
    }
    expect(readFileSync(file, "utf8")).toBe("keep me");
    expect(readdirSync(join(dir, "mine")).sort()).toEqual(["adding.md", "gradient-flow.svg"]);
    expect(readFileSync(join(dir, "mine", "adding.md"), "utf8")).toBe("my notes");
  });

  it("prints help for the app and each experiment", () => {
    expect(run(["--help"]).stdout).toMatch(/gradient-flow/);
    expect(run(["adding", "--help"]).stdout).toMatch(/Le, Jaitly and Hinton 2015/);
    expect(run(["gradient-flow", "--help"]).stdout).toMatch(/spectral radius/);
  });
});
