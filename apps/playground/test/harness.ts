// The browser harness of the playground's tests: the built site served from 127.0.0.1 and Debian's Chromium driven
// by playwright-core; pages that record console errors and long tasks; helpers to save downloads and to run an
// exported model in ONNX Runtime. Each test file calls useSite() once (its own server and browser).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { onnxMetadata } from "@gated/onnx";
import * as ort from "onnxruntime-node";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { serve } from "../scripts/serve.mjs";

export const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
export const shots = join(here, "..", "test-results", "screenshots");
const CHROMIUM = "/usr/bin/chromium";
let site: { url: string; close: () => Promise<void> };
let browser: Browser;
/** Every URL any page asked for. */
const requested: string[] = [];

/** Serves the site and starts Chromium for the calling test file (call it once, at the top of the file). */
export function useSite(): void {
  beforeAll(async () => {
    expect(existsSync(join(dist, "index.html")), "build the playground first (pnpm turbo run build)").toBe(true);
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/ensure-chromium.sh' from the repository root`).toBe(true);
    mkdirSync(shots, { recursive: true });
    site = await serve(dist);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
}

/** The last test of a file: its pages asked for nothing outside the site (the playground works offline). */
export function itLoadsNothingFromOutside(): void {
  it("loads nothing from outside the site (works offline)", () => {
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((u) => !u.startsWith(site.url) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  });
}

/** A page that records console errors, uncaught errors and long tasks (PerformanceObserver) from its start. */
export async function open(path: string, viewport = { width: 1100, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("request", (r) => requested.push(r.url()));
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: { start: number; duration: number }[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(new URL(path, site.url).href);
  return { page, errors };
}

/** Clicks "Save the model" and saves the two downloads (config.json, weights.safetensors) into `dir`. */
export async function saveModel(page: Page, dir: string): Promise<void> {
  const downloads: import("playwright-core").Download[] = [];
  page.on("download", (d) => downloads.push(d));
  await page.click("#gen-save");
  await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
  expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(["config.json", "weights.safetensors"]);
  mkdirSync(dir, { recursive: true });
  for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename()));
}

/** Greedy text from a character model in ONNX Runtime (Node): the prime fed one character at a time, then always the most likely next one. */
export async function ortGreedy(bytes: Uint8Array, prime: string, length: number): Promise<string> {
  const vocab = JSON.parse(onnxMetadata(bytes)["gated.vocab"] as string) as string[];
  const { hidden, layers } = JSON.parse(onnxMetadata(bytes)["gated.config"] as string) as { hidden: number; layers: number };
  const session = await ort.InferenceSession.create(bytes);
  const zeros = () => new ort.Tensor("float32", new Float32Array(layers * hidden), [layers, 1, hidden]);
  let state: Record<string, ort.Tensor> = Object.fromEntries(session.inputNames.filter((n) => n !== "tokens").map((n) => [n, zeros()]));
  let text = prime;
  let logits: Float32Array = new Float32Array(0);
  const feed = async (id: number) => {
    const out = await session.run({ tokens: new ort.Tensor("int64", BigInt64Array.of(BigInt(id)), [1, 1]), ...state });
    state = Object.fromEntries(Object.keys(state).map((n) => [n, out[n === "h0" ? "hn" : "cn"] as ort.Tensor]));
    logits = out.logits?.data as Float32Array;
  };
  for (const c of Array.from(prime)) await feed(vocab.indexOf(c));
  for (let i = 0; i < length; i++) {
    const next = logits.indexOf(Math.max(...logits));
    text += vocab[next];
    await feed(next);
  }
  return text;
}

export const longTasksSince = (page: Page, since: number) => page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t), since);