// The built package in a real browser: Vite bundles test/browser/main.ts (no plugin), headless Chromium
// (Debian's, installed by scripts/ensure-chromium.sh) runs it, and the page must compute correct results
// without requesting any .wasm file.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { afterAll, describe, expect, it } from "vitest";
import { RecurrentStepper } from "../src/index.js";
import { stepperSpec } from "./browser/spec.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "browser");
const CHROMIUM = "/usr/bin/chromium";
const outDir = mkdtempSync(join(tmpdir(), "gated-kernels-browser-"));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("in a browser bundle", () => {
  // Skipped under `pnpm mutate`: the bundle runs in Chromium, where Stryker cannot see which mutant is active.
  it.skipIf(process.env.GATED_MUTATION)("instantiates synchronously with no fetch and matches the JS twins (relaxed SIMD in Chromium)", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/ensure-chromium.sh' from the repository root`).toBe(true);
    await build({ root, logLevel: "silent", build: { outDir, emptyOutDir: true } });
    const server = await preview({ root, logLevel: "silent", build: { outDir }, preview: { host: "127.0.0.1", port: 0 } });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("request", (r) => requests.push(r.url()));
      const url = server.resolvedUrls?.local[0];
      expect(url).toBeDefined();
      await page.goto(url as string);
      await page.waitForSelector('#out[data-done="1"]', { timeout: 30_000 });
      const report = JSON.parse((await page.textContent("#out")) ?? "{}") as { backend: string; results: Record<string, number>; stepper: number[] };
      expect(errors).toEqual([]);
      expect(requests.filter((r) => /\.wasm(\?|$)/.test(r))).toEqual([]);
      expect(report.backend).toBe("wasm-relaxed-simd");
      expect(Object.keys(report.results).sort()).toEqual(
        ["wasm-relaxed-simd:lstmForward", "wasm-relaxed-simd:sgemm", "wasm-relaxed-simd:tanh", "wasm-simd:lstmForward", "wasm-simd:sgemm", "wasm-simd:tanh"],
      );
      for (const [name, diff] of Object.entries(report.results)) expect(diff, name).toBeLessThan(1e-5);
      // The stepper in the page gives Node's logits.
      const here = new RecurrentStepper(stepperSpec());
      here.step([1]);
      here.step([4]);
      const want = Array.from(here.logits());
      expect(report.stepper).toHaveLength(6);
      for (const [i, v] of report.stepper.entries()) expect(Math.abs(v - (want[i] as number)), `logit ${i}`).toBeLessThan(1e-5);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
    }
  });
});
