// pnpm generate train: a character language model trained with truncated BPTT on contiguous streams (state
// carried between windows, its gradient stopped) or on random windows from a zero state; Adam with warm-up and
// cosine decay, clipping, test BPC every N steps, atomic checkpoints, resume, and Ctrl-C saving cleanly.
import { valueAndGrad } from "@gated/autograd";
import { loadCorpus } from "@gated/data";
import { type AdamState, adam, clipByGlobalNorm, constant, cosineWithWarmup, random } from "@gated/nn";
import { choice, int, num, type Parsed, progress, str, userPath, xyChart } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { type HistoryPoint, loadCheckpoint, type Meta, saveCheckpoint } from "./checkpoint.js";
import { type Cell, initLm, type LmConfig, type LmParams, type LmState, lossAndState, zeroState } from "./model.js";
import { streamBpc } from "./stream.js";

export const TRAIN_HELP = `usage: pnpm generate train [options]
Trains embedding -> LSTM | GRU | RNN | IRNN -> linear on the first 90% of a text (default: the bundled Moby-Dick),
reporting test bits per character on the last 10%; writes checkpoints to --out (Ctrl-C saves and exits).
  --data FILE              any UTF-8 text file (default: bundled Moby-Dick)
  --cell lstm|gru|rnn|irnn (default: lstm)     --hidden N (256)   --embed N (64)   --layers N (1)
  --batch N (32)   --seq N (64)   --steps N (4000)   --lr X (0.005, warm-up then cosine decay to a tenth)
  --clip X (5)     --batching contiguous|random-windows (contiguous)   --schedule cosine|constant (cosine)
  --eval-every N   test BPC every N steps (default 500; 0: only at the end)
  --seed N (1)     --out DIR (charlm-model)   --resume (continue the checkpoint in --out, same settings)
  --stop-after N   save and stop once N steps are done (resume later with --resume)   --quiet`;

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

function options(p: Parsed): Options | string {
  const o = {
    cell: choice<Cell>(p, "cell", ["lstm", "gru", "rnn", "irnn"], "lstm"),
    hidden: int(p, "hidden", 256, 1, 4096),
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
  for (const v of Object.values(o)) if (typeof v === "string" && v.startsWith("--")) return v;
  return o as Options;
}

export async function trainCommand(p: Parsed, log: (line: string) => void): Promise<number | string> {
  const out = userPath(str(p, "out") ?? "charlm-model");
  let o = options(p);
  if (typeof o === "string") return o;
  const resumed = p.flags.has("resume") ? loadCheckpoint(out, true) : undefined;
  if (resumed && E.isLeft(resumed)) return `cannot resume: ${resumed.left}`;
  const prior = resumed?.right;
  if (prior) o = { ...o, ...prior.meta.config, ...prior.meta.training, evalEvery: o.evalEvery } as Options;
  const stopAfter = int(p, "stop-after", Number.MAX_SAFE_INTEGER, 1);
  if (typeof stopAfter === "string") return stopAfter;
  const dataFile = prior ? (prior.meta.data === "bundled" ? undefined : prior.meta.data) : str(p, "data") === undefined ? undefined : userPath(str(p, "data") as string);
  const corpus = loadCorpus(dataFile);
  if (E.isLeft(corpus)) return corpus.left.message;
  const { train, test } = corpus.right;
  const vocab = prior ? [...prior.meta.vocab] : [...new Set(train)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const unknown = [...new Set([...train, ...test])].find((c) => !index.has(c));
  if (unknown !== undefined) return prior ? `the checkpoint's vocabulary lacks '${unknown}' that the data holds: it was trained on other text` : `the test text holds '${unknown}', which the training text never does`;
  const V = vocab.length;
  const trainIds = Int32Array.from(train, (c) => index.get(c) as number);
  const testIds = Int32Array.from(test, (c) => index.get(c) as number);
  const { batch: B, seq: T } = o;
  const streamLen = Math.floor((trainIds.length - 1) / B);
  if (streamLen < T + 1 || trainIds.length < B * (T + 1)) return `the training text (${trainIds.length} characters) is too short for one batch of ${B} x ${T + 1}: use a smaller --batch or --seq, or more text`;
  const config: LmConfig = { cell: o.cell, embed: o.embed, hidden: o.hidden, layers: o.layers };
  const key = random.key(o.seed);
  const schedule = o.schedule === "constant" ? constant(o.lr) : cosineWithWarmup(o.lr, Math.min(100, Math.ceil(o.steps / 20)), o.steps, o.lr / 10);
  const opt = adam({ lr: schedule });
  let params: LmParams = prior?.params ?? initLm(random.foldIn(key, 1), config, V);
  let optState: AdamState = prior?.opt ?? opt.init(params);
  let state: LmState = prior?.state ?? zeroState(config, B);
  let cursor = prior?.meta.training.cursor ?? 0;
  let done = prior?.meta.training.done ?? 0;
  const history: HistoryPoint[] = [...(prior?.meta.training.history ?? [])];
  let seconds = prior?.meta.training.seconds ?? 0;
  log(`data: ${corpus.right.source}: ${trainIds.length} train and ${testIds.length} test characters, ${V} distinct`);
  log(`model: embedding ${o.embed} -> ${o.cell} ${o.hidden} x ${o.layers} -> linear ${V}; batch ${B} x ${T} (${o.batching}), Adam ${o.lr} (${o.schedule === "constant" ? "constant" : "warm-up, cosine"}), clip ${o.clip}, ${o.steps} steps, seed ${o.seed}${prior ? `; resuming at step ${done}` : ""}`);
  const vg = valueAndGrad((q: LmParams, s: LmState, inputs: Int32Array, targets: Int32Array) => lossAndState(q, config, inputs, targets, B, T, s, V), { hasAux: true });
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  process.on("SIGINT", onSigint);
  const meta = (): Meta => ({
    config,
    vocab,
    data: dataFile ?? "bundled",
    training: { seed: o.seed, steps: o.steps, done, batching: o.batching, schedule: o.schedule, batch: B, seq: T, lr: o.lr, clip: o.clip, cursor, seconds, history },
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
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  let sinceLog = 0;
  let lossSum = 0;
  try {
    while (done < o.steps && done < stopAfter && !stop) {
      const t0 = performance.now();
      if (o.batching === "contiguous") {
        if (cursor + T + 1 > streamLen) {
          cursor = 0;
          state = zeroState(config, B);
        }
        for (let b = 0; b < B; b++) {
          const base = b * streamLen + cursor;
          inputs.set(trainIds.subarray(base, base + T), b * T);
          targets.set(trainIds.subarray(base + 1, base + T + 1), b * T);
        }
        cursor += T;
      } else {
        const u = random.uniform(random.foldIn(key, 1_000_000 + done), B);
        for (let b = 0; b < B; b++) {
          const start = Math.floor((u[b] as number) * (trainIds.length - T - 1));
          inputs.set(trainIds.subarray(start, start + T), b * T);
          targets.set(trainIds.subarray(start + 1, start + T + 1), b * T);
        }
        state = zeroState(config, B);
      }
      const [loss, grads, next] = vg(params, state, inputs, targets);
      const [clipped] = clipByGlobalNorm(grads, o.clip);
      [optState, params] = opt.update(optState, params, clipped);
      if (o.batching === "contiguous") state = next as LmState;
      const bpc = loss.item() / Math.LN2;
      if (!Number.isFinite(bpc)) return `the loss became ${bpc} at step ${done + 1}: lower --lr`;
      lossSum += bpc;
      sinceLog++;
      done++;
      seconds += (performance.now() - t0) / 1000;
      bar?.update(done, `train bpc ${bpc.toFixed(3)}, ${((B * T * sinceLog) / Math.max(1e-9, seconds)).toFixed(0)} chars/s`);
      const evalNow = (o.evalEvery > 0 && done % o.evalEvery === 0) || done === o.steps;
      if (evalNow) {
        const testBpc = streamBpc(params, config, testIds, V, trainIds[trainIds.length - 1] as number);
        history.push({ step: done, trainBpc: lossSum / sinceLog, testBpc, seconds });
        log(`${bar ? "\n" : ""}step ${done}: train ${(lossSum / sinceLog).toFixed(3)} bpc, test ${testBpc.toFixed(3)} bpc, ${seconds.toFixed(0)}s`);
        lossSum = 0;
        sinceLog = 0;
        saveCheckpoint(out, meta(), params, optState, state, curves());
      }
      // Let a Ctrl-C reach its handler between steps.
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (stop) log(`interrupted at step ${done}: saving`);
  if (sinceLog > 0) history.push({ step: done, trainBpc: lossSum / sinceLog, seconds });
  saveCheckpoint(out, meta(), params, optState, state, curves());
  log(`wrote ${out} at step ${done} (${seconds.toFixed(0)}s of training)`);
  return stop ? 130 : 0;
}

