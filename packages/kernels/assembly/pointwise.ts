// Elementwise kernels over n floats: forward activations, their derivatives, add, multiply and a
// row-broadcast bias add. Pointers are byte addresses; an output may be the same array as an input
// (in place), which the TypeScript layer allows only for exact aliasing. SIMD body, scalar tail computed
// with the same lane function, so a value never depends on its position in the array.
import { exp4, sigmoid4, tanh4 } from "./simd";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

export function add(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.add(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) + load<f32>(at(b, i)));
}

export function mul(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.mul(v128.load(at(a, i)), v128.load(at(b, i))));
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * load<f32>(at(b, i)));
}

/** out[r, c] = x[r, c] + bias[c] for a [rows, cols] row-major x. */
export function addBias(out: usize, x: usize, bias: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const o = at(out, r * cols);
    const xr = at(x, r * cols);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(at(o, c), f32x4.add(v128.load(at(xr, c)), v128.load(at(bias, c))));
    for (; c < cols; c++) store<f32>(at(o, c), load<f32>(at(xr, c)) + load<f32>(at(bias, c)));
  }
}

export function exp(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), exp4(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(out, i), f32x4.extract_lane(exp4(f32x4.splat(load<f32>(at(x, i)))), 0));
}

export function sigmoid(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), sigmoid4(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(out, i), f32x4.extract_lane(sigmoid4(f32x4.splat(load<f32>(at(x, i)))), 0));
}

export function tanh(out: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), tanh4(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(out, i), f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(at(x, i)))), 0));
}

/** relu(x) = max(x, 0); NaN stays NaN. */
export function relu(out: usize, x: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.max(v128.load(at(x, i)), zero));
  for (; i < n; i++) store<f32>(at(out, i), max<f32>(load<f32>(at(x, i)), 0));
}

/** dx = dy * y * (1 - y), where y = sigmoid(x) is the forward output. */
export function sigmoidBackward(dx: usize, y: usize, dy: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(y, i));
    v128.store(at(dx, i), f32x4.mul(f32x4.mul(v128.load(at(dy, i)), v), f32x4.sub(one, v)));
  }
  for (; i < n; i++) {
    const v = load<f32>(at(y, i));
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * v * (1 - v));
  }
}

/** dx = dy * (1 - y^2), where y = tanh(x) is the forward output. */
export function tanhBackward(dx: usize, y: usize, dy: usize, n: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(y, i));
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), f32x4.sub(one, f32x4.mul(v, v))));
  }
  for (; i < n; i++) {
    const v = load<f32>(at(y, i));
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * (1 - v * v));
  }
}

/** dx = x <= 0 ? 0 : dy, on the forward input x (as PyTorch's threshold_backward: NaN passes dy). */
export function reluBackward(dx: usize, x: usize, dy: usize, n: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const keep = v128.not(f32x4.le(v128.load(at(x, i)), zero));
    v128.store(at(dx, i), v128.and(v128.load(at(dy, i)), keep));
  }
  for (; i < n; i++) store<f32>(at(dx, i), load<f32>(at(x, i)) <= 0 ? 0 : load<f32>(at(dy, i)));
}
