// The built package in a real browser: Vite bundles the pages in test/browser (no plugin), headless Chromium
// (Debian's, installed by scripts/ensure-chromium.sh) runs them. index.html must compute correct results without
// requesting any .wasm file; threads.html runs the kernels in a Web Worker, on two threads when the page is
// cross-origin isolated (served with COOP and COEP) and on one otherwise, with the same bits either way.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RecurrentStepper } from "../src/index.js";
import { stepperSpec } from "./browser/spec.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "browser");
const CHROMIUM = "/usr/bin/chromium";
const outDir = mkdtempSync(join(tmpdir(), "gated-kernels-browser-"));

const ISOLATION = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" };
const skip = Boolean(process.env.GATED_MUTATION);

beforeAll(async () => {
  if (skip) return;
  await build({
    root,
    logLevel: "silent",
    worker: { format: "es" },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: { index: join(root, "index.html"), threads: join(root, "threads.html") } } },
  });
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Serves the built pages (with `headers`), opens `page` in headless Chromium, and returns the JSON it prints in #out. */
async function report(page: string, headers: Record<string, string> = {}): Promise<{ json: Record<string, unknown>; errors: string[]; requests: string[] }> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/ensure-chromium.sh' from the repository root`).toBe(true);
  const server = await preview({ root, logLevel: "silent", build: { outDir }, preview: { host: "127.0.0.1", port: 0, headers } });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    tab.on("request", (r) => requests.push(r.url()));
    const url = server.resolvedUrls?.local[0];
    expect(url).toBeDefined();
    await tab.goto(new URL(page, url as string).href);
    await tab.waitForSelector('#out[data-done="1"]', { timeout: 60_000 });
    return { json: JSON.parse((await tab.textContent("#out")) ?? "{}") as Record<string, unknown>, errors, requests };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
}

describe("in a browser bundle", () => {
  // Skipped under `pnpm mutate`: the bundle runs in Chromium, where Stryker cannot see which mutant is active.
  it.skipIf(skip)("instantiates synchronously with no fetch and matches the JS twins (relaxed SIMD in Chromium)", async () => {
    const { json, errors, requests } = await report("index.html");
    const out = json as { backend: string; results: Record<string, number>; stepper: number[] };
    expect(errors).toEqual([]);
    expect(requests.filter((r) => /\.wasm(\?|$)/.test(r))).toEqual([]);
    expect(out.backend).toBe("wasm-relaxed-simd");
    expect(Object.keys(out.results).sort()).toEqual(
      ["wasm-relaxed-simd:lstmForward", "wasm-relaxed-simd:sgemm", "wasm-relaxed-simd:tanh", "wasm-simd:lstmForward", "wasm-simd:sgemm", "wasm-simd:tanh"],
    );
    for (const [name, diff] of Object.entries(out.results)) expect(diff, name).toBeLessThan(1e-5);
    // The stepper in the page gives Node's logits.
    const here = new RecurrentStepper(stepperSpec());
    here.step([1]);
    here.step([4]);
    const want = Array.from(here.logits());
    expect(out.stepper).toHaveLength(6);
    for (const [i, v] of out.stepper.entries()) expect(Math.abs(v - (want[i] as number)), `logit ${i}`).toBeLessThan(1e-5);
  });

  interface ThreadsReport {
    isolated: boolean;
    page: { threads: number; reason?: string };
    worker: { asked: number; info: { threads: number; workers: number; workerCalls: number; reason?: string }; identical: boolean; error?: string; staleView: string };
  }

  it.skipIf(skip)("in a worker of a cross-origin isolated page: two threads, bit-identical to one; the page's main thread stays on one", async () => {
    const { json, errors } = await report("threads.html", ISOLATION);
    const out = json as unknown as ThreadsReport;
    expect(errors).toEqual([]);
    expect(out.worker.error).toBeUndefined();
    expect(out.isolated).toBe(true);
    expect(out.worker.asked).toBe(2);
    expect(out.worker.info).toMatchObject({ threads: 2, workers: 1 });
    expect(out.worker.info.workerCalls).toBeGreaterThan(0);
    expect(out.worker.identical).toBe(true);
    expect(out.page.threads).toBe(1);
    expect(out.page.reason).toMatch(/main thread cannot wait/);
    // Shared memory: a view taken before growth stays valid, and the kernel reads it.
    expect(out.worker.staleView).toBe("accepted");
  });

  it.skipIf(skip)("in a worker of a page that is not isolated: one thread, the reason given, the same bits", async () => {
    const { json, errors } = await report("threads.html");
    const out = json as unknown as ThreadsReport;
    expect(errors).toEqual([]);
    expect(out.worker.error).toBeUndefined();
    expect(out.isolated).toBe(false);
    expect(out.worker.asked).toBe(1);
    expect(out.worker.info).toMatchObject({ threads: 1, workers: 0, workerCalls: 0 });
    expect(out.worker.info.reason).toMatch(/cross-origin isolated/);
    expect(out.worker.identical).toBe(true);
    expect(out.worker.staleView).toMatch(/before memory grew/);
  });
});
