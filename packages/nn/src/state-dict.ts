// Checked configurations and state dicts of recurrent layers: the modes that exist, the shape PyTorch gives each
// parameter, strict loading (missing, unexpected and wrongly shaped tensors named, as load_state_dict(strict=True)),
// and a configuration inferred from the names and shapes alone.
import { type GatedError, invalidArgument, stateDictMismatch, type Tensor } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { gatesOf, type Mode, paramName, type RecurrentConfig, type RecurrentParams } from "./layers.js";
import { checkRecurrentConfig } from "./recurrent-config.js";

/** The shape of every parameter of a recurrent layer, keyed by PyTorch's state-dict names (no prefix). */
export function recurrentShapes(config: RecurrentConfig): Record<string, number[]> {
  const { mode, inputSize: I, hiddenSize: H, numLayers: L = 1, bidirectional = false } = config;
  const G = gatesOf(mode);
  const D = bidirectional ? 2 : 1;
  const out: Record<string, number[]> = {};
  for (let l = 0; l < L; l++) {
    for (let d = 0; d < D; d++) {
      const inSize = l === 0 ? I : D * H;
      out[paramName("weight_ih", l, d === 1)] = [G * H, inSize];
      out[paramName("weight_hh", l, d === 1)] = [G * H, H];
      out[paramName("bias_ih", l, d === 1)] = [G * H];
      out[paramName("bias_hh", l, d === 1)] = [G * H];
    }
  }
  return out;
}

/** The number of scalars in a recurrent layer's parameters. */
export const recurrentParamCount = (config: RecurrentConfig): number => Object.values(recurrentShapes(config)).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);

export interface LoadOptions {
  /** Take only the tensors whose names start with this (e.g. "rnn."), and strip it (default ""). */
  readonly prefix?: string;
  /**
   * Report tensors the configuration does not use (default true), as PyTorch's strict=True. Missing tensors and
   * wrong shapes are always errors.
   */
  readonly strict?: boolean;
}

/**
 * The parameters of a recurrent layer taken from a state dict, checked against its configuration: every missing
 * tensor, every unexpected one (with `strict`), and every shape that differs are named in one StateDictMismatch.
 *
 * @example
 * loadRecurrentStateDict({ mode: "lstm", inputSize: 2, hiddenSize: 3 }, torchStateDict); // Right(params) or Left(mismatch)
 */
export function loadRecurrentStateDict(config: RecurrentConfig, stateDict: Readonly<Record<string, Tensor>>, { prefix = "", strict = true }: LoadOptions = {}): E.Either<GatedError, RecurrentParams> {
  const checked = checkRecurrentConfig(config);
  if (E.isLeft(checked)) return checked;
  const given = Object.fromEntries(Object.entries(stateDict).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  const r = checkStateDict(`${config.mode} layer`, recurrentShapes(config), given, { strict });
  return E.isLeft(r) && r.left._tag === "StateDictMismatch" ? E.left(stateDictMismatch(r.left.op, r.left.missing.map((k) => prefix + k), r.left.unexpected.map((k) => prefix + k), r.left.shapes.map((x) => ({ ...x, name: prefix + x.name })))) : r;
}

/**
 * Checks named tensors against the shapes a model expects: every missing name, every unexpected one (with
 * `strict`, the default) and every shape that differs, in one StateDictMismatch; the expected tensors otherwise.
 */
export function checkStateDict(op: string, shapes: Readonly<Record<string, readonly number[]>>, stateDict: Readonly<Record<string, Tensor>>, { strict = true }: { readonly strict?: boolean } = {}): E.Either<GatedError, Record<string, Tensor>> {
  const has = (k: string) => Object.hasOwn(stateDict, k);
  const missing = Object.keys(shapes).filter((k) => !has(k));
  const unexpected = strict ? Object.keys(stateDict).filter((k) => !Object.hasOwn(shapes, k)) : [];
  const wrong = Object.entries(shapes).flatMap(([k, shape]) => {
    const t = has(k) ? stateDict[k] : undefined;
    return t === undefined || (t.rank === shape.length && t.shape.every((d, i) => d === shape[i])) ? [] : [{ name: k, expected: [...shape], found: [...t.shape] }];
  });
  if (missing.length + unexpected.length + wrong.length > 0) return E.left(stateDictMismatch(op, missing, unexpected, wrong));
  return E.right(Object.fromEntries(Object.keys(shapes).map((k) => [k, stateDict[k] as Tensor])));
}

/** A configuration read off a state dict; `modes` holds every mode the tensors fit (the RNNs' two cannot be told apart). */
export interface InferredRecurrentConfig {
  readonly modes: readonly Mode[];
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bidirectional: boolean;
  /** Why more than one mode is possible, when it is. */
  readonly ambiguity?: string;
}

/**
 * Infers a recurrent layer's configuration from PyTorch's names and shapes (weight_ih_l0 [G*H, I],
 * weight_hh_l0 [G*H, H], _reverse for a second direction). G = 4 is an LSTM, 3 a GRU, 1 an RNN: tanh and ReLU
 * RNNs have the same tensors, so both modes are returned and the ambiguity stated; the caller chooses. The tensors
 * are then checked strictly against the inferred configuration.
 */
export function configFromStateDict(stateDict: Readonly<Record<string, Tensor>>, prefix = ""): E.Either<GatedError, InferredRecurrentConfig> {
  const bad = (reason: string) => E.left(invalidArgument("configFromStateDict", "stateDict", reason));
  const hh = stateDict[`${prefix}weight_hh_l0`];
  const ih = stateDict[`${prefix}weight_ih_l0`];
  if (hh === undefined || ih === undefined) return bad(`has no ${prefix}weight_ih_l0 and ${prefix}weight_hh_l0: not a PyTorch RNN / LSTM / GRU state dict`);
  if (hh.rank !== 2 || ih.rank !== 2) return bad(`${prefix}weight_hh_l0 and ${prefix}weight_ih_l0 must be matrices, found [${hh.shape.join(", ")}] and [${ih.shape.join(", ")}]`);
  const [GH, H] = hh.shape as [number, number];
  const G = GH / H;
  const modes: Mode[] = G === 4 ? ["lstm"] : G === 3 ? ["gru"] : G === 1 ? ["rnn_tanh", "rnn_relu"] : [];
  if (modes.length === 0) return bad(`${prefix}weight_hh_l0 is [${GH}, ${H}]: its rows are not 1, 3 or 4 times its columns (an RNN, a GRU or an LSTM)`);
  let numLayers = 0;
  while (stateDict[`${prefix}weight_ih_l${numLayers}`] !== undefined) numLayers++;
  const bidirectional = stateDict[`${prefix}weight_ih_l0_reverse`] !== undefined;
  const inferred: InferredRecurrentConfig = {
    modes,
    inputSize: ih.shape[1] as number,
    hiddenSize: H,
    numLayers,
    bidirectional,
    ...(modes.length > 1 ? { ambiguity: "an RNN's tensors do not say whether it uses tanh or ReLU: rnn_tanh and rnn_relu both fit" } : {}),
  };
  const loaded = loadRecurrentStateDict({ mode: modes[0] as Mode, inputSize: inferred.inputSize, hiddenSize: H, numLayers, bidirectional }, stateDict, { prefix });
  return E.isLeft(loaded) ? loaded : E.right(inferred);
}
