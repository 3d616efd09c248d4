// The WebAssembly kernels behind the KernelOps interface (unchecked: `checked` validates first).
import { span } from "./check.js";
import { gemmWorkPtr, type RawKernels } from "./instance.js";
import { type Arg, withPointers } from "./marshal.js";
import { Split } from "./split.js";
import type { KernelName } from "./threads.js";
import type { F32, KernelOps } from "./types.js";

const arg = (x: F32, extent: number, mode: Arg["mode"], offset = 0): Arg => ({ x, offset, extent, mode });

/** One argument of a row or element kernel: [array or null, elements, mode, floats per row]. */
type StepArg = readonly [F32 | null, number, Arg["mode"], number];

/** Adapts one build's raw exports to KernelOps; `build` numbers it for the worker threads (0 SIMD, 1 relaxed). */
export function wasmOps(raw: RawKernels, build: number): KernelOps {
  const split = new Split(raw as unknown as Record<KernelName, (...a: number[]) => void>, build);
  /**
   * Calls a row kernel (`byRows`) or an element kernel with the address of each argument; null passes the
   * address 0 (no mask, no dy). The addresses come first, then `count` (rows or elements), then `tail`.
   */
  const call = (name: KernelName, byRows: boolean, args: readonly StepArg[], count: number, ...tail: number[]): void => {
    const present = args.filter((a): a is readonly [F32, number, Arg["mode"], number] => a[0] !== null);
    withPointers(
      present.map(([x, extent, mode]) => arg(x, extent, mode)),
      (ptrs) => {
        let k = 0;
        const addresses = args.map(([x]) => (x === null ? 0 : (ptrs[k++] as number)));
        if (byRows) split.rows(name, addresses, args.map((a) => a[3]), count, tail);
        else split.elements(name, addresses, count, tail);
      },
    );
  };
  const unary = (name: KernelName) => (out: F32, x: F32, n: number) => call(name, false, [[out, n, "out", 1], [x, n, "in", 1]], n);
  const binary = (name: KernelName) => (out: F32, a: F32, b: F32, n: number) => call(name, false, [[out, n, "out", 1], [a, n, "in", 1], [b, n, "in", 1]], n);
  const rowwise = (name: KernelName, outPerRow: (cols: number) => number) => (out: F32, x: F32, rows: number, cols: number) =>
    call(name, true, [[out, rows * outPerRow(cols), "out", outPerRow(cols)], [x, rows * cols, "in", cols]], rows, cols);
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
        ([pa, pb, pc]) => split.sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, alpha, pa as number, lda, pb as number, ldb, beta, pc as number, ldc, work),
      );
    },
    sgemv(m, n, alpha, a, aOffset, lda, x, xOffset, beta, y, yOffset) {
      if (m === 0) return;
      const reads = n > 0 && alpha !== 0;
      withPointers([arg(a, reads ? span(m, n, lda) : 0, "in", aOffset), arg(x, reads ? n : 0, "in", xOffset), arg(y, m, "inout", yOffset)], ([pa, px, py]) =>
        split.sgemv(m, reads ? n : 0, reads ? alpha : 0, pa as number, lda, px as number, beta, py as number),
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
        ([pa, pp, pc]) => split.sgemmPacked(transA ? 1 : 0, m, n, k, alpha, pa as number, lda, pp as number, beta, pc as number, ldc, gemmWorkPtr()),
      );
    },
    add: binary("add"),
    mul: binary("mul"),
    addBias(out, x, bias, rows, cols) {
      call("addBias", true, [[out, rows * cols, "out", cols], [x, rows * cols, "in", cols], [bias, cols, "in", 0]], rows, cols);
    },
    exp: unary("exp"),
    sigmoid: unary("sigmoid"),
    tanh: unary("tanh"),
    relu: unary("relu"),
    sigmoidBackward: binary("sigmoidBackward"),
    tanhBackward: binary("tanhBackward"),
    reluBackward: binary("reluBackward"),
    // Column sums add over rows: a split by rows would change the order of the sums, so it stays on one thread.
    colSum(out, x, rows, cols) {
      withPointers([arg(out, cols, "out"), arg(x, rows * cols, "in")], ([o, i]) => raw.colSum(o as number, i as number, rows, cols));
    },
    softmaxRows: rowwise("softmaxRows", (c) => c),
    logSumExpRows: rowwise("logSumExpRows", () => 1),
    crossEntropyBackward(dx, x, lse, targets, g, rows, cols) {
      call("crossEntropyBackward", true, [[dx, rows * cols, "out", cols], [x, rows * cols, "in", cols], [lse, rows, "in", 1], [targets, rows, "in", 1], [g, rows, "in", 1]], rows, cols);
    },
    adamStep(pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, c1, c2, weightDecay, decoupled) {
      call(
        "adamStep", false,
        [[pOut, n, "out", 1], [mOut, n, "out", 1], [vOut, n, "out", 1], [p, n, "in", 1], [g, n, "in", 1], [m, n, "in", 1], [v, n, "in", 1]],
        n, lr, beta1, beta2, 1 - beta1, 1 - beta2, eps, c1, c2, decoupled ? 0 : weightDecay, decoupled ? 1 - lr * weightDecay : 1,
      );
    },
    sgdStep(pOut, vOut, p, g, v, n, lr, momentum, nesterov, weightDecay) {
      const nv = momentum > 0 ? n : 0;
      call("sgdStep", false, [[pOut, n, "out", 1], [vOut, nv, "out", 1], [p, n, "in", 1], [g, n, "in", 1], [v, nv, "in", 1]], n, lr, momentum, nesterov ? 1 : 0, weightDecay);
    },
    lstmForward(gates, cOut, hOut, y, cPrev, hPrev, mask, rows, H) {
      const n = rows * H;
      call("lstmForward", true, [[gates, 4 * n, "inout", 4 * H], [cOut, n, "out", H], [hOut, n, "out", H], [y, n, "out", H], [cPrev, n, "in", H], [hPrev, n, "in", H], [mask, rows, "in", 1]], rows, H);
    },
    lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cNew, dh, dy, dc, mask, rows, H) {
      const n = rows * H;
      call(
        "lstmBackward", true,
        [
          [dPre, 4 * n, "out", 4 * H], [dhPrev, n, "out", H], [dcPrev, n, "out", H], [gates, 4 * n, "in", 4 * H], [cPrev, n, "in", H],
          [cNew, n, "in", H], [dh, n, "in", H], [dy, n, "in", H], [dc, n, "in", H], [mask, rows, "in", 1],
        ],
        rows, H,
      );
    },
    gruForward(saved, hOut, y, xp, hp, bias, hPrev, mask, rows, H) {
      const n = rows * H;
      call(
        "gruForward", true,
        [[saved, 4 * n, "out", 4 * H], [hOut, n, "out", H], [y, n, "out", H], [xp, 3 * n, "in", 3 * H], [hp, 3 * n, "in", 3 * H], [bias, 3 * H, "in", 0], [hPrev, n, "in", H], [mask, rows, "in", 1]],
        rows, H,
      );
    },
    gruBackward(dxp, dhp, dhPrev, saved, hPrev, dh, dy, mask, rows, H) {
      const n = rows * H;
      call(
        "gruBackward", true,
        [[dxp, 3 * n, "out", 3 * H], [dhp, 3 * n, "out", 3 * H], [dhPrev, n, "out", H], [saved, 4 * n, "in", 4 * H], [hPrev, n, "in", H], [dh, n, "in", H], [dy, n, "in", H], [mask, rows, "in", 1]],
        rows, H,
      );
    },
    rnnForward(pre, hOut, y, hPrev, mask, rows, H, relu) {
      const n = rows * H;
      call("rnnForward", true, [[pre, n, "inout", H], [hOut, n, "out", H], [y, n, "out", H], [hPrev, n, "in", H], [mask, rows, "in", 1]], rows, H, relu ? 1 : 0);
    },
    rnnBackward(dPre, dhPrev, act, dh, dy, mask, rows, H, relu) {
      const n = rows * H;
      call("rnnBackward", true, [[dPre, n, "out", H], [dhPrev, n, "out", H], [act, n, "in", H], [dh, n, "in", H], [dy, n, "in", H], [mask, rows, "in", 1]], rows, H, relu ? 1 : 0);
    },
  };
}
