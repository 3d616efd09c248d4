// Memory stays flat over 10,000 valueAndGrad calls of an LSTM-step-sized function: WebAssembly memory (live
// heap bytes and memory size) and the JS heap.
//
// valueAndGrad frees its intermediates before it returns and moves its results to host memory, so WebAssembly
// memory holds nothing between calls and the JS garbage collector owns the results: a plain synchronous loop,
// with no yielding and no dispose, stays flat.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { heapStats } from "@gated/kernels";
import { describe, expect, it } from "vitest";
import * as ag from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { rand } from "./util.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const B = 8;
const I = 16;
const H = 32;

interface P {
  wih: Tensor;
  whh: Tensor;
  b: Tensor;
}

function step(p: P, x: Tensor, h: Tensor, c: Tensor): Tensor {
  const gates = ag.add(ag.add(ag.matmul(x, p.wih, { transB: true }), ag.matmul(h, p.whh, { transB: true })), p.b);
  const gate = (k: number) => ag.slice(gates, [0, k * H], [B, H]);
  const c2 = ag.add(ag.mul(ag.sigmoid(gate(1)), c), ag.mul(ag.sigmoid(gate(0)), ag.tanh(gate(2))));
  const h2 = ag.mul(ag.sigmoid(gate(3)), ag.tanh(c2));
  return ag.crossEntropy(h2, Array.from({ length: B }, (_, r) => r % H));
}

const f32 = (t: Tensor) => ag.astype(t, "float32");

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

describe("memory", () => {
  it("stays flat over 10,000 valueAndGrad calls (WebAssembly heap and JS heap)", async () => {
    const p: P = { wih: f32(rand([4 * H, I], 1)), whh: f32(rand([4 * H, H], 2)), b: f32(rand([4 * H], 3)) };
    const x = f32(rand([B, I], 4));
    const h = f32(rand([B, H], 5));
    const c = f32(rand([B, H], 6));
    const vg = ag.valueAndGrad(step);
    let last = 0;
    const run = (calls: number) => {
      for (let i = 0; i < calls; i++) {
        const [loss, grads] = vg(p, x, h, c);
        last = loss.item() + (grads.wih.size > 0 ? 0 : 1);
      }
    };
    run(500);
    await settle();
    const warm = heapStats();
    const jsWarm = process.memoryUsage().heapUsed;
    // pnpm mutate runs this once per mutant: 1,000 calls there (WebAssembly bytes are compared exactly either way).
    run(process.env.GATED_MUTATION ? 1_000 : 9_500);
    await settle();
    const end = heapStats();
    const jsEnd = process.memoryUsage().heapUsed;
    expect(Number.isFinite(last)).toBe(true);
    expect(end.memoryBytes, "WebAssembly memory grew").toBe(warm.memoryBytes);
    expect(end.liveBytes, "live WebAssembly bytes grew").toBe(warm.liveBytes);
    expect(jsEnd - jsWarm, "JS heap grew by more than 2 MB").toBeLessThan(2 * 1024 * 1024);
  });

  it("leaves nothing in WebAssembly memory after a call: results live in host memory", () => {
    const p: P = { wih: f32(rand([4 * H, I], 1)), whh: f32(rand([4 * H, H], 2)), b: f32(rand([4 * H], 3)) };
    const x = f32(rand([B, I], 4));
    const h = f32(rand([B, H], 5));
    const c = f32(rand([B, H], 6));
    const before = heapStats().liveBytes;
    const [loss, grads] = ag.valueAndGrad(step)(p, x, h, c);
    expect(heapStats().liveBytes).toBe(before);
    expect(Number.isFinite(loss.item())).toBe(true);
    expect(grads.wih.toArray()).toBeInstanceOf(Float32Array);
    expect(grads.wih.shape).toEqual([4 * H, I]);
  });

  it("an intermediate that escapes a transform gives a clear error, not garbage", () => {
    let leaked: Tensor | undefined;
    ag.grad((w: Tensor) => {
      leaked = ag.tanh(ag.mul(w, 2));
      return ag.sum(leaked);
    })(f32(rand([3], 1)));
    expect(() => (leaked as Tensor).toArray()).toThrow(/intermediate value of a transform/);
  });
});
