// RecurrentStepper against a step written out plainly with the JS twins (embedding row, x W_ih^T + b_ih, h W_hh^T
// + b_hh, the cell, the head): the same logits and states after every token, for every cell, one and two layers,
// one and several rows; its state operations; and every refused argument, named.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { js, RecurrentStepper, type StepperMode, type StepperSpec } from "../src/index.js";
import { randomF32 } from "./util.js";

const gatesOf = (mode: StepperMode): number => (mode === "lstm" ? 4 : mode === "gru" ? 3 : 1);

function spec(mode: StepperMode, V: number, E: number, H: number, L: number, C: number, B: number, seed: number): StepperSpec {
  const G = gatesOf(mode);
  return {
    mode,
    embedding: randomF32(V * E, seed),
    vocab: V,
    hiddenSize: H,
    layers: Array.from({ length: L }, (_, l) => ({
      weightIh: randomF32(G * H * (l === 0 ? E : H), seed + 10 * l + 1, 0.5),
      weightHh: randomF32(G * H * H, seed + 10 * l + 2, 0.5),
      biasIh: randomF32(G * H, seed + 10 * l + 3, 0.5),
      biasHh: randomF32(G * H, seed + 10 * l + 4, 0.5),
    })),
    head: { weight: randomF32(C * H, seed + 100), bias: randomF32(C, seed + 101) },
    batch: B,
  };
}

/** The reference: one token step of every row with the JS twins, states updated in place. */
function referenceStep(s: StepperSpec, hs: Float32Array[], cs: Float32Array[], tokens: number[]): Float32Array {
  const { mode, hiddenSize: H } = s;
  const B = tokens.length;
  const G = gatesOf(mode);
  const E = s.embedding.length / s.vocab;
  let x = new Float32Array(B * E);
  for (const [b, t] of tokens.entries()) x.set(s.embedding.subarray(t * E, (t + 1) * E), b * E);
  let I = E;
  for (const [l, p] of s.layers.entries()) {
    const h = hs[l] as Float32Array;
    const xp = new Float32Array(B * G * H);
    const hp = new Float32Array(B * G * H);
    js.sgemm(false, true, B, G * H, I, 1, x, 0, I, p.weightIh, 0, I, 0, xp, 0, G * H);
    js.addBias(xp, xp, p.biasIh, B, G * H);
    js.sgemm(false, true, B, G * H, H, 1, h, 0, H, p.weightHh, 0, H, 0, hp, 0, G * H);
    const y = new Float32Array(B * H);
    if (mode === "gru") js.gruForward(new Float32Array(B * 4 * H), h, y, xp, hp, p.biasHh, h, null, B, H);
    else {
      js.addBias(hp, hp, p.biasHh, B, G * H);
      js.add(xp, xp, hp, B * G * H);
      if (mode === "lstm") js.lstmForward(xp, cs[l] as Float32Array, h, y, cs[l] as Float32Array, h, null, B, H);
      else js.rnnForward(xp, h, y, h, null, B, H, mode === "rnn_relu");
    }
    x = h.slice();
    I = H;
  }
  const C = s.head.weight.length / H;
  const logits = new Float32Array(B * C);
  js.sgemm(false, true, B, C, H, 1, x, 0, H, s.head.weight, 0, H, 0, logits, 0, C);
  if (s.head.bias) js.addBias(logits, logits, s.head.bias, B, C);
  return logits;
}

function expectClose(got: Float32Array, want: Float32Array, what: string): void {
  let scale = 1e-3;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < want.length; i++) if (!(Math.abs((got[i] as number) - (want[i] as number)) <= 2e-5 * scale)) expect.fail(`${what}: [${i}] = ${got[i]}, reference ${want[i]}`);
}

describe("RecurrentStepper", () => {
  it("gives the reference step's logits and states after every token (every cell, 1-2 layers, 1-3 rows, SIMD tails)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<StepperMode>("lstm", "gru", "rnn_tanh", "rnn_relu"),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 2 }),
        fc.nat(10_000),
        (mode, B, H, L, seed) => {
          const s = spec(mode, 7, 5, H, L, 6, B, seed);
          const stepper = new RecurrentStepper(s);
          expect([stepper.batch, stepper.vocab, stepper.hiddenSize, stepper.classes, stepper.layerCount, stepper.mode]).toEqual([B, 7, H, 6, L, mode]);
          const hs = Array.from({ length: L }, () => new Float32Array(B * H));
          const cs = Array.from({ length: L }, () => new Float32Array(B * H));
          for (let t = 0; t < 4; t++) {
            const tokens = Array.from({ length: B }, (_, b) => (seed + 3 * b + 5 * t) % 7);
            stepper.step(tokens);
            const want = referenceStep(s, hs, cs, tokens);
            expectClose(stepper.logits(), want, `${mode} B=${B} H=${H} L=${L} step ${t} logits`);
            const st = stepper.state();
            const flat = (xs: Float32Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));
            expectClose(st.h, flat(hs), `${mode} step ${t} h`);
            if (mode === "lstm") expectClose(st.c as Float32Array, flat(cs), `${mode} step ${t} c`);
            else expect(st.c).toBeUndefined();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("a head without a bias adds nothing; logits(out) fills the given array", () => {
    const s = spec("lstm", 5, 3, 4, 1, 5, 1, 9);
    const withBias = new RecurrentStepper(s);
    const without = new RecurrentStepper({ ...s, head: { weight: s.head.weight } });
    withBias.step([2]);
    without.step([2]);
    const out = new Float32Array(5);
    expect(without.logits(out)).toBe(out);
    const a = withBias.logits();
    for (let i = 0; i < 5; i++) expect(a[i]).toBeCloseTo((out[i] as number) + (s.head.bias?.[i] as number), 5);
  });

  it("state round trip, reset and reorder", () => {
    const s = spec("lstm", 6, 3, 5, 2, 4, 3, 4);
    const a = new RecurrentStepper(s);
    a.step([1, 2, 3]);
    const st = a.state();
    a.step([4, 4, 4]);
    const after = a.logits();
    const b = new RecurrentStepper(s);
    b.setState(st.h, st.c);
    b.step([4, 4, 4]);
    expect(Array.from(b.logits())).toEqual(Array.from(after));
    b.reset();
    expect(Array.from(b.state().h).every((v) => v === 0)).toBe(true);
    // reorder [2, 0, 0]: rows take old rows 2, 0, 0.
    b.setState(st.h, st.c);
    b.reorder([2, 0, 0]);
    const moved = b.state();
    const row = (x: Float32Array, l: number, r: number) => Array.from(x.subarray((l * 3 + r) * 5, (l * 3 + r + 1) * 5));
    for (const l of [0, 1]) {
      expect(row(moved.h, l, 0)).toEqual(row(st.h, l, 2));
      expect(row(moved.h, l, 1)).toEqual(row(st.h, l, 0));
      expect(row(moved.c as Float32Array, l, 2)).toEqual(row(st.c as Float32Array, l, 0));
    }
  });

  it("refuses a bad spec and bad calls, naming the argument", () => {
    const s = spec("gru", 5, 3, 4, 2, 6, 2, 1);
    const make = (over: Partial<StepperSpec>) => () => new RecurrentStepper({ ...s, ...over } as StepperSpec);
    const cases: [Partial<StepperSpec>, string][] = [
      [{ mode: "lstmm" as StepperMode }, `argument 'mode' must be "lstm", "gru", "rnn_tanh" or "rnn_relu", got lstmm`],
      [{ vocab: 0 }, "argument 'vocab' must be a positive integer, got 0"],
      [{ hiddenSize: 2.5 }, "argument 'hiddenSize' must be a positive integer, got 2.5"],
      [{ batch: 0 }, "argument 'batch' must be a positive integer, got 0"],
      [{ embedding: new Float32Array(14) }, "argument 'embedding' must be a Float32Array of vocab x E values (vocab 5), got 14"],
      [{ layers: [] }, "argument 'layers' must be a non-empty array of layers"],
      [{ head: { weight: new Float32Array(7) } }, "argument 'head.weight' must be a Float32Array of C x 4 values"],
      [{ head: { weight: s.head.weight, bias: new Float32Array(5) } }, "argument 'head.bias' has 5 elements, expected 6"],
      [{ layers: [s.layers[0] as StepperSpec["layers"][0], { ...(s.layers[1] as StepperSpec["layers"][0]), weightHh: new Float32Array(3) }] }, "argument 'layers[1].weightHh' has 3 elements, expected 48"],
      [{ layers: [{ ...(s.layers[0] as StepperSpec["layers"][0]), weightIh: [1, 2] as unknown as Float32Array }] }, "argument 'layers[0].weightIh' must be a Float32Array, got Array"],
    ];
    const layer0 = s.layers[0] as StepperSpec["layers"][0];
    cases.push(
      [{ vocab: "5" as unknown as number }, "argument 'vocab' must be a positive integer, got 5"],
      [{ vocab: 2 ** 24 + 1 }, `argument 'vocab' must be a positive integer, got ${2 ** 24 + 1}`],
      [{ embedding: Array.from(s.embedding) as unknown as Float32Array }, "argument 'embedding' must be a Float32Array of vocab x E values (vocab 5), got object"],
      [{ embedding: new Float32Array(0) }, "argument 'embedding' must be a Float32Array of vocab x E values (vocab 5), got 0"],
      [{ layers: [undefined as unknown as StepperSpec["layers"][0]] }, "argument 'layers[0].weightIh' must be a Float32Array, got undefined"],
      [{ layers: [{ ...layer0, weightIh: Array.from(layer0.weightIh) as unknown as Float32Array }] }, "argument 'layers[0].weightIh' must be a Float32Array, got Array"],
      [{ layers: [{ ...layer0, biasIh: new Float32Array(2) }] }, "argument 'layers[0].biasIh' has 2 elements, expected 12"],
      [{ layers: [{ ...layer0, biasHh: new Float32Array(2) }] }, "argument 'layers[0].biasHh' has 2 elements, expected 12"],
      [{ head: { weight: new Float32Array(0) } }, "argument 'head.weight' must be a Float32Array of C x 4 values"],
    );
    for (const [over, message] of cases) expect(make(over), message).toThrow(`RecurrentStepper: ${message}`);
    expect(() => new RecurrentStepper(5 as unknown as StepperSpec)).toThrow("RecurrentStepper: argument 'spec' must be an object");
    // One class is a head too.
    expect(new RecurrentStepper({ ...s, head: { weight: new Float32Array(4) } }).classes).toBe(1);
    expect(() => new RecurrentStepper(null as unknown as StepperSpec)).toThrow("RecurrentStepper: argument 'spec' must be an object");
    const st = new RecurrentStepper(s);
    expect(() => st.step([1])).toThrow("RecurrentStepper: argument 'tokens' must hold 2 token ids (one per row), got 1");
    expect(() => st.step([1, -1])).toThrow("RecurrentStepper: argument 'tokens' token -1 at row 1 is not an id in [0, 5)");
    expect(() => st.step([0.5, 1])).toThrow("token 0.5 at row 0");
    expect(() => st.step([1, 5])).toThrow("token 5 at row 1 is not an id in [0, 5)");
    expect(() => st.step(undefined as unknown as number[])).toThrow("argument 'tokens' must hold 2 token ids (one per row), got undefined");
    expect(() => st.reorder([0, 2])).toThrow("index 2 at 1 is not a row in [0, 2)");
    expect(() => st.reorder(undefined as unknown as number[])).toThrow("argument 'rows' must hold 2 row indices, got undefined");
    // A GRU's state is h alone: reorder moves it.
    st.setState(Float32Array.from({ length: 16 }, (_, i) => i));
    st.reorder([1, 1]);
    expect(Array.from(st.state().h.subarray(0, 8))).toEqual([4, 5, 6, 7, 4, 5, 6, 7]);
    expect(() => st.reorder([0])).toThrow("RecurrentStepper: argument 'rows' must hold 2 row indices, got 1");
    expect(() => st.reorder([0, -1])).toThrow("RecurrentStepper: argument 'rows' index -1 at 1 is not a row in [0, 2)");
    expect(() => st.setState(new Float32Array(16), new Float32Array(3))).not.toThrow(); // a GRU has no c: ignored
    expect(() => st.setState(new Float32Array(15))).toThrow("RecurrentStepper: argument 'h' has 15 elements, expected 16");
    const lstm = new RecurrentStepper(spec("lstm", 5, 3, 4, 1, 6, 1, 2));
    expect(() => lstm.setState(new Float32Array(4))).toThrow("RecurrentStepper: argument 'c' must be a Float32Array, got undefined");
    expect(() => st.logits(new Float32Array(11))).toThrow("RecurrentStepper: argument 'out' must be a Float32Array of 12 values");
  });
});
