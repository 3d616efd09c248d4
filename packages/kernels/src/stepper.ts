// A recurrent language model run one token at a time, for generation and streaming evaluation: the weights
// are copied once into WebAssembly memory and stay there ("pinned") for the stepper's life; the first layer's
// input projection of every vocabulary entry is precomputed as a table [V, G*H]; a step is, per layer, one
// matrix-vector product (a packed product for several rows) and one fused gate kernel, then the head. Every
// argument is checked when the stepper is made; a step calls the raw kernels with addresses fixed then, so it
// allocates nothing and costs no checks.
import { KernelArgumentError } from "./errors.js";
import { gemmWorkPtr, heap, type RawKernels, relaxedRaw, simdRaw } from "./instance.js";
import { WasmF32 } from "./wasm-f32.js";
import { Split } from "./split.js";
import type { KernelName } from "./threads.js";

/** The cell of every layer: PyTorch's nn.LSTM, nn.GRU, nn.RNN (tanh or relu). */
export type StepperMode = "lstm" | "gru" | "rnn_tanh" | "rnn_relu";

/** One layer's parameters in PyTorch's layout: weight_ih [G*H, I], weight_hh [G*H, H], bias_ih, bias_hh [G*H]. */
export interface StepperLayer {
  readonly weightIh: Float32Array;
  readonly weightHh: Float32Array;
  readonly biasIh: Float32Array;
  readonly biasHh: Float32Array;
}

export interface StepperSpec {
  readonly mode: StepperMode;
  /** Token embeddings [V, E] (row v is token v's input vector). */
  readonly embedding: Float32Array;
  readonly vocab: number;
  readonly hiddenSize: number;
  /** Layers bottom up; layer 0 reads the embedding (E = embedding.length / vocab), layer l > 0 layer l - 1's h. */
  readonly layers: readonly StepperLayer[];
  /** The output layer: weight [C, H], bias [C] (as nn.Linear). */
  readonly head: { readonly weight: Float32Array; readonly bias?: Float32Array };
  /** Sequences stepped together (beam search steps its beams as one batch). Default 1. */
  readonly batch?: number;
}

const gatesOf = (mode: StepperMode): number => (mode === "lstm" ? 4 : mode === "gru" ? 3 : 1);

function fail(argument: string, reason: string): never {
  throw new KernelArgumentError("RecurrentStepper", argument, reason);
}

function sized(name: string, x: unknown, length: number): Float32Array {
  if (!(x instanceof Float32Array)) fail(name, `must be a Float32Array, got ${x === null ? "null" : typeof x === "object" ? (x as object).constructor?.name : typeof x}`);
  if (x.length !== length) fail(name, `has ${x.length} elements, expected ${length}`);
  return x;
}

const positive = (name: string, v: unknown): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 2 ** 24) fail(name, `must be a positive integer, got ${String(v)}`);
  return v;
};

/** A pinned copy of `x` in WebAssembly memory. */
const pin = (x: Float32Array): WasmF32 => new WasmF32(heap, x.length).write(x);

interface Layer {
  /**
   * x W_ih^T for layers above the first: W_ih [G*H, I] for one row, packed W_ih^T for several. Layer 0's is
   * only used to build the token table, then freed.
   */
  readonly weightIh: WasmF32;
  readonly weightHh: WasmF32;
  /** The bias added to the input side: b_ih + b_hh (LSTM, RNN) or b_ih (GRU). */
  readonly bias: WasmF32;
  /** b_hh (GRU only: it sits inside the reset gate's product). */
  readonly biasHh: WasmF32;
  readonly h: WasmF32;
  readonly c: WasmF32 | undefined;
}

/**
 * Steps a recurrent language model (embedding, stacked LSTM / GRU / RNN layers, linear head) token by token.
 *
 * @example
 * const s = new RecurrentStepper({ mode: "lstm", embedding, vocab: V, hiddenSize: H, layers, head });
 * s.step([token]); const logits = s.logits(); // Float32Array [V]
 * @since 0.2.0
 */
export class RecurrentStepper {
  readonly mode: StepperMode;
  readonly batch: number;
  readonly vocab: number;
  readonly hiddenSize: number;
  readonly classes: number;
  readonly layerCount: number;
  readonly #raw: RawKernels;
  readonly #split: Split;
  readonly #G: number;
  readonly #table: WasmF32;
  readonly #layers: Layer[];
  readonly #headWeight: WasmF32;
  readonly #headBias: WasmF32;
  readonly #logits: WasmF32;
  /** Per-step scratch: pre-activations (or xp for the GRU) [B, G*H], hp [B, G*H], saved gates [B, 4H], y [B, H]. */
  readonly #gates: WasmF32;
  readonly #hp: WasmF32;
  readonly #saved: WasmF32;
  readonly #y: WasmF32;
  readonly #scratch: WasmF32;

  constructor(spec: StepperSpec) {
    if (spec === null || typeof spec !== "object") fail("spec", "must be an object");
    if (!["lstm", "gru", "rnn_tanh", "rnn_relu"].includes(spec.mode)) fail("mode", `must be "lstm", "gru", "rnn_tanh" or "rnn_relu", got ${String(spec.mode)}`);
    const mode = spec.mode;
    const V = positive("vocab", spec.vocab);
    const H = positive("hiddenSize", spec.hiddenSize);
    const B = positive("batch", spec.batch ?? 1);
    if (!(spec.embedding instanceof Float32Array) || spec.embedding.length === 0 || spec.embedding.length % V !== 0) {
      fail("embedding", `must be a Float32Array of vocab x E values (vocab ${V}), got ${spec.embedding instanceof Float32Array ? spec.embedding.length : typeof spec.embedding}`);
    }
    const E = spec.embedding.length / V;
    if (!Array.isArray(spec.layers) || spec.layers.length === 0) fail("layers", "must be a non-empty array of layers");
    const G = gatesOf(mode);
    const C = spec.head?.weight instanceof Float32Array ? spec.head.weight.length / H : Number.NaN;
    if (!Number.isInteger(C) || C < 1) fail("head.weight", `must be a Float32Array of C x ${H} values`);
    this.mode = mode;
    this.batch = B;
    this.vocab = V;
    this.hiddenSize = H;
    this.classes = C;
    this.layerCount = spec.layers.length;
    this.#raw = relaxedRaw ?? simdRaw;
    this.#split = new Split(this.#raw as unknown as Record<KernelName, (...a: number[]) => void>, relaxedRaw === undefined ? 0 : 1);
    this.#G = G;
    const raw = this.#raw;
    const many = B > 1;
    const packT = (w: Float32Array, rows: number, cols: number): WasmF32 => {
      // W [rows, cols] -> packed W^T ([cols, rows]) for sgemmPacked.
      const src = pin(w);
      const dst = new WasmF32(heap, raw.packedBSize(cols, rows));
      raw.packB(1, cols, rows, src.ptr, cols, dst.ptr);
      src.free();
      return dst;
    };
    this.#layers = spec.layers.map((layer, l) => {
      const I = l === 0 ? E : H;
      const at = (name: string) => `layers[${l}].${name}`;
      const wih = sized(at("weightIh"), layer?.weightIh, G * H * I);
      const whh = sized(at("weightHh"), layer?.weightHh, G * H * H);
      const bih = sized(at("biasIh"), layer?.biasIh, G * H);
      const bhh = sized(at("biasHh"), layer?.biasHh, G * H);
      const bias = mode === "gru" ? bih.slice() : Float32Array.from(bih, (v, i) => v + (bhh[i] as number));
      return {
        weightIh: l === 0 ? pin(wih) : many ? packT(wih, G * H, I) : pin(wih),
        weightHh: many ? packT(whh, G * H, H) : pin(whh),
        bias: pin(bias),
        biasHh: pin(bhh),
        h: new WasmF32(heap, B * H),
        c: mode === "lstm" ? new WasmF32(heap, B * H) : undefined,
      };
    });
    const headW = spec.head.weight; // C x H values: C was derived from its length
    const headB = spec.head.bias === undefined ? new Float32Array(C) : sized("head.bias", spec.head.bias, C);
    this.#headWeight = many ? packT(headW, C, H) : pin(headW);
    this.#headBias = pin(headB);
    // Layer 0's input side for every token: embedding W_ih^T + bias, [V, G*H].
    const first = this.#layers[0] as Layer;
    const emb = pin(spec.embedding); // V x E values: checked above
    this.#table = new WasmF32(heap, V * G * H);
    raw.sgemm(0, 1, V, G * H, E, 1, emb.ptr, E, first.weightIh.ptr, E, 0, this.#table.ptr, G * H, gemmWorkPtr());
    raw.addBias(this.#table.ptr, this.#table.ptr, first.bias.ptr, V, G * H);
    emb.free();
    first.weightIh.free();
    this.#logits = new WasmF32(heap, B * C);
    this.#gates = new WasmF32(heap, B * G * H);
    this.#hp = new WasmF32(heap, B * G * H);
    this.#saved = new WasmF32(heap, B * 4 * H);
    this.#y = new WasmF32(heap, B * H);
    this.#scratch = new WasmF32(heap, B * Math.max(H, C));
    this.reset();
  }

  /** Zeroes every layer's state. */
  reset(): void {
    for (const l of this.#layers) {
      l.h.view().fill(0);
      l.c?.view().fill(0);
    }
  }

  /**
   * One step: row b reads token tokens[b] (an integer in [0, vocab)). Afterwards `logits()` holds the head's
   * output for the next token and the state has advanced.
   */
  step(tokens: ArrayLike<number>): void {
    const B = this.batch;
    if (tokens?.length !== B) fail("tokens", `must hold ${B} token ids (one per row), got ${tokens?.length}`);
    for (let b = 0; b < B; b++) {
      const t = tokens[b] as number;
      if (!(Number.isInteger(t) && t >= 0 && t < this.vocab)) fail("tokens", `token ${t} at row ${b} is not an id in [0, ${this.vocab})`);
    }
    const raw = this.#raw;
    const H = this.hiddenSize;
    const GH = this.#G * H;
    const gru = this.mode === "gru";
    const f32 = heap.f32();
    const gates = this.#gates.ptr;
    const hp = this.#hp.ptr;
    // Layer 0's input side: table rows.
    const table = this.#table.ptr >> 2;
    for (let b = 0; b < B; b++) {
      const src = table + (tokens[b] as number) * GH;
      f32.copyWithin((gates >> 2) + b * GH, src, src + GH);
    }
    let input = 0;
    for (const [l, layer] of this.#layers.entries()) {
      if (l > 0) {
        // The input side of an upper layer: bias rows, then += x W_ih^T.
        for (let b = 0; b < B; b++) f32.copyWithin((gates >> 2) + b * GH, layer.bias.ptr >> 2, (layer.bias.ptr >> 2) + GH);
        this.#product(layer.weightIh.ptr, input, gates, GH, H, 1);
      }
      // The recurrent side: += h W_hh^T (GRU: into hp, which the kernel adds to b_hh itself).
      this.#product(layer.weightHh.ptr, layer.h.ptr, gru ? hp : gates, GH, H, gru ? 0 : 1);
      const h = layer.h.ptr;
      if (this.mode === "lstm") raw.lstmForward(gates, (layer.c as WasmF32).ptr, h, this.#y.ptr, (layer.c as WasmF32).ptr, h, 0, B, H);
      else if (gru) raw.gruForward(this.#saved.ptr, h, this.#y.ptr, gates, hp, layer.biasHh.ptr, h, 0, B, H);
      else raw.rnnForward(gates, h, this.#y.ptr, h, 0, B, H, this.mode === "rnn_relu" ? 1 : 0);
      input = h;
    }
    // Head: bias rows, then += h W_out^T.
    const C = this.classes;
    const logits = this.#logits.ptr;
    for (let b = 0; b < B; b++) f32.copyWithin((logits >> 2) + b * C, this.#headBias.ptr >> 2, (this.#headBias.ptr >> 2) + C);
    this.#product(this.#headWeight.ptr, input, logits, C, H, 1);
  }

  /** out [B, n] = x [B, k] W^T + beta out: W [n, k] for one row (a matrix-vector product), packed W^T for several. */
  #product(w: number, x: number, out: number, n: number, k: number, beta: number): void {
    if (this.batch === 1) this.#split.sgemv(n, k, 1, w, k, x, beta, out);
    else this.#split.sgemmPacked(0, this.batch, n, k, 1, x, k, w, beta, out, n, gemmWorkPtr());
  }

  /** The logits [B, C] of the last step, copied into `out` (allocated when not given). */
  logits(out: Float32Array = new Float32Array(this.batch * this.classes)): Float32Array {
    if (!(out instanceof Float32Array) || out.length !== this.batch * this.classes) fail("out", `must be a Float32Array of ${this.batch * this.classes} values`);
    out.set(this.#logits.view());
    return out;
  }

  /** Copies of the state: h [L, B, H] (and c for an LSTM), layer by layer. */
  state(): { h: Float32Array; c?: Float32Array } {
    const n = this.batch * this.hiddenSize;
    const h = new Float32Array(this.layerCount * n);
    const c = this.mode === "lstm" ? new Float32Array(this.layerCount * n) : undefined;
    for (const [l, layer] of this.#layers.entries()) {
      h.set(layer.h.view(), l * n);
      if (c && layer.c) c.set(layer.c.view(), l * n);
    }
    return c ? { h, c } : { h };
  }

  /** Sets the state: h [L, B, H] (and c [L, B, H] for an LSTM), as `state()` returns it. */
  setState(h: Float32Array, c?: Float32Array): void {
    const n = this.batch * this.hiddenSize;
    sized("h", h, this.layerCount * n);
    if (this.mode === "lstm") sized("c", c, this.layerCount * n);
    for (const [l, layer] of this.#layers.entries()) {
      layer.h.write(h.subarray(l * n, (l + 1) * n));
      if (c && layer.c) layer.c.write(c.subarray(l * n, (l + 1) * n));
    }
  }

  /** Row r of the state becomes old row rows[r] (rows may repeat): how beam search follows its surviving beams. */
  reorder(rows: ArrayLike<number>): void {
    const B = this.batch;
    const H = this.hiddenSize;
    if (rows?.length !== B) fail("rows", `must hold ${B} row indices, got ${rows?.length}`);
    for (let r = 0; r < B; r++) if (!(Number.isInteger(rows[r]) && (rows[r] as number) >= 0 && (rows[r] as number) < B)) fail("rows", `index ${rows[r]} at ${r} is not a row in [0, ${B})`);
    const tmp = this.#scratch.view().subarray(0, B * H);
    for (const layer of this.#layers) {
      for (const s of layer.c ? [layer.h, layer.c] : [layer.h]) {
        const v = s.view();
        for (let r = 0; r < B; r++) tmp.set(v.subarray((rows[r] as number) * H, ((rows[r] as number) + 1) * H), r * H);
        v.set(tmp);
      }
    }
  }
}
