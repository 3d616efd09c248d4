// Training that never blocks a page: the training loop runs in a Web Worker (`serveTraining` there), and the page
// drives it (`startTraining` here): progress events, checkpoints handed over (their buffers transferred, not
// copied), pause, resume, and abort through an AbortSignal. Only the web platform's messaging is used
// (postMessage and message events), so the same code runs over a MessageChannel in Node, which the tests use.
import { nextTurn } from "./turn.js";

/** One end of a message channel: a `Worker` on the page's side, the worker's global scope (`self`) inside it. */
export interface TrainingPort {
  /** Always called with a transfer list (empty when nothing moves). */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  removeEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  /** MessagePorts deliver only after start(); Workers and worker scopes have no start. */
  start?(): void;
}

/** What a training function is given inside the worker. */
export interface TrainingJob<Progress, Checkpoint> {
  /** Aborted when the page aborts the run: return from the training function (with what there is) soon after. */
  readonly signal: AbortSignal;
  /** Whether the page has paused the run (`tick` waits while it is). */
  readonly paused: boolean;
  /**
   * Call between steps: lets the page's messages in (at most every 20 ms it returns to the event loop, without
   * timer clamping: `nextTurn`) and waits while the run is paused. Resolves at once once aborted.
   */
  tick(): Promise<void>;
  /** Sends a progress event to the page (structured-cloned). */
  progress(data: Progress): void;
  /** Sends a checkpoint to the page; the `transfer` buffers move to the page (they are empty here afterwards). */
  checkpoint(data: Checkpoint, transfer?: ArrayBuffer[]): void;
}

/** The training function a worker serves: the page's config in, a result out (when aborted: the result so far). */
export type TrainingFunction<Config, Progress, Checkpoint, Result> = (config: Config, job: TrainingJob<Progress, Checkpoint>) => Promise<Result>;

// Every message names its run, so that runs started one after another on one worker never mix.
type ToWorker = { readonly gated: "train"; readonly run: string; readonly type: "start"; readonly config: unknown } | { readonly gated: "train"; readonly run: string; readonly type: "pause" | "resume" | "abort" };
type FromWorker =
  | { readonly gated: "train"; readonly run: string; readonly type: "progress" | "checkpoint"; readonly data: unknown }
  | { readonly gated: "train"; readonly run: string; readonly type: "done" | "aborted"; readonly result: unknown }
  | { readonly gated: "train"; readonly run: string; readonly type: "error"; readonly name: string; readonly message: string; readonly stack: string };

const isOurs = (m: unknown): m is { gated: "train"; run: string; type: string } => typeof m === "object" && m !== null && (m as { gated?: unknown }).gated === "train" && typeof (m as { run?: unknown }).run === "string";

let runs = 0;
/** A run id unique in this realm (a page starting runs on several workers never reuses one). */
const nextRunId = (): string => `${Date.now().toString(36)}-${(runs++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;


/** Where `serveTraining` listens by default: the worker's global scope. */
const workerScope = (): TrainingPort => globalThis as unknown as TrainingPort;

/**
 * Serves one training run per "start" message from the page, inside a Web Worker: `serveTraining(train)` in the
 * worker's module (or pass the port to listen on, such as one end of a MessageChannel). Progress and checkpoints go
 * to the page as the function sends them; its result, or its error (name, message and stack), when it ends.
 */
export function serveTraining<Config, Progress, Checkpoint, Result>(train: TrainingFunction<Config, Progress, Checkpoint, Result>, port: TrainingPort = workerScope()): void {
  let controller: AbortController | undefined;
  let current = "";
  let paused = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    paused = false;
    wake?.();
    wake = undefined;
  };
  const send = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);
  port.addEventListener("message", (event) => {
    const m = event.data;
    if (!isOurs(m)) return;
    const msg = m as ToWorker;
    const run = msg.run;
    if (msg.type !== "start") {
      if (run !== current || controller === undefined) return; // a run that has ended
      if (msg.type === "pause") paused = true;
      else if (msg.type === "resume") resume();
      else {
        controller.abort();
        resume();
      }
    } else {
      if (controller !== undefined) {
        send({ gated: "train", run, type: "error", name: "Error", message: "serveTraining: a run is already going in this worker: abort it and wait for it to end, or start another worker", stack: "" });
        return;
      }
      const c = new AbortController();
      controller = c;
      current = run;
      paused = false;
      let last = performance.now();
      const job: TrainingJob<Progress, Checkpoint> = {
        signal: c.signal,
        get paused() {
          return paused;
        },
        async tick() {
          if (c.signal.aborted) return;
          if (performance.now() - last >= 20) {
            await nextTurn();
            last = performance.now();
          }
          while (paused && !c.signal.aborted) {
            await new Promise<void>((r) => {
              wake = r;
            });
            last = performance.now();
          }
        },
        progress: (data) => send({ gated: "train", run, type: "progress", data }),
        checkpoint: (data, transfer) => send({ gated: "train", run, type: "checkpoint", data }, transfer),
      };
      train(msg.config as Config, job).then(
        (result) => {
          controller = undefined;
          send({ gated: "train", run, type: c.signal.aborted ? "aborted" : "done", result });
        },
        (e: unknown) => {
          controller = undefined;
          const err = e instanceof Error ? e : new Error(String(e));
          send({ gated: "train", run, type: "error", name: err.name, message: err.message, stack: err.stack ?? "" });
        },
      );
    }
  });
  port.start?.();
}

/** How a run ended: finished, or aborted from the page (with the training function's result either way). */
export interface TrainingOutcome<Result> {
  readonly status: "done" | "aborted";
  readonly result: Result;
}

/** A training function failed inside the worker: its error's name, message and stack, as the worker saw them. */
export class TrainingWorkerError extends Error {
  constructor(
    readonly workerName: string,
    message: string,
    readonly workerStack: string,
  ) {
    super(message);
    this.name = "TrainingWorkerError";
  }
}

export interface TrainingOptions<Progress, Checkpoint> {
  /** Called for every progress event, in order. */
  readonly onProgress?: (data: Progress) => void;
  /** Called for every checkpoint (its transferred buffers now belong to the page). */
  readonly onCheckpoint?: (data: Checkpoint) => void;
  /** Aborting it aborts the run (the worker's job.signal); `done` then resolves with status "aborted". */
  readonly signal?: AbortSignal;
}

/** A run started by `startTraining`. */
export interface TrainingRun<Result> {
  /** Pauses the run at the worker's next `tick`. */
  pause(): void;
  resume(): void;
  /** Aborts the run (as the options' signal does). */
  abort(): void;
  /** The outcome; rejects with a TrainingWorkerError if the training function threw, or an Error if the worker failed. */
  readonly done: Promise<TrainingOutcome<Result>>;
}

/**
 * Starts a training run in a worker that serves `serveTraining` (pass the `Worker`, or one end of a MessageChannel),
 * with a structured-cloneable `config`. The page's thread only receives messages: the training itself never runs
 * on it.
 */
export function startTraining<Config, Progress, Checkpoint, Result>(port: TrainingPort, config: Config, options: TrainingOptions<Progress, Checkpoint> = {}): TrainingRun<Result> {
  const run = nextRunId();
  const post = (type: "pause" | "resume" | "abort") => port.postMessage({ gated: "train", run, type } satisfies ToWorker, []);
  let settled = false;
  let listener: ((event: { readonly data: unknown }) => void) | undefined;
  const failure = (event: unknown) => {
    const message = (event as { message?: unknown }).message;
    return new Error(`the training worker failed${typeof message === "string" && message !== "" ? `: ${message}` : " (its script could not load, or a message could not be read)"}`);
  };
  const errorTarget = port as unknown as { addEventListener(type: "error" | "messageerror", l: (e: unknown) => void): void; removeEventListener(type: "error" | "messageerror", l: (e: unknown) => void): void };
  let onError: ((e: unknown) => void) | undefined;
  const cleanup = () => {
    settled = true;
    if (listener) port.removeEventListener("message", listener);
    if (onError) {
      errorTarget.removeEventListener("error", onError);
      errorTarget.removeEventListener("messageerror", onError);
    }
    options.signal?.removeEventListener("abort", abortRun);
  };
  const abortRun = () => {
    if (!settled) post("abort");
  };
  const done = new Promise<TrainingOutcome<Result>>((resolve, reject) => {
    listener = (event) => {
      const m = event.data;
      if (!isOurs(m) || m.run !== run) return;
      const msg = m as FromWorker;
      if (msg.type === "progress") options.onProgress?.(msg.data as Progress);
      else if (msg.type === "checkpoint") options.onCheckpoint?.(msg.data as Checkpoint);
      else if (msg.type === "done" || msg.type === "aborted") {
        cleanup();
        resolve({ status: msg.type, result: msg.result as Result });
      } else if (msg.type === "error") {
        cleanup();
        reject(new TrainingWorkerError(msg.name, msg.message, msg.stack));
      }
    };
    onError = (e: unknown) => {
      cleanup();
      reject(failure(e));
    };
    port.addEventListener("message", listener);
    errorTarget.addEventListener("error", onError);
    errorTarget.addEventListener("messageerror", onError);
    port.start?.();
  });
  if (options.signal?.aborted) queueMicrotask(abortRun);
  options.signal?.addEventListener("abort", abortRun);
  port.postMessage({ gated: "train", run, type: "start", config } satisfies ToWorker, []);
  return {
    pause: () => {
      if (!settled) post("pause");
    },
    resume: () => {
      if (!settled) post("resume");
    },
    abort: abortRun,
    done,
  };
}
