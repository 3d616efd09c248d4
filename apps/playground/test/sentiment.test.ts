// The playground's sentiment view in Chromium: a CLI model's probabilities as the library computes them, beside
// naive Bayes; training in a worker with pause and resume; refusals of the wrong model folder.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { predictNaiveBayes, trainNaiveBayes } from "@gated/counting";
import { splitEveryFifth } from "@gated/data";
import { loadSentimentExamples } from "@gated/datasets";
import { charlmFiles, initLm, } from "@gated/models";
import { nbFeatures, parseSentimentModel, predictor, prefixProbabilities } from "@gated/models/sentiment";
import { random } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { here, itLoadsNothingFromOutside, longTasksSince, open, shots, useSite } from "./harness.js";

useSite();

describe("the sentiment view", () => {
  const work = mkdtempSync(join(tmpdir(), "gated-playground-"));
  const sentence = "The food was great but the service was painfully slow.";

  it("reads a model folder the CLI trained and shows the library's probabilities, word by word, beside naive Bayes", async () => {
    const cli = join(here, "..", "..", "sentiment", "dist", "main.js");
    const t = spawnSync(process.execPath, [cli, "train", "--hidden", "8", "--embed", "8", "--epochs", "1", "--quiet", "--out", join(work, "cli-model")], { encoding: "utf8" });
    expect(t.status, t.stderr).toBe(0);
    const { page, errors } = await open("#sentiment");
    await page.fill("#sent-text", sentence);
    await page.setInputFiles("#sent-files", [join(work, "cli-model", "config.json"), join(work, "cli-model", "weights.safetensors")]);
    await page.waitForSelector("#sent-form[data-done]", { timeout: 60_000 });
    const shown = await page.$$eval("#sent-classes tbody tr", (trs) => trs.map((tr) => ({ who: (tr as HTMLElement).dataset.model, p: [...tr.querySelectorAll("[data-class]")].map((s) => [(s as HTMLElement).dataset.class, Number((s as HTMLElement).dataset.value)]) })));
    // The same model in Node, through the library.
    const parsed = parseSentimentModel(readFileSync(join(work, "cli-model", "config.json"), "utf8"), readFileSync(join(work, "cli-model", "weights.safetensors")));
    if (E.isLeft(parsed)) throw new Error(parsed.left);
    const { model, params } = parsed.right;
    const want = prefixProbabilities(predictor(params, model.config, model.vocab, model.maxLen, model.nb), sentence, model.maxLen);
    const net = shown.find((r) => r.who === "recurrent network");
    expect(net?.p.map(([c]) => c)).toEqual(model.classes);
    const last = want.probabilities.at(-1) as number[];
    for (const [i, [, v]] of (net?.p ?? []).entries()) expect(Math.abs((v as number) - (last[i] as number))).toBeLessThan(1e-5);
    expect(await page.locator("#sent-words tbody tr").count()).toBe(want.words.length);
    const examples = loadSentimentExamples();
    if (E.isLeft(examples)) throw new Error(examples.left.message);
    const nb = trainNaiveBayes(splitEveryFifth(examples.right).train.map((e) => ({ features: nbFeatures(e.text), label: e.label })));
    const verdict = predictNaiveBayes(nb, nbFeatures(sentence));
    const nbShown = shown.find((r) => r.who === "naive Bayes");
    for (const [i, [c, v]] of (nbShown?.p ?? []).entries()) {
      expect(c).toBe(nb.classes[i]);
      expect(Math.abs((v as number) - (verdict.probabilities[i] as number))).toBeLessThan(1e-12);
    }
    await page.screenshot({ path: join(shots, "sentiment.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("refuses a model folder from the other app, and half a folder, in plain words", async () => {
    const files = charlmFiles({ config: { cell: "lstm", embed: 2, hidden: 2, layers: 1 }, vocab: ["a", "b"], data: "x", training: { seed: 1, steps: 1, done: 1, batching: "contiguous", schedule: "cosine", batch: 1, seq: 2, lr: 0.1, clip: 1, cursor: 0, seconds: 0, history: [] } }, initLm(random.key(1), { cell: "lstm", embed: 2, hidden: 2, layers: 1 }, 2));
    mkdirSync(join(work, "charlm"), { recursive: true });
    writeFileSync(join(work, "charlm", "config.json"), files["config.json"]);
    writeFileSync(join(work, "charlm", "weights.safetensors"), files["weights.safetensors"]);
    const { page, errors } = await open("#sentiment");
    await page.setInputFiles("#sent-files", [join(work, "charlm", "config.json")]);
    await expect(page.textContent("#sent-train-status")).resolves.toBe("Choose both files of the model folder: config.json and weights.safetensors.");
    await page.setInputFiles("#sent-files", [join(work, "charlm", "config.json"), join(work, "charlm", "weights.safetensors")]);
    await page.waitForFunction(() => document.getElementById("sent-status")?.classList.contains("error"));
    await expect(page.textContent("#sent-status")).resolves.toBe("This model cannot be used: 'config.json' describes a 'gated-char-lm', not a sentence classifier ('gated-sentiment-model'): it belongs to another app");
    expect(await page.isDisabled("#sent-classify")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("trains in a worker with progress, pauses and resumes, and then classifies, with no long task on the page", async () => {
    const { page, errors } = await open("#sentiment");
    await page.fill("#sent-hidden", "0");
    await page.click("#sent-train");
    await expect(page.textContent("#sent-train-status")).resolves.toBe("Hidden units must be from 1 to 512, got 0.");
    for (const [id, v] of [["#sent-hidden", "8"], ["#sent-embed", "8"], ["#sent-epochs", "2"]] as const) await page.fill(id, v);
    const since = await page.evaluate(() => performance.now());
    await page.click("#sent-train");
    // Paused as soon as the worker reads the message (at its next tick): from then on nothing moves.
    await page.click("#sent-pause");
    await expect(page.textContent("#sent-pause")).resolves.toBe("Resume");
    await page.waitForTimeout(500);
    const frozen = await page.textContent("#sent-train-status");
    const at = await page.$eval("#sent-progress", (p) => (p as HTMLProgressElement).value);
    expect(frozen).toMatch(/\(paused\)$/);
    expect(at).toBeLessThan(0.5);
    await page.waitForTimeout(1000);
    expect(await page.textContent("#sent-train-status")).toBe(frozen);
    expect(await page.$eval("#sent-progress", (p) => (p as HTMLProgressElement).value)).toBe(at);
    await page.click("#sent-pause");
    await page.waitForFunction(() => document.getElementById("sent-train-status")?.dataset.testAccuracy !== undefined, undefined, { timeout: 120_000 });
    const accuracy = Number(await page.getAttribute("#sent-train-status", "data-test-accuracy"));
    expect(accuracy).toBeGreaterThan(0.55);
    expect(accuracy).toBeLessThanOrEqual(1);
    await page.waitForSelector("#sent-form[data-done]");
    expect(await page.locator("#sent-classes tbody tr").count()).toBe(2);
    expect((await longTasksSince(page, since)).filter((t) => t.duration > 100)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

itLoadsNothingFromOutside();
