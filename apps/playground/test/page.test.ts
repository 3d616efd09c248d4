// The playground as a whole in Chromium: keyboard use, phone width and a label on every control.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { itLoadsNothingFromOutside, open, shots, useSite } from "./harness.js";

useSite();

describe("the page as a whole", () => {
  it("works from the keyboard: the tabs are links, Enter in a field starts the work", async () => {
    const { page, errors } = await open("");
    await page.focus("#tab-flow");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => location.hash)).toBe("#flow");
    expect(await page.isVisible("#view-flow")).toBe(true);
    expect(await page.isHidden("#view-generate")).toBe(true);
    await page.fill("#flow-T", "10");
    await page.fill("#flow-seeds", "1");
    await page.focus("#flow-T");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#flow-form[data-done]", { timeout: 60_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each(["generate", "sentiment", "flow"])("is usable at phone width (no sideways scrolling) and every control has a label: %s", async (view) => {
    const { page, errors } = await open(`#${view}`, { width: 390, height: 844 });
    expect(await page.isVisible(`#view-${view}`)).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const unlabelled = await page.$$eval("input, select, textarea", (els) => els.filter((e) => !(e as HTMLInputElement).labels?.length).map((e) => e.outerHTML));
    expect(unlabelled).toEqual([]);
    if (view === "flow") {
      // With its results (a chart and a five-column table) too.
      await page.fill("#flow-T", "10");
      await page.fill("#flow-seeds", "1");
      await page.click("#flow-run");
      await page.waitForSelector("#flow-form[data-done]", { timeout: 60_000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: join(shots, `${view}-phone.png`), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});

itLoadsNothingFromOutside();
