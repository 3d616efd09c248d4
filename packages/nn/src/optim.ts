// Optimisers as pure functions over parameter trees: init(params) => state; update(state, params, grads) =>
// [state', params']. Each updates a tensor in one pass: float32 tensors with one WebAssembly kernel call
// (adamStep, sgdStep) that reads the parameter, its gradient and its moments once and writes the new ones once;
// float64 tensors (the reference for checks) in a JS loop. New state arrays every step: the old state stays
// valid (pure functions).
import { invalidArgument, leaves, raise, replaceLeaves, type Tensor, tensorFromArray } from "@gated/autograd";
import { kernels } from "@gated/kernels";
import type { Schedule } from "./schedules.js";

/** The values of a parameter or of an optimiser moment. */
export type FloatArray = Float32Array | Float64Array;

export interface Optimizer<S> {
  readonly init: <P>(params: P) => S;
  readonly update: <P>(state: S, params: P, grads: P) => [S, P];
}

/** A learning rate: a constant, or a schedule of the step number (0-based). */
export type LearningRate = number | Schedule;

const lrAt = (lr: LearningRate, step: number): number => (typeof lr === "number" ? lr : lr(step));

/** Slot arrays (moments) for every tensor of a tree, zero-initialised. */
const slots = (params: unknown): FloatArray[] => leaves(params).tensors.map((t) => (t.dtype === "float64" ? new Float64Array(t.size) : new Float32Array(t.size)));

function pairs(op: string, params: unknown, grads: unknown): [Tensor[], Tensor[]] {
  const p = leaves(params).tensors;
  const g = leaves(grads).tensors;
  if (p.length !== g.length) raise(invalidArgument(op, "grads", `must have the structure of params (${p.length} tensors), got ${g.length}`));
  p.forEach((t, i) => {
    const gi = g[i] as Tensor;
    if (gi.size !== t.size) raise(invalidArgument(op, "grads", `tensor ${i} has ${gi.size} elements, its parameter ${t.size}`));
    if (gi.dtype !== t.dtype) raise(invalidArgument(op, "grads", `tensor ${i} is ${gi.dtype}, its parameter ${t.dtype}: cast one with astype`));
  });
  return [p, g];
}

/** The numbers of a tensor, read in place (tensors are immutable: nothing here writes them). */
const values = (t: Tensor): FloatArray => t.storage.view();

/** True for a float32 parameter (its gradient has its dtype: `pairs` checks): the kernel path. */
const isF32 = (t: Tensor): boolean => t.dtype === "float32";

/**
 * Builds new parameter tensors: `kernel` for float32 parameters (given the new parameter array to fill), the
 * per-element `rule` (a JS loop) for float64 ones.
 */
function step(params: unknown, p: Tensor[], g: Tensor[], rule: (i: number, pv: FloatArray, gv: FloatArray, out: FloatArray) => void, kernel: (i: number, pv: Float32Array, gv: Float32Array, out: Float32Array) => void): unknown {
  const next = p.map((t, i) => {
    const gi = g[i] as Tensor;
    if (isF32(t)) {
      const out = new Float32Array(t.size);
      kernel(i, values(t) as Float32Array, values(gi) as Float32Array, out);
      return tensorFromArray(out, t.shape);
    }
    const out = t.dtype === "float64" ? new Float64Array(t.size) : new Float32Array(t.size);
    rule(i, values(t), values(gi), out);
    return tensorFromArray(out, t.shape);
  });
  return replaceLeaves(params, next);
}

export interface SgdConfig {
  readonly lr: LearningRate;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  readonly weightDecay?: number;
}

export interface SgdState {
  readonly step: number;
  readonly velocity: readonly FloatArray[];
}

/** SGD with optional momentum (PyTorch's form: v = mu v + g; Nesterov uses g + mu v) and L2 weight decay. */
export function sgd({ lr, momentum = 0, nesterov = false, weightDecay = 0 }: SgdConfig): Optimizer<SgdState> {
  if (nesterov && momentum <= 0) raise(invalidArgument("sgd", "nesterov", "needs momentum > 0"));
  return {
    init: (params) => ({ step: 0, velocity: slots(params) }),
    update: (state, params, grads) => {
      const [p, g] = pairs("sgd", params, grads);
      const rate = lrAt(lr, state.step);
      // The kernel writes fresh velocity arrays; the JS rule updates copies.
      const velocity = state.velocity.map((v, k) => (isF32(p[k] as Tensor) ? new Float32Array(v.length) : v.slice()));
      const rule = (k: number, pv: FloatArray, gv: FloatArray, out: FloatArray) => {
        const v = velocity[k] as FloatArray;
        for (let i = 0; i < pv.length; i++) {
          const gi = (gv[i] as number) + weightDecay * (pv[i] as number);
          let d = gi;
          if (momentum > 0) {
            v[i] = momentum * (v[i] as number) + gi;
            d = nesterov ? gi + momentum * (v[i] as number) : (v[i] as number);
          }
          out[i] = (pv[i] as number) - rate * d;
        }
      };
      const empty = new Float32Array(0);
      const next = step(params, p, g, rule, (k, pv, gv, out) => {
        const [v, vOut] = momentum > 0 ? [state.velocity[k] as Float32Array, velocity[k] as Float32Array] : [empty, empty];
        kernels.sgdStep(out, vOut, pv, gv, v, pv.length, rate, momentum, nesterov, weightDecay);
      });
      return [{ step: state.step + 1, velocity }, next as typeof params];
    },
  };
}

export interface AdamConfig {
  readonly lr: LearningRate;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Adam: L2 added to the gradient; AdamW: decoupled decay p -= lr * wd * p. */
  readonly weightDecay?: number;
}

export interface AdamState {
  readonly step: number;
  readonly m: readonly FloatArray[];
  readonly v: readonly FloatArray[];
}

function adamLike(name: string, decoupled: boolean, { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = decoupled ? 0.01 : 0 }: AdamConfig): Optimizer<AdamState> {
  return {
    init: (params) => ({ step: 0, m: slots(params), v: slots(params) }),
    update: (state, params, grads) => {
      const [p, g] = pairs(name, params, grads);
      const t = state.step + 1;
      const rate = lrAt(lr, state.step);
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      const fresh = (a: FloatArray, k: number) => (isF32(p[k] as Tensor) ? new Float32Array(a.length) : a.slice());
      const m = state.m.map(fresh);
      const v = state.v.map(fresh);
      const rule = (k: number, pv: FloatArray, gv: FloatArray, out: FloatArray) => {
        const mk = m[k] as FloatArray;
        const vk = v[k] as FloatArray;
        for (let i = 0; i < pv.length; i++) {
          const x = pv[i] as number;
          const gi = (gv[i] as number) + (decoupled ? 0 : weightDecay * x);
          mk[i] = beta1 * (mk[i] as number) + (1 - beta1) * gi;
          vk[i] = beta2 * (vk[i] as number) + (1 - beta2) * gi * gi;
          const upd = (mk[i] as number) / c1 / (Math.sqrt((vk[i] as number) / c2) + eps);
          out[i] = (decoupled ? x * (1 - rate * weightDecay) : x) - rate * upd;
        }
      };
      const next = step(params, p, g, rule, (k, pv, gv, out) =>
        kernels.adamStep(out, m[k] as Float32Array, v[k] as Float32Array, pv, gv, state.m[k] as Float32Array, state.v[k] as Float32Array, pv.length, rate, beta1, beta2, eps, c1, c2, weightDecay, decoupled),
      );
      return [{ step: t, m, v }, next as typeof params];
    },
  };
}

/** Adam (Kingma and Ba, 2015), as torch.optim.Adam (weight decay as L2 on the gradient). */
export const adam = (config: AdamConfig): Optimizer<AdamState> => adamLike("adam", false, config);

/** AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay (default 0.01), as torch.optim.AdamW. */
export const adamw = (config: AdamConfig): Optimizer<AdamState> => adamLike("adamw", true, config);

export interface RmspropConfig {
  readonly lr: LearningRate;
  readonly alpha?: number;
  readonly eps?: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
}

export interface RmspropState {
  readonly step: number;
  readonly square: readonly FloatArray[];
  readonly buffer: readonly FloatArray[];
}

/** RMSprop as torch.optim.RMSprop: s = a s + (1 - a) g^2; p -= lr g / (sqrt(s) + eps) (with optional momentum). */
export function rmsprop({ lr, alpha = 0.99, eps = 1e-8, momentum = 0, weightDecay = 0 }: RmspropConfig): Optimizer<RmspropState> {
  return {
    init: (params) => ({ step: 0, square: slots(params), buffer: slots(params) }),
    update: (state, params, grads) => {
      const [p, g] = pairs("rmsprop", params, grads);
      const rate = lrAt(lr, state.step);
      const square = state.square.map((a) => a.slice());
      const buffer = state.buffer.map((a) => a.slice());
      // No kernel for RMSprop: the JS rule serves float32 too.
      const rule = (k: number, pv: FloatArray, gv: FloatArray, out: FloatArray) => {
        const s = square[k] as FloatArray;
        const b = buffer[k] as FloatArray;
        for (let i = 0; i < pv.length; i++) {
          const gi = (gv[i] as number) + weightDecay * (pv[i] as number);
          s[i] = alpha * (s[i] as number) + (1 - alpha) * gi * gi;
          const d = gi / (Math.sqrt(s[i] as number) + eps);
          if (momentum > 0) {
            b[i] = momentum * (b[i] as number) + d;
            out[i] = (pv[i] as number) - rate * (b[i] as number);
          } else out[i] = (pv[i] as number) - rate * d;
        }
      };
      const next = step(params, p, g, rule, rule);
      return [{ step: state.step + 1, square, buffer }, next as typeof params];
    },
  };
}

/** The global L2 norm of every tensor of a tree. */
export function globalNorm(tree: unknown): number {
  let s = 0;
  for (const t of leaves(tree).tensors) {
    const x = values(t);
    for (let i = 0; i < x.length; i++) s += (x[i] as number) * (x[i] as number);
  }
  return Math.sqrt(s);
}

/** Scales the whole tree so its global norm is at most maxNorm; returns [clipped, norm before clipping]. */
export function clipByGlobalNorm<T>(grads: T, maxNorm: number): [T, number] {
  if (!(maxNorm > 0)) raise(invalidArgument("clipByGlobalNorm", "maxNorm", `must be positive, got ${maxNorm}`));
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm)) raise(invalidArgument("clipByGlobalNorm", "grads", `have a non-finite norm (${norm}): the loss diverged; lower the learning rate`));
  if (norm <= maxNorm) return [grads, norm];
  const scale = maxNorm / norm;
  const ts = leaves(grads).tensors.map((t) => tensorFromArray(t.toArray().map((v) => v * scale), t.shape));
  return [replaceLeaves(grads, ts), norm];
}

/** Clamps every element to [-limit, limit]. */
export function clipByValue<T>(grads: T, limit: number): T {
  if (!(limit > 0)) raise(invalidArgument("clipByValue", "limit", `must be positive, got ${limit}`));
  const ts = leaves(grads).tensors.map((t) => tensorFromArray(t.toArray().map((v) => Math.min(limit, Math.max(-limit, v))), t.shape));
  return replaceLeaves(grads, ts);
}
