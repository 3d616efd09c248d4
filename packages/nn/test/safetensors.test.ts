// safetensors: round trips, files from PyTorch, and malformed files that must give a clear Left, never a crash.
import * as ag from "@gated/autograd";
import type { Tensor } from "@gated/autograd";
import fc from "fast-check";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors } from "../src/index.js";

function file(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const head = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const unwrap = <A>(e: E.Either<ag.GatedError, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left.message);
  return e.right;
};

describe("safetensors", () => {
  it("round-trips any named float32 / float64 tensors and metadata", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== "__metadata__"), fc.tuple(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }), fc.constantFrom<ag.DType>("float32", "float64"), fc.nat()), { maxKeys: 5 }),
        fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
        (spec, metadata) => {
          const tensors: Record<string, Tensor> = {};
          for (const [name, [shape, dtype, seed]] of Object.entries(spec)) {
            const n = shape.reduce((a, b) => a * b, 1);
            tensors[name] = ag.tensorOrThrow(Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed + i) * 100)), shape, dtype);
          }
          const bytes = unwrap(writeSafetensors(tensors, metadata));
          const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
          expect((8 + headerLen) % 8).toBe(0);
          const back = unwrap(readSafetensors(bytes));
          expect(back.metadata).toEqual(Object.keys(metadata).length > 0 ? metadata : {});
          expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(tensors).sort());
          for (const [name, t] of Object.entries(tensors)) {
            const b = back.tensors[name] as Tensor;
            expect(b.shape).toEqual(t.shape);
            expect(b.dtype).toBe(t.dtype);
            expect(Array.from(b.toArray())).toEqual(Array.from(t.toArray()));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("reads F16, BF16 and integer tensors as float32", () => {
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7c00]).buffer); // 1, -2, Inf
    const bf = new Uint8Array(new Uint16Array([0x3f80, 0x4040]).buffer); // 1, 3
    const i64 = new Uint8Array(new BigInt64Array([-5n, 7n]).buffer);
    const data = new Uint8Array([...half, ...bf, ...i64]);
    const t = unwrap(readSafetensors(file({ h: { dtype: "F16", shape: [3], data_offsets: [0, 6] }, b: { dtype: "BF16", shape: [2], data_offsets: [6, 10] }, i: { dtype: "I64", shape: [2], data_offsets: [10, 26] } }, data))).tensors;
    expect(Array.from(t.h?.toArray() ?? [])).toEqual([1, -2, Number.POSITIVE_INFINITY]);
    expect(Array.from(t.b?.toArray() ?? [])).toEqual([1, 3]);
    expect(Array.from(t.i?.toArray() ?? [])).toEqual([-5, 7]);
  });

  const malformed: [string, Uint8Array, RegExp][] = [
    ["shorter than 8 bytes", new Uint8Array(5), /shorter than the 8-byte header length/],
    ["a header longer than the file", file({}, new Uint8Array(0), 1000n), /claims 1000 bytes but the file has only/],
    ["a huge header length (no huge allocation)", file({}, new Uint8Array(0), 2n ** 62n), /claims .* bytes but the file has only/],
    ["a header that is not JSON", file("{not json"), /not valid UTF-8 JSON/],
    ["a header that is an array", file([1, 2]), /must be a JSON object/],
    ["an unknown dtype", file({ a: { dtype: "Q8", shape: [1], data_offsets: [0, 4] } }, f32([1])), /unsupported dtype "Q8"/],
    ["a negative shape", file({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, f32([1])), /invalid shape/],
    ["offsets past the data", file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, f32([1])), /outside the 4 data bytes/],
    ["a size that does not match the shape", file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, f32([1])), /has 4 bytes but shape \[2\] of F32 needs 8/],
    ["overlapping tensors", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, b: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32([1])), /overlaps/],
    ["a gap in the data", file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /leaves a gap/],
    ["trailing bytes", file({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, f32([1, 2])), /4 bytes that no tensor covers/],
    ["bad metadata", file({ __metadata__: { a: 1 } }), /must map strings to strings/],
    ["a tensor entry that is not an object", file({ a: 3 }), /must be an object/],
  ];
  for (const [what, bytes, message] of malformed) {
    it(`rejects ${what} with a clear error`, () => {
      const r = readSafetensors(bytes);
      expect(E.isLeft(r)).toBe(true);
      if (E.isLeft(r)) {
        expect(r.left._tag).toBe("InvalidArgument");
        expect(r.left.message).toMatch(message);
      }
    });
  }

  it("never throws on random bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => E.isLeft(readSafetensors(b)) || E.isRight(readSafetensors(b))), { numRuns: 300 });
  });
});
