// The worker runner over a MessageChannel (the same messages a Web Worker carries; the browser test of the
// playground runs it in a real Worker): progress in order, checkpoints transferred, pause and resume, abort from a
// signal, errors with the worker's message, and runs that do not mix.
import * as ag from "@gated/autograd";
import { adam, random } from "@gated/nn";
import { afterEach, describe, expect, it } from "vitest";
import { fit, serveTraining, startTraining, type TrainingJob, TrainingWorkerError } from "../src/index.js";

const channels: MessageChannel[] = [];
function channel(): { page: MessagePort; worker: MessagePort } {
  const c = new MessageChannel();
  channels.push(c);
  return { page: c.port1, worker: c.port2 };
}
afterEach(() => {
  for (const c of channels.splice(0)) c.port1.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts to config.steps, a little work per step, reporting each step; returns the steps done. */
async function counter(config: { steps: number; ms?: number }, job: TrainingJob<number, never>): Promise<number> {
  let i = 0;
  for (; i < config.steps; i++) {
    await job.tick();
    if (job.signal.aborted) break;
    const until = performance.now() + (config.ms ?? 1);
    while (performance.now() < until) {
      // busy: a training step
    }
    job.progress(i + 1);
  }
  return i;
}

describe("serveTraining / startTraining", () => {
  it("deliver every progress event in order and the result", async () => {
    const { page, worker } = channel();
    serveTraining(counter, worker);
    const seen: number[] = [];
    const run = startTraining<{ steps: number }, number, never, number>(page, { steps: 30 }, { onProgress: (n) => seen.push(n) });
    expect(await run.done).toEqual({ status: "done", result: 30 });
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it("pause stops the steps until resume", async () => {
    const { page, worker } = channel();
    serveTraining(counter, worker);
    const seen: number[] = [];
    const run = startTraining<{ steps: number; ms: number }, number, never, number>(page, { steps: 400, ms: 2 }, { onProgress: (n) => seen.push(n) });
    while (seen.length < 5) await sleep(5);
    run.pause();
    await sleep(100); // the pause arrives within one tick's 20 ms
    const atPause = seen.length;
    await sleep(150);
    expect(seen.length).toBe(atPause);
    expect(atPause).toBeLessThan(400);
    run.resume();
    expect(await run.done).toEqual({ status: "done", result: 400 });
    expect(seen).toHaveLength(400);
  });

  it("an aborted signal ends the run early with the function's result so far, also while paused", async () => {
    const { page, worker } = channel();
    serveTraining(counter, worker);
    const controller = new AbortController();
    const seen: number[] = [];
    const run = startTraining<{ steps: number; ms: number }, number, never, number>(page, { steps: 10_000, ms: 2 }, { signal: controller.signal, onProgress: (n) => seen.push(n) });
    while (seen.length < 3) await sleep(5);
    run.pause();
    await sleep(50);
    controller.abort();
    const out = await run.done;
    expect(out.status).toBe("aborted");
    expect(out.result).toBeGreaterThanOrEqual(3);
    expect(out.result).toBeLessThan(10_000);
    // The worker is free again: a second run on it finishes.
    const again = startTraining<{ steps: number }, number, never, number>(page, { steps: 3 });
    expect(await again.done).toEqual({ status: "done", result: 3 });
  });

  it("a signal aborted before the start still stops the run", async () => {
    const { page, worker } = channel();
    serveTraining(counter, worker);
    const out = await startTraining<{ steps: number }, number, never, number>(page, { steps: 1_000_000 }, { signal: AbortSignal.abort() }).done;
    expect(out.status).toBe("aborted");
    expect(out.result).toBeLessThan(1_000_000);
  });

  it("checkpoints arrive with their buffers transferred, not copied", async () => {
    const { page, worker } = channel();
    const kept: ArrayBuffer[] = [];
    serveTraining(async (_config: null, job: TrainingJob<never, { step: number; weights: Float32Array }>) => {
      for (let step = 1; step <= 2; step++) {
        const weights = Float32Array.of(step, step + 0.5);
        kept.push(weights.buffer);
        job.checkpoint({ step, weights }, [weights.buffer]);
        await job.tick();
      }
      return "ok";
    }, worker);
    const got: { step: number; weights: Float32Array }[] = [];
    const out = await startTraining(page, null, { onCheckpoint: (c: { step: number; weights: Float32Array }) => got.push(c) }).done;
    expect(out).toEqual({ status: "done", result: "ok" });
    expect(got.map((c) => [c.step, Array.from(c.weights)])).toEqual([
      [1, [1, 1.5]],
      [2, [2, 2.5]],
    ]);
    expect(kept.map((b) => b.byteLength)).toEqual([0, 0]); // detached in the worker: moved, not copied
  });

  it("a training function that throws rejects `done` with its name and message", async () => {
    const { page, worker } = channel();
    serveTraining(async () => {
      throw new RangeError("lr must be positive, got -1");
    }, worker);
    const done = startTraining(page, {}).done;
    await expect(done).rejects.toBeInstanceOf(TrainingWorkerError);
    await expect(done).rejects.toMatchObject({ message: "lr must be positive, got -1", workerName: "RangeError" });
  });

  it("a second start while a run is going is refused, and the first run is not disturbed", async () => {
    const { page, worker } = channel();
    serveTraining(counter, worker);
    const first = startTraining<{ steps: number; ms: number }, number, never, number>(page, { steps: 50, ms: 2 });
    const second = startTraining(page, { steps: 5 });
    await expect(second.done).rejects.toThrow(/a run is already going in this worker/);
    expect(await first.done).toEqual({ status: "done", result: 50 });
  });

  it("a worker that fails (an error event) rejects `done` instead of hanging", async () => {
    const target = new EventTarget() as EventTarget & { postMessage(): void };
    target.postMessage = () => {};
    const run = startTraining(target as never, {});
    target.dispatchEvent(Object.assign(new Event("error"), { message: "Uncaught SyntaxError: Unexpected token" }));
    await expect(run.done).rejects.toThrow("the training worker failed: Uncaught SyntaxError: Unexpected token");
  });

  it("fit runs inside a served worker: its batches report progress, tick pauses it, and the signal stops it", async () => {
    const { page, worker } = channel();
    serveTraining(async (config: { epochs: number }, job: TrainingJob<number, never>) => {
      const xs = ag.tensorFromArray(Float32Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : -1) * (1 + (i % 3))), [8, 2]);
      const labels = [0, 1, 0, 1, 0, 1, 0, 1];
      const loss = (p: { w: ag.Tensor }) => ag.crossEntropy(ag.matmul(xs, p.w), labels);
      const r = await fit({
        params: { w: ag.zeros([2, 2]) },
        optimizer: adam({ lr: 0.1 }),
        loss,
        batches: () => [0, 1, 2, 3],
        validate: (p) => ({ loss: loss(p).item(), accuracy: 0.5 }),
        epochs: config.epochs,
        key: random.key(1),
        signal: job.signal,
        tick: job.tick,
        onProgress: (e) => {
          if (e.kind === "batch") job.progress(e.meanLoss);
        },
      });
      return r.history.length;
    }, worker);
    const losses: number[] = [];
    const out = await startTraining<{ epochs: number }, number, never, number>(page, { epochs: 3 }, { onProgress: (l) => losses.push(l) }).done;
    expect(out).toEqual({ status: "done", result: 3 });
    expect(losses).toHaveLength(12);
    expect(losses[11]).toBeLessThan(losses[0] as number);
  });
});
