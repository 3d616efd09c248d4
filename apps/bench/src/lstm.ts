// Suites "lstm-train", "gru-train" and "lstm-generate". Training: one step of embedding (V=96 -> 64) -> 1-layer
// LSTM or GRU (H) -> linear to 96 -> mean cross-entropy, Adam, gradient clipping at global norm 5, B=32, T=64, in
// tokens per second, for H in {128, 256}. TensorFlow.js runs the equivalent model on tfjs-wasm: tfjs-wasm cannot
// train tf.layers.embedding, so there the embedding is a one-hot input times a dense layer (the same function);
// its GRU is the original form (reset gate before the product), PyTorch's and ours apply it after. PyTorch (one
// thread, python/torch_lstm.py) runs the same models where an interpreter with torch is found. Generation: 500
// tokens one at a time at the largest H (greedy), tokens per second. gated and PyTorch run at every thread count
// asked for (--threads), tfjs-wasm on one (it has no threads in Node).
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { adam, clipByGlobalNorm, embedding, initRecurrent, linearSequenceCrossEntropy, random, recurrent, recurrentStepper, xavierUniform } from "@gated/nn";
import * as tfl from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { allocF32, kernels, setThreads, threadsReady, wasmF32From } from "@gated/kernels";
import { printable } from "@gated/train/node";
import type { BenchRecord, LstmImpl as Impl } from "./records.js";
import { table } from "./records.js";
import { tfjsWasm } from "./tfjs.js";
import { timeCall } from "./timing.js";

const V = 96;
const E = 64;
const B = 32;
const T = 64;
const CLIP = 5;
const LR = 2e-3;

function batch(seed: number): { inputs: Int32Array; targets: Int32Array } {
  const k = random.key(seed);
  const u = random.uniform(k, B * (T + 1));
  const seq = Int32Array.from(u, (x) => Math.floor(x * V));
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      inputs[b * T + t] = seq[b * (T + 1) + t] as number;
      targets[b * T + t] = seq[b * (T + 1) + t + 1] as number;
    }
  }
  return { inputs, targets };
}

export type Cell = "lstm" | "gru";

interface Model {
  readonly embed: Tensor;
  readonly lstm: Record<string, Tensor>;
  readonly head: { weight: Tensor; bias: Tensor };
}

function gatedModel(H: number, cell: Cell = "lstm"): Model {
  const k = random.key(H);
  return {
    embed: ag.tensorFromArray(Float32Array.from(random.normal(random.foldIn(k, 1), V * E)), [V, E]),
    lstm: initRecurrent(random.foldIn(k, 2), { mode: cell, inputSize: E, hiddenSize: H }),
    head: { weight: xavierUniform(random.foldIn(k, 3), [V, H]), bias: ag.zeros([V]) },
  };
}

/** Model FLOPs of one training step per token: forward 2(E G H + H G H + H V), backward twice that. */
export const trainFlopsPerToken = (cell: Cell, H: number): number => 3 * 2 * ((cell === "lstm" ? 4 : 3) * H * (E + H) + H * V);

function gatedTrainStep(H: number, cell: Cell) {
  const config = { mode: cell, inputSize: E, hiddenSize: H };
  const opt = adam({ lr: LR });
  let params = gatedModel(H, cell);
  let state = opt.init(params);
  const { inputs, targets } = batch(1);
  const loss = (p: Model) => {
    const x = embedding(p.embed, inputs, [B, T]);
    const { output } = recurrent(p.lstm, config, x);
    return linearSequenceCrossEntropy(p.head, output, targets);
  };
  const vg = ag.valueAndGrad(loss);
  return () => {
    const [value, grads] = vg(params);
    const [clipped] = clipByGlobalNorm(grads, CLIP);
    [state, params] = opt.update(state, params, clipped);
    return value.item();
  };
}

function tfjsTrainStep(tf: typeof tfl, H: number, cell: Cell) {
  const proj = tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] });
  const lstm = cell === "lstm" ? tf.layers.lstm({ units: H, returnSequences: true }) : tf.layers.gru({ units: H, returnSequences: true });
  const head = tf.layers.dense({ units: V });
  const model = tf.sequential({ layers: [proj, lstm, head] });
  const opt = tf.train.adam(LR);
  const { inputs, targets } = batch(1);
  const x = tf.oneHot(tf.tensor2d(inputs, [B, T], "int32"), V).toFloat();
  const y = tf.oneHot(tf.tensor2d(targets, [B, T], "int32"), V).toFloat();
  return () => {
    const lossValue = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x) as tfl.Tensor;
        return tf.mean(tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1))) as tfl.Scalar;
      });
      const names = Object.keys(grads);
      const norm = Math.sqrt(names.reduce((s, n) => s + (tf.sum(tf.square(grads[n] as tfl.Tensor)).dataSync()[0] as number), 0));
      const scale = norm > CLIP ? CLIP / norm : 1;
      const clipped = Object.fromEntries(names.map((n) => [n, tf.mul(grads[n] as tfl.Tensor, scale)]));
      opt.applyGradients(clipped as unknown as Parameters<typeof opt.applyGradients>[0]);
      return value.dataSync()[0] as number;
    });
    return lossValue;
  };
}

/** Greedy generation one token at a time (B = 1) on the stepper: weights pinned, no allocation per token. */
function gatedGenerate(H: number, tokens: number) {
  const p = gatedModel(H);
  const stepper = recurrentStepper(p.lstm, { mode: "lstm", inputSize: E, hiddenSize: H }, { embedding: p.embed, head: p.head });
  const logits = new Float32Array(V);
  const token = [0];
  return () => {
    stepper.reset();
    token[0] = 0;
    for (let i = 0; i < tokens; i++) {
      stepper.step(token);
      stepper.logits(logits);
      let best = 0;
      for (let j = 1; j < V; j++) if ((logits[j] as number) > (logits[best] as number)) best = j;
      token[0] = best;
    }
    return token[0];
  };
}

function tfjsGenerate(tf: typeof tfl, H: number, tokens: number) {
  const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -0.1, 0.1, "float32", seed);
  const embed = rand([V, E], 1);
  const wih = rand([E, 4 * H], 2);
  const whh = rand([H, 4 * H], 3);
  const bias = rand([4 * H], 4);
  const wout = rand([H, V], 5);
  const bout = rand([V], 6);
  return () => {
    let h = tf.zeros([1, H]);
    let c = tf.zeros([1, H]);
    let tok = 0;
    for (let i = 0; i < tokens; i++) {
      const [h2, c2, next] = tf.tidy(() => {
        const x = tf.gather(embed, tf.tensor1d([tok], "int32"));
        const gates = tf.add(tf.add(tf.matMul(x, wih), tf.matMul(h, whh)), bias);
        const [gi, gf, gg, go] = tf.split(gates, 4, 1) as [tfl.Tensor, tfl.Tensor, tfl.Tensor, tfl.Tensor];
        const cn = tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
        const hn = tf.mul(tf.sigmoid(go), tf.tanh(cn));
        const logits = tf.add(tf.matMul(hn, wout), bout);
        return [hn, cn, tf.argMax(logits, 1)] as const;
      });
      h.dispose();
      c.dispose();
      h = h2;
      c = c2;
      tok = (next.dataSync() as Int32Array)[0] as number;
      next.dispose();
    }
    h.dispose();
    c.dispose();
    return tok;
  };
}

export interface LstmOptions {
  readonly seconds: number;
  readonly log: (line: string) => void;
  /** Hidden sizes to train (default 128 and 256); generation runs at the largest. */
  readonly hidden?: readonly number[];
  /** The Python interpreter to run PyTorch with; "none" skips PyTorch; default: the first of python3, /usr/bin/python3 with torch. */
  readonly torch?: string;
  /** Thread counts for gated and PyTorch (default: one). */
  readonly threads?: readonly number[];
}

/** The first interpreter that imports torch, or a reason why there is none. */
function findTorch(choice: string | undefined): { python: string } | { skip: string } {
  if (choice === "none") return { skip: "PyTorch skipped (--torch none)" };
  const candidates = choice === undefined ? ["python3", "/usr/bin/python3"] : [choice];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
    if (r.status === 0) return { python };
  }
  return { skip: `PyTorch skipped: no ${candidates.join(" or ")} that imports torch (on Debian: apt-get install python3-torch libopenblas0-pthread)` };
}

interface TorchRecord {
  readonly suite: string;
  readonly hidden?: number;
  readonly tokens_per_s?: number;
  readonly gflops?: number;
}

/**
 * Runs python/torch_lstm.py with PyTorch's intra-op pool on `threads` threads and OpenBLAS on `blasThreads`; its
 * JSON lines, or a reason it failed.
 */
function runTorch(python: string, seconds: number, hidden: readonly number[], tokens: number, threads: number, blasThreads: number): TorchRecord[] | string {
  const script = fileURLToPath(new URL("../python/torch_lstm.py", import.meta.url));
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(blasThreads) };
  const r = spawnSync(python, [script, String(seconds), hidden.join(","), String(tokens), String(threads)], { encoding: "utf8", env, timeout: 3_600_000 });
  if (r.status !== 0) return `PyTorch failed (exit ${r.status ?? r.signal}): ${printable((r.stderr ?? "").trim().split("\n").pop() ?? "")}`;
  try {
    return r.stdout.trim().split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l) as TorchRecord);
  } catch {
    return "PyTorch printed something that is not JSON lines";
  }
}

/**
 * PyTorch on `threads` threads at its best: with more than one, Debian's OpenBLAS (pthreads) on as many threads
 * makes small products slower than one thread does (its threads contend with PyTorch's own pool), so both
 * configurations run and each case keeps the faster, with the OpenBLAS thread count it used.
 */
function bestTorch(python: string, seconds: number, hidden: readonly number[], tokens: number, threads: number): (TorchRecord & { blas: number })[] | string {
  const configs = threads === 1 ? [1] : [threads, 1];
  const best = new Map<string, TorchRecord & { blas: number }>();
  for (const blas of configs) {
    const out = runTorch(python, seconds, hidden, tokens, threads, blas);
    if (typeof out === "string") return out;
    for (const r of out) {
      const key = `${r.suite} ${r.hidden ?? ""}`;
      const value = r.tokens_per_s ?? r.gflops ?? 0;
      const had = best.get(key);
      if (had === undefined || value > (had.tokens_per_s ?? had.gflops ?? 0)) best.set(key, { ...r, blas });
    }
  }
  return [...best.values()];
}

export async function runLstm({ seconds, log, hidden = [128, 256], torch, threads = [1] }: LstmOptions): Promise<BenchRecord[]> {
  await tfjsWasm();
  const tf = tfl;
  const records: BenchRecord[] = [];
  const N = 500;
  const HG = Math.max(...hidden);
  log(
    `lstm: training step (embedding ${V}->${E}, LSTM or GRU H, linear ->${V}, mean cross-entropy, Adam, clip ${CLIP}, B=${B}, T=${T}), tokens/s; ${seconds}s per case; ` +
      `gated and PyTorch at ${threads.join(", ")} thread(s), tfjs-wasm on one`,
  );
  // Rows are "suite H"; columns "impl threads".
  const rate: Record<string, Record<string, number>> = {};
  const put = (suite: string, H: number, impl: Impl, t: number, tokens: number) => {
    const key = `${suite} ${H}`;
    rate[key] = { ...rate[key], [`${impl} ${t}`]: tokens };
  };
  const effective: Record<string, number> = {};
  const gemm: Record<number, number> = {};
  for (const t of threads) {
    setThreads(t);
    await threadsReady();
    // The GEMM the training rate is measured against: relaxed-SIMD sgemm 32x320x1024 (what pnpm bench gemm runs)
    // at the same thread count, timed before and after the training cases; the faster counts (the harder reference).
    const gemmBefore = gemmRate(seconds);
    for (const cell of ["lstm", "gru"] as const) {
      for (const H of hidden) {
        const g = gatedTrainStep(H, cell);
        const g0 = g();
        // Same task and initial scale as the others: it starts near log(96) = 4.56.
        if (!(Math.abs(g0 - Math.log(V)) < 0.5)) throw new Error(`${cell} initial loss ${g0} (gated) is not near log(${V})`);
        const gTok = (B * T) / timeCall(g, { seconds });
        const suite = `${cell}-train` as const;
        const gflops = (gTok * trainFlopsPerToken(cell, H)) / 1e9;
        effective[`${suite} ${H} ${t}`] = gflops;
        put(suite, H, "gated", t, gTok);
        records.push({ suite, hidden: H, impl: "gated", threads: t, tokens_per_s: gTok, effective_gflops: gflops });
      }
    }
    gemm[t] = Math.max(gemmBefore, gemmRate(seconds));
    const gGen = N / timeCall(gatedGenerate(HG, N), { seconds });
    put("lstm-generate", HG, "gated", t, gGen);
    records.push({ suite: "lstm-generate", hidden: HG, impl: "gated", threads: t, tokens_per_s: gGen });
  }
  setThreads(1);
  for (const cell of ["lstm", "gru"] as const) {
    for (const H of hidden) {
      const tStep = tfjsTrainStep(tf, H, cell);
      const t0 = tStep();
      if (!(Math.abs(t0 - Math.log(V)) < 0.5)) throw new Error(`${cell} initial loss ${t0} (tfjs) is not near log(${V})`);
      const tTok = (B * T) / timeCall(tStep, { seconds });
      put(`${cell}-train`, H, "tfjs-wasm", 1, tTok);
      records.push({ suite: `${cell}-train`, hidden: H, impl: "tfjs-wasm", threads: 1, tokens_per_s: tTok });
    }
  }
  const tGen = N / timeCall(tfjsGenerate(tf, HG, N), { seconds });
  put("lstm-generate", HG, "tfjs-wasm", 1, tGen);
  records.push({ suite: "lstm-generate", hidden: HG, impl: "tfjs-wasm", threads: 1, tokens_per_s: tGen });
  const found = findTorch(torch);
  const torchGemm: Record<number, number> = {};
  let note = "skip" in found ? found.skip : undefined;
  if ("python" in found) {
    for (const t of threads) {
      const out = bestTorch(found.python, seconds, hidden, N, t);
      if (typeof out === "string") {
        note = out;
        break;
      }
      for (const r of out) {
        if (r.suite === "gemm" && r.gflops !== undefined) torchGemm[t] = r.gflops;
        else if ((r.suite === "lstm-train" || r.suite === "gru-train" || r.suite === "lstm-generate") && typeof r.hidden === "number" && typeof r.tokens_per_s === "number") {
          put(r.suite, r.hidden, "torch", t, r.tokens_per_s);
          records.push({ suite: r.suite, hidden: r.hidden, impl: "torch", threads: t, blas_threads: r.blas, tokens_per_s: r.tokens_per_s });
        }
      }
    }
  }
  const fmt = (v: number | undefined) => (v === undefined ? "-" : v.toFixed(0));
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "-" : `${(a / b).toFixed(2)}x`);
  const header = ["case", ...threads.map((t) => `gated ${t}t`), "tfjs-wasm", ...threads.map((t) => `torch ${t}t`)];
  header.push(...threads.map((t) => `gated ${t}t / torch 1t`), `gated ${threads.at(-1)}t / tfjs`, ...threads.map((t) => `gated ${t}t GFLOP/s (% of GEMM ${t}t)`));
  const rows = Object.entries(rate).map(([key, r]) => {
    const [suite, H] = key.split(" ") as [string, string];
    const torchOne = r["torch 1"];
    return [
      `${suite} H=${H}`,
      ...threads.map((t) => fmt(r[`gated ${t}`])),
      fmt(r["tfjs-wasm 1"]),
      ...threads.map((t) => fmt(r[`torch ${t}`])),
      ...threads.map((t) => ratio(r[`gated ${t}`], torchOne)),
      ratio(r[`gated ${threads.at(-1)}`], r["tfjs-wasm 1"]),
      ...threads.map((t) => {
        const eff = effective[`${key} ${t}`];
        return eff === undefined ? "-" : `${eff.toFixed(1)} (${((100 * eff) / (gemm[t] as number)).toFixed(0)}%)`;
      }),
    ];
  });
  log(table(header, rows));
  log(
    `tokens/s, higher is better. GFLOP/s: model FLOPs per step / step time, against gated's relaxed sgemm 32x320x1024 here: ` +
      threads.map((t) => `${(gemm[t] as number).toFixed(1)} GFLOP/s on ${t} thread(s)`).join(", ") + ".",
  );
  for (const t of threads) {
    const tg = torchGemm[t];
    if (tg === undefined) continue;
    log(`PyTorch's own sgemm 32x320x1024 on ${t} thread(s): ${tg.toFixed(1)} GFLOP/s${tg < (gemm[t] as number) ? " (slower than ours: is its BLAS the reference one? install libopenblas0-pthread)" : ""}.`);
  }
  if (threads.some((t) => t > 1) && Object.keys(torchGemm).length > 0) {
    log("PyTorch on N > 1 threads: the faster, per case, of OpenBLAS on N threads and on 1 (blas_threads in the records).");
  }
  if (note !== undefined) log(note);
  return records;
}

/** GFLOP/s of the relaxed-SIMD (or plain) sgemm on 32x320x1024, the training step's largest product shape. */
function gemmRate(seconds: number): number {
  const [m, k, n] = [32, 320, 1024];
  const a = wasmF32From(Float32Array.from({ length: m * k }, (_, i) => Math.sin(i)));
  const b = wasmF32From(Float32Array.from({ length: k * n }, (_, i) => Math.cos(i)));
  const c = allocF32(m * n);
  return (2 * m * n * k) / timeCall(() => kernels.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n), { seconds }) / 1e9;
}
