// The playground's gradient-flow view in Chromium: the numbers of measureFlow in Node, a text alternative for its
// chart, no long task, and plain words for bad numbers.
import { join } from "node:path";
import { FLOW_MODELS, type FlowModel, measureFlow } from "@gated/models";
import { describe, expect, it } from "vitest";
import { itLoadsNothingFromOutside, longTasksSince, open, shots, useSite } from "./harness.js";

useSite();

describe("the gradient-flow view", () => {
  it("computes in a worker the numbers @gated/models gives in Node, without a long task on the page", async () => {
    const { page, errors } = await open("#flow");
    await page.fill("#flow-T", "40");
    await page.fill("#flow-seeds", "1");
    await page.fill("#flow-batch", "4");
    await page.fill("#flow-hidden", "16");
    await page.fill("#flow-seed", "3");
    await page.fill("#flow-forget", "2");
    const since = await page.evaluate(() => performance.now());
    await page.click("#flow-run");
    await page.waitForSelector("#flow-form[data-done]", { timeout: 120_000 });
    const rows = await page.$$eval("#flow-table tbody tr", (trs) => trs.map((tr) => ({ model: (tr as HTMLElement).dataset.model as string, h0: Number((tr.querySelector('[data-key="h0"]') as HTMLElement).dataset.value), c0: Number((tr.querySelector('[data-key="c0"]') as HTMLElement | null)?.dataset.value ?? Number.NaN), factor: Number((tr.querySelector('[data-key="factor"]') as HTMLElement).dataset.value) })));
    expect(rows.map((r) => r.model)).toEqual(["rnn", "irnn", "lstm1", "lstmc", "gru"]);
    for (const r of rows) {
      const want = measureFlow({ T: 40, lengths: [], hidden: 16, input: 32, batch: 4, seeds: 1, seed: 3, forgetBias: 2 }, r.model as FlowModel);
      expect(Math.abs(r.h0 - (want.h[0] as number)) / (want.h[0] as number), r.model).toBeLessThan(1e-9);
      if (want.c) expect(Math.abs(r.c0 - (want.c[0] as number)) / (want.c[0] as number), r.model).toBeLessThan(1e-9);
      else expect(r.c0).toBeNaN();
      expect(Math.abs(r.factor - want.perStep) / want.perStep, r.model).toBeLessThan(1e-9);
    }
    // The lecture's ordering: the plain RNN forgets fastest; gates and the identity keep more.
    const byModel = Object.fromEntries(rows.map((r) => [r.model, r.h0]));
    for (const m of ["lstm1", "lstmc", "irnn", "gru"]) expect(byModel.rnn, m).toBeLessThan(byModel[m] as number);
    // The forget bias chosen is the one used: bias 2 keeps more of the gradient than the preset's bias 1.
    expect(byModel.lstm1).toBeGreaterThan(measureFlow({ T: 40, lengths: [], hidden: 16, input: 32, batch: 4, seeds: 1, seed: 3 }, "lstm1").h[0] as number);
    expect(await page.textContent('#flow-table tr[data-model="lstm1"] td')).toBe("LSTM, forget bias 2");
    expect(await page.locator("#flow-chart svg polyline").count()).toBeGreaterThanOrEqual(5);
    const alt = (await page.getAttribute("#flow-chart", "aria-label")) ?? "";
    expect(alt.startsWith("Gradient norm ‖dL_T/dh_t‖ against step t, log scale, T = 40: tanh RNN is ")).toBe(true);
    expect(alt).toContain(`; LSTM, forget bias 2 is `);
    expect(alt).toContain(`and ${(byModel.rnn as number).toPrecision(3)} at t = 0;`);
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

itLoadsNothingFromOutside();
