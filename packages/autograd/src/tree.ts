// Parameter trees: nested records and arrays whose leaves are tensors (other leaves pass through untouched).
import { Tensor } from "./tensor.js";

/** A tree of tensors: a tensor, or an array or record of trees. Non-tensor leaves are carried along. */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree } | number | string | boolean | null | undefined;

/** Same structure as T with every tensor replaced by U. */
export type MapTree<T, U> = T extends Tensor ? U : T extends readonly unknown[] ? { [K in keyof T]: MapTree<T[K], U> } : T extends object ? { [K in keyof T]: MapTree<T[K], U> } : T;

/** The tensors of a tree in a fixed order (arrays by index, records by sorted key), with their paths. */
export function leaves(tree: unknown, path = ""): { tensors: Tensor[]; paths: string[] } {
  const tensors: Tensor[] = [];
  const paths: string[] = [];
  const walk = (t: unknown, p: string): void => {
    if (t instanceof Tensor) {
      tensors.push(t);
      paths.push(p);
    } else if (Array.isArray(t)) {
      for (const [i, c] of t.entries()) walk(c, `${p}[${i}]`);
    } else if (t !== null && typeof t === "object") {
      for (const k of Object.keys(t).sort()) walk((t as Record<string, unknown>)[k], p === "" ? k : `${p}.${k}`);
    }
  };
  walk(tree, path);
  return { tensors, paths };
}

/** Rebuilds `tree` with its tensors replaced, in `leaves` order, by `replacement`. */
export function replaceLeaves<T>(tree: T, replacement: readonly unknown[]): T {
  let i = 0;
  const walk = (t: unknown): unknown => {
    if (t instanceof Tensor) return replacement[i++];
    if (Array.isArray(t)) return t.map(walk);
    if (t !== null && typeof t === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(t).sort()) out[k] = walk((t as Record<string, unknown>)[k]);
      return out;
    }
    return t;
  };
  return walk(tree) as T;
}

/** Maps every tensor of a tree. */
export const mapTree = <T, U>(tree: T, f: (t: Tensor, path: string) => U): MapTree<T, U> => {
  const { tensors, paths } = leaves(tree);
  return replaceLeaves(tree, tensors.map((t, i) => f(t, paths[i] as string))) as MapTree<T, U>;
};
