// The bench command line is a contract that scripts depend on: suite names, --json FILE and the record fields.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const main = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");

describe("pnpm bench", () => {
  it("gemm --json FILE writes one record per shape and implementation, with the documented fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    const out = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", main, "gemm", "--seconds", "0.02", "--shapes", "8x5x3,1x7x9", "--json", file], {
      encoding: "utf8",
      env: { ...process.env, INIT_CWD: dir },
    });
    expect(out).toMatch(/8x5x3/);
    expect(out).toMatch(/tfjs-wasm/);
    const records = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
    const impls = ["gated-wasm", "gated-wasm-relaxed", "js-naive", "tfjs-wasm"];
    expect(records).toHaveLength(2 * impls.length);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(["gflops", "impl", "shape", "suite"]);
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

  it("lstm --json FILE writes lstm-train and lstm-generate records for gated and tfjs-wasm (here --hidden 32,48)", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-bench-"));
    const file = join(dir, "out.json");
    execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", main, "lstm", "--seconds", "0.01", "--hidden", "32,48", "--json", file], { encoding: "utf8" });
    const records = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>[];
    expect(records.map((r) => `${r.suite}/${r.hidden}/${r.impl}`).sort()).toEqual(
      ["lstm-generate/48/gated", "lstm-generate/48/tfjs-wasm", "lstm-train/32/gated", "lstm-train/32/tfjs-wasm", "lstm-train/48/gated", "lstm-train/48/tfjs-wasm"],
    );
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(["hidden", "impl", "suite", "tokens_per_s"]);
      expect(typeof r.tokens_per_s === "number" && r.tokens_per_s > 0).toBe(true);
    }
  });

  it("rejects an unknown suite or flag with the usage and exit code 2", () => {
    const r = spawnSync(process.execPath, [main, "nosuch"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown argument 'nosuch'/);
    expect(r.stderr).toMatch(/usage: pnpm bench/);
    const bad = spawnSync(process.execPath, [main, "gemm", "--shapes", "8x0x3"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--shapes needs/);
  });
});
