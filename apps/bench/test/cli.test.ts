// The bench command line is a contract that scripts depend on: suite names, --json FILE and the record fields.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");

describe("pnpm bench", () => {
  it("gemm --json FILE writes one record per shape, implementation and thread count, with the documented fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    const out = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", main, "gemm", "--seconds", "0.02", "--shapes", "8x5x3,1x7x9", "--threads", "1,2", "--json", file], {
      encoding: "utf8",
      env: { ...process.env, INIT_CWD: dir },
    });
    expect(out).toMatch(/8x5x3/);
    expect(out).toMatch(/tfjs-wasm/);
    const records = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
    const impls = ["gated-wasm", "gated-wasm-relaxed", "js-naive", "tfjs-wasm"];
    // gated's two builds at 1 and 2 threads, the references at 1.
    expect(records.map((r) => `${r.shape} ${r.impl} ${r.threads}`).sort()).toEqual(
      ["8x5x3", "1x7x9"].flatMap((s) => [`${s} gated-wasm 1`, `${s} gated-wasm 2`, `${s} gated-wasm-relaxed 1`, `${s} gated-wasm-relaxed 2`, `${s} js-naive 1`, `${s} tfjs-wasm 1`]).sort(),
    );
    expect(out).toMatch(/gated-wasm-relaxed with 2 threads \/ 1 thread: 8x5x3 [\d.]+x, 1x7x9 [\d.]+x/);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(["gflops", "impl", "shape", "suite", "threads"]);
      expect(r.suite).toBe("gemm");
      expect(["8x5x3", "1x7x9"]).toContain(r.shape);
      expect(impls).toContain(r.impl);
      expect(typeof r.gflops === "number" && r.gflops > 0).toBe(true);
    }
  });

  it("autograd --json FILE writes {suite, case, impl, ms} for gated and tfjs-wasm on each case", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", main, "autograd", "--seconds", "0.02", "--json", file], { encoding: "utf8" });
    const records = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
    expect(records).toHaveLength(4);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(["case", "impl", "ms", "suite"]);
      expect(r.suite).toBe("autograd");
      expect(["gated", "tfjs-wasm"]).toContain(r.impl);
      expect(typeof r.ms === "number" && r.ms > 0).toBe(true);
    }
    expect(new Set(records.map((r) => r.case)).size).toBe(2);
  });

  it("lstm --json FILE writes lstm-train, gru-train and lstm-generate records for gated (at each --threads) and tfjs-wasm (here --hidden 32,48 --torch none)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    const out = execFileSync(process.execPath, [main, "lstm", "--seconds", "0.01", "--hidden", "32,48", "--torch", "none", "--threads", "1,2", "--json", file], { encoding: "utf8" });
    expect(out).toMatch(/PyTorch skipped \(--torch none\)/);
    expect(out).toMatch(/gated 1t +gated 2t +tfjs-wasm/);
    const records = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
    const cases = ["lstm-train/32", "lstm-train/48", "gru-train/32", "gru-train/48", "lstm-generate/48"];
    expect(records.map((r) => `${r.suite}/${r.hidden}/${r.impl}/${r.threads}`).sort()).toEqual(cases.flatMap((c) => [`${c}/gated/1`, `${c}/gated/2`, `${c}/tfjs-wasm/1`]).sort());
    for (const r of records) {
      const trainGated = r.impl === "gated" && r.suite !== "lstm-generate";
      expect(Object.keys(r).sort()).toEqual(["hidden", "impl", "suite", "threads", "tokens_per_s", ...(trainGated ? ["effective_gflops"] : [])].sort());
      expect(typeof r.tokens_per_s === "number" && r.tokens_per_s > 0).toBe(true);
      if (trainGated) expect(typeof r.effective_gflops === "number" && r.effective_gflops > 0).toBe(true);
    }
  });

  it("lstm runs PyTorch beside them when an interpreter with torch is found, and says so in one line when not", () => {
    const python = ["python3", "/usr/bin/python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    // A made-up interpreter: skipped with a note, and the suite still writes gated's and tfjs's records.
    const missing = execFileSync(process.execPath, [main, "lstm", "--seconds", "0.01", "--hidden", "16", "--torch", join(dir, "no-python"), "--json", file], { encoding: "utf8" });
    expect(missing).toMatch(/PyTorch skipped: no .*no-python that imports torch/);
    expect((JSON.parse(readFileSync(file, "utf8")) as unknown[]).length).toBe(6);
    if (python === undefined) return;
    const withTorch = join(dir, "torch.json");
    const out = execFileSync(process.execPath, [main, "lstm", "--seconds", "0.01", "--hidden", "16", "--torch", python, "--threads", "1,2", "--json", withTorch], { encoding: "utf8", timeout: 300_000 });
    expect(out).toMatch(/PyTorch's own sgemm 32x320x1024 on 1 thread\(s\): [\d.]+ GFLOP\/s/);
    expect(out).toMatch(/PyTorch's own sgemm 32x320x1024 on 2 thread\(s\): [\d.]+ GFLOP\/s/);
    const torch = (JSON.parse(readFileSync(withTorch, "utf8")) as Record<string, unknown>[]).filter((r) => r.impl === "torch");
    expect(torch.map((r) => `${r.suite}/${r.hidden}/${r.threads}`).sort()).toEqual(
      ["gru-train/16", "lstm-generate/16", "lstm-train/16"].flatMap((c) => [`${c}/1`, `${c}/2`]).sort(),
    );
    for (const r of torch) {
      expect([1, r.threads]).toContain(r.blas_threads);
      expect(typeof r.tokens_per_s === "number" && r.tokens_per_s > 0).toBe(true);
    }
  });

  it.each([
    [["nosuch"], /^bench: unknown suite 'nosuch' \(suites: gemm, autograd, lstm\)$/],
    [["gemm", "--shapes", "8x0x3"], /^bench: --shapes needs a list like/],
    [["gemm", "--bogus"], /^bench: unknown option --bogus$/],
    [["gemm", "--json"], /^bench: --json needs a value$/],
    [["gemm", "--json", "--quick"], /^bench: --json needs a value \(got the option '--quick'/],
    [["gemm", "--seconds", "-1"], /^bench: --seconds must be a number in \(0, 3600\], got '-1'$/],
    [["gemm", "--quick=yes"], /^bench: --quick is a switch and takes no value$/],
    [["gemm", "--threads", "1,0"], /^bench: --threads needs a list of thread counts from 1 to 64 like 1,2, got '1,0'$/],
    [["lstm", "--threads", "two"], /^bench: --threads needs a list of thread counts from 1 to 64 like 1,2, got 'two'$/],
  ])("%j is a usage error: exit 2, the problem on the first line, then the usage", (args, message) => {
    const r = spawnSync(process.execPath, [main, ...(args as string[])], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(message);
    expect(r.stderr).toMatch(/usage: pnpm bench/);
    expect(r.stdout).toBe("");
  });

  it("-h and --help print the usage (exit 0); --flag=value works", () => {
    for (const h of ["-h", "--help"]) {
      const r = spawnSync(process.execPath, [main, "gemm", h], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^usage: pnpm bench/);
    }
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const r = spawnSync(process.execPath, [main, "gemm", "--seconds=0.01", "--shapes=2x2x2", `--json=${join(dir, "eq.json")}`], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "eq.json"), "utf8"))[0].shape).toBe("2x2x2");
  });

  it("--json never overwrites a file it did not write, and refuses before measuring anything", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    writeFileSync(join(dir, "notes.json"), '{"mine": true}\n');
    writeFileSync(join(dir, "text.txt"), "mine\n");
    for (const f of ["notes.json", "text.txt"]) {
      const r = spawnSync(process.execPath, [main, "gemm", "--seconds", "0.01", "--json", join(dir, f)], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toMatch(new RegExp(`^bench: error: --json '.*${f}' exists and is not a benchmark file this program wrote: it is left alone`));
      expect(r.stdout).toBe("");
    }
    expect(readFileSync(join(dir, "notes.json"), "utf8")).toBe('{"mine": true}\n');
    expect(readFileSync(join(dir, "text.txt"), "utf8")).toBe("mine\n");
    const under = spawnSync(process.execPath, [main, "gemm", "--json", join(dir, "text.txt", "x.json")], { encoding: "utf8" });
    expect(under.status).toBe(2);
    expect(under.stderr).toMatch(/cannot write --json .*: a part of the path is a file, not a folder/);
    // Its own earlier output is replaced.
    const again = (n: string) => spawnSync(process.execPath, [main, "gemm", "--seconds", "0.01", "--shapes", n, "--json", join(dir, "b.json")], { encoding: "utf8" });
    expect(again("2x2x2").status).toBe(0);
    expect(again("3x3x3").status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "b.json"), "utf8"))[0].shape).toBe("3x3x3");
  });
});
