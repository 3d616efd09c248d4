// The gradient-flow view's worker: measureFlow for each chosen cell, one after another, each reported as it is done.
import { FLOW_MODELS, type FlowModel, measureFlow, type ModelFlow } from "@gated/models";
import { serveTraining, type TrainingJob } from "@gated/train";

export interface FlowRequest {
  readonly models: readonly FlowModel[];
  readonly T: number;
  readonly hidden: number;
  readonly input: number;
  readonly batch: number;
  readonly seeds: number;
  readonly seed: number;
  readonly forgetBias: number;
}

export interface FlowDone {
  readonly model: FlowModel;
  readonly flow: ModelFlow;
}

serveTraining(async (r: FlowRequest, job: TrainingJob<FlowDone, never>) => {
  const out: FlowDone[] = [];
  for (const model of r.models) {
    if (!FLOW_MODELS.includes(model)) throw new Error(`unknown cell '${model}'`);
    await job.tick();
    if (job.signal.aborted) break;
    const flow = measureFlow({ T: r.T, lengths: [], hidden: r.hidden, input: r.input, batch: r.batch, seeds: r.seeds, seed: r.seed, forgetBias: r.forgetBias }, model);
    out.push({ model, flow });
    job.progress({ model, flow });
  }
  return out;
});
