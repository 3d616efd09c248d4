// @gated/kernels WebAssembly module: every export takes byte pointers into this module's memory and sizes.
// No allocation happens here: the TypeScript layer owns the memory above heapBase() and passes scratch space.
import { GEMM_WORK_BYTES } from "./gemm";
export { sgemm, sgemmPacked } from "./gemm";
export { packB, packedBSize } from "./pack";
export { sgemv } from "./small";
export { add, mul, addBias, exp, sigmoid, tanh, relu, sigmoidBackward, tanhBackward, reluBackward } from "./pointwise";
export { colSum, softmaxRows, logSumExpRows, crossEntropyBackward } from "./rows";
export { adamStep, sgdStep } from "./optim";
export { lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward } from "./recurrent";

/** First byte that the TypeScript allocator may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** Scratch bytes sgemm needs at its `work` pointer. */
export function gemmWorkBytes(): usize {
  return GEMM_WORK_BYTES;
}
