// A primitive: a forward computation and its vector-Jacobian product (VJP). `apply` runs one, and when an input
// belongs to an active trace, records a node so that vjp can run the VJP rules backwards.
import { inScope, withScope } from "./storage.js";
import { detach, type Node, type NodeRef, Tensor, type Trace } from "./tensor.js";

/**
 * One differentiable operation. `forward` checks its arguments (throwing a GatedException) and computes the
 * output from untraced inputs; `vjp` maps the output's cotangent g to one cotangent per input (undefined for an
 * input with no gradient: an index, a mask). VJP rules run outside any trace (first-order differentiation).
 */
export interface Primitive<P, I extends readonly Tensor[] = readonly Tensor[]> {
  readonly name: string;
  readonly forward: (inputs: I, params: P) => Tensor;
  readonly vjp: (g: Tensor, inputs: I, output: Tensor, params: P) => readonly (Tensor | undefined)[];
}

export type One = readonly [Tensor];
export type Two = readonly [Tensor, Tensor];

/** The innermost active trace among the inputs' traces, if any. */
export function activeTrace(inputs: readonly Tensor[]): Trace | undefined {
  let best: Trace | undefined;
  for (const t of inputs) {
    const tr = t.ref?.node.trace;
    if (tr?.active && (best === undefined || tr.id > best.id)) best = tr;
  }
  return best;
}

/** Where each input comes from in `trace` (undefined: a constant for this trace). */
export function parentsIn(trace: Trace, inputs: readonly Tensor[]): (NodeRef | undefined)[] {
  return inputs.map((t) => (t.ref && t.ref.node.trace === trace ? t.ref : undefined));
}

/**
 * Applies a primitive: computes (in an allocation scope of its own when called outside any transform, so that
 * its result ends in host memory), and records a node when an input is traced.
 */
export function apply<P, I extends readonly Tensor[]>(prim: Primitive<P, I>, inputs: I, params: P): Tensor {
  if (!inScope()) return withScope(() => apply(prim, inputs, params), (out) => [out.storage]);
  const trace = activeTrace(inputs);
  if (trace === undefined) return prim.forward(inputs, params);
  const plain = inputs.map(detach) as unknown as I;
  const out = prim.forward(plain, params);
  const node: Node = {
    trace,
    inputs: plain,
    parents: parentsIn(trace, inputs),
    outputs: 1,
    vjp: ([g]) => (g === undefined ? [] : prim.vjp(g, plain, out, params)),
  };
  trace.nodes.push(node);
  return new Tensor(out.storage, out.shape, { node, index: 0 });
}
