// The playground's generate view in Chromium: training while it draws beside the n-grams, models and samples
// exchanged with the CLI both ways (byte-identical weights for the same options), ONNX export, bad input.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { bitsPerCharacter, trainKneserNey, } from "@gated/counting";
import { splitCorpus, } from "@gated/data";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { here, itLoadsNothingFromOutside, longTasksSince, open, ortGreedy, saveModel, shots, useSite } from "./harness.js";

useSite();

describe("the generate view", () => {
  const work = mkdtempSync(join(tmpdir(), "gated-playground-gen-"));
  const cli = join(here, "..", "..", "generate", "dist", "main.js");
  const sampleCli = (dir: string, seed: number) => spawnSync(process.execPath, [cli, "sample", "--model", dir, "--prime", "天将", "--length", "40", "--seed", String(seed)], { encoding: "utf8" });
  const LECTURE = "天将降大任于是人也，必先苦其心志，劳其筋骨，饿其体肤，空乏其身，行拂乱其所为，所以动心忍性，曾益其所不能。";

  it("trains while it draws: the loss falls, test BPC and samples appear beside @gated/counting's n-grams; the saved model samples the CLI's text", async () => {
    const { page, errors } = await open("#generate");
    await page.selectOption("#gen-corpus", "lecture");
    for (const [id, v] of [["#gen-hidden", "32"], ["#gen-steps", "80"], ["#gen-eval", "40"], ["#gen-prime", "天将"], ["#gen-length", "40"], ["#gen-sample-seed", "5"]] as const) await page.fill(id, v);
    const since = await page.evaluate(() => performance.now());
    await page.click("#gen-train");
    await page.waitForSelector("#gen-train-form[data-done]", { timeout: 120_000 });
    const ngram = JSON.parse((await page.getAttribute("#gen-chart", "data-ngram")) ?? "[]") as { order: number; bpc: number }[];
    const split = splitCorpus("x", LECTURE.repeat(40));
    if (E.isLeft(split)) throw new Error(split.left.message);
    for (const g of ngram) expect(Math.abs(g.bpc - bitsPerCharacter(trainKneserNey(split.right.train, g.order), split.right.test))).toBeLessThan(1e-12);
    expect(ngram.map((g) => g.order)).toEqual([1, 2, 3, 4, 5]);
    const testBpc = Number(await page.getAttribute("#gen-chart", "data-test-bpc"));
    expect(testBpc).toBeLessThan((ngram[0] as { bpc: number }).bpc); // better than counting single characters
    expect(await page.getAttribute("#gen-output", "data-step")).toBe("80");
    expect(Array.from((await page.textContent("#gen-output")) ?? "").length).toBe(2 + 40);
    expect(await page.locator("#gen-chart svg polyline").count()).toBeGreaterThanOrEqual(2);
    // The chart's text alternative says what it shows.
    expect(await page.getAttribute("#gen-chart", "aria-label")).toMatch(new RegExp(`^Bits per character against training step: at step 80, \\d\\.\\d{3} on the training batch; test ${testBpc.toFixed(3)} at step 80; the best Kneser-Ney model \\([2-5]-gram\\) \\d\\.\\d{3}$`));
    expect((await longTasksSince(page, since)).filter((t) => t.duration > 100)).toEqual([]);
    // Sample in the page, save the model, and sample from the saved folder with the CLI: the same text.
    await page.click("#gen-sample");
    await page.waitForSelector("#gen-output[data-sampled]");
    const pageText = (await page.textContent("#gen-output")) ?? "";
    const saved = join(work, "page-model");
    await saveModel(page, saved);
    const r = sampleCli(saved, 5);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trimEnd()).toBe(pageText);
    // The sampling controls mean what the CLI's flags mean.
    for (const [controls, flags] of [
      [{ "#gen-temperature": "0.5", "#gen-topk": "3", "#gen-topp": "0.9", "#gen-sample-seed": "2" }, ["--temperature", "0.5", "--top-k", "3", "--top-p", "0.9", "--seed", "2"]],
      [{ "#gen-temperature": "0" }, ["--temperature", "0"]],
      [{ "#gen-beam": "3" }, ["--beam", "3"]],
    ] as const) {
      for (const [id, v] of Object.entries(controls)) await page.fill(id, v);
      const before = await page.getAttribute("#gen-output", "data-sampled");
      await page.click("#gen-sample");
      await page.waitForFunction((b) => document.getElementById("gen-output")?.dataset.sampled !== b, before);
      const cliText = spawnSync(process.execPath, [cli, "sample", "--model", saved, "--prime", "天将", "--length", "40", ...flags], { encoding: "utf8" }).stdout.trimEnd();
      expect(await page.textContent("#gen-output"), flags.join(" ")).toBe(cliText);
    }
    // Export ONNX: ONNX Runtime in Node, fed the prime and then its own most likely character, writes the page's
    // greedy text.
    await page.fill("#gen-temperature", "0");
    await page.fill("#gen-beam", "0");
    const beforeGreedy = await page.getAttribute("#gen-output", "data-sampled");
    await page.click("#gen-sample");
    await page.waitForFunction((b) => document.getElementById("gen-output")?.dataset.sampled !== b, beforeGreedy);
    const greedy = (await page.textContent("#gen-output")) ?? "";
    const exported = page.waitForEvent("download");
    await page.click("#gen-onnx");
    const file = await exported;
    expect(file.suggestedFilename()).toBe("charlm.onnx");
    await file.saveAs(join(work, "page.onnx"));
    await expect.poll(() => page.textContent("#gen-sample-status")).toMatch(/^Saved charlm\.onnx \(\d+ KiB\), for ONNX Runtime or any ONNX engine: inputs tokens, h0, c0; outputs logits, hn, cn; the characters are in its metadata \(gated\.vocab\)\.$/);
    expect(await ortGreedy(readFileSync(join(work, "page.onnx")), "天将", 40)).toBe(greedy);
    await page.screenshot({ path: join(shots, "generate-lecture.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("learns Moby-Dick's opening: test BPC below the unigram model's after 60 steps, English samples", async () => {
    const { page, errors } = await open("#generate");
    for (const [id, v] of [["#gen-hidden", "64"], ["#gen-steps", "60"], ["#gen-eval", "30"], ["#gen-prime", "Call me "], ["#gen-length", "120"]] as const) await page.fill(id, v);
    await page.click("#gen-train");
    await page.waitForSelector("#gen-train-form[data-done]", { timeout: 180_000 });
    const ngram = JSON.parse((await page.getAttribute("#gen-chart", "data-ngram")) ?? "[]") as { order: number; bpc: number }[];
    expect(Number(await page.getAttribute("#gen-chart", "data-test-bpc"))).toBeLessThan((ngram[0] as { bpc: number }).bpc);
    expect((await page.textContent("#gen-output"))?.startsWith("Call me ")).toBe(true);
    // Served cross-origin isolated, the page's worker trains on every core (the kernels' threads).
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(Number(await page.getAttribute("#gen-chart", "data-threads"))).toBe(Math.min(availableParallelism(), 64));
    await page.screenshot({ path: join(shots, "generate.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says what is wrong with an empty text, a binary file and a file that is not UTF-8", async () => {
    const { page, errors } = await open("#generate");
    await page.selectOption("#gen-corpus", "own");
    await page.click("#gen-train");
    await expect(page.textContent("#gen-status")).resolves.toBe("Your text is empty: paste a text above, or choose a UTF-8 file.");
    writeFileSync(join(work, "photo.png"), Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe));
    await page.setInputFiles("#gen-file", join(work, "photo.png"));
    await expect.poll(() => page.textContent("#gen-status")).toBe("photo.png:1: is not valid UTF-8 text (convert it to UTF-8).");
    writeFileSync(join(work, "nul.txt"), "some text\u0000more");
    await page.setInputFiles("#gen-file", join(work, "nul.txt"));
    await expect.poll(() => page.textContent("#gen-status")).toBe("nul.txt contains NUL bytes: it looks like a binary file, not text. Choose a UTF-8 text file.");
    writeFileSync(join(work, "short.txt"), "abc");
    await page.setInputFiles("#gen-file", join(work, "short.txt"));
    await expect.poll(() => page.textContent("#gen-status")).toBe("Read short.txt: 3 characters.");
    // A file dropped on the view is read the same way.
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(["Call me Ishmael. Some years ago, never mind how long precisely."], "dropped.txt", { type: "text/plain" }));
      document.getElementById("gen-text")?.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.textContent("#gen-status")).toBe("Read dropped.txt: 63 characters.");
    expect(await page.inputValue("#gen-text")).toBe("Call me Ishmael. Some years ago, never mind how long precisely.");
    writeFileSync(join(work, "tiny.txt"), "abc");
    await page.setInputFiles("#gen-file", join(work, "tiny.txt"));
    await expect.poll(() => page.textContent("#gen-status")).toBe("Read tiny.txt: 3 characters.");
    await page.click("#gen-train");
    await expect.poll(() => page.textContent("#gen-status")).toBe("Training failed: playground: your text: holds only 3 characters, too short to split: a language model needs at least 20 (the first 90% to train on, the rest to test)");
    // Batches the text cannot fill, and a model too big for a browser tab: refused before any counting or training.
    const text = LECTURE.repeat(30);
    await page.fill("#gen-text", text);
    await page.click("#gen-more summary");
    await page.fill("#gen-batch", "256");
    await page.click("#gen-train");
    const split = splitCorpus("x", text);
    if (E.isLeft(split)) throw new Error(split.left.message);
    await expect.poll(() => page.textContent("#gen-status")).toBe(`Training failed: the training text (${Array.from(split.right.train).length} characters) is too short for one batch of 256 x 65: use a smaller batch or window (under More options), or a longer text`);
    await page.selectOption("#gen-corpus", "moby");
    for (const [id, v] of [["#gen-hidden", "512"], ["#gen-layers", "4"], ["#gen-embed", "512"], ["#gen-batch", "64"], ["#gen-seq", "1024"]] as const) await page.fill(id, v);
    await page.click("#gen-train");
    await expect.poll(() => page.textContent("#gen-status")).toMatch(/^Training failed: this model would need about \d+(\.\d)? GiB to train \(activations \d+(\.\d)? GiB\), more than the 1(\.0)? GiB this page allows itself: use fewer hidden units or layers, or a smaller batch or window$/);
    expect(await page.getAttribute("#gen-chart", "data-ngram")).toBeNull(); // refused before counting
    await page.fill("#gen-lr", "0");
    await page.click("#gen-train");
    await expect.poll(() => page.textContent("#gen-status")).toBe("Learning rate must be from 0.00001 to 1, got 0.");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("trains, on the same text with the same options and seed, the weights pnpm generate train writes, byte for byte", async () => {
    const text = LECTURE.repeat(30);
    writeFileSync(join(work, "same.txt"), text);
    // Every option of the form away from its default, so that each one is shown to reach the trainer.
    const t = spawnSync(process.execPath, [cli, "train", "--data", join(work, "same.txt"), "--cell", "gru", "--hidden", "16", "--embed", "12", "--layers", "2", "--batch", "8", "--seq", "24", "--lr", "0.01", "--clip", "0.05", "--steps", "30", "--eval-every", "30", "--seed", "4", "--quiet", "--out", join(work, "same-cli")], { encoding: "utf8" });
    expect(t.status, t.stderr).toBe(0);
    const { page, errors } = await open("#generate");
    await page.selectOption("#gen-corpus", "own");
    await page.fill("#gen-text", text);
    await page.selectOption("#gen-cell", "gru");
    await page.click("#gen-more summary");
    for (const [id, v] of [["#gen-hidden", "16"], ["#gen-steps", "30"], ["#gen-eval", "30"], ["#gen-seed", "4"], ["#gen-embed", "12"], ["#gen-layers", "2"], ["#gen-batch", "8"], ["#gen-seq", "24"], ["#gen-lr", "0.01"], ["#gen-clip", "0.05"]] as const) await page.fill(id, v);
    await page.click("#gen-train");
    await page.waitForSelector("#gen-train-form[data-done]", { timeout: 120_000 });
    await saveModel(page, join(work, "same-page"));
    expect(readFileSync(join(work, "same-page", "weights.safetensors")).equals(readFileSync(join(work, "same-cli", "weights.safetensors")))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("samples from a folder the CLI trained the text the CLI samples", async () => {
    writeFileSync(join(work, "poem.txt"), LECTURE.repeat(40));
    const t = spawnSync(process.execPath, [cli, "train", "--data", join(work, "poem.txt"), "--hidden", "16", "--embed", "8", "--batch", "4", "--seq", "16", "--steps", "30", "--eval-every", "0", "--quiet", "--out", join(work, "cli-model")], { encoding: "utf8" });
    expect(t.status, t.stderr).toBe(0);
    const { page, errors } = await open("#generate");
    for (const [id, v] of [["#gen-prime", "天将"], ["#gen-length", "40"], ["#gen-sample-seed", "9"]] as const) await page.fill(id, v);
    await page.setInputFiles("#gen-files", [join(work, "cli-model", "config.json"), join(work, "cli-model", "weights.safetensors")]);
    await page.waitForSelector("#gen-output[data-sampled]");
    expect((await page.textContent("#gen-output")) ?? "").toBe(sampleCli(join(work, "cli-model"), 9).stdout.trimEnd());
    expect(errors).toEqual([]);
    await page.close();
  });
});

itLoadsNothingFromOutside();
