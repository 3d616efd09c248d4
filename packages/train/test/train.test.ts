import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import { adam, random } from "@gated/nn";
import { describe, expect, it } from "vitest";
import { classificationMetrics, type FitEvent, fit, lineChart, xyChart } from "../src/index.js";
import { fitProgress, writeFileAtomic } from "../src/node.js";

describe("metrics", () => {
  it("accuracy, confusion matrix, precision, recall and F1", () => {
    const m = classificationMetrics(["a", "a", "b", "b", "b"], ["a", "b", "b", "b", "a"], ["a", "b"]);
    expect(m.accuracy).toBeCloseTo(3 / 5, 12);
    expect(m.confusion).toEqual([[1, 1], [1, 2]]);
    expect(m.perClass[1]?.precision).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[1]?.recall).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[0]?.f1).toBeCloseTo(0.5, 12);
  });
});

describe("files", () => {
  it("writeFileAtomic replaces a file whole", () => {
    const f = join(mkdtempSync(join(tmpdir(), "gated-train-")), "sub", "f.json");
    writeFileAtomic(f, "{}");
    writeFileAtomic(f, "[1]");
    expect(readFileSync(f, "utf8")).toBe("[1]");
  });
});

describe("fit", () => {
  it("learns a separable problem, keeps the best epoch, stops early, and is deterministic per key", async () => {
    const xs = ag.tensorFromArray(Float32Array.from(random.normal(random.key(1), 64 * 2)), [64, 2]);
    const xv = xs.toArray();
    const labels = Array.from({ length: 64 }, (_, i) => ((xv[2 * i] as number) + (xv[2 * i + 1] as number) > 0 ? 1 : 0));
    const rows = (idx: number[]) => ag.gather(xs, idx);
    const run = () =>
      fit({
        params: { w: ag.zeros([2, 2]), b: ag.zeros([2]) },
        optimizer: adam({ lr: 0.1 }),
        loss: (p: { w: Tensor; b: Tensor }, idx: number[]) => ag.crossEntropy(ag.add(ag.matmul(rows(idx), p.w), p.b), idx.map((i) => labels[i] as number)),
        batches: (_e, k) => {
          const order = Array.from(random.permutation(k, 64));
          return [order.slice(0, 32), order.slice(32)];
        },
        validate: (p) => {
          const logits = ag.add(ag.matmul(xs, p.w), p.b).toArray();
          let correct = 0;
          for (let i = 0; i < 64; i++) if (((logits[2 * i + 1] as number) > (logits[2 * i] as number) ? 1 : 0) === labels[i]) correct++;
          return { loss: ag.crossEntropy(ag.add(ag.matmul(xs, p.w), p.b), labels).item(), accuracy: correct / 64 };
        },
        epochs: 60,
        patience: 10,
        key: random.key(7),
      });
    const a = await run();
    expect(a.interrupted).toBe(false);
    expect(a.history[a.bestEpoch - 1]?.valAccuracy).toBeGreaterThan(0.95);
    expect(Math.max(...a.history.map((h) => h.valAccuracy))).toBe(a.history[a.bestEpoch - 1]?.valAccuracy);
    expect(a.stoppedEarly).toBe(true);
    const b = await run();
    expect(Array.from(b.best.w.toArray())).toEqual(Array.from(a.best.w.toArray()));
  });
});

describe("charts", () => {
  it("draw an SVG with one polyline per series and the titles", () => {
    const svg = lineChart([{ title: "loss", series: [{ name: "train", values: [1, 0.5, 0.3] }, { name: "val", values: [1.1, 0.7, 0.6] }] }, { title: "accuracy", series: [{ name: "val", values: [0.5, 0.7, 0.8] }] }]);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg.match(/<polyline/g)?.length).toBe(3);
    expect(svg).toContain(">accuracy<");
  });
});

describe("xyChart", () => {
  const tagsOf = (svg: string, name: string) => [...svg.matchAll(new RegExp(`<${name} ([^>]*)>`, "g"))].map((m) => m[1] as string);

  it("breaks a line at values a log axis cannot show instead of drawing them", () => {
    const svg = xyChart([{ title: "g", logY: true, series: [{ name: "a", x: [0, 1, 2, 3, 4], y: [1, 0.1, 0, 0.01, Number.NaN] }] }]);
    const lines = tagsOf(svg, "polyline");
    expect(lines).toHaveLength(2); // [1, 0.1] and [0.01]
    expect(lines.every((l) => l.includes('data-series="a"'))).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain(">0.01<"); // a decade tick
  });

  it("draws reference lines, keeps given colours, escapes names and puts the legend beside the plot", () => {
    const svg = xyChart([{ title: "t", series: [{ name: "x<y & z", x: [1, 2], y: [3, 4], color: "#123456", dashed: true }], reference: [{ y: 3.5, label: "base" }] }], { legend: 100 });
    expect(tagsOf(svg, "polyline")[0]).toContain('stroke="#123456"');
    expect(tagsOf(svg, "polyline")[0]).toContain("stroke-dasharray");
    expect(tagsOf(svg, "line").some((l) => l.includes('class="reference"'))).toBe(true);
    expect(svg).toContain("x&lt;y &amp; z");
    expect(svg).not.toContain("x<y");
  });

  it("places log-axis points by their logarithm: a decade is a fixed distance", () => {
    const svg = xyChart([{ title: "t", logY: true, series: [{ name: "a", x: [0, 1, 2], y: [1, 10, 100] }] }]);
    const pts = (tagsOf(svg, "polyline")[0]?.match(/points="([^"]*)"/)?.[1] ?? "").split(" ").map((p) => Number(p.split(",")[1]));
    expect(pts).toHaveLength(3);
    expect((pts[0] as number) - (pts[1] as number)).toBeCloseTo((pts[1] as number) - (pts[2] as number), 6);
  });
});

describe("fit, interrupted", () => {
  it("stops between batches once its signal aborts, and says so", async () => {
    const controller = new AbortController();
    let batches = 0;
    const r = await fit({
      params: { w: ag.zeros([2]) },
      optimizer: adam({ lr: 0.1 }),
      loss: (p: { w: Tensor }) => {
        if (++batches === 3) controller.abort();
        return ag.sum(ag.mul(p.w, p.w));
      },
      batches: () => Array.from({ length: 10 }, (_, i) => i),
      validate: () => ({ loss: 0, accuracy: 0.5 }),
      epochs: 5,
      key: random.key(1),
      signal: controller.signal,
    });
    expect(r.interrupted).toBe(true);
    expect(batches).toBe(3);
    expect(r.history).toEqual([]);
  });
});

describe("fit's progress events", () => {
  const run = (onProgress: (e: FitEvent) => void) => {
    let calls = 0;
    return fit({
      params: { w: ag.tensorFromArray(new Float64Array([1, 2]), [2]) },
      optimizer: adam({ lr: 0.1 }),
      loss: (p: { w: Tensor }) => {
        calls++;
        return ag.mul(ag.sum(ag.mul(p.w, p.w)), calls);
      },
      batches: () => [0, 1, 2],
      validate: () => ({ loss: 0.25, accuracy: 0.5 }),
      epochs: 2,
      key: random.key(1),
      onProgress,
    });
  };

  it("come after every batch, with the epoch's running mean loss, and after every epoch with its record", async () => {
    const events: FitEvent[] = [];
    const r = await run((e) => events.push(e));
    expect(events.map((e) => (e.kind === "batch" ? `${e.epoch}/${e.epochs}:${e.batch}/${e.batches}` : `epoch ${e.record.epoch}`))).toEqual([
      "1/2:1/3", "1/2:2/3", "1/2:3/3", "epoch 1", "2/2:1/3", "2/2:2/3", "2/2:3/3", "epoch 2",
    ]);
    const first = events[0] as Extract<FitEvent, { kind: "batch" }>;
    expect(first.meanLoss).toBeCloseTo(5, 12); // (1 + 4) * 1
    const epochEnd = events[3] as Extract<FitEvent, { kind: "epoch" }>;
    const third = events[2] as Extract<FitEvent, { kind: "batch" }>;
    expect(epochEnd.record.trainLoss).toBeCloseTo(third.meanLoss, 12);
    expect(epochEnd.record).toEqual(r.history[0]);
  });

  it("fitProgress draws a bar per epoch on a terminal and plain lines elsewhere", async () => {
    const sink = (isTTY: boolean) => {
      const out: string[] = [];
      return { out, stream: { isTTY, write: (t: string) => out.push(t) } };
    };
    const tty = sink(true);
    await run(fitProgress("ep", tty.stream));
    const text = tty.out.join("");
    expect(text).toMatch(/\rep 1\/2 \[#{8}\.{16}\] 1\/3 loss \d+\.\d{4}/);
    expect(text.endsWith("\x1b[K\n")).toBe(true); // the end of line cleared after the last epoch's line
    expect(text).toMatch(/\rep 2\/2 3\/3 loss \d+\.\d{4} val loss 0\.2500 val acc 50\.0% \(\d+\.\ds\)/);
    const pipe = sink(false);
    await run(fitProgress("ep", pipe.stream));
    expect(pipe.out).toHaveLength(2); // only the epochs' ends: no bar redraws, and < 5 s between batches
    expect(pipe.out[0]).toMatch(/^ep 1\/2 3\/3 loss \d+\.\d{4} val loss 0\.2500 val acc 50\.0% \(\d+\.\ds\)\n$/);
  });
});

describe("xyChart's size", () => {
  it("has a viewBox matching its size, so that it scales down in a narrow page", () => {
    const svg = xyChart([{ title: "a", series: [{ name: "s", x: [0, 1], y: [1, 2] }] }, { title: "b", series: [{ name: "s", x: [0, 1], y: [1, 2] }] }], { width: 300, height: 200 });
    expect(svg).toMatch(/^<svg [^>]*width="600" height="200" viewBox="0 0 600 200"/);
  });
});
