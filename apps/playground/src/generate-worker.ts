// The generate view's workers (one module, two roles): training a character model on a text as `pnpm generate
// train` does, reporting losses, test BPC, samples and checkpoints as it goes; and sampling from a saved model as
// `pnpm generate sample` does.
import { bitsPerCharacter, trainKneserNey } from "@gated/counting";
import { splitCorpus } from "@gated/data";
import { type CharlmMeta, CharlmTrainer, type CharlmTraining, charlmFiles, charlmTextProblem, charlmTrainingSize, continueIds, type HistoryPoint, parseCharlmModel, primeOf, streamBpc } from "@gated/models";
import { threadInfo } from "@gated/kernels";
import { charlmToOnnx, decodeModel } from "@gated/onnx";
import { formatBytes, serveTraining, type TrainingJob, trainingMemory } from "@gated/train";
import * as E from "fp-ts/lib/Either.js";
import { MOBY_DICK } from "virtual:gated-data";

/** The lecture's sentence (Mencius), repeated 40 times as a corpus. */
const LECTURE = "天将降大任于是人也，必先苦其心志，劳其筋骨，饿其体肤，空乏其身，行拂乱其所为，所以动心忍性，曾益其所不能。";

/** What a training run in the page may take: a browser tab is not the command line's 3 GiB. */
const PAGE_MEMORY_LIMIT = 2 ** 30;

export interface ModelFiles {
  readonly config: string;
  readonly weights: Uint8Array;
}

export interface SampleOptions {
  readonly prime: string;
  readonly length: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly seed: number;
  /** Beam search of this width instead of sampling (0: sample). */
  readonly beam: number;
}

export type GenerateRequest =
  | { readonly kind: "train"; readonly corpus: "moby" | "lecture" | "own"; readonly text: string; readonly training: Omit<CharlmTraining, "batching" | "schedule">; readonly evalEvery: number; readonly sample: SampleOptions }
  | { readonly kind: "sample"; readonly model: ModelFiles; readonly sample: SampleOptions }
  | { readonly kind: "onnx"; readonly model: ModelFiles };

export type GenerateProgress =
  | { readonly kind: "data"; readonly trainChars: number; readonly testChars: number; readonly vocab: number; readonly ngram: readonly { readonly order: number; readonly bpc: number }[]; readonly threads: number; readonly whyOne?: string }
  | { readonly kind: "step"; readonly step: number; readonly trainBpc: number; readonly charsPerSecond: number }
  | { readonly kind: "eval"; readonly step: number; readonly trainBpc: number; readonly testBpc: number; readonly sample: string };

export type GenerateResult = { readonly kind: "trained"; readonly files: ModelFiles; readonly steps: number } | { readonly kind: "sampled"; readonly text: string } | { readonly kind: "onnx"; readonly bytes: Uint8Array; readonly inputs: readonly string[]; readonly outputs: readonly string[] };


function sampleText(files: { meta: CharlmMeta; params: Parameters<typeof continueIds>[0] }, s: SampleOptions): string {
  const { meta, params } = files;
  const V = meta.vocab.length;
  const prime = primeOf(s.prime, meta.vocab);
  if ("unknown" in prime) throw new Error(`the prime holds ${JSON.stringify(prime.unknown)}, which the model never saw`);
  const ids = continueIds(params, meta.config, prime.ids, V, { length: s.length, temperature: s.temperature, topK: Math.min(s.topK, V), topP: s.topP, seed: s.seed, beam: s.beam });
  return ids.map((i) => meta.vocab[i]).join("");
}

serveTraining(async (r: GenerateRequest, job: TrainingJob<GenerateProgress, ModelFiles>): Promise<GenerateResult> => {
  if (r.kind === "sample" || r.kind === "onnx") {
    const parsed = parseCharlmModel(r.model.config, r.model.weights);
    if (E.isLeft(parsed)) throw new Error(parsed.left);
    if (r.kind === "sample") return { kind: "sampled", text: sampleText(parsed.right, r.sample) };
    const bytes = charlmToOnnx(parsed.right.meta, parsed.right.params);
    if (E.isLeft(bytes)) throw new Error(bytes.left);
    const graph = decodeModel(bytes.right).graph;
    return { kind: "onnx", bytes: bytes.right, inputs: graph.input.map((v) => v.name), outputs: graph.output.map((v) => v.name) };
  }
  const text = r.corpus === "moby" ? MOBY_DICK : r.corpus === "lecture" ? LECTURE.repeat(40) : r.text;
  const source = r.corpus === "moby" ? "playground: Moby-Dick, first 100,000 characters" : r.corpus === "lecture" ? "playground: the lecture's sentence x 40" : "playground: your text";
  const corpus = splitCorpus(source, text);
  if (E.isLeft(corpus)) throw new Error(corpus.left.message);
  const { train, test } = corpus.right;
  const vocab = [...new Set(train)].sort();
  const unknown = test.find((c) => !vocab.includes(c));
  if (unknown !== undefined) throw new Error(`the test text (the last 10 %) holds ${JSON.stringify(unknown)}, which the training text (the first 90 %) never does: use a longer text`);
  const index = new Map(vocab.map((c, i) => [c, i]));
  const trainIds = Int32Array.from(train, (c) => index.get(c) as number);
  const testIds = Int32Array.from(test, (c) => index.get(c) as number);
  const o: CharlmTraining = { ...r.training, batching: "contiguous", schedule: "cosine" };
  const short = charlmTextProblem(trainIds.length, o.batch, o.seq);
  if (short !== undefined) throw new Error(`${short}: use a smaller batch or window (under More options), or a longer text`);
  const need = trainingMemory(charlmTrainingSize(o.config, vocab.length, o.batch, o.seq));
  if (need.total > PAGE_MEMORY_LIMIT) throw new Error(`this model would need about ${formatBytes(need.total)} to train (activations ${formatBytes(need.activations)}), more than the ${formatBytes(PAGE_MEMORY_LIMIT)} this page allows itself: use fewer hidden units or layers, or a smaller batch or window`);
  const ngram = [1, 2, 3, 4, 5].map((order) => ({ order, bpc: bitsPerCharacter(trainKneserNey(train, order), test) }));
  const { threads, reason } = threadInfo();
  job.progress({ kind: "data", trainChars: train.length, testChars: test.length, vocab: vocab.length, ngram, threads, ...(reason === undefined ? {} : { whyOne: reason }) });
  const trainer = new CharlmTrainer(trainIds, vocab.length, o);
  const history: HistoryPoint[] = [];
  let seconds = 0;
  let sum = 0;
  let n = 0;
  const meta = (): CharlmMeta => ({ config: o.config, vocab, data: source, training: { seed: o.seed, steps: o.steps, done: trainer.done, batching: o.batching, schedule: o.schedule, batch: o.batch, seq: o.seq, lr: o.lr, clip: o.clip, cursor: trainer.cursor, seconds, history } });
  while (trainer.done < o.steps) {
    await job.tick();
    if (job.signal.aborted) break;
    const t0 = performance.now();
    const bpc = trainer.step();
    if (!Number.isFinite(bpc)) throw new Error(`the loss became ${bpc} at step ${trainer.done}: lower the learning rate`);
    seconds += (performance.now() - t0) / 1000;
    sum += bpc;
    n++;
    job.progress({ kind: "step", step: trainer.done, trainBpc: bpc, charsPerSecond: (o.batch * o.seq * trainer.done) / Math.max(1e-9, seconds) });
    if (trainer.done % r.evalEvery === 0 || trainer.done === o.steps) {
      const testBpc = await streamBpc(trainer.params, o.config, testIds, vocab.length, trainIds[trainIds.length - 1] as number, job.signal);
      if (testBpc === undefined) break;
      history.push({ step: trainer.done, trainBpc: sum / n, testBpc, seconds });
      const sample = r.sample.prime + sampleText({ meta: meta(), params: trainer.params }, { ...r.sample, length: Math.min(r.sample.length, 200) });
      job.progress({ kind: "eval", step: trainer.done, trainBpc: sum / n, testBpc, sample });
      sum = 0;
      n = 0;
      const files = charlmFiles(meta(), trainer.params);
      const weights = files["weights.safetensors"];
      job.checkpoint({ config: files["config.json"], weights }, [weights.buffer as ArrayBuffer]);
    }
  }
  if (n > 0) history.push({ step: trainer.done, trainBpc: sum / n, seconds });
  const files = charlmFiles(meta(), trainer.params);
  return { kind: "trained", files: { config: files["config.json"], weights: files["weights.safetensors"] }, steps: trainer.done };
});
