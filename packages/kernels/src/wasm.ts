// The WebAssembly kernels behind the KernelOps interface (unchecked: `checked` validates first).
import { span } from "./check.js";
import { gemmWorkPtr, type RawKernels } from "./instance.js";
import { type Arg, withPointers } from "./marshal.js";
import type { F32, KernelOps } from "./types.js";

const arg = (x: F32, extent: number, mode: Arg["mode"], offset = 0): Arg => ({ x, offset, extent, mode });

/**
 * Calls a recurrent step kernel with the address of each argument ([array or null, elements, mode]); null
 * passes the address 0 (no mask, no dy). `tail` follows the addresses (rows, hidden, flags).
 */
function step(f: (...a: number[]) => void, args: readonly (readonly [F32 | null, number, Arg["mode"]])[], ...tail: number[]): void {
  const present = args.filter((a): a is readonly [F32, number, Arg["mode"]] => a[0] !== null);
  withPointers(
    present.map(([x, extent, mode]) => arg(x, extent, mode)),
    (ptrs) => {
      let k = 0;
      f(...args.map(([x]) => (x === null ? 0 : (ptrs[k++] as number))), ...tail);
    },
  );
}

/** Adapts one build's raw exports to KernelOps. */
export function wasmOps(raw: RawKernels): KernelOps {
  const unary = (f: (o: number, x: number, n: number) => void) => (out: F32, x: F32, n: number) =>
    withPointers([arg(out, n, "out"), arg(x, n, "in")], ([o, i]) => f(o as number, i as number, n));
  const binary = (f: (o: number, a: number, b: number, n: number) => void) => (out: F32, a: F32, b: F32, n: number) =>
    withPointers([arg(out, n, "out"), arg(a, n, "in"), arg(b, n, "in")], ([o, x, y]) => f(o as number, x as number, y as number, n));
  const rowwise = (f: (o: number, x: number, r: number, c: number) => void, outExtent: (r: number, c: number) => number) =>
    (out: F32, x: F32, rows: number, cols: number) =>
      withPointers([arg(out, outExtent(rows, cols), "out"), arg(x, rows * cols, "in")], ([o, i]) => f(o as number, i as number, rows, cols));
  return {
    sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc) {
      if (m === 0 || n === 0) return;
      const readsAB = k > 0 && alpha !== 0;
      const aExtent = readsAB ? (transA ? span(k, m, lda) : span(m, k, lda)) : 0;
      const bExtent = readsAB ? (transB ? span(n, k, ldb) : span(k, n, ldb)) : 0;
      // C is "inout" even when beta = 0: a staged copy is written back whole, gaps between rows included.
      const work = gemmWorkPtr();
      withPointers(
        [arg(a, aExtent, "in", aOffset), arg(b, bExtent, "in", bOffset), arg(c, span(m, n, ldc), "inout", cOffset)],
        ([pa, pb, pc]) => raw.sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa as number, lda, pb as number, ldb, beta, pc as number, ldc, work),
      );
    },
    sgemv(m, n, alpha, a, aOffset, lda, x, xOffset, beta, y, yOffset) {
      if (m === 0) return;
      const reads = n > 0 && alpha !== 0;
      withPointers([arg(a, reads ? span(m, n, lda) : 0, "in", aOffset), arg(x, reads ? n : 0, "in", xOffset), arg(y, m, "inout", yOffset)], ([pa, px, py]) =>
        raw.sgemv(m, reads ? n : 0, reads ? alpha : 0, pa as number, lda, px as number, beta, py as number),
      );
    },
    packedBSize: (k, n) => raw.packedBSize(k, n),
    packB(transB, k, n, b, bOffset, ldb, packed) {
      if (k === 0 || n === 0) return;
      withPointers([arg(b, transB ? span(n, k, ldb) : span(k, n, ldb), "in", bOffset), arg(packed, raw.packedBSize(k, n), "out")], ([pb, pp]) =>
        raw.packB(transB ? 1 : 0, k, n, pb as number, ldb, pp as number),
      );
    },
    sgemmPacked(transA, m, n, k, alpha, a, aOffset, lda, packed, beta, c, cOffset, ldc) {
      if (m === 0 || n === 0) return;
      const reads = k > 0 && alpha !== 0;
      withPointers(
        [arg(a, reads ? (transA ? span(k, m, lda) : span(m, k, lda)) : 0, "in", aOffset), arg(packed, reads ? raw.packedBSize(k, n) : 0, "in"), arg(c, span(m, n, ldc), "inout", cOffset)],
        ([pa, pp, pc]) => raw.sgemmPacked(transA ? 1 : 0, m, n, k, alpha, pa as number, lda, pp as number, beta, pc as number, ldc, gemmWorkPtr()),
      );
    },
    add: binary(raw.add),
    mul: binary(raw.mul),
    addBias(out, x, bias, rows, cols) {
      withPointers([arg(out, rows * cols, "out"), arg(x, rows * cols, "in"), arg(bias, cols, "in")], ([o, i, b]) =>
        raw.addBias(o as number, i as number, b as number, rows, cols),
      );
    },
    exp: unary(raw.exp),
    sigmoid: unary(raw.sigmoid),
    tanh: unary(raw.tanh),
    relu: unary(raw.relu),
    sigmoidBackward: binary(raw.sigmoidBackward),
    tanhBackward: binary(raw.tanhBackward),
    reluBackward: binary(raw.reluBackward),
    colSum: rowwise(raw.colSum, (_r, c) => c),
    softmaxRows: rowwise(raw.softmaxRows, (r, c) => r * c),
    logSumExpRows: rowwise(raw.logSumExpRows, (r) => r),
    crossEntropyBackward(dx, x, lse, targets, g, rows, cols) {
      step(raw.crossEntropyBackward, [[dx, rows * cols, "out"], [x, rows * cols, "in"], [lse, rows, "in"], [targets, rows, "in"], [g, rows, "in"]], rows, cols);
    },
    adamStep(pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, c1, c2, weightDecay, decoupled) {
      step(
        raw.adamStep,
        [[pOut, n, "out"], [mOut, n, "out"], [vOut, n, "out"], [p, n, "in"], [g, n, "in"], [m, n, "in"], [v, n, "in"]],
        n, lr, beta1, beta2, 1 - beta1, 1 - beta2, eps, c1, c2, decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1,
      );
    },
    sgdStep(pOut, vOut, p, g, v, n, lr, momentum, nesterov, weightDecay) {
      const nv = momentum > 0 ? n : 0;
      step(raw.sgdStep, [[pOut, n, "out"], [vOut, nv, "out"], [p, n, "in"], [g, n, "in"], [v, nv, "in"]], n, lr, momentum, nesterov ? 1 : 0, weightDecay);
    },
    lstmForward(gates, cOut, hOut, y, cPrev, hPrev, mask, rows, H) {
      const n = rows * H;
      step(raw.lstmForward, [[gates, 4 * n, "inout"], [cOut, n, "out"], [hOut, n, "out"], [y, n, "out"], [cPrev, n, "in"], [hPrev, n, "in"], [mask, rows, "in"]], rows, H);
    },
    lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cNew, dh, dy, dc, mask, rows, H) {
      const n = rows * H;
      step(
        raw.lstmBackward,
        [[dPre, 4 * n, "out"], [dhPrev, n, "out"], [dcPrev, n, "out"], [gates, 4 * n, "in"], [cPrev, n, "in"], [cNew, n, "in"], [dh, n, "in"], [dy, n, "in"], [dc, n, "in"], [mask, rows, "in"]],
        rows, H,
      );
    },
    gruForward(saved, hOut, y, xp, hp, bias, hPrev, mask, rows, H) {
      const n = rows * H;
      step(raw.gruForward, [[saved, 4 * n, "out"], [hOut, n, "out"], [y, n, "out"], [xp, 3 * n, "in"], [hp, 3 * n, "in"], [bias, 3 * H, "in"], [hPrev, n, "in"], [mask, rows, "in"]], rows, H);
    },
    gruBackward(dxp, dhp, dhPrev, saved, hPrev, dh, dy, mask, rows, H) {
      const n = rows * H;
      step(raw.gruBackward, [[dxp, 3 * n, "out"], [dhp, 3 * n, "out"], [dhPrev, n, "out"], [saved, 4 * n, "in"], [hPrev, n, "in"], [dh, n, "in"], [dy, n, "in"], [mask, rows, "in"]], rows, H);
    },
    rnnForward(pre, hOut, y, hPrev, mask, rows, H, relu) {
      const n = rows * H;
      step(raw.rnnForward, [[pre, n, "inout"], [hOut, n, "out"], [y, n, "out"], [hPrev, n, "in"], [mask, rows, "in"]], rows, H, relu ? 1 : 0);
    },
    rnnBackward(dPre, dhPrev, act, dh, dy, mask, rows, H, relu) {
      const n = rows * H;
      step(raw.rnnBackward, [[dPre, n, "out"], [dhPrev, n, "out"], [act, n, "in"], [dh, n, "in"], [dy, n, "in"], [mask, rows, "in"]], rows, H, relu ? 1 : 0);
    },
  };
}
