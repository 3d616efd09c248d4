// The fit loop: epochs of shuffled batches (valueAndGrad, clipping, an optimiser step), validation after each
// epoch, early stopping, and the best parameters kept. One key drives every random choice: batch order
// (foldIn(key, epoch)) and dropout (foldIn(key, step)).
import { invalidArgument, raise, type Tensor, valueAndGrad } from "@gated/autograd";
import { clipByGlobalNorm, type Optimizer, random } from "@gated/nn";
import { nextTurn } from "./turn.js";

export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly seconds: number;
}

/** What `fit` reports as it goes: after every batch, and after every epoch's validation. */
export type FitEvent =
  | { readonly kind: "batch"; readonly epoch: number; readonly epochs: number; readonly batch: number; readonly batches: number; readonly meanLoss: number }
  | { readonly kind: "epoch"; readonly epochs: number; readonly record: EpochRecord };

export interface FitOptions<P, B, S> {
  readonly params: P;
  readonly optimizer: Optimizer<S>;
  /** The training loss of one batch (dropout keyed by `key`). */
  readonly loss: (params: P, batch: B, key: random.Key) => Tensor;
  /** The batches of one epoch, in an order drawn from `key`. */
  readonly batches: (epoch: number, key: random.Key) => readonly B[];
  /** Loss and accuracy on the validation set. */
  readonly validate: (params: P) => { readonly loss: number; readonly accuracy: number };
  readonly epochs: number;
  /** Stop after this many epochs without a better validation accuracy (default: never). */
  readonly patience?: number;
  /** Clip gradients to this global norm (default: no clipping). */
  readonly clip?: number;
  readonly key: random.Key;
  /** Called after every batch and every epoch (a terminal progress bar: `fitProgress()` from `@gated/train/node`). */
  readonly onProgress?: (event: FitEvent) => void;
  readonly log?: (line: string) => void;
  /** Stops between batches when aborted (the result then has `interrupted: true`); checked at least every 50 ms. */
  readonly signal?: AbortSignal;
  /**
   * Awaited before every batch and every validation, in place of fit's own yield to the event loop: in a worker
   * served by `serveTraining`, pass `job.tick` (the page's pause and abort then take effect between batches).
   */
  readonly tick?: () => Promise<void>;
}

export interface FitResult<P> {
  /** Parameters of the first epoch with the best validation accuracy. */
  readonly best: P;
  readonly bestEpoch: number;
  readonly history: readonly EpochRecord[];
  readonly stoppedEarly: boolean;
  /** Whether `signal` stopped it (then `best` is the best of the epochs that finished, if any). */
  readonly interrupted: boolean;
}

/** Lets pending events (a Ctrl-C, an abort) run when `ms` have passed since the last time. */
function yielder(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await nextTurn();
    last = performance.now();
  };
}

export async function fit<P, B, S>(o: FitOptions<P, B, S>): Promise<FitResult<P>> {
  if (!Number.isInteger(o.epochs) || o.epochs < 1) raise(invalidArgument("fit", "epochs", `must be a positive integer, got ${o.epochs}`));
  let params = o.params;
  let state = o.optimizer.init(params);
  let best = params;
  let bestEpoch = 0;
  let bestAcc = Number.NEGATIVE_INFINITY;
  const history: EpochRecord[] = [];
  let step = 0;
  let stoppedEarly = false;
  const pause = o.tick ?? yielder(50);
  const stopped = () => o.signal?.aborted === true;
  const vg = valueAndGrad((p: P, batch: B, k: random.Key) => o.loss(p, batch, k));
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const t0 = performance.now();
    const batches = o.batches(epoch, random.foldIn(o.key, epoch));
    let sum = 0;
    for (const [i, batch] of batches.entries()) {
      await pause();
      if (stopped()) return { best, bestEpoch, history, stoppedEarly, interrupted: true };
      const [loss, grads] = vg(params, batch, random.foldIn(o.key, 1_000_000 + step++));
      const value = loss.item();
      if (!Number.isFinite(value)) raise(invalidArgument("fit", "loss", `became ${value} at epoch ${epoch}, batch ${i + 1}: lower the learning rate or clip gradients`));
      const g = o.clip === undefined ? grads : clipByGlobalNorm(grads, o.clip)[0];
      [state, params] = o.optimizer.update(state, params, g as P);
      sum += value;
      o.onProgress?.({ kind: "batch", epoch, epochs: o.epochs, batch: i + 1, batches: batches.length, meanLoss: sum / (i + 1) });
    }
    await pause();
    if (stopped()) return { best, bestEpoch, history, stoppedEarly, interrupted: true };
    const val = o.validate(params);
    const record = { epoch, trainLoss: sum / Math.max(1, batches.length), valLoss: val.loss, valAccuracy: val.accuracy, seconds: (performance.now() - t0) / 1000 };
    history.push(record);
    o.onProgress?.({ kind: "epoch", epochs: o.epochs, record });
    if (val.accuracy > bestAcc) {
      best = params;
      bestEpoch = epoch;
      bestAcc = val.accuracy;
    } else if (o.patience !== undefined && epoch - bestEpoch >= o.patience) {
      stoppedEarly = true;
      o.log?.(`early stop: no better validation accuracy for ${o.patience} epochs (best ${(100 * bestAcc).toFixed(1)}% at epoch ${bestEpoch})`);
      break;
    }
  }
  return { best, bestEpoch, history, stoppedEarly, interrupted: false };
}
