// Suite "autograd": milliseconds per valueAndGrad call of the same functions in gated (@gated/autograd, float32
// on WebAssembly) and in TensorFlow.js (tf.valueAndGrads on tfjs-backend-wasm), one thread, side by side.
// Cases: a 2-layer MLP (B=32, 256 -> 256 -> 10, tanh, softmax cross-entropy) and one LSTM step (B=32, I=H=128,
// gates i f g o, loss = mean(h'^2) + mean(c'^2)). Both implementations get the same weights and check that
// they agree on the loss before timing.
import * as ag from "@gated/autograd";
import { key, uniform } from "@gated/random";
import type { BenchRecord } from "./records.js";
import { table } from "./records.js";
import { tfjsWasm } from "./tfjs.js";
import { timeCall } from "./timing.js";

type TF = Awaited<ReturnType<typeof tfjsWasm>>;
type TfTensor = ReturnType<TF["tensor"]>;

/** n floats in [-scale, scale) from the seed's key. */
function random(n: number, seed: number, scale: number): Float32Array {
  return Float32Array.from(uniform(key(seed), n), (u) => scale * (2 * u - 1));
}

interface Case {
  readonly name: string;
  /** Shapes of the differentiated parameters, then the constant inputs. */
  readonly params: readonly (readonly number[])[];
  readonly inputs: readonly (readonly number[])[];
  readonly gated: (params: ag.Tensor[], inputs: ag.Tensor[]) => ag.Tensor;
  readonly tfjs: (tf: TF, params: TfTensor[], inputs: TfTensor[]) => TfTensor;
}

const B = 32;
const D = 256;
const CLASSES = 10;
const targets = Array.from({ length: B }, (_, i) => i % CLASSES);
const H = 128;

const CASES: readonly Case[] = [
  {
    name: `mlp B=${B} ${D}-${D}-${CLASSES}`,
    params: [[D, D], [D], [D, CLASSES], [CLASSES]],
    inputs: [[B, D]],
    gated: ([w1, b1, w2, b2], [x]) => {
      const h = ag.tanh(ag.add(ag.matmul(x as ag.Tensor, w1 as ag.Tensor), b1 as ag.Tensor));
      return ag.crossEntropy(ag.add(ag.matmul(h, w2 as ag.Tensor), b2 as ag.Tensor), targets);
    },
    tfjs: (tf, [w1, b1, w2, b2], [x]) => {
      const h = tf.tanh(tf.add(tf.matMul(x as TfTensor, w1 as TfTensor), b1 as TfTensor));
      const logits = tf.add(tf.matMul(h, w2 as TfTensor), b2 as TfTensor);
      const onehot = tf.oneHot(tf.tensor1d(targets, "int32"), CLASSES);
      return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
    },
  },
  {
    name: `lstm step B=${B} H=${H}`,
    params: [[4 * H, H], [4 * H, H], [4 * H]],
    inputs: [[B, H], [B, H], [B, H]],
    gated: ([wih, whh, b], [x, h, c]) => {
      const gates = ag.add(ag.add(ag.matmul(x as ag.Tensor, wih as ag.Tensor, { transB: true }), ag.matmul(h as ag.Tensor, whh as ag.Tensor, { transB: true })), b as ag.Tensor);
      const gate = (k: number) => ag.slice(gates, [0, k * H], [B, H]);
      const c2 = ag.add(ag.mul(ag.sigmoid(gate(1)), c as ag.Tensor), ag.mul(ag.sigmoid(gate(0)), ag.tanh(gate(2))));
      const h2 = ag.mul(ag.sigmoid(gate(3)), ag.tanh(c2));
      return ag.add(ag.mean(ag.mul(h2, h2)), ag.mean(ag.mul(c2, c2)));
    },
    tfjs: (tf, [wih, whh, b], [x, h, c]) => {
      const gates = tf.add(tf.add(tf.matMul(x as TfTensor, wih as TfTensor, false, true), tf.matMul(h as TfTensor, whh as TfTensor, false, true)), b as TfTensor);
      const [gi, gf, gg, go] = tf.split(gates, 4, 1) as [TfTensor, TfTensor, TfTensor, TfTensor];
      const c2 = tf.add(tf.mul(tf.sigmoid(gf), c as TfTensor), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
      const h2 = tf.mul(tf.sigmoid(go), tf.tanh(c2));
      return tf.add(tf.mean(tf.mul(h2, h2)), tf.mean(tf.mul(c2, c2)));
    },
  },
];

export interface AutogradOptions {
  readonly seconds: number;
  readonly log: (line: string) => void;
}

export async function runAutograd({ seconds, log }: AutogradOptions): Promise<BenchRecord[]> {
  const tf = await tfjsWasm();
  const records: BenchRecord[] = [];
  const rows: string[][] = [];
  log(`autograd: ms per valueAndGrad call (loss and every parameter's gradient), float32, one thread; ${seconds}s per case`);
  for (const [ci, c] of CASES.entries()) {
    const shapes = [...c.params, ...c.inputs];
    const data = shapes.map((s, i) => random(s.reduce((a, b) => a * b, 1), 100 * ci + i + 1, 1 / Math.sqrt(s[s.length - 1] as number)));
    const gp = c.params.map((s, i) => ag.tensorOrThrow(data[i] as Float32Array, s));
    const gi = c.inputs.map((s, i) => ag.tensorOrThrow(data[c.params.length + i] as Float32Array, s));
    const tp = c.params.map((s, i) => tf.tensor(data[i] as Float32Array, [...s]));
    const ti = c.inputs.map((s, i) => tf.tensor(data[c.params.length + i] as Float32Array, [...s]));
    const gatedStep = ag.valueAndGrad((...p: ag.Tensor[]) => c.gated(p, gi), { argnums: c.params.map((_, i) => i) });
    const tfStep = tf.valueAndGrads((...p: TfTensor[]) => c.tfjs(tf, p, ti) as ReturnType<TF["scalar"]>);
    const runTf = () => {
      const { value, grads } = tfStep(tp);
      value.dispose();
      for (const g of grads) g.dispose();
    };
    const gatedLoss = gatedStep(...gp)[0].item();
    const { value, grads } = tfStep(tp);
    const tfLoss = (value.dataSync() as Float32Array)[0] as number;
    value.dispose();
    for (const g of grads) g.dispose();
    if (!(Math.abs(gatedLoss - tfLoss) <= 1e-4 * Math.max(1, Math.abs(tfLoss)))) throw new Error(`${c.name}: gated loss ${gatedLoss} but tfjs ${tfLoss}`);
    const gatedMs = 1000 * timeCall(() => gatedStep(...gp), { seconds });
    const tfMs = 1000 * timeCall(runTf, { seconds });
    for (const t of [...tp, ...ti]) t.dispose();
    records.push({ suite: "autograd", case: c.name, impl: "gated", ms: gatedMs }, { suite: "autograd", case: c.name, impl: "tfjs-wasm", ms: tfMs });
    rows.push([c.name, gatedMs.toFixed(3), tfMs.toFixed(3), `${(tfMs / gatedMs).toFixed(2)}x`]);
  }
  log(table(["case", "gated ms", "tfjs-wasm ms", "speed-up"], rows));
  log("ms per call, lower is better; speed-up = tfjs-wasm ms / gated ms; losses checked equal before timing.");
  return records;
}
