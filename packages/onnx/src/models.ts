// The apps' two models as ONNX files: the character language model of `pnpm generate` (token ids in, logits at
// every step out, states carried between calls) and the sentence classifier of `pnpm sentiment` (token ids and
// lengths in, class logits out). Their vocabularies and settings travel in the file's metadata.
import { type LmConfig, type LmParams, rnnConfig } from "@gated/models";
import { type Params as SentimentParams, recurrentConfig, type SavedModel } from "@gated/models/sentiment";
import type * as E from "fp-ts/lib/Either.js";
import { exportOnnx, type OnnxExportOptions } from "./export.js";
import { decodeModel } from "./proto.js";

/** The metadata key that names the model's kind ("gated-charlm" or "gated-sentiment"). */
export const KIND_KEY = "gated.kind";

/**
 * The character model as ONNX: input `tokens` [batch, sequence] (int64 ids into the vocabulary), `h0` (and `c0` for an
 * LSTM) [layers, batch, hidden]; outputs `logits` [batch, sequence, vocabulary] and the final states `hn` (`cn`).
 * Feed the final states back as the next call's initial states to generate token by token. Metadata: `gated.kind`,
 * `gated.vocab` (the characters, a JSON array: id i is vocab[i]), `gated.config` (JSON).
 * @since 0.2.0
 */
export function charlmToOnnx(model: { readonly config: LmConfig; readonly vocab: readonly string[] }, params: LmParams, options: OnnxExportOptions = {}): E.Either<string, Uint8Array> {
  const c = model.config;
  return exportOnnx(
    {
      embedding: params.embedding,
      recurrent: { config: rnnConfig(c), params: params.rnn },
      head: params.head,
      name: "gated_charlm",
      description: `gated character language model: embedding ${c.embed}, ${c.cell} ${c.hidden} x ${c.layers}, linear to ${model.vocab.length} characters`,
      metadata: { [KIND_KEY]: "gated-charlm", "gated.vocab": JSON.stringify(model.vocab), "gated.config": JSON.stringify(c) },
    },
    { lengths: false, ...options },
  );
}

/**
 * The sentence classifier as ONNX: inputs `tokens` [batch, sequence] (int64 word ids: `idsOf` in
 * @gated/models/sentiment, or the vocabulary in the metadata with id 1 for unknown words and 0 for padding) and
 * `lengths` [batch] (int32); with naive-Bayes inputs also `token_features` [batch, sequence, 2 x classes] and
 * `sequence_features` [batch, classes] (`nbFeaturesOf`); output `logits` [batch, classes] (softmax gives the
 * probabilities). Metadata: `gated.kind`, `gated.vocab`, `gated.classes`, `gated.maxLen`, `gated.config`.
 * @since 0.2.0
 */
export function sentimentToOnnx(model: SavedModel, params: SentimentParams, options: OnnxExportOptions = {}): E.Either<string, Uint8Array> {
  const c = model.config;
  const nc = c.nbClasses ?? 0;
  return exportOnnx(
    {
      embedding: params.embedding,
      tokenFeatures: 2 * nc,
      recurrent: { config: { ...recurrentConfig(c), dropout: 0 }, params: params.rnn },
      pooling: c.pooling,
      sequenceFeatures: nc,
      head: params.head,
      name: "gated_sentiment",
      description: `gated sentence classifier: embedding ${c.embed}, ${c.bidirectional ? "bidirectional " : ""}${c.cell} ${c.hidden} x ${c.layers}, ${c.pooling} pooling, linear to ${model.classes.length} classes${nc > 0 ? " (naive-Bayes inputs)" : ""}`,
      metadata: { [KIND_KEY]: "gated-sentiment", "gated.vocab": JSON.stringify(model.vocab), "gated.classes": JSON.stringify(model.classes), "gated.maxLen": String(model.maxLen), "gated.config": JSON.stringify(c) },
    },
    { initialStates: false, ...options },
  );
}

/** The metadata_props of an ONNX file, as a record. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  return Object.fromEntries((decodeModel(bytes).metadataProps ?? []).map((e) => [e.key, e.value]));
}

/**
 * Whether the bytes are an ONNX file gated wrote (a model whose producer is gated and whose metadata names its
 * kind); the command lines replace such a file and refuse to overwrite any other.
 * @since 0.2.0
 */
export function isGatedOnnx(bytes: Uint8Array): boolean {
  try {
    const m = decodeModel(bytes);
    return m.producerName === "gated" && (m.metadataProps ?? []).some((e) => e.key === KIND_KEY);
  } catch {
    return false;
  }
}
