import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { kernels, wasmRelaxedSimd } from "../src/index.js";

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "index.js");
const probe = `import(${JSON.stringify(dist)}).then(m => console.log(m.kernels.backend, String(m.wasmRelaxedSimd === undefined)))`;

describe("backend selection", () => {
  it("uses relaxed SIMD where the engine validates it (here: Node with the V8 flag set by the test setup)", () => {
    expect(wasmRelaxedSimd).toBeDefined();
    expect(kernels.backend).toBe("wasm-relaxed-simd");
  });

  // Runs the built package in a child process, which no mutant of `pnpm mutate` reaches (and its sandbox has no dist).
  it.skipIf(process.env.GATED_MUTATION)("falls back to plain SIMD in a Node without the relaxed-SIMD flag (built package)", () => {
    const out = execFileSync(process.execPath, ["-e", probe], { encoding: "utf8" }).trim();
    expect(out).toBe("wasm-simd true");
    const flagged = execFileSync(process.execPath, ["--experimental-wasm-relaxed-simd", "-e", probe], { encoding: "utf8" }).trim();
    expect(flagged).toBe("wasm-relaxed-simd false");
  });
});
