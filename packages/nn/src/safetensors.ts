// safetensors: read and write named tensors in the format PyTorch and Hugging Face use. Layout: an 8-byte
// little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
// "__metadata__": {string: string}}, then the data, little-endian, which the offsets must cover exactly.
//
// Reading validates everything before allocating: the header length against the file, the JSON, every dtype,
// shape and offset, sizes against shapes, and that the data is covered with no gap or overlap. A malformed file
// gives a ParseError-like InvalidArgument that says where, never a crash or a huge allocation.
import type * as E from "fp-ts/lib/Either.js";
import { attempt, type GatedError, invalidArgument, raise, type Tensor, tensorFromArray } from "@gated/autograd";

/** Largest JSON header accepted (the reference implementation's limit is 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;

const DTYPES = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 } as const;
type SafeDtype = keyof typeof DTYPES;

export interface SafetensorsFile {
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly metadata: Readonly<Record<string, string>>;
}

const bad = (where: string, reason: string): never => raise(invalidArgument("readSafetensors", where, reason));

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Decodes one tensor's bytes to float32 (float64 stays float64; integers and halves convert exactly). */
function decode(dtype: SafeDtype, bytes: Uint8Array, count: number): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = dtype === "F64" ? new Float64Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case "F32": out[i] = view.getFloat32(4 * i, true); break;
      case "F64": out[i] = view.getFloat64(8 * i, true); break;
      case "F16": out[i] = halfToFloat(view.getUint16(2 * i, true)); break;
      case "BF16": out[i] = new Float32Array(new Uint32Array([view.getUint16(2 * i, true) << 16]).buffer)[0] as number; break;
      case "I64": out[i] = Number(view.getBigInt64(8 * i, true)); break;
      case "I32": out[i] = view.getInt32(4 * i, true); break;
      case "I16": out[i] = view.getInt16(2 * i, true); break;
      case "I8": out[i] = view.getInt8(i); break;
      default: out[i] = view.getUint8(i); break;
    }
  }
  return out;
}

/**
 * Reads a safetensors file. Float tensors keep float32 / float64; F16, BF16, integers and booleans become float32.
 *
 * @example
 * const parsed = readSafetensors(bytes); // Right({ tensors: { weight_ih_l0: Tensor, ... }, metadata: {...} })
 * @since 0.1.0
 */
export function readSafetensors(bytes: Uint8Array): E.Either<GatedError, SafetensorsFile> {
  return attempt(() => {
    if (bytes.length < 8) bad("file", `is ${bytes.length} bytes long, shorter than the 8-byte header length`);
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > BigInt(bytes.length - 8)) bad("header", `claims ${n} bytes but the file has only ${bytes.length - 8} after the length`);
    if (n > BigInt(MAX_HEADER)) bad("header", `claims ${n} bytes, more than the ${MAX_HEADER} allowed`);
    const headerLen = Number(n);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
    } catch (e) {
      bad("header", `is not valid UTF-8 JSON: ${(e as Error).message}`);
    }
    if (header === null || typeof header !== "object" || Array.isArray(header)) bad("header", "must be a JSON object");
    const data = bytes.subarray(8 + headerLen);
    const entries: { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number }[] = [];
    let metadata: Record<string, string> = {};
    for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
      if (name === "__metadata__") {
        if (info === null || typeof info !== "object" || Array.isArray(info) || Object.values(info).some((v) => typeof v !== "string")) bad("__metadata__", "must map strings to strings");
        metadata = info as Record<string, string>;
        continue;
      }
      const at = `tensor '${name}'`;
      if (info === null || typeof info !== "object") bad(at, "must be an object with dtype, shape and data_offsets");
      const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
      if (typeof dtype !== "string" || !(dtype in DTYPES)) bad(at, `has unsupported dtype ${JSON.stringify(dtype)} (supported: ${Object.keys(DTYPES).join(", ")})`);
      if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) bad(at, `has an invalid shape ${JSON.stringify(shape)}`);
      if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0)) bad(at, `has invalid data_offsets ${JSON.stringify(offsets)}`);
      const [begin, end] = offsets as [number, number];
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      if (end < begin || end > data.length) bad(at, `has data_offsets [${begin}, ${end}] outside the ${data.length} data bytes`);
      if (end - begin !== count * DTYPES[dtype as SafeDtype]) bad(at, `has ${end - begin} bytes but shape [${(shape as number[]).join(", ")}] of ${dtype} needs ${count * DTYPES[dtype as SafeDtype]}`);
      entries.push({ name, dtype: dtype as SafeDtype, shape: shape as number[], begin, end });
    }
    const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
    let covered = 0;
    for (const e of sorted) {
      if (e.begin !== covered) bad(`tensor '${e.name}'`, e.begin < covered ? `overlaps the previous tensor (starts at ${e.begin}, before ${covered})` : `leaves a gap in the data (starts at ${e.begin}, expected ${covered})`);
      covered = e.end;
    }
    if (covered !== data.length) bad("data", `has ${data.length - covered} bytes that no tensor covers`);
    const tensors: Record<string, Tensor> = {};
    for (const e of entries) {
      const count = e.shape.reduce((a, b) => a * b, 1);
      tensors[e.name] = tensorFromArray(decode(e.dtype, data.subarray(e.begin, e.end), count), e.shape);
    }
    return { tensors, metadata };
  });
}

/** Writes tensors (float32 as F32, float64 as F64) and string metadata in the safetensors format, names sorted. */
export function writeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): E.Either<GatedError, Uint8Array> {
  return attempt(() => {
    const names = Object.keys(tensors).sort();
    const header: Record<string, unknown> = {};
    if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
    let offset = 0;
    for (const name of names) {
      if (name === "__metadata__") raise(invalidArgument("writeSafetensors", "tensors", "cannot use the reserved name __metadata__"));
      const t = tensors[name] as Tensor;
      const bytes = t.size * (t.dtype === "float64" ? 8 : 4);
      header[name] = { dtype: t.dtype === "float64" ? "F64" : "F32", shape: t.shape, data_offsets: [offset, offset + bytes] };
      offset += bytes;
    }
    let json = JSON.stringify(header);
    // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
    json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
    const head = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + head.length + offset);
    new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
    out.set(head, 8);
    const view = new DataView(out.buffer, 8 + head.length);
    let at = 0;
    for (const name of names) {
      const t = tensors[name] as Tensor;
      const v = t.toArray();
      for (let i = 0; i < v.length; i++) {
        if (t.dtype === "float64") view.setFloat64(at + 8 * i, v[i] as number, true);
        else view.setFloat32(at + 4 * i, v[i] as number, true);
      }
      at += v.length * (t.dtype === "float64" ? 8 : 4);
    }
    return out;
  });
}
