// The float32 backward kernels of tanh, sigmoid and relu, with their float64 formula beside.
import { kernels } from "@gated/kernels";
import { empty, type Tensor } from "../tensor.js";

export /** dx = kernel(v, g) for float32; the same formula in JS for float64. */
function pointwiseBackward(kernel: "tanhBackward" | "sigmoidBackward" | "reluBackward", v: Tensor, g: Tensor, f: (v: number, g: number) => number): Tensor {
  const out = empty(v.shape, v.dtype);
  if (v.dtype === "float32") {
    kernels[kernel](out.storage.wasm(), v.storage.wasm(), g.storage.wasm(), v.size);
    return out;
  }
  const o = out.storage.view();
  const vv = v.storage.view();
  const gv = g.storage.view();
  for (let i = 0; i < v.size; i++) o[i] = f(vv[i] as number, gv[i] as number);
  return out;
}
