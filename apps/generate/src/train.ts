// pnpm generate train: a character language model trained with truncated BPTT on contiguous streams (state
// carried between windows, its gradient stopped) or on random windows from a zero state; Adam with warm-up and
// cosine decay, clipping, test BPC every N steps, atomic checkpoints, resume, and Ctrl-C saving cleanly.
import { DEFAULT_MAX_BYTES, loadCorpus } from "@gated/data/node";
import { mobyDickCorpus } from "@gated/datasets";
import { DEFAULT_MEMORY_LIMIT, memoryRefusal, trainingMemory, xyChart } from "@gated/train";
import { choice, firstUsageError, int, isUsageError, lockOutDir, num, onInterrupt, type OutLock, type Parsed, printable, progress, size, str, type UsageError, usageError, userPath } from "@gated/train/node";
import * as E from "fp-ts/lib/Either.js";
import { APP, type HistoryPoint, loadCheckpoint, type Loaded, type Meta, saveCheckpoint } from "./checkpoint.js";
import { type Cell, CharlmTrainer, charlmTextProblem, charlmTrainingSize, type LmConfig, streamBpc } from "@gated/models";

export const TRAIN_HELP = `usage: pnpm generate train [options]
Trains embedding -> LSTM | GRU | RNN | IRNN -> linear on the first 90% of a text (default: the bundled Moby-Dick),
reporting test bits per character on the last 10%; writes checkpoints to --out (Ctrl-C saves and exits).
  --data FILE              any UTF-8 text file (default: bundled Moby-Dick)
  --cell lstm|gru|rnn|irnn (default: lstm)     --hidden N (512)   --embed N (64)   --layers N (1)
  --batch N (32)   --seq N (64)   --steps N (4000)   --lr X (0.005, warm-up then cosine decay to a tenth)
  --clip X (5)     --batching contiguous|random-windows (contiguous)   --schedule cosine|constant (cosine)
  --eval-every N   test BPC every N steps (default 500; 0: only at the end)
  --seed N (1)     --out DIR (charlm-model): a new or empty folder, or one holding a model of this app
  --resume         continue the unfinished checkpoint in --out (its settings; a flag that disagrees is an error)
  --force          start over, replacing an unfinished checkpoint in --out (without it, that is refused)
  --stop-after N   save and stop once N steps are done (resume later with --resume)   --quiet
  --data-limit SIZE    refuse a --data file larger than this (default 64M)
  --memory-limit SIZE  refuse a model whose training needs more than this, estimated up front (default 3G)
Ctrl-C (or SIGTERM) saves a checkpoint and exits 130; a second one exits at once (the last checkpoint is kept).`;

interface Options {
  cell: Cell;
  hidden: number;
  embed: number;
  layers: number;
  batch: number;
  seq: number;
  steps: number;
  lr: number;
  clip: number;
  batching: "contiguous" | "random-windows";
  schedule: "cosine" | "constant";
  evalEvery: number;
  seed: number;
}

function options(p: Parsed): Options | UsageError {
  const o = {
    cell: choice<Cell>(p, "cell", ["lstm", "gru", "rnn", "irnn"], "lstm"),
    hidden: int(p, "hidden", 512, 1, 4096),
    embed: int(p, "embed", 64, 1, 4096),
    layers: int(p, "layers", 1, 1, 8),
    batch: int(p, "batch", 32, 1, 4096),
    seq: int(p, "seq", 64, 1, 4096),
    steps: int(p, "steps", 4000, 1, 10_000_000),
    lr: num(p, "lr", 0.005, 0, 1),
    clip: num(p, "clip", 5, 0, 1e9),
    batching: choice(p, "batching", ["contiguous", "random-windows"] as const, "contiguous"),
    schedule: choice(p, "schedule", ["cosine", "constant"] as const, "cosine"),
    evalEvery: int(p, "eval-every", 500, 0),
    seed: int(p, "seed", 1, 0),
  };
  return firstUsageError(o) ?? (o as Options);
}

/** Flags whose value is stored in a checkpoint, with where: --resume takes them from there. */
const STORED: readonly [flag: string, key: keyof Options][] = [
  ["cell", "cell"], ["hidden", "hidden"], ["embed", "embed"], ["layers", "layers"], ["batch", "batch"], ["seq", "seq"], ["steps", "steps"],
  ["lr", "lr"], ["clip", "clip"], ["batching", "batching"], ["schedule", "schedule"], ["seed", "seed"],
];

/** Settings of a resumed run: the checkpoint's; a flag given with another value is an error naming it. */
function resumedOptions(p: Parsed, o: Options, prior: Loaded, shown: string): Options | UsageError {
  const saved: Options = { ...o, ...prior.meta.config, ...prior.meta.training, evalEvery: o.evalEvery } as Options;
  for (const [flag, key] of STORED) {
    if (p.flags.has(flag) && o[key] !== saved[key]) return usageError(`--${flag} ${printable(String(o[key]))} disagrees with the checkpoint in '${printable(shown)}' (${flag} ${saved[key]}): leave it out to resume, or use --force to start over`, false);
  }
  const data = str(p, "data");
  if (data !== undefined && userPath(data) !== prior.meta.data) return usageError(`--data ${printable(data)} disagrees with the checkpoint in '${printable(shown)}' (trained on ${prior.meta.data === "bundled" ? "the bundled Moby-Dick" : printable(prior.meta.data)}): leave it out to resume, or use --force to start over`, false);
  return saved;
}

export async function trainCommand(p: Parsed, log: (line: string) => void): Promise<number | string | UsageError> {
  const o = options(p);
  if (isUsageError(o)) return o;
  const stopAfter = int(p, "stop-after", Number.MAX_SAFE_INTEGER, 1);
  const dataLimit = size(p, "data-limit", DEFAULT_MAX_BYTES);
  const memoryLimit = size(p, "memory-limit", DEFAULT_MEMORY_LIMIT);
  const usage = firstUsageError({ stopAfter, dataLimit, memoryLimit });
  if (usage) return usage;
  if (p.flags.has("resume") && p.flags.has("force")) return usageError("--resume and --force contradict each other: --resume continues the checkpoint, --force starts over");
  // The output folder is checked and locked before anything else is done; the lock is released however this ends.
  const lock = lockOutDir(str(p, "out") ?? "charlm-model", APP);
  if (typeof lock === "string" || isUsageError(lock)) return lock;
  try {
    return await train(p, o, { stopAfter: stopAfter as number, dataLimit: dataLimit as number, memoryLimit: memoryLimit as number }, lock, log);
  } finally {
    lock.release();
  }
}

async function train(p: Parsed, opts: Options, limits: { stopAfter: number; dataLimit: number; memoryLimit: number }, lock: OutLock, log: (line: string) => void): Promise<number | string | UsageError> {
  const { stopAfter } = limits;
  const out = lock.target.shown;
  const holds = lock.target.holds;
  let o = opts;
  let prior: Loaded | undefined;
  if (p.flags.has("resume")) {
    if (holds.kind !== "model") return usageError(`--resume: '${printable(out)}' holds no checkpoint to continue: leave --resume out to start a new run`, false);
    const resumed = loadCheckpoint(lock.target.dir, true);
    if (E.isLeft(resumed)) return `cannot resume: ${resumed.left}`;
    prior = resumed.right;
    if (prior.meta.training.done >= prior.meta.training.steps) return usageError(`--resume: the run in '${printable(out)}' is finished (step ${prior.meta.training.done} of ${prior.meta.training.steps}): nothing to continue; start a new one with another --out, or replace it by leaving --resume out`, false);
    const r = resumedOptions(p, o, prior, out);
    if (isUsageError(r)) return r;
    o = r;
  } else if (holds.kind === "model" && !p.flags.has("force")) {
    const t = (holds.config.training ?? {}) as { done?: unknown; steps?: unknown };
    if (typeof t.done === "number" && typeof t.steps === "number" && t.done < t.steps) {
      return usageError(`'${printable(out)}' holds an unfinished checkpoint (step ${t.done} of ${t.steps}): add --resume to continue it, or --force to start over`, false);
    }
  }
  const dataFile = prior ? (prior.meta.data === "bundled" ? undefined : prior.meta.data) : str(p, "data") === undefined ? undefined : userPath(str(p, "data") as string);
  const corpus = dataFile === undefined ? mobyDickCorpus() : loadCorpus(dataFile, { maxBytes: limits.dataLimit });
  if (E.isLeft(corpus)) return corpus.left.message;
  const { train, test } = corpus.right;
  const vocab = prior ? [...prior.meta.vocab] : [...new Set(train)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const unknown = [...new Set([...train, ...test])].find((c) => !index.has(c));
  if (unknown !== undefined) return prior ? `the checkpoint's vocabulary lacks ${JSON.stringify(unknown)} that the data holds: it was trained on other text` : `the test text (the last 10%) holds ${JSON.stringify(unknown)}, which the training text (the first 90%) never does: use a longer text, or one whose end has no characters of its own`;
  const V = vocab.length;
  const trainIds = Int32Array.from(train, (c) => index.get(c) as number);
  const testIds = Int32Array.from(test, (c) => index.get(c) as number);
  const { batch: B, seq: T } = o;
  const tooShort = charlmTextProblem(trainIds.length, B, T);
  if (tooShort !== undefined) return `${tooShort}: use a smaller --batch or --seq, or more text`;
  const config: LmConfig = { cell: o.cell, embed: o.embed, hidden: o.hidden, layers: o.layers };
  const estimate = trainingMemory(charlmTrainingSize(config, V, B, T));
  const tooBig = memoryRefusal(estimate, limits.memoryLimit, "use a smaller --hidden, --embed, --layers, --batch or --seq");
  if (tooBig) return usageError(tooBig, false);
  const trainer = new CharlmTrainer(trainIds, V, { config, seed: o.seed, steps: o.steps, batch: B, seq: T, lr: o.lr, clip: o.clip, batching: o.batching, schedule: o.schedule }, prior?.opt && prior.state ? { params: prior.params, opt: prior.opt, state: prior.state, cursor: prior.meta.training.cursor, done: prior.meta.training.done } : undefined);
  const history: HistoryPoint[] = [...(prior?.meta.training.history ?? [])];
  let seconds = prior?.meta.training.seconds ?? 0;
  log(`data: ${corpus.right.source}: ${trainIds.length} train and ${testIds.length} test characters, ${V} distinct`);
  log(`model: embedding ${o.embed} -> ${o.cell} ${o.hidden} x ${o.layers} -> linear ${V}; batch ${B} x ${T} (${o.batching}), Adam ${o.lr} (${o.schedule === "constant" ? "constant" : "warm-up, cosine"}), clip ${o.clip}, ${o.steps} steps, seed ${o.seed}${prior ? `; resuming at step ${trainer.done}` : ""}`);
  const interrupt = onInterrupt();
  const stopped = () => interrupt.signal.aborted;
  const meta = (): Meta => ({
    config,
    vocab,
    data: dataFile ?? "bundled",
    training: { seed: o.seed, steps: o.steps, done: trainer.done, batching: o.batching, schedule: o.schedule, batch: B, seq: T, lr: o.lr, clip: o.clip, cursor: trainer.cursor, seconds, history },
  });
  const curves = () =>
    xyChart([
      {
        title: "bits per character",
        xLabel: "step",
        series: [
          { name: "train", x: history.map((h) => h.step), y: history.map((h) => h.trainBpc) },
          { name: "test", x: history.filter((h) => h.testBpc !== undefined).map((h) => h.step), y: history.filter((h) => h.testBpc !== undefined).map((h) => h.testBpc as number) },
        ],
      },
    ]);
  const bar = p.flags.has("quiet") ? undefined : progress({ label: "train", total: o.steps });
  let sinceLog = 0;
  let lossSum = 0;
  /** Training seconds when sinceLog last restarted: the rate shown is over the steps since then. */
  let secondsAtLog = seconds;
  try {
    while (trainer.done < o.steps && trainer.done < stopAfter && !stopped()) {
      const t0 = performance.now();
      const bpc = trainer.step();
      if (!Number.isFinite(bpc)) return `the loss became ${bpc} at step ${trainer.done}: lower --lr`;
      lossSum += bpc;
      sinceLog++;
      const done = trainer.done;
      seconds += (performance.now() - t0) / 1000;
      bar?.update(done, `train bpc ${bpc.toFixed(3)}, ${((B * T * sinceLog) / Math.max(1e-9, seconds - secondsAtLog)).toFixed(0)} chars/s`);
      const evalNow = (o.evalEvery > 0 && done % o.evalEvery === 0) || done === o.steps;
      if (evalNow) {
        const testBpc = await streamBpc(trainer.params, config, testIds, V, trainIds[trainIds.length - 1] as number, interrupt.signal);
        if (testBpc === undefined) break; // interrupted during the evaluation: save without it
        history.push({ step: done, trainBpc: lossSum / sinceLog, testBpc, seconds });
        log(`${bar ? "\n" : ""}step ${done}: train ${(lossSum / sinceLog).toFixed(3)} bpc, test ${testBpc.toFixed(3)} bpc, ${seconds.toFixed(0)}s`);
        lossSum = 0;
        sinceLog = 0;
        secondsAtLog = seconds;
        saveCheckpoint(lock, meta(), trainer.params, trainer.opt, trainer.state, curves());
      }
      // Let a Ctrl-C reach its handler between steps.
      await new Promise((r) => setImmediate(r));
    }
    if (stopped()) log(`${bar ? "\n" : ""}interrupted (${interrupt.received()}) at step ${trainer.done}: saving`);
    if (sinceLog > 0) history.push({ step: trainer.done, trainBpc: lossSum / sinceLog, seconds });
    saveCheckpoint(lock, meta(), trainer.params, trainer.opt, trainer.state, curves());
  } finally {
    interrupt.dispose();
  }
  log(`wrote ${out} at step ${trainer.done} of ${o.steps} (${seconds.toFixed(0)}s of training)`);
  return stopped() ? 130 : 0;
}

