// pnpm lab adding: the adding problem for each (model, T), trained in worker threads side by side; a Markdown
// table of test MSE against the constant predictor, training curves as SVG, and (--json) one JSON object.
import { COLORS, xyChart } from "@gated/train";
import { firstUsageError, int, isUsageError, num, numIn, type Parsed, str, type UsageError, userPath, writeFileAtomic } from "@gated/train/node";
import { threadInfo } from "@gated/kernels";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { BASELINE_MSE, MODEL_LABEL, MODELS, type ModelName } from "./adding.js";
import { type AddingRun, type AddingRunConfig, type CurvePoint, DEFAULT_LR } from "./adding-train.js";
import { intList, nameList, outDir, type Report, sci, setup } from "./report.js";

export const ADDING_HELP = `usage: pnpm lab adding [options]
The adding problem (Hochreiter and Schmidhuber 1997; Le, Jaitly and Hinton 2015): inputs are (value, marker)
pairs, values uniform on [0, 1], the marker 1 at one step of each half of the sequence; the target at the last
step is the sum of the two marked values. Predicting the constant 1 scores MSE 1/6 = 0.167: a model beats that only
by carrying values across the sequence. Trains each model for each length with Adam on fresh batches, gradient
clipping, and reports MSE on a held-out set of sequences.
  --models LIST   rnn (tanh, PyTorch init), irnn (ReLU, W_hh = I, zero biases), lstm (forget bias 1),
                  lstm-chrono (chrono init for T steps: Tallec and Ollivier 2018), gru (PyTorch init)
                  (default: all five)
  --lengths LIST  sequence lengths T (50,100,200)
  --hidden N (100)   --batch N (32)   --steps N (5000)   --clip X (1)   --forget-bias X (LSTM; 1)
  --lr X          Adam's learning rate for every model (default per model: 1e-4 IRNN, 1e-3 the others)
  --eval-every N  test MSE every N steps (250)   --test-size N (1000)
  --jobs N        runs trained at once (default: the number of CPUs); they share --threads, at least one each
  --seed N (1)    --out DIR   where adding.md, adding.json and adding-T<T>.svg go (lab-results)
  --quick         a small, fast form (T 10,20, hidden 16, 150 steps)
  --json          print one JSON object with every number (progress goes to stderr)
  --from FILE     train nothing: redraw adding.md and the figures from a saved adding.json into --out`;

interface AddingOptions {
  models: ModelName[];
  lengths: number[];
  hidden: number;
  batch: number;
  steps: number;
  clip: number;
  forgetBias: number;
  lr: number | undefined;
  evalEvery: number;
  testSize: number;
  jobs: number;
  seed: number;
}

function options(p: Parsed): AddingOptions | UsageError {
  const quick = p.flags.has("quick");
  const lr = p.flags.has("lr") ? num(p, "lr", 0, 0, 1) : undefined;
  const o = {
    models: nameList(p, "models", MODELS, MODELS),
    lengths: intList(p, "lengths", quick ? [10, 20] : [50, 100, 200], 2, 100_000),
    hidden: int(p, "hidden", quick ? 16 : 100, 1, 4096),
    batch: int(p, "batch", quick ? 16 : 32, 1, 4096),
    steps: int(p, "steps", quick ? 150 : 5000, 1, 10_000_000),
    clip: num(p, "clip", 1, 0, 1e9),
    forgetBias: numIn(p, "forget-bias", 1, -20, 20),
    lr,
    evalEvery: int(p, "eval-every", quick ? 50 : 250, 1),
    testSize: int(p, "test-size", quick ? 200 : 1000, 1, 1_000_000),
    jobs: int(p, "jobs", availableParallelism(), 1, 256),
    seed: int(p, "seed", 1, 0),
  };
  return firstUsageError(o) ?? (o as AddingOptions);
}

/**
 * Runs the configs on `jobs` worker threads, longest first, each run's kernels on its share of the kernel threads
 * (--threads, or every core, divided among the runs, at least one); results in the order of `configs`.
 */
async function runAll(configs: readonly AddingRunConfig[], jobs: number, say: (line: string) => void, onDone: (done: readonly (AddingRun | undefined)[]) => void): Promise<AddingRun[]> {
  const cost = (c: AddingRunConfig) => c.T * c.steps * (c.model === "rnn" || c.model === "irnn" ? 1 : 4);
  const order = configs.map((_, i) => i).sort((a, b) => cost(configs[b] as AddingRunConfig) - cost(configs[a] as AddingRunConfig));
  const results = new Array<AddingRun | undefined>(configs.length).fill(undefined);
  const worker = new URL("./adding-worker.js", import.meta.url);
  const threads = Math.max(1, Math.floor(threadInfo().threads / Math.min(jobs, configs.length)));
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < order.length) {
      const i = order[next++] as number;
      const c = configs[i] as AddingRunConfig;
      const tag = `${MODEL_LABEL[c.model]} T=${c.T}`;
      results[i] = await new Promise<AddingRun>((resolve, reject) => {
        const w = new Worker(worker, { workerData: { config: c, threads } });
        w.on("message", (m: { type: "point"; point: CurvePoint } | { type: "done"; run: AddingRun }) => {
          if (m.type === "point") say(`  ${tag.padEnd(16)} step ${String(m.point.step).padStart(6)}/${c.steps}  train ${sci(m.point.train)}  test ${sci(m.point.test)}  (${m.point.seconds.toFixed(0)} s)`);
          else resolve(m.run);
        });
        w.on("error", reject);
        w.on("exit", (code) => code !== 0 && reject(new Error(`the worker training ${tag} stopped with code ${code}`)));
      });
      onDone(results);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, configs.length) }, lane));
  return results as AddingRun[];
}

/** The test set's own constant-predictor MSE is the run's first reference; 1/6 is its expectation. */
function markdown(o: AddingOptions, runs: readonly AddingRun[]): string {
  const lines = [
    `# The adding problem (hidden ${o.hidden}, batch ${o.batch}, ${o.steps} steps of Adam, clip ${o.clip}, LSTM forget bias ${o.forgetBias}, ${o.testSize} test sequences, seed ${o.seed})`,
    "",
    `Baseline: predicting the constant 1 scores MSE 1/6 = ${BASELINE_MSE.toFixed(4)}.`,
    "",
    "| T | model | lr | test MSE | best test MSE | MSE / baseline | first step below baseline / 10 | steps | seconds |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ...runs.map((r) => {
      const c = r.config;
      const steps = r.diverged !== undefined ? `${r.diverged - 1} (diverged)` : String(c.steps);
      const tenth = r.curve.find((p) => p.test < BASELINE_MSE / 10)?.step;
      return `| ${c.T} | ${MODEL_LABEL[c.model]} | ${c.lr} | ${sci(r.testMse)} | ${sci(r.bestTestMse)} | ${sci(r.testMse / BASELINE_MSE)} | ${tenth ?? "never"} | ${steps} | ${r.seconds.toFixed(0)} |`;
    }),
    "",
  ];
  return lines.join("\n");
}

function figure(T: number, runs: readonly AddingRun[]): string {
  return xyChart(
    [
      {
        title: `adding problem, T = ${T}: test MSE`,
        xLabel: "training step",
        yLabel: "test MSE (log scale)",
        logY: true,
        reference: [{ y: BASELINE_MSE, label: "constant predictor (1/6)" }],
        // the tanh RNN dashed: it lies on the baseline, often under another model that failed
        series: runs.map((r) => ({ name: MODEL_LABEL[r.config.model], x: r.curve.map((p) => p.step), y: r.curve.map((p) => p.test), color: COLORS[MODELS.indexOf(r.config.model)] as string, dashed: r.config.model === "rnn" })),
      },
    ],
    { width: 660, height: 360, legend: 150 },
  );
}

/** The runs of a saved adding.json, to redraw its table and figures (`--from FILE`); a message when it is not one. */
function readReport(file: string, shown: string): { o: AddingOptions; runs: AddingRun[] } | string {
  let r: { experiment?: unknown; config?: AddingOptions; runs?: unknown };
  try {
    r = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    return `cannot read --from ${shown}: ${e instanceof SyntaxError ? `not JSON (${e.message})` : (e as Error).message}`;
  }
  if (r.experiment !== "adding" || r.config === undefined || !Array.isArray(r.runs)) return `--from ${shown} is not the adding.json that 'pnpm lab adding' writes (experiment, config and runs are missing)`;
  const o: AddingOptions = { ...r.config, lr: r.config.lr ?? undefined };
  const runs = (r.runs as Record<string, unknown>[]).map((x): AddingRun | undefined => {
    const model = x.model as ModelName;
    if (!MODELS.includes(model) || typeof x.T !== "number" || typeof x.test_mse !== "number" || !Array.isArray(x.curve)) return undefined;
    const config: AddingRunConfig = { model, T: x.T, hidden: o.hidden, batch: o.batch, steps: o.steps, lr: x.lr as number, clip: o.clip, forgetBias: o.forgetBias, evalEvery: o.evalEvery, testSize: o.testSize, seed: o.seed };
    return { config, curve: x.curve as CurvePoint[], testMse: x.test_mse, bestTestMse: x.best_test_mse as number, seconds: x.seconds as number, ...(typeof x.diverged_at === "number" ? { diverged: x.diverged_at } : {}) };
  });
  if (runs.some((x) => x === undefined)) return `--from ${shown}: a run lacks its model, T, test_mse or curve`;
  return { o, runs: runs as AddingRun[] };
}

function writeTableAndFigures(out: string, o: AddingOptions, runs: readonly AddingRun[]): string {
  for (const T of o.lengths) writeFileAtomic(join(out, `adding-T${T}.svg`), figure(T, runs.filter((r) => r.config.T === T)));
  const table = markdown(o, runs);
  writeFileAtomic(join(out, "adding.md"), table);
  return table;
}

/** The files an adding run writes for these lengths. */
const addingFiles = (lengths: readonly number[]) => ["adding.md", "adding.json", ...lengths.map((T) => `adding-T${T}.svg`)];

export async function addingCommand(p: Parsed, log: (line: string) => void): Promise<number | string | UsageError> {
  const from = str(p, "from");
  if (from !== undefined) {
    const saved = readReport(userPath(from), from);
    if (typeof saved === "string") return saved;
    const target = outDir(p, "adding", addingFiles(saved.o.lengths));
    if (isUsageError(target)) return target;
    const out = target.dir;
    log(writeTableAndFigures(out, saved.o, saved.runs));
    log(`redrew adding.md and ${saved.o.lengths.map((T) => `adding-T${T}.svg`).join(", ")} in ${out} from ${from}`);
    return 0;
  }
  const run = setup(p, log, options, "adding", (o) => addingFiles(o.lengths));
  if (isUsageError(run)) return run;
  const { o, out, json, say } = run;
  const configs: AddingRunConfig[] = o.lengths.flatMap((T) =>
    o.models.map((model) => ({ model, T, hidden: o.hidden, batch: o.batch, steps: o.steps, lr: o.lr ?? DEFAULT_LR[model], clip: o.clip, forgetBias: o.forgetBias, evalEvery: o.evalEvery, testSize: o.testSize, seed: o.seed })),
  );
  say(`adding problem: ${o.models.map((m) => MODEL_LABEL[m]).join(", ")} at T = ${o.lengths.join(", ")}; ${configs.length} runs on ${Math.min(o.jobs, configs.length)} threads`);
  const t0 = performance.now();
  const reportOf = (runs: readonly AddingRun[], complete: boolean): Report => ({
    experiment: "adding",
    config: { ...o, lr: o.lr ?? null },
    seconds: (performance.now() - t0) / 1000,
    complete,
    baseline_mse: BASELINE_MSE,
    runs: runs.map((r) => ({
      model: r.config.model,
      T: r.config.T,
      lr: r.config.lr,
      test_mse: r.testMse,
      best_test_mse: r.bestTestMse,
      ratio_to_baseline: r.testMse / BASELINE_MSE,
      seconds: r.seconds,
      diverged_at: r.diverged ?? null,
      curve: r.curve,
    })),
  });
  const save = (runs: readonly AddingRun[], complete: boolean): Report => {
    const report = reportOf(runs, complete);
    writeTableAndFigures(out, { ...o, lengths: o.lengths.filter((T) => runs.some((r) => r.config.T === T)) }, runs);
    writeFileAtomic(join(out, "adding.json"), `${JSON.stringify(report, null, 1)}\n`);
    return report;
  };
  // each finished run is saved at once (complete: false until the last), so stopping early keeps what is done
  const runs = await runAll(configs, o.jobs, say, (done) => save(done.filter((r): r is AddingRun => r !== undefined), false));
  const report = save(runs, true);
  const seconds = report.seconds;
  const table = markdown(o, runs);
  if (json) log(JSON.stringify(report));
  else {
    log(table);
    log(`wrote adding.md, adding.json, ${o.lengths.map((T) => `adding-T${T}.svg`).join(", ")} to ${out} (${seconds.toFixed(0)} s)`);
  }
  return 0;
}
