// Shapes: sizes, strides, broadcasting and axis normalisation.
import { invalidArgument, raise, shapeMismatch } from "./errors.js";

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export const showShape = (shape: Shape): string => `[${shape.join(", ")}]`;

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i] as number;
  }
  return s;
}

/** NumPy broadcasting of two shapes (aligned at the right; a 1 stretches to any size). */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      raise(shapeMismatch(op, "shapes that broadcast (equal sizes or 1, aligned at the right)", `${showShape(a)} and ${showShape(b)}`));
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `shape` read as the broadcast shape `to`: 0 along stretched or missing axes. */
export function broadcastStrides(shape: Shape, to: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : (own[i] as number);
  return out;
}

/** Normalises axes (negative counts from the end) and checks them; undefined means all axes. */
export function normalizeAxes(op: string, rank: number, axes: number | readonly number[] | undefined): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -rank || a >= rank) raise(invalidArgument(op, "axis", `${a} is out of range for a tensor of rank ${rank}`));
    return a < 0 ? a + rank : a;
  });
  if (new Set(out).size !== out.length) raise(invalidArgument(op, "axis", `repeats an axis: ${JSON.stringify(list)}`));
  return out.sort((x, y) => x - y);
}

/** Checks a shape given by a user: non-negative integer sizes. */
export function checkShape(op: string, shape: readonly number[]): void {
  if (!Array.isArray(shape)) raise(invalidArgument(op, "shape", `must be an array of sizes, got ${String(shape)}`));
  for (const d of shape) if (!Number.isInteger(d) || d < 0) raise(invalidArgument(op, "shape", `must hold non-negative integers, got ${showShape(shape)}`));
}
