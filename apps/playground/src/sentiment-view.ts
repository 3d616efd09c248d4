// The sentiment view: train a classifier in a worker (or load one the CLI wrote), then read a sentence word by word.
import { SENTIMENT_DEFAULTS, type SentimentOptions } from "@gated/models/sentiment";
import { COLORS, startTraining, type TrainingRun, xyChart } from "@gated/train";
import type { Classified, ModelFiles, SentimentRequest, Trained, TrainProgress } from "./sentiment-worker.js";
import { $, fmt, intField, modelFilesOf, RunControls, say } from "./ui.js";

const newWorker = () => new Worker(new URL("./sentiment-worker.ts", import.meta.url), { type: "module" });
const pct = (p: number) => `${(100 * p).toFixed(1)} %`;

export function sentimentView(): void {
  const trainForm = $("sent-train-form") as HTMLFormElement;
  const trainStatus = $("sent-train-status");
  const progress = $("sent-progress") as HTMLProgressElement;
  const trainButton = $("sent-train") as HTMLButtonElement;
  const pauseButton = $("sent-pause") as HTMLButtonElement;
  const stopButton = $("sent-stop") as HTMLButtonElement;
  const files = $("sent-files") as HTMLInputElement;
  const form = $("sent-form") as HTMLFormElement;
  const status = $("sent-status");
  const classify = $("sent-classify") as HTMLButtonElement;
  let trainer: Worker | undefined;
  let reader: Worker | undefined;
  let model: ModelFiles | undefined;
  const controls = new RunControls(trainButton, pauseButton, stopButton, trainStatus);
  const useModel = (m: ModelFiles, what: string) => {
    model = m;
    classify.disabled = false;
    say(trainStatus, what);
    form.requestSubmit();
  };

  trainForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = { hidden: intField("sent-hidden", "Hidden units", 1, 512), embed: intField("sent-embed", "Embedding size", 1, 512), epochs: intField("sent-epochs", "Epochs", 1, 50), seed: intField("sent-seed", "Seed", 0, 1_000_000) };
    const bad = Object.values(fields).find((f) => typeof f === "string");
    if (bad !== undefined) return say(trainStatus, bad as string, true);
    const f = fields as Record<keyof typeof fields, number>;
    const options: SentimentOptions = { ...SENTIMENT_DEFAULTS, cell: ($("sent-cell") as HTMLSelectElement).value as SentimentOptions["cell"], hidden: f.hidden, embed: f.embed, epochs: f.epochs, seed: f.seed };
    trainer ??= newWorker();
    progress.value = 0;
    say(trainStatus, "Preparing the data…");
    const started = performance.now();
    const run: TrainingRun<Trained> = startTraining<SentimentRequest, TrainProgress, never, Trained>(trainer, { kind: "train", options }, {
      onProgress: ({ event: e }) => {
        if (e.kind === "batch") {
          progress.value = (e.epoch - 1 + e.batch / e.batches) / e.epochs;
          say(trainStatus, controls.mark(`Epoch ${e.epoch} of at most ${e.epochs}: batch ${e.batch} of ${e.batches}, loss ${fmt(e.meanLoss, 4)} nats (${fmt((performance.now() - started) / 1000, 0)} s)`));
        } else {
          say(trainStatus, `Epoch ${e.record.epoch}: validation accuracy ${pct(e.record.valAccuracy)}, loss ${fmt(e.record.valLoss, 4)} nats`);
          trainStatus.dataset.epochs = String(e.record.epoch);
        }
      },
    });
    controls.started(run);
    try {
      const { result } = await run.done;
      progress.value = 1;
      const how = result.interrupted ? "Stopped" : "Trained";
      useModel(result.files, `${how} in ${fmt(result.seconds, 1)} s: best epoch ${result.bestEpoch}, test accuracy ${pct(result.testAccuracy)} on the 600 test sentences.`);
      trainStatus.dataset.testAccuracy = String(result.testAccuracy);
    } catch (e) {
      say(trainStatus, `Training failed: ${(e as Error).message}`, true);
    } finally {
      controls.ended();
    }
  });

  files.addEventListener("change", async () => {
    const m = await modelFilesOf(files);
    if (typeof m === "string") return say(trainStatus, m, true);
    useModel({ config: m.config, weights: m.weights }, `Loaded ${m.names}.`);
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ($("sent-text") as HTMLInputElement).value;
    if (model === undefined) return say(status, "Train or load a model first.", true);
    if (text.trim() === "") return say(status, "Type a sentence first.", true);
    reader ??= newWorker();
    say(status, "Reading…");
    try {
      const { result } = await startTraining<SentimentRequest, never, never, Classified>(reader, { kind: "classify", model, text }).done;
      show(result);
      say(status, `${result.words.length} token${result.words.length === 1 ? "" : "s"} read (words and punctuation).`);
      form.dataset.done = String(Date.now());
    } catch (e) {
      model = undefined;
      classify.disabled = true;
      say(status, `This model cannot be used: ${(e as Error).message}`, true);
      say(trainStatus, "No model: train one, or load another.", true);
    }
  });
}

function show(r: Classified): void {
  const last = r.probabilities[r.probabilities.length - 1] ?? [];
  const best = (p: readonly number[]) => p.indexOf(Math.max(...p));
  const row = (who: string, classes: readonly string[], p: readonly number[]) => {
    const tr = document.createElement("tr");
    tr.dataset.model = who;
    const cells = [who, classes[best(p)] ?? "?"].map((t) => {
      const td = document.createElement("td");
      td.textContent = t;
      return td;
    });
    const probs = document.createElement("td");
    for (const [i, c] of classes.entries()) {
      const span = document.createElement("span");
      span.dataset.class = c;
      span.dataset.value = String(p[i]);
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.round(60 * (p[i] as number))}px`;
      span.append(bar, `${c} ${pct(p[i] as number)}  `);
      probs.append(span);
    }
    tr.append(...cells, probs);
    return tr;
  };
  const classes = $("sent-classes") as HTMLTableElement;
  (classes.tBodies[0] as HTMLTableSectionElement).replaceChildren(row("recurrent network", r.classes, last), row("naive Bayes", r.naiveBayes.classes, r.naiveBayes.probabilities));
  const x = r.words.map((_, i) => i + 1);
  const series = r.classes.map((c, k) => ({ name: c, x, y: r.probabilities.map((p) => p[k] as number), color: COLORS[k] as string }));
  $("sent-chart").innerHTML = r.words.length > 0 ? xyChart([{ title: "P(class) after each word", xLabel: "words read", series, reference: [{ y: 0.5, label: "0.5" }] }], { width: 560, height: 280, legend: 110 }) : "";
  const words = $("sent-words") as HTMLTableElement;
  const head = document.createElement("tr");
  head.append(...["word", ...r.classes].map((t) => Object.assign(document.createElement("th"), { scope: "col", textContent: t === "word" ? t : `P(${t})` })));
  (words.tHead as HTMLTableSectionElement).replaceChildren(head);
  (words.tBodies[0] as HTMLTableSectionElement).replaceChildren(
    ...r.words.map((w, t) => {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.textContent = w;
      tr.append(td, ...(r.probabilities[t] ?? []).map((p) => Object.assign(document.createElement("td"), { className: "num", textContent: pct(p) })));
      return tr;
    }),
  );
  $("sent-result").hidden = false;
}
