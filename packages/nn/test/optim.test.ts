// Optimisers against torch.optim (fixture: four steps on a fixed gradient sequence), schedules and clipping.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { adam, adamw, clipByGlobalNorm, clipByValue, constant, cosineWithWarmup, globalNorm, type Optimizer, readSafetensors, rmsprop, sgd, stepDecay } from "../src/index.js";

const fixture = readSafetensors(new Uint8Array(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "fixtures", "optimizers.safetensors"))));
if (E.isLeft(fixture)) throw new Error(fixture.left.message);
const { tensors: T, metadata: M } = fixture.right;

function build(name: string): Optimizer<unknown> {
  const { class: cls, lr, momentum, nesterov, weight_decay: wd, betas, eps, alpha } = JSON.parse(M[name] as string);
  switch (cls) {
    case "SGD":
      return sgd({ lr, momentum: momentum ?? 0, nesterov: nesterov ?? false, weightDecay: wd ?? 0 }) as Optimizer<unknown>;
    case "Adam":
      return adam({ lr, beta1: betas[0], beta2: betas[1], eps, weightDecay: wd }) as Optimizer<unknown>;
    case "AdamW":
      return adamw({ lr, beta1: betas[0], beta2: betas[1], eps, weightDecay: wd }) as Optimizer<unknown>;
    default:
      return rmsprop({ lr, alpha, eps, momentum: momentum ?? 0, weightDecay: wd ?? 0 }) as Optimizer<unknown>;
  }
}

describe("optimisers match torch.optim", () => {
  for (const name of Object.keys(M)) {
    it(`${name}: four steps`, () => {
      const opt = build(name);
      let params = { w: T.param as Tensor };
      let state = opt.init(params);
      for (let i = 0; i < 4; i++) [state, params] = opt.update(state, params, { w: T[`grad${i}`] as Tensor });
      const got = params.w.toArray();
      const want = (T[name] as Tensor).toArray();
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i] as number, 12);
    });
  }

  it("are pure: the old state and params are unchanged by an update", () => {
    const opt = adam({ lr: 0.1 });
    const params = { w: ag.tensorOrThrow([1, 2, 3], undefined, "float64") };
    const s0 = opt.init(params);
    const before = JSON.stringify([Array.from(s0.m[0] as Float64Array), Array.from(params.w.toArray())]);
    opt.update(s0, params, { w: ag.tensorOrThrow([0.5, -1, 2], undefined, "float64") });
    expect(JSON.stringify([Array.from(s0.m[0] as Float64Array), Array.from(params.w.toArray())])).toBe(before);
  });

  it("reject grads whose structure differs from params", () => {
    const opt = sgd({ lr: 0.1 });
    const params = { w: ag.ones([2]), b: ag.ones([1]) };
    expect(ag.attempt(() => opt.update(opt.init(params), params, { w: ag.ones([2]) } as never))._tag).toBe("Left");
  });
});

describe("schedules", () => {
  it("constant, step decay and cosine with warm-up", () => {
    expect(constant(0.1)(1000)).toBe(0.1);
    const s = stepDecay(1, 10, 0.5);
    expect([s(0), s(9), s(10), s(25)]).toEqual([1, 1, 0.5, 0.25]);
    const c = cosineWithWarmup(1, 4, 104, 0.1);
    expect(c(0)).toBeCloseTo(0.25, 12);
    expect(c(3)).toBeCloseTo(1, 12);
    expect(c(4)).toBeCloseTo(1, 12);
    expect(c(54)).toBeCloseTo(0.55, 12);
    expect(c(104)).toBe(0.1);
    for (let i = 5; i < 104; i++) expect(c(i)).toBeLessThanOrEqual(c(i - 1) + 1e-15);
  });
});

describe("clipping", () => {
  it("clipByGlobalNorm scales the whole tree to the limit and reports the norm", () => {
    const g = { a: ag.tensorOrThrow([3, 0], undefined, "float64"), b: [ag.tensorOrThrow([4], undefined, "float64")] };
    const [c, norm] = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 12);
    expect(globalNorm(c)).toBeCloseTo(1, 12);
    expect(c.a.toArray()[0]).toBeCloseTo(0.6, 12);
    expect(c.a.toArray()[1]).toBe(0);
    const [same] = clipByGlobalNorm(g, 10);
    expect(same).toBe(g);
    expect(ag.attempt(() => clipByGlobalNorm({ a: ag.tensorOrThrow([Number.NaN]) }, 1))._tag).toBe("Left");
  });

  it("clipByValue clamps each element", () => {
    expect(Array.from(clipByValue({ a: ag.tensorOrThrow([-5, 0.5, 7]) }, 1).a.toArray())).toEqual([-1, 0.5, 1]);
  });
});
