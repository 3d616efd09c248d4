// The generate view: train a character model on a text in a worker while its curves and samples update; sample with
// temperature, top-k and top-p; save the model as the CLI saves it, or load one the CLI trained.
import { decodeUtf8 } from "@gated/data";
import type { LmConfig } from "@gated/models";
import { startTraining, type TrainingRun, xyChart } from "@gated/train";
import type { GenerateProgress, GenerateRequest, GenerateResult, ModelFiles, SampleOptions } from "./generate-worker.js";
import { $, fmt, intField, modelFilesOf, numField, RunControls, say } from "./ui.js";

const newWorker = () => new Worker(new URL("./generate-worker.ts", import.meta.url), { type: "module" });


/** Offers bytes or text to the browser as a file to save. */
function download(name: string, data: string | Uint8Array): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart]));
  Object.assign(document.createElement("a"), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function generateView(): void {
  const trainForm = $("gen-train-form") as HTMLFormElement;
  const status = $("gen-status");
  const trainButton = $("gen-train") as HTMLButtonElement;
  const pauseButton = $("gen-pause") as HTMLButtonElement;
  const stopButton = $("gen-stop") as HTMLButtonElement;
  const sampleForm = $("gen-sample-form") as HTMLFormElement;
  const sampleStatus = $("gen-sample-status");
  const sampleButton = $("gen-sample") as HTMLButtonElement;
  const saveButton = $("gen-save") as HTMLButtonElement;
  const onnxButton = $("gen-onnx") as HTMLButtonElement;
  const output = $("gen-output");
  let trainer: Worker | undefined;
  let sampler: Worker | undefined;
  let model: ModelFiles | undefined;
  let ownText = "";
  const controls = new RunControls(trainButton, pauseButton, stopButton, status);
  const useModel = (m: ModelFiles) => {
    model = m;
    sampleButton.disabled = false;
    saveButton.disabled = false;
    onnxButton.disabled = false;
  };
  const sampleOptions = (): SampleOptions | string => {
    const f = { length: intField("gen-length", "Characters", 1, 5000), temperature: numField("gen-temperature", "Temperature", 0, 10), topK: intField("gen-topk", "Top-k", 0, 100_000), topP: numField("gen-topp", "Top-p", 0, 1), seed: intField("gen-sample-seed", "Sampling seed", 0, 1_000_000), beam: intField("gen-beam", "Beam width", 0, 16) };
    const bad = Object.values(f).find((v) => typeof v === "string");
    if (bad !== undefined) return bad as string;
    const v = f as Record<keyof typeof f, number>;
    return { prime: ($("gen-prime") as HTMLInputElement).value, length: v.length, temperature: v.temperature, topK: v.topK === 0 ? 1_000_000 : v.topK, topP: v.topP, seed: v.seed, beam: v.beam };
  };

  /** A text file chosen or dropped: read as UTF-8, refused with a reason if it is not text. */
  const readTextFile = async (file: File) => {
    const text = decodeUtf8(new Uint8Array(await file.arrayBuffer()), file.name);
    if (text._tag === "Left") return say(status, `${text.left.message}.`, true);
    if (text.right.includes("\u0000")) return say(status, `${file.name} contains NUL bytes: it looks like a binary file, not text. Choose a UTF-8 text file.`, true);
    if (text.right.trim() === "") return say(status, `${file.name} is empty: choose a file with text in it.`, true);
    ownText = text.right;
    ($("gen-text") as HTMLTextAreaElement).value = ownText.slice(0, 100_000);
    ($("gen-corpus") as HTMLSelectElement).value = "own";
    say(status, `Read ${file.name}: ${Array.from(ownText).length} characters.`);
  };
  ($("gen-file") as HTMLInputElement).addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void readTextFile(file);
  });
  // A file dropped anywhere on the view is read as the text to train on.
  const view = $("view-generate");
  view.addEventListener("dragover", (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
  });
  view.addEventListener("drop", (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files[0];
    if (file) void readTextFile(file);
  });

  trainForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = {
      hidden: intField("gen-hidden", "Hidden units", 1, 512),
      steps: intField("gen-steps", "Steps", 1, 100_000),
      evalEvery: intField("gen-eval", "Test every", 1, 100_000),
      seed: intField("gen-seed", "Seed", 0, 1_000_000),
      embed: intField("gen-embed", "Embedding size", 1, 512),
      layers: intField("gen-layers", "Layers", 1, 4),
      batch: intField("gen-batch", "Batch", 1, 256),
      seq: intField("gen-seq", "Window", 1, 1024),
      lr: numField("gen-lr", "Learning rate", 1e-5, 1),
      clip: numField("gen-clip", "Clip", 0.01, 1000),
    };
    const s = sampleOptions();
    const bad = Object.values(f).find((v) => typeof v === "string") ?? (typeof s === "string" ? s : undefined);
    if (bad !== undefined) return say(status, bad as string, true);
    const v = f as Record<keyof typeof f, number>;
    const corpus = ($("gen-corpus") as HTMLSelectElement).value as "moby" | "lecture" | "own";
    const text = corpus === "own" ? ($("gen-text") as HTMLTextAreaElement).value || ownText : "";
    if (corpus === "own" && text.trim() === "") return say(status, "Your text is empty: paste a text above, or choose a UTF-8 file.", true);
    const config: LmConfig = { cell: ($("gen-cell") as HTMLSelectElement).value as LmConfig["cell"], embed: v.embed, hidden: v.hidden, layers: v.layers };
    const request: GenerateRequest = { kind: "train", corpus, text, training: { config, seed: v.seed, steps: v.steps, batch: v.batch, seq: v.seq, lr: v.lr, clip: v.clip }, evalEvery: v.evalEvery, sample: s as SampleOptions };
    trainer?.terminate();
    trainer = newWorker();
    say(status, "Counting the n-gram baselines…");
    const points: { step: number; train: number; test?: number }[] = [];
    let ngram: readonly { order: number; bpc: number }[] = [];
    let lastDraw = 0;
    let threads = "";
    const draw = () => {
      $("gen-chart").innerHTML = xyChart(
        [
          {
            title: "bits per character",
            xLabel: "step",
            series: [
              { name: "train", x: points.map((p) => p.step), y: points.map((p) => p.train) },
              { name: "test", x: points.filter((p) => p.test !== undefined).map((p) => p.step), y: points.filter((p) => p.test !== undefined).map((p) => p.test as number) },
            ],
            reference: ngram.filter((g) => g.order >= 2).map((g) => ({ y: g.bpc, label: `${g.order}-gram` })),
          },
        ],
        { width: 640, height: 320, legend: 90 },
      );
      const last = points[points.length - 1];
      const tested = points.filter((p) => p.test !== undefined).at(-1);
      const best = ngram.filter((g) => g.order >= 2).reduce((a, g) => (g.bpc < a.bpc ? g : a), { order: 0, bpc: Infinity });
      $("gen-chart").setAttribute(
        "aria-label",
        `Bits per character against training step${last ? `: at step ${last.step}, ${fmt(last.train, 3)} on the training batch` : ""}${tested ? `; test ${fmt(tested.test as number, 3)} at step ${tested.step}` : ""}${best.order > 0 ? `; the best Kneser-Ney model (${best.order}-gram) ${fmt(best.bpc, 3)}` : ""}`,
      );
    };
    const run: TrainingRun<GenerateResult> = startTraining<GenerateRequest, GenerateProgress, ModelFiles, GenerateResult>(trainer, request, {
      onProgress: (p) => {
        if (p.kind === "data") {
          ngram = p.ngram;
          $("gen-chart").dataset.ngram = JSON.stringify(p.ngram);
          say(status, `${p.trainChars} training and ${p.testChars} test characters, ${p.vocab} distinct; best Kneser-Ney: ${fmt(Math.min(...p.ngram.map((g) => g.bpc)), 3)} bits per character. Training on ${p.threads === 1 ? `one thread${p.whyOne ? ` (${p.whyOne})` : ""}` : `${p.threads} threads`}.`);
          $("gen-chart").dataset.threads = String(p.threads);
          threads = p.threads === 1 ? "one thread" : `${p.threads} threads`;
          return;
        }
        if (p.kind === "step") {
          points.push({ step: p.step, train: p.trainBpc });
          say(status, controls.mark(`Step ${p.step} of ${v.steps}: ${fmt(p.trainBpc, 3)} bits per character on the batch, ${fmt(p.charsPerSecond, 0)} characters per second on ${threads}`));
        } else {
          const last = points[points.length - 1];
          if (last) last.test = p.testBpc;
          output.textContent = p.sample;
          output.dataset.step = String(p.step);
          $("gen-chart").dataset.testBpc = String(p.testBpc);
        }
        if (performance.now() - lastDraw > 250 || p.kind === "eval") {
          draw();
          lastDraw = performance.now();
        }
      },
      onCheckpoint: (m) => useModel(m),
    });
    controls.started(run);
    try {
      const { status: how, result } = await run.done;
      draw();
      if (result.kind === "trained") {
        useModel(result.files);
        say(status, `${how === "aborted" ? "Stopped" : "Trained"} at step ${result.steps}: sample from it below, or save it.`);
        trainForm.dataset.done = String(Date.now());
      }
    } catch (e) {
      say(status, `Training failed: ${(e as Error).message}`, true);
    } finally {
      controls.ended();
    }
  });

  sampleForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (model === undefined) return say(sampleStatus, "Train or load a model first.", true);
    const s = sampleOptions();
    if (typeof s === "string") return say(sampleStatus, s, true);
    sampler ??= newWorker();
    say(sampleStatus, "Sampling…");
    try {
      const { result } = await startTraining<GenerateRequest, never, never, GenerateResult>(sampler, { kind: "sample", model, sample: s }).done;
      if (result.kind === "sampled") {
        output.textContent = (s.prime === "" ? "" : s.prime) + result.text;
        output.dataset.sampled = String(Date.now());
        say(sampleStatus, s.beam > 0 ? `${Array.from(result.text).length} characters by beam search of width ${s.beam}.` : `${Array.from(result.text).length} characters sampled (seed ${s.seed}).`);
      }
    } catch (e) {
      say(sampleStatus, `Cannot sample: ${(e as Error).message}`, true);
    }
  });

  saveButton.addEventListener("click", () => {
    if (model === undefined) return;
    download("config.json", model.config);
    download("weights.safetensors", model.weights);
    say(sampleStatus, "Saved config.json and weights.safetensors: put them in one folder to use it with pnpm generate sample --model.");
  });

  onnxButton.addEventListener("click", async () => {
    if (model === undefined) return;
    sampler ??= newWorker();
    try {
      const { result } = await startTraining<GenerateRequest, never, never, GenerateResult>(sampler, { kind: "onnx", model }).done;
      if (result.kind !== "onnx") return;
      download("charlm.onnx", result.bytes);
      say(sampleStatus, `Saved charlm.onnx (${fmt(result.bytes.length / 1024, 0)} KiB), for ONNX Runtime or any ONNX engine: inputs ${result.inputs.join(", ")}; outputs ${result.outputs.join(", ")}; the characters are in its metadata (gated.vocab).`);
    } catch (e) {
      say(sampleStatus, `Cannot export: ${(e as Error).message}`, true);
    }
  });

  ($("gen-files") as HTMLInputElement).addEventListener("change", async (e) => {
    const m = await modelFilesOf(e.target as HTMLInputElement);
    if (typeof m === "string") return say(sampleStatus, m, true);
    useModel({ config: m.config, weights: m.weights });
    say(sampleStatus, `Loaded ${m.names}: sample from it.`);
    sampleForm.requestSubmit();
  });
}
