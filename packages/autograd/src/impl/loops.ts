// Plain-JS loops over strided, broadcast views: the float64 path of every primitive, and the float32 path where
// no WebAssembly kernel applies. Offsets advance like an odometer over all axes but the last.
import type { Shape } from "../shape.js";

type Arr = Float32Array | Float64Array;

/**
 * Calls body(outIndex, offsets) for every element of `shape` in row-major order, where offsets[k] is the
 * element's offset in operand k given that operand's strides (0 along broadcast axes).
 */
export function forEachIndex(shape: Shape, strides: readonly (readonly number[])[], body: (i: number, offsets: Int32Array | number[]) => void): void {
  const rank = shape.length;
  const n = strides.length;
  const offsets = new Array<number>(n).fill(0);
  if (rank === 0) {
    body(0, offsets);
    return;
  }
  const counter = new Array<number>(rank).fill(0);
  let size = 1;
  for (const d of shape) size *= d;
  for (let i = 0; i < size; i++) {
    body(i, offsets);
    for (let axis = rank - 1; axis >= 0; axis--) {
      counter[axis] = (counter[axis] as number) + 1;
      for (let k = 0; k < n; k++) offsets[k] = (offsets[k] as number) + ((strides[k] as number[])[axis] as number);
      if ((counter[axis] as number) < (shape[axis] as number)) break;
      for (let k = 0; k < n; k++) offsets[k] = (offsets[k] as number) - ((strides[k] as number[])[axis] as number) * (shape[axis] as number);
      counter[axis] = 0;
    }
  }
}

/** out[i] = f(a[offA], b[offB]) over a broadcast shape; the inner axis runs as a tight loop. */
export function binaryLoop(shape: Shape, sa: readonly number[], sb: readonly number[], out: Arr, a: Arr, b: Arr, f: (x: number, y: number) => number): void {
  const rank = shape.length;
  if (rank === 0) {
    out[0] = f(a[0] as number, b[0] as number);
    return;
  }
  const inner = shape[rank - 1] as number;
  const ia = sa[rank - 1] as number;
  const ib = sb[rank - 1] as number;
  const outerShape = shape.slice(0, rank - 1);
  let k = 0;
  forEachIndex(outerShape, [sa.slice(0, rank - 1), sb.slice(0, rank - 1)], (_i, [oa, ob]) => {
    let pa = oa as number;
    let pb = ob as number;
    for (let j = 0; j < inner; j++) {
      out[k++] = f(a[pa] as number, b[pb] as number);
      pa += ia;
      pb += ib;
    }
  });
}
