// Initialisers: each takes a key (so the same seed gives the same weights) and returns a float32 tensor.
import { type DType, invalidArgument, raise, type Tensor, tensorFromArray } from "@gated/autograd";
import { type Key, normal, uniform as uniform01 } from "@gated/random";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function make(values: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  return tensorFromArray(dtype === "float64" ? values : Float32Array.from(values), shape);
}

/** U(lo, hi). */
export function uniform(k: Key, shape: readonly number[], lo: number, hi: number, dtype: DType = "float32"): Tensor {
  const u = uniform01(k, size(shape));
  for (let i = 0; i < u.length; i++) u[i] = lo + (hi - lo) * (u[i] as number);
  return make(u, shape, dtype);
}

/** PyTorch's default for recurrent layers (and for biases of linear layers): U(-1/sqrt(H), 1/sqrt(H)). */
export function pytorchDefault(k: Key, shape: readonly number[], fan: number, dtype: DType = "float32"): Tensor {
  const b = 1 / Math.sqrt(fan);
  return uniform(k, shape, -b, b, dtype);
}

/** Fan-in and fan-out of a [out, in] weight (PyTorch's convention). */
function fans(shape: readonly number[]): [number, number] {
  if (shape.length < 2) raise(invalidArgument("init", "shape", `needs at least 2 axes for fan-in/fan-out, got [${shape.join(", ")}]`));
  const receptive = size(shape.slice(2));
  return [(shape[1] as number) * receptive, (shape[0] as number) * receptive];
}

/** Xavier/Glorot uniform: U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)). */
export function xavierUniform(k: Key, shape: readonly number[], gain = 1, dtype: DType = "float32"): Tensor {
  const [fi, fo] = fans(shape);
  const a = gain * Math.sqrt(6 / (fi + fo));
  return uniform(k, shape, -a, a, dtype);
}

/** Xavier/Glorot normal: N(0, s^2), s = gain sqrt(2 / (fan_in + fan_out)). */
export function xavierNormal(k: Key, shape: readonly number[], gain = 1, dtype: DType = "float32"): Tensor {
  const [fi, fo] = fans(shape);
  const s = gain * Math.sqrt(2 / (fi + fo));
  const v = normal(k, size(shape));
  for (let i = 0; i < v.length; i++) v[i] = s * (v[i] as number);
  return make(v, shape, dtype);
}

/** gain * I (rows x cols, ones on the diagonal): the IRNN's recurrent initialisation. */
export function identity(shape: readonly [number, number], gain = 1, dtype: DType = "float32"): Tensor {
  const [r, c] = shape;
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = gain;
  return make(v, shape, dtype);
}

/**
 * A (semi-)orthogonal [rows, cols] matrix times gain: the Q of a Householder QR of a standard normal matrix,
 * with column signs fixed by R's diagonal so the distribution is uniform (Haar). Rows are orthonormal when
 * rows <= cols, columns otherwise. O(n^3) in float64; about a second for 1024 x 1024.
 */
export function orthogonal(k: Key, shape: readonly [number, number], gain = 1, dtype: DType = "float32"): Tensor {
  const [rows, cols] = shape;
  // Work on the tall orientation m x n (m >= n): QR gives n orthonormal columns of length m.
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // Column-major storage of the m x n matrix: column j is a[j*m .. j*m+m), so reflectors touch contiguous runs.
  const a = normal(k, m * n);
  const vs: Float64Array[] = [];
  const signs = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const col = a.subarray(j * m, (j + 1) * m);
    let norm = 0;
    for (let i = j; i < m; i++) norm += (col[i] as number) ** 2;
    norm = Math.sqrt(norm);
    const alpha = (col[j] as number) >= 0 ? -norm : norm;
    // v = x - alpha e1 (on rows j..m), normalised; R[j][j] = alpha.
    const v = new Float64Array(m);
    for (let i = j; i < m; i++) v[i] = col[i] as number;
    v[j] = (v[j] as number) - alpha;
    let vn = 0;
    for (let i = j; i < m; i++) vn += (v[i] as number) ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) for (let i = j; i < m; i++) v[i] = (v[i] as number) / vn;
    vs.push(v);
    signs[j] = alpha >= 0 ? 1 : -1;
    // Apply H = I - 2 v v^T to the remaining columns.
    for (let c = j + 1; c < n; c++) {
      const cc = a.subarray(c * m, (c + 1) * m);
      let d = 0;
      for (let i = j; i < m; i++) d += (v[i] as number) * (cc[i] as number);
      d *= 2;
      for (let i = j; i < m; i++) cc[i] = (cc[i] as number) - d * (v[i] as number);
    }
  }
  // Q's first n columns: apply the reflectors in reverse to e_1..e_n; then Q D with D = sign(diag R).
  const q = new Float64Array(m * n);
  for (let c = 0; c < n; c++) {
    const qc = q.subarray(c * m, (c + 1) * m);
    qc[c] = 1;
    for (let j = Math.min(c, n - 1); j >= 0; j--) {
      const v = vs[j] as Float64Array;
      let d = 0;
      for (let i = j; i < m; i++) d += (v[i] as number) * (qc[i] as number);
      d *= 2;
      for (let i = j; i < m; i++) qc[i] = (qc[i] as number) - d * (v[i] as number);
    }
    const s = gain * (signs[c] as number);
    for (let i = 0; i < m; i++) qc[i] = (qc[i] as number) * s;
  }
  // Column-major m x n is row-major n x m: that is the wide [rows, cols] result when rows < cols.
  if (rows <= cols) return make(q, shape, dtype);
  const out = new Float64Array(rows * cols);
  for (let c = 0; c < n; c++) for (let i = 0; i < m; i++) out[i * cols + c] = q[c * m + i] as number;
  return make(out, shape, dtype);
}
