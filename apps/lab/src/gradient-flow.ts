// pnpm lab gradient-flow: ||dL_T/dh_t|| against t for the lecture's cells, and ||dL/dh_0|| against T, averaged
// over seeds; SVG figures, a Markdown table and (--json) one JSON object.
import { random } from "@gated/nn";
import { COLORS, xyChart } from "@gated/train";
import { firstUsageError, int, isUsageError, type Parsed, type UsageError, writeFileAtomic } from "@gated/train/node";
import { join } from "node:path";
import { FLOW_LABEL, FLOW_MODELS, type FlowModel, type FlowOptions, measureFlow, type ModelFlow } from "@gated/models";
import { intList, type Report, sci, setup } from "./report.js";

export const FLOW_HELP = `usage: pnpm lab gradient-flow [options]
Measures how much of a loss at the last step reaches each earlier state: ||dL_T/dh_t|| for t = 0..T (and
||dL_T/dc_t|| for the LSTM) with L_T = u . h_T, for a tanh RNN and a ReLU RNN (PyTorch's initialisation), an IRNN
(W_hh = I, zero biases), an LSTM with forget-gate bias 0 and 1 and with chrono initialisation (for T steps), and
a GRU; then ||dL/dh_0|| for several T beside
the spectral radius of W_hh. Float64, inputs x_t ~ N(0, I), the mean over sequences and seeds.
  --T N          sequence length of the first figure (200)
  --lengths LIST sequence lengths of the second figure (10,20,50,100,200,500)
  --hidden N (64)   --input N (32)   --batch N sequences per seed (16)   --seeds N (5)   --seed N (1)
  --out DIR      where gradient-flow.svg, gradient-vs-length.svg, gradient-flow.md and .json go (lab-results)
  --quick        a small, fast form (T 30, lengths 5,10,20, hidden 16, 2 seeds of 4 sequences)
  --json         print one JSON object with every number (progress goes to stderr)`;

function options(p: Parsed): FlowOptions | UsageError {
  const quick = p.flags.has("quick");
  const o = {
    T: int(p, "T", quick ? 30 : 200, 1, 100_000),
    lengths: intList(p, "lengths", quick ? [5, 10, 20] : [10, 20, 50, 100, 200, 500], 1, 100_000),
    hidden: int(p, "hidden", quick ? 16 : 64, 1, 4096),
    input: int(p, "input", quick ? 8 : 32, 1, 4096),
    batch: int(p, "batch", quick ? 4 : 16, 1, 4096),
    seeds: int(p, "seeds", quick ? 2 : 5, 1, 1000),
    seed: int(p, "seed", 1, 0),
  };
  return firstUsageError(o) ?? (o as FlowOptions);
}

/** One colour per model in every figure. */
const colorOf = (m: FlowModel): string => COLORS[FLOW_MODELS.indexOf(m)] as string;

function figures(o: FlowOptions, models: Record<FlowModel, ModelFlow>): { flow: string; length: string } {
  const ts = Array.from({ length: o.T + 1 }, (_, t) => t);
  const flow = xyChart(
    [
      {
        title: `gradient reaching h_t from a loss at T = ${o.T}`,
        xLabel: "step t",
        yLabel: "||dL_T / dh_t|| (log scale)",
        logY: true,
        series: FLOW_MODELS.map((m) => ({ name: FLOW_LABEL[m], x: ts, y: models[m].h, color: colorOf(m) })),
      },
      {
        title: "LSTM: through the cell state c_t",
        xLabel: "step t",
        yLabel: "||dL_T / dc_t|| (log scale)",
        logY: true,
        series: (["lstm0", "lstm1", "lstmc"] as const).map((m) => ({ name: FLOW_LABEL[m], x: ts, y: models[m].c ?? [], color: colorOf(m) })),
      },
    ],
    { width: 600, height: 380, legend: 150 },
  );
  const length = xyChart(
    [
      {
        title: "gradient reaching the initial state",
        xLabel: "sequence length T",
        yLabel: "||dL_T / dh_0|| (log scale)",
        logY: true,
        series: FLOW_MODELS.map((m) => ({ name: FLOW_LABEL[m], x: o.lengths, y: models[m].h0ByLength, color: colorOf(m) })),
      },
    ],
    { width: 640, height: 380, legend: 150 },
  );
  return { flow, length };
}

function markdown(o: FlowOptions, models: Record<FlowModel, ModelFlow>): string {
  const at = [o.T, o.T - 10, o.T - 50, o.T - 100, 0].filter((t, i, a) => t >= 0 && a.indexOf(t) === i);
  const lines = [
    `# Gradient flow (T = ${o.T}, hidden ${o.hidden}, input ${o.input}, mean over ${o.seeds} seeds x ${o.batch} sequences, float64)`,
    "",
    `||dL_T/dh_t|| with L_T = u . h_T, ||u|| = 1 (so 1 at t = T):`,
    "",
    `| model | ${at.map((t) => `t = ${t}`).join(" | ")} | factor per step |`,
    `|---|${at.map(() => "---:").join("|")}|---:|`,
    ...FLOW_MODELS.flatMap((m) => {
      const r = models[m];
      const rows = [`| ${r.label}: h | ${at.map((t) => sci(r.h[t] as number)).join(" | ")} | ${r.perStep.toFixed(3)} |`];
      if (r.c) rows.push(`| ${r.label}: c | ${at.map((t) => sci((r.c as number[])[t] as number)).join(" | ")} | ${((r.c[0] as number) ** (1 / o.T)).toFixed(3)} |`);
      return rows;
    }),
    "",
    "||dL_T/dh_0|| against the sequence length T, beside what sets the decay: the spectral radius of W_hh for the",
    "plain RNNs, the mean forget gate (LSTM) or update gate z (GRU) for the gated cells:",
    "",
    `| model | ${o.lengths.map((T) => `T = ${T}`).join(" | ")} | rho(W_hh) | mean gate |`,
    `|---|${o.lengths.map(() => "---:").join("|")}|---:|---:|`,
    ...FLOW_MODELS.map((m) => {
      const r = models[m];
      return `| ${r.label} | ${r.h0ByLength.map(sci).join(" | ")} | ${r.spectralRadius === null ? "-" : r.spectralRadius.toFixed(3)} | ${r.meanGate === null ? "-" : r.meanGate.toFixed(3)} |`;
    }),
    "",
  ];
  return lines.join("\n");
}

const FLOW_FILES = ["gradient-flow.svg", "gradient-vs-length.svg", "gradient-flow.md", "gradient-flow.json"];

export function flowCommand(p: Parsed, log: (line: string) => void): number | UsageError {
  const run = setup(p, log, options, "gradient-flow", () => FLOW_FILES);
  if (isUsageError(run)) return run;
  const { o, out, json, say } = run;
  say(`gradient flow: T = ${o.T}, lengths ${o.lengths.join(", ")}, hidden ${o.hidden}, ${o.seeds} seeds x ${o.batch} sequences`);
  const t0 = performance.now();
  const models = Object.fromEntries(
    FLOW_MODELS.map((m) => {
      const flow = measureFlow(o, m);
      say(`  ${FLOW_LABEL[m].padEnd(20)} ||dL/dh_0|| = ${sci(flow.h[0] as number)} at T = ${o.T}`);
      return [m, flow];
    }),
  ) as Record<FlowModel, ModelFlow>;
  const seconds = (performance.now() - t0) / 1000;
  const { flow, length } = figures(o, models);
  const report: Report = { experiment: "gradient-flow", config: o, seconds, models };
  writeFileAtomic(join(out, "gradient-flow.svg"), flow);
  writeFileAtomic(join(out, "gradient-vs-length.svg"), length);
  writeFileAtomic(join(out, "gradient-flow.md"), markdown(o, models));
  writeFileAtomic(join(out, "gradient-flow.json"), `${JSON.stringify(report, null, 1)}\n`);
  if (json) log(JSON.stringify(report));
  else {
    log(markdown(o, models));
    log(`wrote gradient-flow.svg, gradient-vs-length.svg, gradient-flow.md, gradient-flow.json to ${out} (${seconds.toFixed(1)} s)`);
  }
  return 0;
}
