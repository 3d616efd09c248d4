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

    it(`${name}: four steps in float32 (the WebAssembly step kernels; RMSprop's JS loop), within float32 rounding`, () => {
      const opt = build(name);
      const f32 = (t: Tensor) => ag.astype(t, "float32");
      let params = { w: f32(T.param as Tensor) };
      let state = opt.init(params);
      for (let i = 0; i < 4; i++) [state, params] = opt.update(state, params, { w: f32(T[`grad${i}`] as Tensor) });
      expect(params.w.dtype).toBe("float32");
      const got = params.w.toArray();
      const start = (T.param as Tensor).toArray();
      const want = (T[name] as Tensor).toArray();
      // A few float32 roundings of the parameter and of its change over four steps.
      for (let i = 0; i < want.length; i++) {
        const scale = Math.abs(start[i] as number) + Math.abs((want[i] as number) - (start[i] as number));
        expect(Math.abs((got[i] as number) - (want[i] as number)), `${name} [${i}]`).toBeLessThan(4e-6 * scale);
      }
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

describe("optimisers: schedules, dtypes, purity and bad input", () => {
  const w64 = () => ({ w: ag.tensorOrThrow([1, -2], undefined, "float64") });
  const g64 = { w: ag.tensorOrThrow([0.5, 0.25], undefined, "float64") };
  const all: [string, () => Optimizer<unknown>][] = [
    ["sgd", () => sgd({ lr: 0.1, momentum: 0.9 }) as Optimizer<unknown>],
    ["adam", () => adam({ lr: 0.1 }) as Optimizer<unknown>],
    ["adamw", () => adamw({ lr: 0.1 }) as Optimizer<unknown>],
    ["rmsprop", () => rmsprop({ lr: 0.1, momentum: 0.9 }) as Optimizer<unknown>],
  ];

  it("a schedule is asked for the learning rate at steps 0, 1, 2, ... and its value is used", () => {
    const asked: number[] = [];
    const lr = (s: number) => {
      asked.push(s);
      return [0.1, 0.2, 0.4][s] as number;
    };
    const opt = sgd({ lr });
    let params = w64();
    let state = opt.init(params);
    for (let i = 0; i < 3; i++) [state, params] = opt.update(state, params, g64);
    expect(asked).toEqual([0, 1, 2]);
    // Plain SGD: w -= lr g at each step: 1 - (0.1 + 0.2 + 0.4) * 0.5, -2 - 0.7 * 0.25.
    expect(Array.from(params.w.toArray())).toEqual([1 - 0.05 - 0.1 - 0.2, -2 - 0.025 - 0.05 - 0.1]);
    for (const [name, make] of all) {
      const steps: number[] = [];
      const o = make();
      const withSchedule = name === "sgd" ? sgd({ lr: (s) => (steps.push(s), 0.1), momentum: 0.9 }) : name === "rmsprop" ? rmsprop({ lr: (s) => (steps.push(s), 0.1), momentum: 0.9 }) : (name === "adam" ? adam : adamw)({ lr: (s) => (steps.push(s), 0.1) });
      let [s1, p1] = [o.init(w64()), w64()];
      let [s2, p2] = [withSchedule.init(w64()) as unknown, w64()];
      for (let i = 0; i < 2; i++) {
        [s1, p1] = o.update(s1, p1, g64);
        [s2, p2] = (withSchedule as Optimizer<unknown>).update(s2, p2, g64);
      }
      expect(steps, name).toEqual([0, 1]);
      expect(Array.from(p2.w.toArray()), name).toEqual(Array.from(p1.w.toArray()));
    }
  });

  it("keep float32 parameters and slots in float32, float64 in float64", () => {
    for (const [name, make] of all) {
      for (const dtype of ["float32", "float64"] as const) {
        const opt = make();
        const params = { w: ag.tensorOrThrow([1, -2], undefined, dtype) };
        const state = opt.init(params) as Record<string, unknown>;
        const [next, p] = opt.update(state, params, { w: ag.tensorOrThrow([0.5, 0.25], undefined, dtype) });
        expect(p.w.dtype, name).toBe(dtype);
        const slots = Object.values(next as Record<string, unknown>).filter(Array.isArray).flat() as ArrayLike<number>[];
        expect(slots.length, name).toBeGreaterThan(0);
        for (const s of slots) expect(s, `${name} ${dtype}`).toBeInstanceOf(dtype === "float32" ? Float32Array : Float64Array);
      }
    }
  });

  it("are pure: an update changes neither the old state nor the old params (every optimiser, with momentum, float32 and float64)", () => {
    for (const [name, make] of [...all, ...all.map(([n, m]): [string, () => Optimizer<unknown>] => [`${n} float32`, m])]) {
      const opt = make();
      const f32 = name.endsWith("float32");
      const params = f32 ? { w: ag.astype(w64().w, "float32") } : w64();
      let state = opt.init(params);
      [state] = opt.update(state, params, f32 ? { w: ag.astype(g64.w, "float32") } : g64); // non-zero slots
      const snapshot = (s: unknown) => JSON.stringify(Object.values(s as Record<string, unknown>).map((v) => (Array.isArray(v) ? v.map((a) => Array.from(a as ArrayLike<number>)) : v)));
      const before = snapshot(state);
      const [after] = opt.update(state, params, f32 ? { w: ag.astype(g64.w, "float32") } : g64);
      expect(snapshot(state), name).toBe(before);
      expect(snapshot(after), name).not.toBe(before);
      expect((after as { step: number }).step, name).toBe(2);
      expect(Array.from(params.w.toArray()), name).toEqual([1, -2]);
    }
  });

  it("name themselves and the mismatch in their errors", () => {
    for (const [name, make] of all) {
      const opt = make();
      const params = { w: ag.ones([2]), b: ag.ones([1]) };
      const state = opt.init(params);
      expect(() => opt.update(state, params, { w: ag.ones([2]) } as never)).toThrow(`${name}: argument 'grads' must have the structure of params (2 tensors), got 1`);
      expect(() => opt.update(state, params, { w: ag.ones([2]), b: ag.ones([3]) })).toThrow(`${name}: argument 'grads' tensor 0 has 3 elements, its parameter 1`);
      expect(() => opt.update(state, params, { w: ag.ones([2]), b: ag.ones([1], "float64") })).toThrow(`${name}: argument 'grads' tensor 0 is float64, its parameter float32: cast one with astype`);
    }
    expect(() => sgd({ lr: 0.1, nesterov: true })).toThrow("sgd: argument 'nesterov' needs momentum > 0");
    expect(() => sgd({ lr: 0.1, nesterov: true, momentum: 0 })).toThrow("sgd: argument 'nesterov' needs momentum > 0");
    expect(() => sgd({ lr: 0.1, nesterov: true, momentum: 0.5 })).not.toThrow();
  });

  it("clipping refuses a limit that is not positive and a non-finite norm, and leaves a tree at exactly the limit alone", () => {
    const g = { a: ag.tensorOrThrow([3, 4], undefined, "float64") };
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => clipByGlobalNorm(g, bad)).toThrow(`clipByGlobalNorm: argument 'maxNorm' must be positive, got ${bad}`);
      expect(() => clipByValue(g, bad)).toThrow(`clipByValue: argument 'limit' must be positive, got ${bad}`);
    }
    expect(() => clipByGlobalNorm({ a: ag.tensorOrThrow([Number.POSITIVE_INFINITY]) }, 1)).toThrow("clipByGlobalNorm: argument 'grads' have a non-finite norm (Infinity): the loss diverged; lower the learning rate");
    const [same, norm] = clipByGlobalNorm(g, 5);
    expect(same).toBe(g);
    expect(norm).toBe(5);
    expect(Array.from(clipByValue(g, 3.5).a.toArray())).toEqual([3, 3.5]);
  });
});
