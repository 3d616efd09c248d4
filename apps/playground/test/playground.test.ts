// The playground in a real browser: the built site served from 127.0.0.1, Debian's Chromium driven by
// playwright-core through each view. Any console error fails the test; screenshots of each view are kept in
// test-results/screenshots/ (docs/playground/ holds the ones the README shows).
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FLOW_MODELS, type FlowModel, measureFlow } from "@gated/models";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serve } from "../scripts/serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const shots = join(here, "..", "test-results", "screenshots");
const CHROMIUM = "/usr/bin/chromium";
let site: { url: string; close: () => Promise<void> };
let browser: Browser;
/** Every URL any page asked for. */
const requested: string[] = [];

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

/** A page that records console errors, uncaught errors and long tasks (PerformanceObserver) from its start. */
async function open(path: string, viewport = { width: 1100, height: 900 }): Promise<{ page: Page; errors: string[] }> {
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

const longTasksSince = (page: Page, since: number) => page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t), since);

describe("the gradient-flow view", () => {
  it("computes in a worker the numbers @gated/models gives in Node, without a long task on the page", async () => {
    const { page, errors } = await open("#flow");
    await page.fill("#flow-T", "40");
    await page.fill("#flow-seeds", "1");
    await page.fill("#flow-batch", "4");
    await page.fill("#flow-hidden", "16");
    await page.fill("#flow-seed", "3");
    const since = await page.evaluate(() => performance.now());
    await page.click("#flow-run");
    await page.waitForSelector("#flow-form[data-done]", { timeout: 120_000 });
    const rows = await page.$$eval("#flow-table tbody tr", (trs) => trs.map((tr) => ({ model: (tr as HTMLElement).dataset.model as string, h0: Number((tr.querySelector('[data-key="h0"]') as HTMLElement).dataset.value), factor: Number((tr.querySelector('[data-key="factor"]') as HTMLElement).dataset.value) })));
    expect(rows.map((r) => r.model)).toEqual(["rnn", "irnn", "lstm1", "lstmc", "gru"]);
    for (const r of rows) {
      const want = measureFlow({ T: 40, lengths: [], hidden: 16, input: 32, batch: 4, seeds: 1, seed: 3 }, r.model as FlowModel);
      expect(Math.abs(r.h0 - (want.h[0] as number)) / (want.h[0] as number), r.model).toBeLessThan(1e-9);
      expect(Math.abs(r.factor - want.perStep) / want.perStep, r.model).toBeLessThan(1e-9);
    }
    // The lecture's ordering: the plain RNN forgets fastest, chrono initialisation least.
    const byModel = Object.fromEntries(rows.map((r) => [r.model, r.h0]));
    expect(byModel.rnn).toBeLessThan(byModel.lstm1 as number);
    expect(byModel.lstm1).toBeLessThan(byModel.lstmc as number);
    expect(await page.locator("#flow-chart svg polyline").count()).toBeGreaterThanOrEqual(5);
    expect((await longTasksSince(page, since)).filter((t) => t.duration > 100)).toEqual([]);
    await page.screenshot({ path: join(shots, "flow.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says what is wrong with a bad number, and computes nothing", async () => {
    const { page, errors } = await open("#flow");
    await page.fill("#flow-T", "5000");
    await page.click("#flow-run");
    await expect(page.textContent("#flow-status")).resolves.toBe("Sequence length T must be from 2 to 1000, got 5000.");
    await page.fill("#flow-T", "2.5");
    await page.keyboard.press("Enter");
    await expect(page.textContent("#flow-status")).resolves.toBe('Sequence length T must be a whole number, got "2.5".');
    for (const m of FLOW_MODELS) await page.uncheck(`input[value="${m}"]`);
    await page.fill("#flow-T", "20");
    await page.click("#flow-run");
    await expect(page.textContent("#flow-status")).resolves.toBe("Choose at least one cell.");
    expect(await page.locator("#flow-table").isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("the page as a whole", () => {
  it("is usable at phone width (no sideways scrolling) and every control has a label", async () => {
    const { page, errors } = await open("#flow", { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const unlabelled = await page.$$eval("input, select, textarea", (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.outerHTML));
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: join(shots, "flow-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("loads nothing from outside the site (works offline)", () => {
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((u) => !u.startsWith(site.url) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  });
});
