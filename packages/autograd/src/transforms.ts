// Function transforms: vjp, grad and valueAndGrad. A transform runs the function on traced copies of the
// inputs it differentiates (each carrying a leaf node of a fresh trace), then walks the recorded nodes
// backwards. Everything the run allocates and the results do not use is freed when the transform returns.
import { invalidArgument, invalidFunction, raise } from "./errors.js";
import { add, astype } from "./ops.js";
import { sizeOf } from "./shape.js";
import { type Storage, withScope } from "./storage.js";
import { full, type Node, type NodeRef, Tensor, type Trace, zeros } from "./tensor.js";
import { leaves, type MapTree, replaceLeaves } from "./tree.js";

let nextTraceId = 1;

/** A fresh active trace. */
export function newTrace(): Trace {
  return { id: nextTraceId++, nodes: [], active: true };
}

/** A traced copy of t (same storage) that is a leaf of `trace`. */
export function leafOf(trace: Trace, t: Tensor): Tensor {
  const node: Node = { trace, inputs: [], parents: [], outputs: 1 };
  trace.nodes.push(node);
  return new Tensor(t.storage, t.shape, { node, index: 0 });
}

/** Runs the recorded nodes backwards from the seeds; returns the cotangent reaching each leaf node. */
export function backward(trace: Trace, seeds: readonly (readonly [NodeRef, Tensor])[]): Map<Node, (Tensor | undefined)[]> {
  trace.active = false;
  const cot = new Map<Node, (Tensor | undefined)[]>();
  const accumulate = (ref: NodeRef, g: Tensor): void => {
    let list = cot.get(ref.node);
    if (list === undefined) {
      list = new Array<Tensor | undefined>(ref.node.outputs);
      cot.set(ref.node, list);
    }
    const prev = list[ref.index];
    list[ref.index] = prev === undefined ? g : add(prev, g);
  };
  for (const [ref, g] of seeds) accumulate(ref, g);
  for (let i = trace.nodes.length - 1; i >= 0; i--) {
    const node = trace.nodes[i] as Node;
    const gs = cot.get(node);
    if (gs === undefined || node.vjp === undefined) continue;
    const ins = node.vjp(gs);
    node.parents.forEach((p, k) => {
      const g = ins[k];
      if (p !== undefined && g !== undefined) accumulate(p, g);
    });
    cot.delete(node);
  }
  return cot;
}

/** Every storage a tree of results uses (kept when a transform's scope ends). */
export function storagesOf(...trees: unknown[]): Storage[] {
  return trees.flatMap((t) => leaves(t).tensors.map((x) => x.storage));
}

export interface TransformOptions {
  /** Which arguments to differentiate: an index or a list (default 0). */
  readonly argnums?: number | readonly number[];
  /** The function returns [scalar, aux]; aux is returned as is (not differentiated). */
  readonly hasAux?: boolean;
}

/** The gradients `grad` and `valueAndGrad` return: the tree of argument `N` (or of each of `argnums`) with tensors at the leaves. */
export type Grads<Args extends readonly unknown[], N> = N extends number ? MapTree<Args[N], Tensor> : { [K in keyof N]: N[K] extends number ? MapTree<Args[N[K]], Tensor> : never };

function argList(op: string, argnums: number | readonly number[], count: number): number[] {
  const list = typeof argnums === "number" ? [argnums] : [...argnums];
  for (const a of list) if (!Number.isInteger(a) || a < 0 || a >= count) raise(invalidArgument(op, "argnums", `${a} is not an argument index (the function got ${count} arguments)`));
  return list;
}

function checkScalar(op: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) raise(invalidFunction(op, `the function must return a scalar tensor${op === "valueAndGrad" ? " (or [scalar, aux] with hasAux)" : ""}, got ${typeof out}`));
  if (sizeOf(out.shape) !== 1) raise(invalidFunction(op, `the function must return a tensor with one element to differentiate, got shape [${out.shape.join(", ")}]`));
  return out;
}

/**
 * valueAndGrad(f)(...args) = [f(...args), gradient of f with respect to args[argnums]]. f returns a tensor with
 * one element (or [that, aux] with hasAux); gradients have the structure of the differentiated arguments.
 *
 * @example
 * const [v, g] = valueAndGrad((p: { w: Tensor }) => sum(mul(p.w, p.w)))({ w: tensorOrThrow([1, 2]) });
 * // v = 5, g.w = [2, 4]
 * @since 0.1.0
 */
export function valueAndGrad<Args extends readonly unknown[], N extends number | readonly number[] = 0>(
  f: (...args: Args) => unknown,
  options: TransformOptions & { argnums?: N } = {},
): (...args: Args) => [Tensor, Grads<Args, N>, unknown] {
  const op = "valueAndGrad";
  return (...args: Args) =>
    withScope(
      () => {
        const nums = argList(op, options.argnums ?? 0, args.length);
        const trace = newTrace();
        const traced = [...args] as unknown[];
        const leafNodes: Node[][] = [];
        for (const a of nums) {
          const { tensors } = leaves(args[a]);
          const ls = tensors.map((t) => leafOf(trace, t));
          leafNodes.push(ls.map((l) => (l.ref as NodeRef).node));
          traced[a] = replaceLeaves(args[a], ls);
        }
        let result: unknown;
        try {
          result = f(...(traced as unknown as Args));
        } finally {
          trace.active = false;
        }
        const [outRaw, aux] = options.hasAux ? (Array.isArray(result) ? result : raise(invalidFunction(op, "with hasAux the function must return [scalar, aux]"))) : [result, undefined];
        const out = checkScalar(op, outRaw);
        const seeds = out.ref && out.ref.node.trace === trace ? [[out.ref, full(out.shape, 1, out.dtype)] as const] : [];
        const cot = backward(trace, seeds);
        const grads = nums.map((a, j) => {
          const { tensors } = leaves(args[a]);
          const gs = tensors.map((t, k) => {
            const g = cot.get((leafNodes[j] as Node[])[k] as Node)?.[0];
            return g === undefined ? zeros(t.shape, t.dtype) : astype(g, t.dtype);
          });
          return replaceLeaves(args[a], gs);
        });
        const value = new Tensor(out.storage, out.shape);
        return [value, (typeof options.argnums === "object" ? grads : grads[0]) as Grads<Args, N>, aux] as [Tensor, Grads<Args, N>, unknown];
      },
      (r) => storagesOf(r[0], r[1], r[2]),
    );
}

/** grad(f)(...args): the gradient of scalar-valued f with respect to args[argnums] (default 0). */
export function grad<Args extends readonly unknown[], N extends number | readonly number[] = 0>(
  f: (...args: Args) => unknown,
  options: TransformOptions & { argnums?: N } = {},
): (...args: Args) => Grads<Args, N> {
  const vg = valueAndGrad(f, options);
  return (...args: Args) => vg(...args)[1];
}

/**
 * vjp(f, ...primals) = [f(...primals), pullback]: pullback(cotangent) gives the cotangent of every primal (a tree
 * like each primal). f returns a tree of tensors; the cotangent has the same structure. The pullback may be called
 * once or many times; intermediate values live until it is garbage-collected.
 */
export function vjp<Args extends readonly unknown[], R>(f: (...args: Args) => R, ...primals: Args): [R, (cotangent: MapTree<R, Tensor>) => MapTree<Args, Tensor>] {
  const trace = newTrace();
  const leafNodes: Node[][] = [];
  const traced = primals.map((p) => {
    const ls = leaves(p).tensors.map((t) => leafOf(trace, t));
    leafNodes.push(ls.map((l) => (l.ref as NodeRef).node));
    return replaceLeaves(p, ls);
  });
  let out: R;
  try {
    out = f(...(traced as unknown as Args));
  } finally {
    trace.active = false;
  }
  const outs = leaves(out).tensors;
  const value = replaceLeaves(out, outs.map((t) => new Tensor(t.storage, t.shape)));
  const pullback = (cotangent: MapTree<R, Tensor>): MapTree<Args, Tensor> =>
    withScope(
      () => pull(cotangent),
      (grads) => storagesOf(grads),
    );
  const pull = (cotangent: MapTree<R, Tensor>): MapTree<Args, Tensor> => {
    const cts = leaves(cotangent).tensors;
    if (cts.length !== outs.length) raise(invalidArgument("vjp", "cotangent", `must have the structure of f's output (${outs.length} tensors), got ${cts.length}`));
    const seeds: (readonly [NodeRef, Tensor])[] = [];
    outs.forEach((o, i) => {
      const c = cts[i] as Tensor;
      if (c.shape.length !== o.shape.length || c.shape.some((d, k) => d !== o.shape[k])) {
        raise(invalidArgument("vjp", "cotangent", `leaf ${i} must have shape [${o.shape.join(", ")}], got [${c.shape.join(", ")}]`));
      }
      if (o.ref && o.ref.node.trace === trace) seeds.push([o.ref, astype(c, o.dtype)]);
    });
    const cot = backward({ ...trace, active: false }, seeds);
    return primals.map((p, j) => {
      const ts = leaves(p).tensors;
      return replaceLeaves(
        p,
        ts.map((t, k) => {
          const g = cot.get((leafNodes[j] as Node[])[k] as Node)?.[0];
          return g === undefined ? zeros(t.shape, t.dtype) : astype(g, t.dtype);
        }),
      );
    }) as unknown as MapTree<Args, Tensor>;
  };
  return [value, pullback];
}
