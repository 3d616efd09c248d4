// Writes a state dict made by @gated/nn (a 2-layer bidirectional LSTM, 4 -> 5, seed 7) as safetensors, with an
// input and our output, for scripts/make_fixtures.py to load into torch.nn.LSTM. Needs the package built.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tensorOrThrow } from "@gated/autograd";
import { initRecurrent, random, recurrent, writeSafetensors } from "../dist/index.js";

const dir = process.argv[2] ?? "test/fixtures";
const config = { mode: "lstm", inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true };
const params = initRecurrent(random.key(7), config);
const x = tensorOrThrow(Array.from({ length: 2 * 3 * 4 }, (_, i) => Math.sin(i + 1)), [2, 3, 4]);
const { output } = recurrent(params, config, x);
const unwrap = (e) => {
  if (e._tag === "Left") throw new Error(e.left.message);
  return e.right;
};
writeFileSync(join(dir, "ours-lstm.safetensors"), unwrap(writeSafetensors(params, { format: "pt" })));
writeFileSync(join(dir, "ours-lstm-io.safetensors"), unwrap(writeSafetensors({ input: x, output })));
