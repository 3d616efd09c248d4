// A small language model for RecurrentStepper, the same in the page and in the test that checks it.
import type { StepperSpec } from "@gated/kernels";

const values = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(seed + 0.37 * i));

export function stepperSpec(): StepperSpec {
  const [V, E, H] = [6, 5, 9];
  return {
    mode: "lstm",
    embedding: values(V * E, 1),
    vocab: V,
    hiddenSize: H,
    layers: [{ weightIh: values(4 * H * E, 2), weightHh: values(4 * H * H, 3), biasIh: values(4 * H, 4), biasHh: values(4 * H, 5) }],
    head: { weight: values(V * H, 6), bias: values(V, 7) },
  };
}
