// Gradient flow: the perturbation gradients equal finite differences and the explicit Jacobian product, the
// spectral radius matches known eigenvalues, and the lecture's orderings hold at a small size.
import { tensorFromArray, type Tensor } from "@gated/autograd";
import { random } from "@gated/nn";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FLOW_MODELS, flowDraw, flowLoss, flowParams, flowSample, spectralRadius } from "../src/flow.js";

const zeros = (B: number, H: number) => tensorFromArray(new Float64Array(B * H), [B, H]);

describe("flowSample", () => {
  it("gives ||dL/dh_t|| and ||dL/dc_t|| equal to central finite differences of the loss (every cell, float64)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FLOW_MODELS), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 6 }), (m, seed, T) => {
        const H = 5;
        const B = 2;
        const p = flowParams(random.key(seed), m, 3, H);
        const k = random.key(seed + 1);
        const loss = flowLoss(m, p, flowDraw(k, p, T, B));
        const sample = flowSample(k, m, p, T, B);
        const lstm = m.startsWith("lstm");
        const eh = Array.from({ length: T + 1 }, () => zeros(B, H));
        const ec = lstm ? Array.from({ length: T + 1 }, () => zeros(B, H)) : [];
        const eps = 1e-6;
        for (const which of lstm ? (["h", "c"] as const) : (["h"] as const)) {
          for (let t = 0; t <= T; t++) {
            for (let b = 0; b < B; b++) {
              const g = new Float64Array(H);
              for (let j = 0; j < H; j++) {
                const at = (d: number): number => {
                  const bump = new Float64Array(B * H);
                  bump[b * H + j] = d;
                  const e = (list: Tensor[]) => list.map((z, i) => (i === t ? tensorFromArray(bump, [B, H]) : z));
                  return loss(which === "h" ? e(eh) : eh, which === "c" ? e(ec) : ec).item();
                };
                g[j] = (at(eps) - at(-eps)) / (2 * eps);
              }
              const got = (which === "h" ? sample.h : (sample.c as Float64Array[]))[t]?.[b] as number;
              const want = Math.hypot(...g);
              expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 + 1e-5 * want);
            }
          }
        }
        // the loss reads u . h_T with ||u|| = 1: the last state gets a unit gradient
        for (const v of sample.h[T] as Float64Array) expect(v).toBeCloseTo(1, 12);
      }),
      { numRuns: 24 },
    );
  });

  it("matches the lecture's product of Jacobians for the tanh RNN: dL/dh_0 = W^T D_1 W^T D_2 ... W^T D_T u", () => {
    const H = 4;
    const T = 7;
    const p = flowParams(random.key(5), "rnn", 2, H);
    const draw = flowDraw(random.key(6), p, T, 1);
    const W = p.weight_hh.toArray();
    const bh = p.bias_hh.toArray();
    // forward: h_t = tanh(xp_t + W h_{t-1} + b_hh), keeping each step's derivative 1 - h_t^2
    let h = new Float64Array(H);
    const D: Float64Array[] = [];
    for (const xp of draw.xp) {
      const x = xp.toArray();
      const next = new Float64Array(H);
      for (let i = 0; i < H; i++) {
        let s = (x[i] as number) + (bh[i] as number);
        for (let j = 0; j < H; j++) s += (W[i * H + j] as number) * (h[j] as number);
        next[i] = Math.tanh(s);
      }
      D.push(next.map((v) => 1 - v * v));
      h = next;
    }
    let g = Float64Array.from(draw.u.toArray());
    for (let t = T - 1; t >= 0; t--) {
      const dg = g.map((v, i) => v * (D[t]?.[i] as number));
      g = Float64Array.from({ length: H }, (_, j) => dg.reduce((acc, v, i) => acc + v * (W[i * H + j] as number), 0));
    }
    const sample = flowSample(random.key(6), "rnn", p, T, 1);
    expect(sample.h[0]?.[0]).toBeCloseTo(Math.hypot(...g), 12);
  });

  it("shows the lecture's orderings at T = 60: the tanh RNN vanishes, the IRNN keeps its gradient, forget bias 1 beats 0", () => {
    const T = 60;
    const B = 4;
    const at0 = (m: (typeof FLOW_MODELS)[number], which: "h" | "c" = "h") => {
      const p = flowParams(random.key(21), m, 8, 16);
      const s = flowSample(random.key(22), m, p, T, B);
      const row = (which === "h" ? s.h : (s.c as Float64Array[]))[0] as Float64Array;
      return row.reduce((a, v) => a + v, 0) / B;
    };
    expect(at0("rnn")).toBeLessThan(1e-8);
    expect(at0("irnn")).toBeGreaterThan(1e-3);
    expect(at0("lstm1", "c")).toBeGreaterThan(100 * at0("lstm0", "c"));
  });
});

describe("spectralRadius", () => {
  it("is 1 for the identity (the IRNN's W_hh) and |lambda|max for triangular matrices with random upper parts", () => {
    expect(spectralRadius(Float64Array.from({ length: 9 }, (_, i) => (i % 4 === 0 ? 1 : 0)), 3)).toBeCloseTo(1, 8);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 7 }), fc.integer({ min: 0, max: 1e6 }), (diag, seed) => {
        const n = diag.length;
        const rho = Math.max(...diag.map(Math.abs));
        fc.pre(rho > 0.05);
        const upper = random.uniform(random.key(seed), n * n);
        const a = Float64Array.from({ length: n * n }, (_, k) => {
          const i = Math.floor(k / n);
          const j = k % n;
          return i === j ? (diag[i] as number) : j > i ? (upper[k] as number) - 0.5 : 0;
        });
        // an orthogonal similarity (a Householder reflection) hides the triangle but keeps the eigenvalues
        const v = random.normal(random.foldIn(random.key(seed), 1), n);
        const vv = v.reduce((s, x) => s + x * x, 0);
        const Q = Float64Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0) - (2 * (v[Math.floor(k / n)] as number) * (v[k % n] as number)) / vv);
        const mm = (x: Float64Array, y: Float64Array) => Float64Array.from({ length: n * n }, (_, k) => {
          let s = 0;
          for (let l = 0; l < n; l++) s += (x[Math.floor(k / n) * n + l] as number) * (y[l * n + (k % n)] as number);
          return s;
        });
        const got = spectralRadius(mm(mm(Q, a), Q), n);
        expect(Math.abs(got - rho) / rho).toBeLessThan(2e-3);
      }),
      { numRuns: 60 },
    );
  });

  it("handles rotations (complex eigenvalues, where power iteration does not settle) and the zero matrix", () => {
    const r = 0.9;
    const th = 0.7;
    const rot = Float64Array.of(r * Math.cos(th), -r * Math.sin(th), 0, r * Math.sin(th), r * Math.cos(th), 0, 0, 0, 0.5);
    expect(spectralRadius(rot, 3)).toBeCloseTo(0.9, 6);
    expect(spectralRadius(new Float64Array(4), 2)).toBe(0);
    expect(() => spectralRadius(new Float64Array(5), 2)).toThrow(/expected 4 entries/);
  });
});
