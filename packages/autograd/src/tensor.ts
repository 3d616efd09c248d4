// Tensor: an immutable array of numbers with a shape and a dtype. Inside a transform a tensor may also carry a
// reference to the node of the trace that produced it; that is how vjp finds its way back, with no global tape.
import type * as E from "fp-ts/lib/Either.js";
import { attempt, type GatedError, invalidArgument, raise, shapeMismatch } from "./errors.js";
import { checkShape, type Shape, showShape, sizeOf } from "./shape.js";
import { type DType, Storage } from "./storage.js";

/** A node of a trace: one primitive application (or a leaf: an input being differentiated). */
export interface Node {
  readonly trace: Trace;
  /** Input values, detached from the trace (what VJP rules read). */
  readonly inputs: readonly Tensor[];
  /** Where each input came from in this trace (undefined: a constant). */
  readonly parents: readonly (NodeRef | undefined)[];
  /** Cotangents of the inputs from cotangents of the outputs (undefined = zero). Absent for a leaf. */
  readonly vjp?: (cotangents: readonly (Tensor | undefined)[]) => readonly (Tensor | undefined)[];
  readonly outputs: number;
}

export interface NodeRef {
  readonly node: Node;
  readonly index: number;
}

/** One run of a transform: the nodes it recorded, in creation (so topological) order. */
export interface Trace {
  readonly id: number;
  readonly nodes: Node[];
  active: boolean;
}

/**
 * An immutable tensor: row-major numbers, a shape, a dtype ("float32", computed by WebAssembly kernels, or
 * "float64", for checking). Never needs disposing.
 *
 * @example
 * const t = tensorOrThrow([1, 2, 3, 4], [2, 2]); t.shape; // [2, 2]
 * @since 0.1.0
 */
export class Tensor {
  readonly size: number;

  /** @internal Tensors are made by `tensor`, `tensorFromArray`, `zeros`, ... and by operations. */
  constructor(
    /** @internal */
    readonly storage: Storage,
    readonly shape: Shape,
    /** @internal The node of a traced computation this tensor is the output of. */
    readonly ref?: NodeRef,
  ) {
    this.size = sizeOf(shape);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the numbers, row-major. */
  toArray(): Float32Array | Float64Array {
    return this.storage.read();
  }

  /** The numbers as nested arrays following the shape. */
  toNested(): unknown {
    const data = this.storage.read();
    const build = (axis: number, offset: number): unknown => {
      if (axis === this.shape.length) return data[offset];
      const n = this.shape[axis] as number;
      const step = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: n }, (_, i) => build(axis + 1, offset + i * step));
    };
    return build(0, 0);
  }

  /** The single number of a one-element tensor. */
  item(): number {
    if (this.size !== 1) raise(shapeMismatch("item", "a tensor with exactly one element", showShape(this.shape)));
    return this.storage.view()[0] as number;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${showShape(this.shape)})`;
  }
}

/** The same values with no trace attached. */
export const detach = (t: Tensor): Tensor => (t.ref ? new Tensor(t.storage, t.shape) : t);

function flatten(data: unknown, op: string): { values: number[]; shape: number[] } {
  if (typeof data === "number") return { values: [data], shape: [] };
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return { values: Array.from(data as unknown as ArrayLike<number>), shape: [(data as unknown as ArrayLike<number>).length] };
  if (!Array.isArray(data)) raise(invalidArgument(op, "data", `must be a number, an array of numbers, nested arrays or a typed array, got ${typeof data}`));
  if (data.length === 0) return { values: [], shape: [0] };
  const parts = data.map((d) => flatten(d, op));
  const inner = (parts[0] as { shape: number[] }).shape;
  for (const [i, p] of parts.entries()) {
    if (p.shape.length !== inner.length || p.shape.some((d, j) => d !== inner[j])) {
      raise(invalidArgument(op, "data", `is ragged: element ${i} has shape ${showShape(p.shape)}, element 0 has ${showShape(inner)}`));
    }
  }
  return { values: parts.flatMap((p) => p.values), shape: [data.length, ...inner] };
}

/**
 * A tensor from numbers (flat with a shape, or nested arrays whose nesting gives the shape), checked.
 *
 * @example
 * tensor([[1, 2], [3, 4]]); // Right(Tensor(float32, [2, 2]))
 * tensor([1, 2, 3], [2, 2]); // Left(ShapeMismatch: 3 values for 4 elements)
 * @since 0.1.0
 */
export function tensor(data: unknown, shape?: readonly number[], dtype: DType = "float32"): E.Either<GatedError, Tensor> {
  return attempt(() => tensorOrThrow(data, shape, dtype));
}

/** `tensor`, throwing a GatedException instead of returning Left (for scripts and tests). */
export function tensorOrThrow(data: unknown, shape?: readonly number[], dtype: DType = "float32"): Tensor {
  if (dtype !== "float32" && dtype !== "float64") raise(invalidArgument("tensor", "dtype", `must be "float32" or "float64", got ${String(dtype)}`));
  const flat = flatten(data, "tensor");
  const finalShape = shape ?? flat.shape;
  checkShape("tensor", finalShape);
  if (sizeOf(finalShape) !== flat.values.length) {
    raise(shapeMismatch("tensor", `${sizeOf(finalShape)} values for shape ${showShape(finalShape)}`, `${flat.values.length} values`));
  }
  for (const v of flat.values) if (typeof v !== "number") raise(invalidArgument("tensor", "data", `must hold numbers, found ${typeof v}`));
  return new Tensor(Storage.from(dtype, flat.values), [...finalShape]);
}

/**
 * A tensor over an existing array (float32 for a Float32Array, float64 for a Float64Array), without a copy: the
 * tensor takes the array over, so the caller must not modify it afterwards. For library code that builds
 * results in plain loops (optimisers, loaders).
 */
export function tensorFromArray(data: Float32Array | Float64Array, shape: readonly number[]): Tensor {
  checkShape("tensorFromArray", shape);
  if (sizeOf(shape) !== data.length) raise(shapeMismatch("tensorFromArray", `${sizeOf(shape)} values for shape ${showShape(shape)}`, `${data.length} values`));
  return new Tensor(Storage.adopt(data), [...shape]);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, dtype: DType = "float32"): Tensor {
  checkShape("full", shape);
  const s = Storage.alloc(dtype, sizeOf(shape));
  s.view().fill(value);
  return new Tensor(s, [...shape]);
}

export const zeros = (shape: readonly number[], dtype: DType = "float32"): Tensor => full(shape, 0, dtype);
export const ones = (shape: readonly number[], dtype: DType = "float32"): Tensor => full(shape, 1, dtype);
export const scalar = (value: number, dtype: DType = "float32"): Tensor => full([], value, dtype);

/** A tensor of the given shape and dtype over freshly allocated (uninitialised) storage: for primitives. */
export function empty(shape: Shape, dtype: DType): Tensor {
  return new Tensor(Storage.alloc(dtype, sizeOf(shape)), shape);
}
