// Training the character model as `pnpm generate train` does, one step at a time, wherever it runs (the command
// line, or the playground's worker): contiguous batches with truncated backpropagation through time (the state
// carried between windows, its gradient stopped) or random windows from a zero state; Adam with warm-up and cosine
// decay (or a constant rate), clipping at a global norm. The same options and seed give the same weights.
import { type Tensor, valueAndGrad } from "@gated/autograd";
import { type AdamState, adam, clipByGlobalNorm, constant, cosineWithWarmup, type Optimizer, random, recurrentParamCount } from "@gated/nn";
import type { TrainingSize } from "@gated/train";
import { initLm, type LmConfig, type LmParams, type LmState, lossAndState, rnnConfig, zeroState } from "./charlm.js";

export interface CharlmTraining {
  readonly config: LmConfig;
  readonly seed: number;
  readonly steps: number;
  readonly batch: number;
  readonly seq: number;
  readonly lr: number;
  readonly clip: number;
  readonly batching: "contiguous" | "random-windows";
  readonly schedule: "cosine" | "constant";
}

/** Where a run left off (a checkpoint): continuing from it gives the weights an uninterrupted run would. */
export interface CharlmProgress {
  readonly params: LmParams;
  readonly opt: AdamState;
  readonly state: LmState;
  readonly cursor: number;
  readonly done: number;
}

/** What training this model on batches of `batch` x `seq` characters of a `V`-character vocabulary holds (for `trainingMemory`). */
export function charlmTrainingSize(config: LmConfig, V: number, batch: number, seq: number): TrainingSize {
  return {
    params: V * config.embed + recurrentParamCount(rnnConfig(config)) + V * (config.hidden + 1),
    batch,
    steps: seq,
    layers: config.layers,
    directions: 1,
    hidden: config.hidden,
    gates: config.cell === "lstm" ? 4 : config.cell === "gru" ? 3 : 1,
    embed: config.embed,
    outputs: V,
    outputEveryStep: true,
  };
}

/** Why a text cannot be trained on with these batch sizes, or undefined when it can. */
export function charlmTextProblem(trainLength: number, batch: number, seq: number): string | undefined {
  const streamLen = Math.floor((trainLength - 1) / batch);
  if (streamLen < seq + 1 || trainLength < batch * (seq + 1)) return `the training text (${trainLength} characters) is too short for one batch of ${batch} x ${seq + 1}`;
  return undefined;
}

/** The training loop's state and its step; `step()` returns the step's training loss in bits per character. */
export class CharlmTrainer {
  params: LmParams;
  opt: AdamState;
  state: LmState;
  cursor: number;
  done: number;
  private readonly optimizer: Optimizer<AdamState>;
  private readonly key: random.Key;
  private readonly streamLen: number;
  private readonly inputs: Int32Array;
  private readonly targets: Int32Array;
  private readonly vg: (q: LmParams, s: LmState, inputs: Int32Array, targets: Int32Array) => [Tensor, LmParams, unknown];

  constructor(
    private readonly trainIds: Int32Array,
    readonly vocabSize: number,
    readonly o: CharlmTraining,
    from?: CharlmProgress,
  ) {
    const problem = charlmTextProblem(trainIds.length, o.batch, o.seq);
    if (problem !== undefined) throw new RangeError(problem);
    this.key = random.key(o.seed);
    const schedule = o.schedule === "constant" ? constant(o.lr) : cosineWithWarmup(o.lr, Math.min(100, Math.ceil(o.steps / 20)), o.steps, o.lr / 10);
    this.optimizer = adam({ lr: schedule });
    this.params = from?.params ?? initLm(random.foldIn(this.key, 1), o.config, vocabSize);
    this.opt = from?.opt ?? this.optimizer.init(this.params);
    this.state = from?.state ?? zeroState(o.config, o.batch);
    this.cursor = from?.cursor ?? 0;
    this.done = from?.done ?? 0;
    this.streamLen = Math.floor((trainIds.length - 1) / o.batch);
    this.inputs = new Int32Array(o.batch * o.seq);
    this.targets = new Int32Array(o.batch * o.seq);
    const { config, batch: B, seq: T } = o;
    this.vg = valueAndGrad((q: LmParams, s: LmState, inputs: Int32Array, targets: Int32Array) => lossAndState(q, config, inputs, targets, B, T, s), { hasAux: true }) as typeof this.vg;
  }

  /** One step: the next batch, the gradient, clipping, Adam. Returns the batch's loss in bits per character. */
  step(): number {
    const { batch: B, seq: T, config } = this.o;
    const { inputs, targets, trainIds } = this;
    if (this.o.batching === "contiguous") {
      if (this.cursor + T + 1 > this.streamLen) {
        this.cursor = 0;
        this.state = zeroState(config, B);
      }
      for (let b = 0; b < B; b++) {
        const base = b * this.streamLen + this.cursor;
        inputs.set(trainIds.subarray(base, base + T), b * T);
        targets.set(trainIds.subarray(base + 1, base + T + 1), b * T);
      }
      this.cursor += T;
    } else {
      const u = random.uniform(random.foldIn(this.key, 1_000_000 + this.done), B);
      for (let b = 0; b < B; b++) {
        const start = Math.floor((u[b] as number) * (trainIds.length - T - 1));
        inputs.set(trainIds.subarray(start, start + T), b * T);
        targets.set(trainIds.subarray(start + 1, start + T + 1), b * T);
      }
      this.state = zeroState(config, B);
    }
    const [loss, grads, next] = this.vg(this.params, this.state, inputs, targets);
    const [clipped] = clipByGlobalNorm(grads, this.o.clip);
    [this.opt, this.params] = this.optimizer.update(this.opt, this.params, clipped);
    if (this.o.batching === "contiguous") this.state = next as LmState;
    this.done++;
    return loss.item() / Math.LN2;
  }
}
