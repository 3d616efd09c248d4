// Suites "lstm-train" and "lstm-generate". Training: one step of embedding (V=96 -> 64) -> 1-layer LSTM (H) ->
// linear to 96 -> mean cross-entropy, Adam, gradient clipping at global norm 5, B=32, T=64, in tokens per second,
// for H in {128, 256}. TensorFlow.js runs the equivalent model on tfjs-wasm: tfjs-wasm cannot train
// tf.layers.embedding, so there the embedding is a one-hot input times a dense layer (the same function).
// Generation: 500 tokens one at a time at H=256 (greedy), tokens per second.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { adam, clipByGlobalNorm, embedding, initRecurrent, linearSequenceCrossEntropy, random, recurrent, recurrentStepper, xavierUniform } from "@gated/nn";
import * as tfl from "@tensorflow/tfjs";
import type { BenchRecord } from "./records.js";
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

interface Model {
  readonly embed: Tensor;
  readonly lstm: Record<string, Tensor>;
  readonly head: { weight: Tensor; bias: Tensor };
}

function gatedModel(H: number): Model {
  const k = random.key(H);
  return {
    embed: ag.tensorFromArray(Float32Array.from(random.normal(random.foldIn(k, 1), V * E)), [V, E]),
    lstm: initRecurrent(random.foldIn(k, 2), { mode: "lstm", inputSize: E, hiddenSize: H }),
    head: { weight: xavierUniform(random.foldIn(k, 3), [V, H]), bias: ag.zeros([V]) },
  };
}

function gatedTrainStep(H: number) {
  const config = { mode: "lstm" as const, inputSize: E, hiddenSize: H };
  const opt = adam({ lr: LR });
  let params = gatedModel(H);
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

function tfjsTrainStep(tf: typeof tfl, H: number) {
  const proj = tf.layers.dense({ units: E, useBias: false, inputShape: [T, V] });
  const lstm = tf.layers.lstm({ units: H, returnSequences: true });
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
}

export async function runLstm({ seconds, log, hidden = [128, 256] }: LstmOptions): Promise<BenchRecord[]> {
  await tfjsWasm();
  const tf = tfl;
  const records: BenchRecord[] = [];
  const rows: string[][] = [];
  log(`lstm: training step (embedding ${V}->${E}, LSTM H, linear ->${V}, mean cross-entropy, Adam, clip ${CLIP}, B=${B}, T=${T}), tokens/s; ${seconds}s per case`);
  for (const H of hidden) {
    const g = gatedTrainStep(H);
    const t = tfjsTrainStep(tf, H);
    const g0 = g();
    const t0 = t();
    // Same task and initial scale: both start near log(96) = 4.56.
    if (!(Math.abs(g0 - Math.log(V)) < 0.5 && Math.abs(t0 - Math.log(V)) < 0.5)) throw new Error(`initial losses ${g0} (gated) and ${t0} (tfjs) are not near log(${V})`);
    const gTok = (B * T) / timeCall(g, { seconds });
    const tTok = (B * T) / timeCall(t, { seconds });
    records.push({ suite: "lstm-train", hidden: H, impl: "gated", tokens_per_s: gTok }, { suite: "lstm-train", hidden: H, impl: "tfjs-wasm", tokens_per_s: tTok });
    rows.push([`train H=${H}`, gTok.toFixed(0), tTok.toFixed(0), `${(gTok / tTok).toFixed(2)}x`]);
  }
  const N = 500;
  const HG = Math.max(...hidden);
  const gGen = N / timeCall(gatedGenerate(HG, N), { seconds });
  const tGen = N / timeCall(tfjsGenerate(tf, HG, N), { seconds });
  records.push({ suite: "lstm-generate", hidden: HG, impl: "gated", tokens_per_s: gGen }, { suite: "lstm-generate", hidden: HG, impl: "tfjs-wasm", tokens_per_s: tGen });
  rows.push([`generate H=${HG} (500 tokens, B=1)`, gGen.toFixed(0), tGen.toFixed(0), `${(gGen / tGen).toFixed(2)}x`]);
  log(table(["case", "gated tokens/s", "tfjs-wasm tokens/s", "ratio"], rows));
  log("tokens/s, higher is better; ratio = gated / tfjs-wasm.");
  return records;
}
