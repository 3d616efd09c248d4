// Gradient flow through time: ||dL_T/dh_t|| for every t, where L_T = u . h_T reads only the last state, for the
// lecture's recurrent cells at their usual initialisations. The gradient reaching h_t is the product of the
// T - t step Jacobians (for the tanh RNN, diag(1 - h^2) W_hh each), so its norm shows how much of a late loss
// can still teach an early step. Everything runs in float64 (float32 would underflow to 0 past ~1e-38).
import { add, grad, matmul, mul, sigmoid, sum, type Tensor, tanh, tensorFromArray } from "@gated/autograd";
import { type CellParams, cellParams, gate, gruStep, hiddenProjection, initRecurrent, inputProjection, lstmStep, type Mode, random, type RecurrentInitOptions, rnnStep } from "@gated/nn";

export const FLOW_MODELS = ["rnn", "relu", "irnn", "lstm0", "lstm1", "lstmc", "gru"] as const;
export type FlowModel = (typeof FLOW_MODELS)[number];

export const FLOW_LABEL: Record<FlowModel, string> = {
  rnn: "tanh RNN",
  relu: "ReLU RNN",
  irnn: "IRNN",
  lstm0: "LSTM, forget bias 0",
  lstm1: "LSTM, forget bias 1",
  lstmc: "LSTM, chrono init",
  gru: "GRU",
};

const MODE: Record<FlowModel, Mode> = { rnn: "rnn_tanh", relu: "rnn_relu", irnn: "rnn_relu", lstm0: "lstm", lstm1: "lstm", lstmc: "lstm", gru: "gru" };

/**
 * PyTorch's default initialisation everywhere except the IRNN (identity W_hh, zero biases); the LSTMs set the forget
 * gate's total bias, or use chrono initialisation for dependencies of up to `T` steps (Tallec and Ollivier 2018).
 */
const init = (m: FlowModel, T: number, forgetBias: number): RecurrentInitOptions =>
  m === "irnn" ? { scheme: "irnn" } : m === "lstm0" ? { forgetBias: 0 } : m === "lstm1" ? { forgetBias } : m === "lstmc" ? { chrono: Math.max(2, T) } : {};

export const isGated = (m: FlowModel): boolean => MODE[m] === "lstm" || MODE[m] === "gru";

/**
 * Float64 parameters of one cell (`T`: the dependency length chrono initialisation is set for; `forgetBias`: the
 * forget gate's total bias of the "lstm1" probe, 1 unless another is asked for).
 */
export function flowParams(k: random.Key, m: FlowModel, inputSize: number, hidden: number, T = 200, forgetBias = 1): CellParams {
  const params = initRecurrent(k, { mode: MODE[m], inputSize, hiddenSize: hidden }, { ...init(m, T, forgetBias), dtype: "float64" });
  return cellParams(params, 0, false);
}

export interface FlowSample {
  /** ||dL_T/dh_t|| for t = 0..T (t = 0: the initial state), one row of B per t. */
  readonly h: Float64Array[];
  /** LSTM only: ||dL_T/dc_t||. */
  readonly c?: Float64Array[];
  /** Gated cells: the mean forget gate (LSTM) or update gate z (GRU) over steps, sequences and units. */
  readonly meanGate?: number;
}

const f64 = (a: ArrayLike<number>, shape: number[]): Tensor => tensorFromArray(Float64Array.from(a), shape);

/** A draw's fixed parts: the input projections of each step and the unit readout u [H, 1]. */
export interface FlowDraw {
  readonly xp: readonly Tensor[];
  readonly u: Tensor;
  readonly B: number;
}

/** B input sequences x_t ~ N(0, I) of length T (as input projections) and a random unit vector u. */
export function flowDraw(k: random.Key, p: CellParams, T: number, B: number): FlowDraw {
  const H = p.weight_hh.shape[1] as number;
  const I = p.weight_ih.shape[1] as number;
  const [kx, ku] = random.split(k, 2) as [random.Key, random.Key];
  const xs = random.normal(kx, T * B * I);
  const xp = Array.from({ length: T }, (_, t) => inputProjection(p, f64(xs.subarray(t * B * I, (t + 1) * B * I), [B, I])));
  const uRaw = random.normal(ku, H);
  const norm = Math.hypot(...uRaw);
  return { xp, u: f64(uRaw.map((v) => v / norm), [H, 1]), B };
}

/**
 * L_T(e, ec) = sum over the batch of u . h_T, where the run adds e[t] to h_t and (LSTM) ec[t] to c_t for t = 0..T
 * (h_0 = e[0], c_0 = ec[0]: a zero initial state when they are 0). At e = ec = 0 this is the plain run, and
 * dL/de[t] = dL/dh_t, dL/dec[t] = dL/dc_t.
 */
export function flowLoss(m: FlowModel, p: CellParams, { xp, u }: FlowDraw): (e: readonly Tensor[], ec: readonly Tensor[]) => Tensor {
  const H = p.weight_hh.shape[1] as number;
  const lstm = MODE[m] === "lstm";
  return (ph, pc) => {
    let h = ph[0] as Tensor;
    let c = lstm ? (pc[0] as Tensor) : undefined;
    for (let t = 1; t <= xp.length; t++) {
      const x = xp[t - 1] as Tensor;
      if (lstm) {
        // lstmStep, with the perturbation of c_t added before h_t = o tanh(c_t) reads it: dL/dc_t then counts
        // the path through h_t as well as the one through c_{t+1}.
        const pre = add(x, hiddenProjection(p, h));
        const [i, f, g, o] = [sigmoid(gate(pre, 0, H)), sigmoid(gate(pre, 1, H)), tanh(gate(pre, 2, H)), sigmoid(gate(pre, 3, H))];
        c = add(add(mul(f, c as Tensor), mul(i, g)), pc[t] as Tensor);
        h = add(mul(o, tanh(c)), ph[t] as Tensor);
      } else {
        const next = MODE[m] === "gru" ? gruStep(p, h, x) : rnnStep(p, h, x, MODE[m] === "rnn_relu" ? "relu" : "tanh");
        h = add(next, ph[t] as Tensor);
      }
    }
    return sum(matmul(h, u));
  };
}

/**
 * One draw of B sequences from key k: ||dL_T/dh_t|| (and ||dL_T/dc_t||) for every t and sequence, with L_T = sum
 * over the batch of u . h_T (so ||dL_T/dh_T|| = 1 for each sequence), read off zero perturbations of the states.
 */
export function flowSample(k: random.Key, m: FlowModel, p: CellParams, T: number, B: number): FlowSample {
  const H = p.weight_hh.shape[1] as number;
  const draw = flowDraw(k, p, T, B);
  const lstm = MODE[m] === "lstm";
  const zero = () => f64(new Float64Array(B * H), [B, H]);
  const eh = Array.from({ length: T + 1 }, zero);
  const ec = lstm ? Array.from({ length: T + 1 }, zero) : [];
  const loss = flowLoss(m, p, draw);
  const [gh, gc] = grad(loss, { argnums: [0, 1] })(eh, ec) as [Tensor[], Tensor[]];
  const rowNorms = (g: Tensor): Float64Array => {
    const v = g.toArray();
    return Float64Array.from({ length: B }, (_, b) => Math.hypot(...v.subarray(b * H, (b + 1) * H)));
  };
  return {
    h: gh.map(rowNorms),
    ...(lstm ? { c: gc.map(rowNorms) } : {}),
    ...(isGated(m) ? { meanGate: meanGate(m, p, draw.xp, B, H) } : {}),
  };
}

/** The mean of the gate that carries the old state: the LSTM's forget gate f, the GRU's update gate z. */
function meanGate(m: FlowModel, p: CellParams, xp: readonly Tensor[], B: number, H: number): number {
  let h = f64(new Float64Array(B * H), [B, H]);
  let c = h;
  let total = 0;
  for (const x of xp) {
    let g: Tensor;
    if (MODE[m] === "lstm") {
      g = sigmoid(gate(add(x, hiddenProjection(p, h)), 1, H));
      const s = lstmStep(p, { h, c }, x);
      h = s.h;
      c = s.c;
    } else {
      g = sigmoid(add(gate(x, 1, H), gate(hiddenProjection(p, h), 1, H)));
      h = gruStep(p, h, x);
    }
    for (const v of g.toArray()) total += v;
  }
  return total / (xp.length * B * H);
}

/**
 * The spectral radius max |lambda_i| of a square matrix, by Gelfand's formula rho = lim ||A^n||^(1/n) with
 * n = 2^squarings (repeated squaring, rescaled each time, in float64). For a diagonalisable A the estimate lies
 * in [rho, rho * (kappa * sqrt(N))^(1/n)], kappa the eigenvector condition number: for n = 2^30 a relative error
 * below 1e-8 unless kappa is astronomically large. Each squaring costs one N^3 product.
 */
export function spectralRadius(a: Float64Array, n: number, squarings = 30): number {
  if (a.length !== n * n) throw new RangeError(`spectralRadius: expected ${n * n} entries for a ${n}x${n} matrix, got ${a.length}`);
  let m = Float64Array.from(a);
  let logNorm = 0; // log of the scale divided out so far, for the current power 2^k
  let scaleLog = 0;
  for (let k = 0; k <= squarings; k++) {
    let fro = 0;
    for (const v of m) fro += v * v;
    fro = Math.sqrt(fro);
    if (fro === 0) return 0;
    // m = A^(2^k) / exp(scaleLog); ||A^(2^k)|| = fro * exp(scaleLog)
    logNorm = (Math.log(fro) + scaleLog) / 2 ** k;
    if (k === squarings) break;
    for (let i = 0; i < m.length; i++) m[i] = (m[i] as number) / fro;
    scaleLog += Math.log(fro);
    const sq = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < n; l++) {
        const v = m[i * n + l] as number;
        if (v === 0) continue;
        for (let j = 0; j < n; j++) sq[i * n + j] = (sq[i * n + j] as number) + v * (m[l * n + j] as number);
      }
    }
    m = sq;
    scaleLog *= 2;
  }
  return Math.exp(logNorm);
}

/** What `measureFlow` averages over: the sequence length T of the curve, the lengths of ||dL/dh_0|| against T, sizes and seeds. */
export interface FlowOptions {
  readonly T: number;
  readonly lengths: readonly number[];
  readonly hidden: number;
  readonly input: number;
  readonly batch: number;
  readonly seeds: number;
  readonly seed: number;
  /** The forget gate's bias of the "lstm1" probe (default 1; the other LSTM probes keep 0 and chrono). */
  readonly forgetBias?: number;
}

export interface ModelFlow {
  readonly label: string;
  /** Mean ||dL_T/dh_t|| for t = 0..T. */
  readonly h: number[];
  readonly c?: number[];
  /** Mean ||dL/dh_0|| for each sequence length of `lengths`. */
  readonly h0ByLength: number[];
  /** Per-step factor: mean ||dL_T/dh_0|| ^ (1/T) (0 when the gradient died). */
  readonly perStep: number;
  readonly spectralRadius: number | null;
  readonly meanGate: number | null;
}

/** Mean over a list of per-seed rows (each row: B values). */
const meanOf = (rows: readonly Float64Array[]): number => {
  let s = 0;
  let n = 0;
  for (const r of rows) for (const v of r) {
    s += v;
    n++;
  }
  return s / n;
};

/**
 * The gradient flow of one cell, averaged over `o.seeds` draws of parameters and `o.batch` sequences each, exactly as
 * `pnpm lab gradient-flow` measures it (and the playground, for the same options and seed): the same keys, the
 * same numbers.
 */
export function measureFlow(o: FlowOptions, m: FlowModel): ModelFlow {
  const root = random.foldIn(random.key(o.seed), FLOW_MODELS.indexOf(m));
  const hRows: Float64Array[][] = Array.from({ length: o.T + 1 }, () => []);
  const cRows: Float64Array[][] = Array.from({ length: o.T + 1 }, () => []);
  const h0: Float64Array[][] = o.lengths.map(() => []);
  let rho = 0;
  let gate = 0;
  for (let s = 0; s < o.seeds; s++) {
    const k = random.foldIn(root, s);
    const p = flowParams(random.foldIn(k, 0), m, o.input, o.hidden, o.T, o.forgetBias ?? 1);
    const sample = flowSample(random.foldIn(k, 1), m, p, o.T, o.batch);
    sample.h.forEach((row, t) => {
      hRows[t]?.push(row);
    });
    sample.c?.forEach((row, t) => {
      cRows[t]?.push(row);
    });
    gate += sample.meanGate ?? 0;
    o.lengths.forEach((T, i) => {
      h0[i]?.push(flowSample(random.foldIn(k, 2 + i), m, p, T, o.batch).h[0] as Float64Array);
    });
    if (!isGated(m)) rho += spectralRadius(p.weight_hh.toArray() as Float64Array, o.hidden);
  }
  const h = hRows.map(meanOf);
  const start = h[0] as number;
  return {
    label: FLOW_LABEL[m],
    h,
    ...(m.startsWith("lstm") ? { c: cRows.map(meanOf) } : {}),
    h0ByLength: h0.map(meanOf),
    perStep: start > 0 ? start ** (1 / o.T) : 0,
    spectralRadius: isGated(m) ? null : rho / o.seeds,
    meanGate: isGated(m) ? gate / o.seeds : null,
  };
}
