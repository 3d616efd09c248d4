/**
 * @gated/autograd: a pure functional autograd. Immutable tensors (float32 on WebAssembly kernels, float64 for
 * checking), a closed set of primitives with VJP rules, and function transforms (vjp, grad, valueAndGrad, scan,
 * customVjp) over parameter trees. No global tape, no zeroGrad, no dispose.
 *
 * @example
 * import { valueAndGrad, sum, mul, tensorOrThrow } from "@gated/autograd";
 * const [loss, g] = valueAndGrad((w: Tensor) => sum(mul(w, w)))(tensorOrThrow([1, 2, 3]));
 * // loss = 14, g = [2, 4, 6]
 * @since 0.1.0
 */
export { crossEntropy, logSoftmax, logsumexp, type Reduction, softmax } from "./composite.js";
export { customVjp } from "./custom-vjp.js";
export { linearCrossEntropy } from "./linear-cross-entropy.js";
export * from "./errors.js";
export { checkVjp, type GradcheckOptions, type GradcheckReport, gradcheck, isOk, type VjpCheck, type WorstElement } from "./gradcheck.js";
export * from "./ops.js";
export type { One, Primitive, Two } from "./primitive.js";
export type { GatherParams } from "./primitives/gather.js";
export type { MatmulParams } from "./primitives/matmul.js";
export type { SliceParams } from "./primitives/slice.js";
export type { ReduceParams } from "./primitives/sum.js";
export { type PrimitiveName, primitives } from "./primitives/index.js";
export { type RecurrenceCell, type RecurrenceOptions, type RecurrenceOutput, type RecurrenceParams, recurrence } from "./recurrence.js";
export { index0, scan, type ScanOptions, unstack } from "./scan.js";
export { broadcastShapes, type Shape, sizeOf } from "./shape.js";
export { type DType, mirrorStats, setPinnedBudget } from "./storage.js";
export { empty, full, ones, scalar, Tensor, tensor, tensorFromArray, tensorOrThrow, zeros } from "./tensor.js";
export { type Grads, grad, type TransformOptions, valueAndGrad, vjp } from "./transforms.js";
export { leaves, type MapTree, mapTree, replaceLeaves, type Tree } from "./tree.js";
