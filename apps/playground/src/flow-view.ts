// The gradient-flow view: the lecture's vanishing-gradient argument, computed in a worker and drawn on a log axis.
import { FLOW_LABEL, FLOW_MODELS, type FlowModel, type ModelFlow } from "@gated/models";
import { COLORS, startTraining, xyChart } from "@gated/train";
import type { FlowDone, FlowRequest } from "./flow-worker.js";
import { $, fmt, intField, numField } from "./ui.js";

/** What sets each cell's factor per step, for the table. */
const WHY: Record<FlowModel, string> = {
  rnn: "spectral radius of W_hh, times tanh' ≤ 1",
  relu: "the same W_hh; ReLU' is 0 or 1",
  irnn: "W_hh = I: nothing shrinks but switched-off units",
  lstm0: "forget gates near 0.5",
  lstm1: "forget gates near σ(b)",
  lstmc: "forget gates near 1 (chrono)",
  gru: "update gates near 0.5",
};

const DEFAULT: readonly FlowModel[] = ["rnn", "irnn", "lstm1", "lstmc", "gru"];

export function flowView(): void {
  const boxes = $("flow-models");
  for (const m of FLOW_MODELS) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.name = "model";
    input.value = m;
    input.checked = DEFAULT.includes(m);
    label.append(input, ` ${m === "lstm1" ? "LSTM, forget bias b (below)" : FLOW_LABEL[m]}`);
    boxes.append(label);
  }
  const form = $("flow-form") as HTMLFormElement;
  const status = $("flow-status");
  const run = $("flow-run") as HTMLButtonElement;
  const stop = $("flow-stop") as HTMLButtonElement;
  let worker: Worker | undefined;
  let controller: AbortController | undefined;
  stop.addEventListener("click", () => controller?.abort());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("error");
    const models = [...form.querySelectorAll<HTMLInputElement>('input[name="model"]:checked')].map((i) => i.value as FlowModel);
    const fields = { T: intField("flow-T", "Sequence length T", 2, 1000), hidden: intField("flow-hidden", "Hidden units", 1, 256), seeds: intField("flow-seeds", "Seeds", 1, 10), batch: intField("flow-batch", "Sequences per seed", 1, 64), seed: intField("flow-seed", "Seed", 0, 1_000_000), forgetBias: numField("flow-forget", "Forget bias", -10, 10) };
    const bad = Object.values(fields).find((f) => typeof f === "string") ?? (models.length === 0 ? "Choose at least one cell." : undefined);
    if (bad !== undefined) {
      status.textContent = bad as string;
      status.classList.add("error");
      return;
    }
    const r: FlowRequest = { models, input: 32, ...(fields as Record<keyof typeof fields, number>) };
    worker ??= new Worker(new URL("./flow-worker.ts", import.meta.url), { type: "module" });
    controller = new AbortController();
    run.disabled = true;
    stop.disabled = false;
    const done: FlowDone[] = [];
    const started = performance.now();
    status.textContent = `Computing ${models.length} cell${models.length > 1 ? "s" : ""} over T = ${r.T} steps…`;
    try {
      const outcome = await startTraining<FlowRequest, FlowDone, never, FlowDone[]>(worker, r, {
        signal: controller.signal,
        onProgress: (d) => {
          done.push(d);
          draw(r, done);
          status.textContent = `${label(d.model, r)}: done (${done.length} of ${models.length}, ${fmt((performance.now() - started) / 1000, 1)} s)`;
        },
      }).done;
      status.textContent = outcome.status === "aborted" ? `Stopped after ${done.length} of ${models.length} cells.` : `Done: ${models.length} cells in ${fmt((performance.now() - started) / 1000, 1)} s.`;
      form.dataset.done = String(Date.now());
    } catch (e) {
      status.textContent = `The computation failed: ${(e as Error).message}`;
      status.classList.add("error");
    } finally {
      run.disabled = false;
      stop.disabled = true;
    }
  });
}

function draw(r: FlowRequest, done: readonly FlowDone[]): void {
  const t = Array.from({ length: r.T + 1 }, (_, i) => i);
  const series = done.flatMap(({ model, flow }) => {
    const color = COLORS[FLOW_MODELS.indexOf(model)] as string;
    const h = { name: `${label(model, r)}: h`, x: t, y: flow.h, color };
    return flow.c ? [h, { name: `${label(model, r)}: c`, x: t, y: flow.c, color, dashed: true }] : [h];
  });
  $("flow-chart").innerHTML = xyChart([{ title: `‖dL_T/dh_t‖ with T = ${r.T} (log scale)`, xLabel: "step t", logY: true, series }], { width: 640, height: 380, legend: 200 });
  $("flow-chart").setAttribute("aria-label", `Gradient norm ‖dL_T/dh_t‖ against step t, log scale, T = ${r.T}: ${done.map(({ model, flow }) => `${label(model, r)} is ${flow.h[r.T]?.toPrecision(3)} at t = ${r.T} and ${flow.h[0]?.toPrecision(3)} at t = 0`).join("; ")} (the table below has the values at t = 0)`);
  const table = $("flow-table") as HTMLTableElement;
  const body = table.tBodies[0] as HTMLTableSectionElement;
  body.replaceChildren(
    ...done.map(({ model, flow }) => {
      const row = document.createElement("tr");
      row.dataset.model = model;
      row.append(cell(label(model, r)), num(flow.h[0] as number, "h0"), flow.c ? num(flow.c[0] as number, "c0") : cell("–"), num(flow.perStep, "factor"), cell(WHY[model]));
      return row;
    }),
  );
  table.hidden = false;
}

/** A cell's name, with the forget bias chosen for the "lstm1" probe. */
const label = (m: FlowModel, r: FlowRequest): string => (m === "lstm1" ? `LSTM, forget bias ${r.forgetBias}` : FLOW_LABEL[m]);

function cell(text: string): HTMLTableCellElement {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

/** A number shown to 3 significant digits, kept whole in data-value (the browser test reads it). */
function num(v: number, key: string): HTMLTableCellElement {
  const td = cell(v === 0 ? "0" : Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toPrecision(3));
  td.className = "num";
  td.dataset.key = key;
  td.dataset.value = String(v);
  return td;
}

export type { ModelFlow };
