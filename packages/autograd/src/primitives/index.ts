// The closed set of primitives, one file each. The table's type requires every entry to be a Primitive, whose
// `vjp` is mandatory: a primitive without a VJP rule does not compile.
import type { Primitive } from "../primitive.js";
import type { Tensor } from "../tensor.js";
import { add } from "./add.js";
import { broadcastTo } from "./broadcast-to.js";
import { cast } from "./cast.js";
import { concat } from "./concat.js";
import { div } from "./div.js";
import { exp } from "./exp.js";
import { gather } from "./gather.js";
import { log } from "./log.js";
import { matmul } from "./matmul.js";
import { max } from "./max.js";
import { mul } from "./mul.js";
import { neg } from "./neg.js";
import { pow } from "./pow.js";
import { relu } from "./relu.js";
import { reshape } from "./reshape.js";
import { sigmoid } from "./sigmoid.js";
import { slice } from "./slice.js";
import { sqrt } from "./sqrt.js";
import { stopGradient } from "./stop-gradient.js";
import { sub } from "./sub.js";
import { sum } from "./sum.js";
import { tanh } from "./tanh.js";
import { transpose } from "./transpose.js";
import { where } from "./where.js";

// biome-ignore lint/suspicious/noExplicitAny: each entry keeps its own parameter and input types.
type AnyPrimitive = Primitive<any, any>;

export const primitives = {
  add, sub, mul, div, neg, exp, log, sqrt, pow, tanh, sigmoid, relu,
  matmul, transpose, reshape, slice, concat, gather, broadcastTo,
  sum, max, where, stopGradient, cast,
} as const satisfies Record<string, AnyPrimitive>;

export type PrimitiveName = keyof typeof primitives;
export type { Tensor };
