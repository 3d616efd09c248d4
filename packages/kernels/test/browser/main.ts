// Bundled by Vite with no plugin: importing @gated/kernels must instantiate WebAssembly synchronously, with no
// fetch. The page runs sgemm and tanh on both WebAssembly builds and compares them with the JS twins.
import { js, kernels, wasmSimd } from "@gated/kernels";

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
}
const out = document.getElementById("out") as HTMLElement;
out.textContent = JSON.stringify({ backend: kernels.backend, results }, null, 1);
out.dataset.done = "1";
