// Argument checks shared by every backend: what is wrong, with which argument, and what was expected.
import { KernelArgumentError } from "./errors.js";
import { heap } from "./instance.js";
import type { Backend, F32, KernelOps, Kernels } from "./types.js";
import { WasmF32 } from "./wasm-f32.js";

const MAX_DIM = 2 ** 31 - 1;

function fail(kernel: string, argument: string, reason: string): never {
  throw new KernelArgumentError(kernel, argument, reason);
}

function dim(kernel: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > MAX_DIM) {
    fail(kernel, name, `must be a non-negative integer size, got ${String(v)}`);
  }
  return v;
}

function array(kernel: string, name: string, x: unknown): F32 {
  if (x instanceof WasmF32) {
    if (!x.alive) fail(kernel, name, "is a WasmF32 that was freed");
    return x;
  }
  if (!(x instanceof Float32Array)) fail(kernel, name, `must be a Float32Array or WasmF32, got ${describe(x)}`);
  return x;
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (typeof x === "object") return (x as object).constructor?.name ?? "object";
  return typeof x;
}

function scalar(kernel: string, name: string, v: unknown): number {
  if (typeof v !== "number") fail(kernel, name, `must be a number, got ${describe(v)}`);
  return v;
}

function flag(kernel: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(kernel, name, `must be a boolean, got ${describe(v)}`);
  return v;
}

/** Checks that x holds `extent` elements from `offset`. */
function range(kernel: string, name: string, x: F32, offset: unknown, offsetName: string, extent: number): void {
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) {
    fail(kernel, offsetName, `must be a non-negative integer, got ${String(offset)}`);
  }
  if (offset + extent > x.length) {
    const detached = x instanceof Float32Array && x.length === 0 && x.buffer.byteLength === 0 ? " (is it a view of WebAssembly memory taken before memory grew?)" : "";
    fail(kernel, name, `has ${x.length} elements but ${offset + extent} are needed (offset ${offset} + extent ${extent})${detached}`);
  }
}

interface Region {
  readonly key: object;
  readonly start: number;
  readonly end: number;
}

function region(x: F32, offset: number, extent: number): Region {
  if (x instanceof WasmF32) return { key: heap, start: x.ptr + 4 * offset, end: x.ptr + 4 * (offset + extent) };
  const key = x.buffer === heap.memory.buffer ? heap : x.buffer;
  return { key, start: x.byteOffset + 4 * offset, end: x.byteOffset + 4 * (offset + extent) };
}

/** Rejects an output that overlaps an input, except (when allowed) the exact same range. */
function disjoint(kernel: string, outName: string, out: Region, inName: string, input: Region, allowSame: boolean): void {
  if (out.key !== input.key || out.start === out.end || input.start === input.end) return;
  if (out.end <= input.start || input.end <= out.start) return;
  if (allowSame && out.start === input.start && out.end === input.end) return;
  fail(kernel, outName, `overlaps input '${inName}'${allowSame ? " (only the exact same range may be shared, for in-place use)" : ""}: write to a separate array`);
}

function pointwise(kernel: string, names: readonly string[], arrays: readonly unknown[], n: unknown): number {
  const size = dim(kernel, "n", n);
  const checked = arrays.map((x, i) => array(kernel, names[i] as string, x));
  for (const [i, x] of checked.entries()) range(kernel, names[i] as string, x, 0, "offset", size);
  const out = region(checked[0] as F32, 0, size);
  for (let i = 1; i < checked.length; i++) disjoint(kernel, names[0] as string, out, names[i] as string, region(checked[i] as F32, 0, size), true);
  return size;
}

interface Extra {
  readonly name: string;
  readonly value: unknown;
  readonly extent: (cols: number) => number;
}

/** Checks a [rows, cols] kernel; `inPlace` allows out to be exactly x (the kernel reads x[i] before writing out[i]). */
function matrix(kernel: string, out: unknown, outExtent: (r: number, c: number) => number, inPlace: boolean, x: unknown, rows: unknown, cols: unknown, extra?: Extra): void {
  const r = dim(kernel, "rows", rows);
  const c = dim(kernel, "cols", cols);
  const o = array(kernel, "out", out);
  const xs = array(kernel, "x", x);
  range(kernel, "x", xs, 0, "offset", r * c);
  range(kernel, "out", o, 0, "offset", outExtent(r, c));
  const outRegion = region(o, 0, outExtent(r, c));
  disjoint(kernel, "out", outRegion, "x", region(xs, 0, r * c), inPlace);
  if (extra) {
    const e = array(kernel, extra.name, extra.value);
    range(kernel, extra.name, e, 0, "offset", extra.extent(c));
    disjoint(kernel, "out", outRegion, extra.name, region(e, 0, extra.extent(c)), false);
  }
}

/** One argument of a recurrent step kernel: its name, value, elements used, role; null only where `optional`. */
type StepArg = readonly [name: string, value: unknown, extent: number, role: "in" | "out" | "inout", optional?: boolean];

/**
 * Checks a recurrent step kernel's arguments: sizes, array types and ranges, and that no output overlaps
 * another argument, except the (output, input) pairs in `inPlace` when they are exactly the same range.
 */
function stepArgs(
  kernel: string, rows: unknown, hidden: unknown, args: (r: number, h: number) => readonly StepArg[], inPlace: readonly (readonly [string, string])[] = [], hiddenName = "hidden",
): void {
  const r = dim(kernel, "rows", rows);
  const h = dim(kernel, hiddenName, hidden);
  const regions: [string, Region, StepArg[3]][] = [];
  for (const [name, value, extent, role, optional] of args(r, h)) {
    if (value === null && optional) continue;
    const x = array(kernel, name, value);
    range(kernel, name, x, 0, "offset", extent);
    regions.push([name, region(x, 0, extent), role]);
  }
  // Each output against every argument after it, and every input before it (each pair is looked at once).
  for (const [i, [outName, out, role]] of regions.entries()) {
    if (role === "in") continue;
    for (const [j, [otherName, other, otherRole]] of regions.entries()) {
      if (j === i || (j < i && otherRole !== "in")) continue;
      const same = otherRole === "in" && inPlace.some(([o, input]) => o === outName && input === otherName);
      disjoint(kernel, outName, out, otherName, other, same);
    }
  }
}

/** A leading dimension (row stride) must be a size and at least the stored row length. */
function leading(kernel: string, name: string, ld: unknown, cols: number): void {
  dim(kernel, name, ld);
  if ((ld as number) < Math.max(1, cols)) fail(kernel, name, `must be at least ${Math.max(1, cols)} (the stored row length), got ${String(ld)}`);
}

/** Elements spanned by a row-major [rows, cols] matrix with row stride ld (0 when empty). */
export function span(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

/** One matrix or vector operand of a product. */
interface Operand {
  readonly name: string;
  readonly value: unknown;
  readonly offset: unknown;
  readonly offsetName: string;
  /** Its leading dimension: [argument name, value, stored row length]. */
  readonly ld?: readonly [string, unknown, number];
  /** Elements used from `offset` (called after the leading dimensions are checked). */
  readonly extent: () => number;
}

/**
 * The checks every product shares, operand by operand: array types, leading dimensions, ranges, and the output
 * (the last operand) disjoint from every input.
 */
function operands(K: string, list: readonly Operand[]): void {
  const arrays = list.map((o) => array(K, o.name, o.value));
  for (const o of list) if (o.ld) leading(K, ...o.ld);
  const extents = list.map((o) => o.extent());
  for (const [i, o] of list.entries()) range(K, o.name, arrays[i] as F32, o.offset, o.offsetName, extents[i] as number);
  const last = list.length - 1;
  const out = list[last] as Operand;
  const outRegion = region(arrays[last] as F32, out.offset as number, extents[last] as number);
  for (let i = 0; i < last; i++) disjoint(K, out.name, outRegion, (list[i] as Operand).name, region(arrays[i] as F32, (list[i] as Operand).offset as number, extents[i] as number), false);
}

function checkSgemm(args: Parameters<KernelOps["sgemm"]>): void {
  const K = "sgemm";
  const [transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c, cOffset, ldc] = args;
  flag(K, "transA", transA);
  flag(K, "transB", transB);
  dim(K, "m", m);
  dim(K, "n", n);
  dim(K, "k", k);
  scalar(K, "alpha", alpha);
  scalar(K, "beta", beta);
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const reads = m > 0 && n > 0 && k > 0 && alpha !== 0;
  operands(K, [
    { name: "a", value: a, offset: aOffset, offsetName: "aOffset", ld: ["lda", lda, aCols], extent: () => (reads ? span(aRows, aCols, lda) : 0) },
    { name: "b", value: b, offset: bOffset, offsetName: "bOffset", ld: ["ldb", ldb, bCols], extent: () => (reads ? span(bRows, bCols, ldb) : 0) },
    { name: "c", value: c, offset: cOffset, offsetName: "cOffset", ld: ["ldc", ldc, n], extent: () => span(m, n, ldc) },
  ]);
}

const packedSize = (k: number, n: number): number => k * Math.ceil(n / 8) * 8;

function checkSgemv(args: Parameters<KernelOps["sgemv"]>): void {
  const K = "sgemv";
  const [m, n, alpha, a, aOffset, lda, x, xOffset, beta, y, yOffset] = args;
  dim(K, "m", m);
  dim(K, "n", n);
  scalar(K, "alpha", alpha);
  scalar(K, "beta", beta);
  const reads = m > 0 && n > 0 && alpha !== 0;
  operands(K, [
    { name: "a", value: a, offset: aOffset, offsetName: "aOffset", ld: ["lda", lda, n], extent: () => (reads ? span(m, n, lda) : 0) },
    { name: "x", value: x, offset: xOffset, offsetName: "xOffset", extent: () => (reads ? n : 0) },
    { name: "y", value: y, offset: yOffset, offsetName: "yOffset", extent: () => m },
  ]);
}

function checkPackB(args: Parameters<KernelOps["packB"]>): void {
  const K = "packB";
  const [transB, k, n, b, bOffset, ldb, packed] = args;
  flag(K, "transB", transB);
  dim(K, "k", k);
  dim(K, "n", n);
  operands(K, [
    { name: "b", value: b, offset: bOffset, offsetName: "bOffset", ld: ["ldb", ldb, transB ? k : n], extent: () => (k === 0 || n === 0 ? 0 : transB ? span(n, k, ldb) : span(k, n, ldb)) },
    { name: "packed", value: packed, offset: 0, offsetName: "offset", extent: () => packedSize(k, n) },
  ]);
}

function checkSgemmPacked(args: Parameters<KernelOps["sgemmPacked"]>): void {
  const K = "sgemmPacked";
  const [transA, m, n, k, alpha, a, aOffset, lda, packed, beta, c, cOffset, ldc] = args;
  flag(K, "transA", transA);
  dim(K, "m", m);
  dim(K, "n", n);
  dim(K, "k", k);
  scalar(K, "alpha", alpha);
  scalar(K, "beta", beta);
  const reads = m > 0 && n > 0 && k > 0 && alpha !== 0;
  operands(K, [
    { name: "a", value: a, offset: aOffset, offsetName: "aOffset", ld: ["lda", lda, transA ? m : k], extent: () => (reads ? (transA ? span(k, m, lda) : span(m, k, lda)) : 0) },
    { name: "packed", value: packed, offset: 0, offsetName: "offset", extent: () => (reads ? packedSize(k, n) : 0) },
    { name: "c", value: c, offset: cOffset, offsetName: "cOffset", ld: ["ldc", ldc, n], extent: () => span(m, n, ldc) },
  ]);
}

/** Wraps an unchecked implementation so that every call validates its arguments first. */
export function checked(backend: Backend, impl: KernelOps): Kernels {
  return {
    backend,
    sgemm(...args) {
      checkSgemm(args);
      impl.sgemm(...args);
    },
    sgemv(...args) {
      checkSgemv(args);
      impl.sgemv(...args);
    },
    packedBSize(k, n) {
      return packedSize(dim("packedBSize", "k", k), dim("packedBSize", "n", n));
    },
    packB(...args) {
      checkPackB(args);
      impl.packB(...args);
    },
    sgemmPacked(...args) {
      checkSgemmPacked(args);
      impl.sgemmPacked(...args);
    },
    add(out, a, b, n) {
      impl.add(out, a, b, pointwise("add", ["out", "a", "b"], [out, a, b], n));
    },
    mul(out, a, b, n) {
      impl.mul(out, a, b, pointwise("mul", ["out", "a", "b"], [out, a, b], n));
    },
    addBias(out, x, bias, rows, cols) {
      matrix("addBias", out, (r, c) => r * c, true, x, rows, cols, { name: "bias", value: bias, extent: (c) => c });
      impl.addBias(out, x, bias, rows, cols);
    },
    exp(out, x, n) {
      impl.exp(out, x, pointwise("exp", ["out", "x"], [out, x], n));
    },
    sigmoid(out, x, n) {
      impl.sigmoid(out, x, pointwise("sigmoid", ["out", "x"], [out, x], n));
    },
    tanh(out, x, n) {
      impl.tanh(out, x, pointwise("tanh", ["out", "x"], [out, x], n));
    },
    relu(out, x, n) {
      impl.relu(out, x, pointwise("relu", ["out", "x"], [out, x], n));
    },
    sigmoidBackward(dx, y, dy, n) {
      impl.sigmoidBackward(dx, y, dy, pointwise("sigmoidBackward", ["dx", "y", "dy"], [dx, y, dy], n));
    },
    tanhBackward(dx, y, dy, n) {
      impl.tanhBackward(dx, y, dy, pointwise("tanhBackward", ["dx", "y", "dy"], [dx, y, dy], n));
    },
    reluBackward(dx, x, dy, n) {
      impl.reluBackward(dx, x, dy, pointwise("reluBackward", ["dx", "x", "dy"], [dx, x, dy], n));
    },
    colSum(out, x, rows, cols) {
      matrix("colSum", out, (_r, c) => c, false, x, rows, cols);
      impl.colSum(out, x, rows, cols);
    },
    softmaxRows(out, x, rows, cols) {
      matrix("softmaxRows", out, (r, c) => r * c, true, x, rows, cols);
      impl.softmaxRows(out, x, rows, cols);
    },
    logSumExpRows(out, x, rows, cols) {
      matrix("logSumExpRows", out, (r) => r, false, x, rows, cols);
      impl.logSumExpRows(out, x, rows, cols);
    },
    adamStep(pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, c1, c2, weightDecay, decoupled) {
      const K = "adamStep";
      for (const [name, value] of [["lr", lr], ["beta1", beta1], ["beta2", beta2], ["eps", eps], ["c1", c1], ["c2", c2], ["weightDecay", weightDecay]] as const) scalar(K, name, value);
      flag(K, "decoupled", decoupled);
      const size = dim(K, "n", n);
      stepArgs(K, 1, size, (_r, k) => [["pOut", pOut, k, "out"], ["mOut", mOut, k, "out"], ["vOut", vOut, k, "out"], ["p", p, k, "in"], ["g", g, k, "in"], ["m", m, k, "in"], ["v", v, k, "in"]], [["pOut", "p"], ["mOut", "m"], ["vOut", "v"]], "n");
      impl.adamStep(pOut, mOut, vOut, p, g, m, v, n, lr, beta1, beta2, eps, c1, c2, weightDecay, decoupled);
    },
    sgdStep(pOut, vOut, p, g, v, n, lr, momentum, nesterov, weightDecay) {
      const K = "sgdStep";
      for (const [name, value] of [["lr", lr], ["momentum", momentum], ["weightDecay", weightDecay]] as const) scalar(K, name, value);
      flag(K, "nesterov", nesterov);
      const size = dim(K, "n", n);
      const nv = momentum > 0 ? size : 0;
      stepArgs(K, 1, size, (_r, k) => [["pOut", pOut, k, "out"], ["vOut", vOut, nv, "out"], ["p", p, k, "in"], ["g", g, k, "in"], ["v", v, nv, "in"]], [["pOut", "p"], ["vOut", "v"]], "n");
      impl.sgdStep(pOut, vOut, p, g, v, n, lr, momentum, nesterov, weightDecay);
    },
    crossEntropyBackward(dx, x, lse, targets, g, rows, cols) {
      const K = "crossEntropyBackward";
      stepArgs(K, rows, cols, (r, c) => [["dx", dx, r * c, "out"], ["x", x, r * c, "in"], ["lse", lse, r, "in"], ["targets", targets, r, "in"], ["g", g, r, "in"]], [], "cols");
      const t = targets instanceof WasmF32 ? targets.view() : targets;
      for (let i = 0; i < rows; i++) {
        const v = t[i] as number;
        if (!(Number.isInteger(v) && v >= 0 && v < cols)) fail(K, "targets", `holds ${v} at row ${i}: a class index must be an integer in [0, ${cols})`);
      }
      impl.crossEntropyBackward(dx, x, lse, targets, g, rows, cols);
    },
    lstmForward(gates, cOut, hOut, y, cPrev, hPrev, mask, rows, hidden) {
      stepArgs("lstmForward", rows, hidden, (r, h) => [
        ["gates", gates, 4 * r * h, "inout"], ["cOut", cOut, r * h, "out"], ["hOut", hOut, r * h, "out"], ["y", y, r * h, "out"],
        ["cPrev", cPrev, r * h, "in"], ["hPrev", hPrev, r * h, "in"], ["mask", mask, r, "in", true],
      ], [["cOut", "cPrev"], ["hOut", "hPrev"]]);
      impl.lstmForward(gates, cOut, hOut, y, cPrev, hPrev, mask, rows, hidden);
    },
    lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cNew, dh, dy, dc, mask, rows, hidden) {
      stepArgs("lstmBackward", rows, hidden, (r, h) => [
        ["dPre", dPre, 4 * r * h, "out"], ["dhPrev", dhPrev, r * h, "out"], ["dcPrev", dcPrev, r * h, "out"], ["gates", gates, 4 * r * h, "in"],
        ["cPrev", cPrev, r * h, "in"], ["cNew", cNew, r * h, "in"], ["dh", dh, r * h, "in"], ["dy", dy, r * h, "in", true], ["dc", dc, r * h, "in"],
        ["mask", mask, r, "in", true],
      ], [["dhPrev", "dh"], ["dcPrev", "dc"]]);
      impl.lstmBackward(dPre, dhPrev, dcPrev, gates, cPrev, cNew, dh, dy, dc, mask, rows, hidden);
    },
    gruForward(saved, hOut, y, xp, hp, bias, hPrev, mask, rows, hidden) {
      stepArgs("gruForward", rows, hidden, (r, h) => [
        ["saved", saved, 4 * r * h, "out"], ["hOut", hOut, r * h, "out"], ["y", y, r * h, "out"], ["xp", xp, 3 * r * h, "in"], ["hp", hp, 3 * r * h, "in"],
        ["bias", bias, 3 * h, "in"], ["hPrev", hPrev, r * h, "in"], ["mask", mask, r, "in", true],
      ], [["hOut", "hPrev"]]);
      impl.gruForward(saved, hOut, y, xp, hp, bias, hPrev, mask, rows, hidden);
    },
    gruBackward(dxp, dhp, dhPrev, saved, hPrev, dh, dy, mask, rows, hidden) {
      stepArgs("gruBackward", rows, hidden, (r, h) => [
        ["dxp", dxp, 3 * r * h, "out"], ["dhp", dhp, 3 * r * h, "out"], ["dhPrev", dhPrev, r * h, "out"], ["saved", saved, 4 * r * h, "in"],
        ["hPrev", hPrev, r * h, "in"], ["dh", dh, r * h, "in"], ["dy", dy, r * h, "in", true], ["mask", mask, r, "in", true],
      ], [["dhPrev", "dh"]]);
      impl.gruBackward(dxp, dhp, dhPrev, saved, hPrev, dh, dy, mask, rows, hidden);
    },
    rnnForward(pre, hOut, y, hPrev, mask, rows, hidden, relu) {
      flag("rnnForward", "relu", relu);
      stepArgs("rnnForward", rows, hidden, (r, h) => [
        ["pre", pre, r * h, "inout"], ["hOut", hOut, r * h, "out"], ["y", y, r * h, "out"], ["hPrev", hPrev, r * h, "in"], ["mask", mask, r, "in", true],
      ], [["hOut", "hPrev"]]);
      impl.rnnForward(pre, hOut, y, hPrev, mask, rows, hidden, relu);
    },
    rnnBackward(dPre, dhPrev, act, dh, dy, mask, rows, hidden, relu) {
      flag("rnnBackward", "relu", relu);
      stepArgs("rnnBackward", rows, hidden, (r, h) => [
        ["dPre", dPre, r * h, "out"], ["dhPrev", dhPrev, r * h, "out"], ["act", act, r * h, "in"], ["dh", dh, r * h, "in"], ["dy", dy, r * h, "in", true],
        ["mask", mask, r, "in", true],
      ], [["dhPrev", "dh"]]);
      impl.rnnBackward(dPre, dhPrev, act, dh, dy, mask, rows, hidden, relu);
    },
  };
}
