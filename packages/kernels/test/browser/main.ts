// Bundled by Vite with no plugin: importing @gated/kernels must instantiate WebAssembly synchronously, with no
// fetch. The page runs sgemm, tanh and a fused LSTM step on both WebAssembly builds and compares them with the JS
// twins, and steps a small language model on RecurrentStepper (the test compares its logits with Node's).
import { js, kernels, RecurrentStepper, wasmSimd } from "@gated/kernels";
import { stepperSpec } from "./spec.js";

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

const m = 37;
const k = 29;
const n = 41;
const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
const want = new Float32Array(m * n);
js.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, want, 0, n);
const results: Record<string, number> = {};
for (const K of [kernels, wasmSimd]) {
  const c = new Float32Array(m * n);
  K.sgemm(false, false, m, n, k, 1, a, 0, k, b, 0, n, 0, c, 0, n);
  results[`${K.backend}:sgemm`] = maxDiff(c, want);
  const t = new Float32Array(a.length);
  const tj = new Float32Array(a.length);
  K.tanh(t, a, a.length);
  js.tanh(tj, a, a.length);
  results[`${K.backend}:tanh`] = maxDiff(t, tj);
  // One LSTM step of 3 rows of 13 units (SIMD body and tail), against the JS twin.
  const run = (L: typeof js) => {
    const gates = Float32Array.from({ length: 3 * 52 }, (_, i) => Math.sin(0.7 * i) * 3);
    const c = Float32Array.from({ length: 39 }, (_, i) => Math.cos(i));
    const [c2, h2, y] = [0, 1, 2].map(() => new Float32Array(39)) as [Float32Array, Float32Array, Float32Array];
    L.lstmForward(gates, c2, h2, y, c, c, null, 3, 13);
    return Float32Array.from([...gates, ...c2, ...h2]);
  };
  results[`${K.backend}:lstmForward`] = maxDiff(run(K), run(js));
}
const stepper = new RecurrentStepper(stepperSpec());
stepper.step([1]);
stepper.step([4]);
const out = document.getElementById("out") as HTMLElement;
out.textContent = JSON.stringify({ backend: kernels.backend, results, stepper: Array.from(stepper.logits()) }, null, 1);
out.dataset.done = "1";
