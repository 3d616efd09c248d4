import * as ag from "@gated/autograd";
import { adam, clipByGlobalNorm, embedding, initRecurrent, linear, linearSequenceCrossEntropy, random, recurrent, xavierUniform } from "@gated/nn";
const V = 96, E = 64, B = 32, T = 64;
const H = Number(process.argv[2] ?? 256);
const k = random.key(H);
let params = {
  embed: ag.tensorFromArray(Float32Array.from(random.normal(random.foldIn(k, 1), V * E)), [V, E]),
  lstm: initRecurrent(random.foldIn(k, 2), { mode: "lstm", inputSize: E, hiddenSize: H }),
  head: { weight: xavierUniform(random.foldIn(k, 3), [V, H]), bias: ag.zeros([V]) },
};
const config = { mode: "lstm", inputSize: E, hiddenSize: H };
const opt = adam({ lr: 2e-3 });
let state = opt.init(params);
const inputs = Int32Array.from({ length: B * T }, (_, i) => (i * 7) % V);
const targets = Int32Array.from({ length: B * T }, (_, i) => (i * 5) % V);
const loss = (p) => linearSequenceCrossEntropy(p.head, recurrent(p.lstm, config, embedding(p.embed, inputs, [B, T])).output, targets);
const vg = ag.valueAndGrad(loss);
const phase = { vg: 0, clip: 0, opt: 0 };
const step = () => {
  let t0 = performance.now();
  const [value, grads] = vg(params);
  let t1 = performance.now(); phase.vg += t1 - t0;
  const [clipped] = clipByGlobalNorm(grads, 5);
  let t2 = performance.now(); phase.clip += t2 - t1;
  [state, params] = opt.update(state, params, clipped);
  phase.opt += performance.now() - t2;
  return value.item();
};
for (let i = 0; i < 3; i++) step();
for (const key in phase) phase[key] = 0;
const N = 20;
const t = performance.now();
for (let i = 0; i < N; i++) step();
const dt = (performance.now() - t) / N;
console.log(`H=${H}: ${dt.toFixed(1)} ms/step, ${(B * T / dt * 1000).toFixed(0)} tokens/s`, Object.fromEntries(Object.entries(phase).map(([k, v]) => [k, (v / N).toFixed(1)])));
