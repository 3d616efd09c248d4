import { invalidArgument, raise, shapeMismatch } from "../errors.js";
import { checkDtypes } from "../impl/elementwise.js";
import { matmul2d } from "../impl/matmul.js";
import { matmul as mm } from "../ops.js";
import type { Primitive, Two } from "../primitive.js";
import { showShape } from "../shape.js";

export interface MatmulParams {
  readonly transA: boolean;
  readonly transB: boolean;
}

/**
 * C = op(A) op(B) for 2-D A, B, op(X) = X or X^T (sgemm on WebAssembly for float32).
 * VJP, for C = A B: dA = g B^T, dB = A^T g; the transposed cases follow by transposing those.
 */
export const matmul: Primitive<MatmulParams, Two> = {
  name: "matmul",
  forward: ([a, b], { transA, transB }) => {
    checkDtypes("matmul", [a, b]);
    if (a.rank !== 2) raise(invalidArgument("matmul", "a", `must be 2-D, got shape ${showShape(a.shape)} (reshape batched inputs to [rows, features])`));
    if (b.rank !== 2) raise(invalidArgument("matmul", "b", `must be 2-D, got shape ${showShape(b.shape)}`));
    const k = transA ? a.shape[0] : a.shape[1];
    const kb = transB ? b.shape[1] : b.shape[0];
    if (k !== kb) {
      raise(shapeMismatch("matmul", `inner sizes to agree (op(a) is [m, ${k}], so op(b) must be [${k}, n])`, `op(a) ${showShape(transA ? [a.shape[1] as number, k as number] : a.shape)} and op(b) ${showShape(transB ? [kb as number, b.shape[0] as number] : b.shape)}`));
    }
    return matmul2d(a, b, transA, transB);
  },
  vjp: (g, [a, b], _out, { transA, transB }) => {
    const dA = transA ? mm(b, g, { transA: transB, transB: true }) : mm(g, b, { transB: !transB });
    const dB = transB ? mm(g, a, { transA: true, transB: transA }) : mm(a, g, { transA: !transA });
    return [dA, dB];
  },
};
