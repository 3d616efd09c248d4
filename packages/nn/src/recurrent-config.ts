// The recurrent modes that exist and the run-time check of a configuration (a config read from JSON has no types).
import { type GatedError, invalidArgument } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import type { Mode, RecurrentConfig } from "./layers.js";

/** Every recurrent mode, as PyTorch names them. */
export const MODES: readonly Mode[] = ["rnn_tanh", "rnn_relu", "lstm", "gru"];

const positiveInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;

/**
 * Checks a recurrent configuration at run time (a config read from JSON has no types): the mode is one of MODES,
 * sizes and layers are positive integers, dropout is in [0, 1).
 *
 * @example
 * E.isLeft(checkRecurrentConfig({ mode: "lstmm", inputSize: 2, hiddenSize: 3 })); // true: 'lstmm' is no mode
 */
export function checkRecurrentConfig(config: RecurrentConfig): E.Either<GatedError, RecurrentConfig> {
  const bad = (argument: string, reason: string) => E.left(invalidArgument("recurrent config", argument, reason));
  if (config === null || typeof config !== "object") return bad("config", "must be an object {mode, inputSize, hiddenSize, ...}");
  if (!MODES.includes(config.mode)) return bad("mode", `must be one of ${MODES.join(", ")}, got ${JSON.stringify(config.mode) ?? "nothing"}`);
  if (!positiveInt(config.inputSize)) return bad("inputSize", `must be a positive integer, got ${JSON.stringify(config.inputSize) ?? "nothing"}`);
  if (!positiveInt(config.hiddenSize)) return bad("hiddenSize", `must be a positive integer, got ${JSON.stringify(config.hiddenSize) ?? "nothing"}`);
  if (config.numLayers !== undefined && !positiveInt(config.numLayers)) return bad("numLayers", `must be a positive integer, got ${JSON.stringify(config.numLayers)}`);
  if (config.bidirectional !== undefined && typeof config.bidirectional !== "boolean") return bad("bidirectional", `must be true or false, got ${JSON.stringify(config.bidirectional)}`);
  const rate = config.dropout;
  if (rate !== undefined && !(typeof rate === "number" && rate >= 0 && rate < 1)) return bad("dropout", `must be in [0, 1), got ${JSON.stringify(rate)}`);
  return E.right(config);
}
