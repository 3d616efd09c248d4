// scan's backward pass is linear in the number of steps: differentiating a 400-step scan over a 1.6 MB input
// keeps WebAssembly memory within a few times the sequence's size (slicing each row separately held T padded
// copies of the whole sequence: about 330 MB here). Its own file: memoryBytes is this process's high-water mark.
import { heapStats } from "@gated/kernels";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { rand } from "./util.js";

describe("scan memory", () => {
  it("differentiates a 400-step scan without growing WebAssembly memory by more than 64 MB", () => {
    const [T, B, F] = [400, 4, 256];
    const xs = ag.astype(rand([T, B, F], 1), "float32");
    const w = ag.astype(rand([F], 2), "float32");
    const before = heapStats().memoryBytes;
    const step = (v: Tensor) => (h: Tensor, x: Tensor): [Tensor, Tensor] => {
      const next = ag.tanh(ag.add(ag.mul(h, v), x));
      return [next, next];
    };
    const [loss, g] = ag.valueAndGrad((v: Tensor, xsv: Tensor) => ag.sum(ag.scan(step(v), ag.zeros([B, F]), xsv)[0]), { argnums: [0, 1] })(w, xs);
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(g[1]?.shape).toEqual([T, B, F]);
    expect(heapStats().memoryBytes - before).toBeLessThan(64 * 1024 * 1024);
  });
});
