// The playground in a real browser: the built site served from 127.0.0.1, Debian's Chromium driven by
// playwright-core through each view. Any console error fails the test; screenshots of each view are kept in
// test-results/screenshots/ (docs/playground/ holds the ones the README shows).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { bitsPerCharacter, predictNaiveBayes, trainKneserNey, trainNaiveBayes } from "@gated/counting";
import { splitCorpus, splitEveryFifth } from "@gated/data";
import { loadSentimentExamples } from "@gated/datasets";
import { charlmFiles, FLOW_MODELS, type FlowModel, initLm, measureFlow } from "@gated/models";
import { nbFeatures, parseSentimentModel, predictor, prefixProbabilities } from "@gated/models/sentiment";
import { random } from "@gated/nn";
import { onnxMetadata } from "@gated/onnx";
import * as E from "fp-ts/lib/Either.js";
import * as ort from "onnxruntime-node";
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

/** Clicks "Save the model" and saves the two downloads (config.json, weights.safetensors) into `dir`. */
async function saveModel(page: Page, dir: string): Promise<void> {
  const downloads: import("playwright-core").Download[] = [];
  page.on("download", (d) => downloads.push(d));
  await page.click("#gen-save");
  await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
  expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(["config.json", "weights.safetensors"]);
  mkdirSync(dir, { recursive: true });
  for (const d of downloads) await d.saveAs(join(dir, d.suggestedFilename()));
}

/** Greedy text from a character model in ONNX Runtime (Node): the prime fed one character at a time, then always the most likely next one. */
async function ortGreedy(bytes: Uint8Array, prime: string, length: number): Promise<string> {
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

const longTasksSince = (page: Page, since: number) => page.evaluate((t) => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks.filter((e) => e.start >= t), since);

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

  it("loads nothing from outside the site (works offline)", () => {
    expect(requested.length).toBeGreaterThan(3);
    expect(requested.filter((u) => !u.startsWith(site.url) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  });
});
