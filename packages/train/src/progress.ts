// Progress: a bar redrawn in place on a terminal; plain lines every few seconds when output is a file or pipe.
import type { FitEvent } from "./fit.js";

/** Where progress is written: a Node stream such as process.stderr (anything with `write`; `isTTY` if a terminal). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface Progress {
  update(done: number, info?: string): void;
  done(info?: string): void;
}

export interface ProgressOptions {
  readonly label: string;
  readonly total: number;
  /** Default: process.stderr. */
  readonly stream?: ProgressStream;
  /** Seconds between plain lines when not on a terminal (default 5). */
  readonly every?: number;
}

export function progress({ label, total, stream = process.stderr, every = 5 }: ProgressOptions): Progress {
  const start = performance.now();
  let lastLine = start;
  const tty = stream.isTTY === true;
  const line = (done: number, info: string) => {
    const secs = (performance.now() - start) / 1000;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const eta = frac > 0 ? secs / frac - secs : 0;
    return { secs, frac, eta, info, done };
  };
  return {
    update(done, info = "") {
      const l = line(done, info);
      if (tty) {
        const width = 24;
        const filled = Math.round(l.frac * width);
        stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} ${info} ${l.secs.toFixed(0)}s eta ${l.eta.toFixed(0)}s\x1b[K`);
      } else if (performance.now() - lastLine >= every * 1000) {
        lastLine = performance.now();
        stream.write(`${label} ${done}/${total} ${info} (${l.secs.toFixed(0)}s)\n`);
      }
    },
    done(info = "") {
      const l = line(total, info);
      stream.write(`${tty ? "\r" : ""}${label} ${total}/${total} ${info} (${l.secs.toFixed(1)}s)${tty ? "\x1b[K" : ""}\n`);
    },
  };
}

/**
 * An `onProgress` for `fit` that draws one progress bar per epoch ("epoch 3/20 [####....] loss ..."), ending with the
 * epoch's training loss and validation loss and accuracy.
 */
export function fitProgress(label = "epoch", stream: ProgressStream = process.stderr): (event: FitEvent) => void {
  let bar: Progress | undefined;
  return (e) => {
    if (e.kind === "batch") {
      bar ??= progress({ label: `${label} ${e.epoch}/${e.epochs}`, total: e.batches, stream });
      bar.update(e.batch, `loss ${e.meanLoss.toFixed(4)}`);
      return;
    }
    const r = e.record;
    bar ??= progress({ label: `${label} ${r.epoch}/${e.epochs}`, total: 0, stream });
    bar.done(`loss ${r.trainLoss.toFixed(4)} val loss ${r.valLoss.toFixed(4)} val acc ${(100 * r.valAccuracy).toFixed(1)}%`);
    bar = undefined;
  };
}
