import type { KernelOps } from "../types.js";
import { adamStep, sgdStep } from "./optim.js";
import { packB, packedBSize, sgemm, sgemmPacked, sgemv } from "./gemm.js";
import { add, addBias, exp, mul, relu, reluBackward, sigmoid, sigmoidBackward, tanh, tanhBackward } from "./pointwise.js";
import { gruBackward, gruForward, lstmBackward, lstmForward, rnnBackward, rnnForward } from "./recurrent.js";
import { colSum, crossEntropyBackward, logSumExpRows, softmaxRows } from "./rows.js";

/** The plain-JS twin of every kernel, unchecked. */
export const jsOps: KernelOps = {
  sgemm, sgemv, packedBSize, packB, sgemmPacked, add, mul, addBias, exp, sigmoid, tanh, relu, sigmoidBackward, tanhBackward, reluBackward, colSum, softmaxRows, logSumExpRows, crossEntropyBackward,
  adamStep, sgdStep, lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward,
};
