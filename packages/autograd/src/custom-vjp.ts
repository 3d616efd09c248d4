// customVjp: a function that brings its own VJP (a fused primitive: a whole LSTM sequence, a stable loss).
import { activeTrace, parentsIn } from "./primitive.js";
import { detach, type Node, Tensor } from "./tensor.js";
import { leaves, replaceLeaves } from "./tree.js";
import { zerosLike } from "./ops.js";

/**
 * customVjp(f, fwd, bwd) behaves as f, but transforms differentiate it with `bwd`:
 * - f(...args) computes the output (used when nothing is being differentiated; also the test oracle);
 * - fwd(...args) = [output, residuals] computes the output and whatever bwd needs;
 * - bwd(residuals, cotangent) returns one cotangent per argument (a tensor, or undefined for none).
 * Arguments are tensors; the output is a tree of tensors.
 *
 * @since 0.1.0
 */
export function customVjp<Args extends readonly Tensor[], R, Res>(
  f: (...args: Args) => R,
  fwd: (...args: Args) => readonly [R, Res],
  bwd: (residuals: Res, cotangent: R) => readonly (Tensor | undefined)[],
): (...args: Args) => R {
  return (...args: Args): R => {
    const trace = activeTrace(args);
    if (trace === undefined) return f(...args);
    const plain = args.map(detach) as unknown as Args;
    const [out, res] = fwd(...plain);
    const outs = leaves(out).tensors.map(detach);
    const node: Node = {
      trace,
      inputs: plain,
      parents: parentsIn(trace, args),
      outputs: outs.length,
      vjp: (gs) => bwd(res, replaceLeaves(out, outs.map((o, i) => gs[i] ?? zerosLike(o)))),
    };
    trace.nodes.push(node);
    return replaceLeaves(out, outs.map((o, index) => new Tensor(o.storage, o.shape, { node, index })));
  };
}
