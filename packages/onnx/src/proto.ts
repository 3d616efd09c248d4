// The part of ONNX's protobuf schema (onnx.proto, IR version 8) that a model of dense tensors needs, declared for
// protobufjs by message, field number and type, so that protobufjs writes and reads the wire format. Fields this
// package never writes (sparse tensors, functions, training information, ...) are left out: protobufjs skips
// unknown fields when it reads a file that has them.
import protobuf from "protobufjs/light.js";

/** ONNX's TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;

/** ONNX's AttributeProto.AttributeType values. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const f = (id: number, type: string, rule?: "repeated") => (rule ? { id, type, rule } : { id, type });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        AttributeProto: {
          fields: {
            name: f(1, "string"),
            refAttrName: f(21, "string"),
            docString: f(13, "string"),
            type: f(20, "int32"),
            f: f(2, "float"),
            i: f(3, "int64"),
            s: f(4, "bytes"),
            t: f(5, "TensorProto"),
            g: f(6, "GraphProto"),
            floats: f(7, "float", "repeated"),
            ints: f(8, "int64", "repeated"),
            strings: f(9, "bytes", "repeated"),
            tensors: f(10, "TensorProto", "repeated"),
            graphs: f(11, "GraphProto", "repeated"),
          },
        },
        ValueInfoProto: { fields: { name: f(1, "string"), type: f(2, "TypeProto"), docString: f(3, "string") } },
        NodeProto: {
          fields: {
            input: f(1, "string", "repeated"),
            output: f(2, "string", "repeated"),
            name: f(3, "string"),
            opType: f(4, "string"),
            domain: f(7, "string"),
            attribute: f(5, "AttributeProto", "repeated"),
            docString: f(6, "string"),
          },
        },
        ModelProto: {
          fields: {
            irVersion: f(1, "int64"),
            opsetImport: f(8, "OperatorSetIdProto", "repeated"),
            producerName: f(2, "string"),
            producerVersion: f(3, "string"),
            domain: f(4, "string"),
            modelVersion: f(5, "int64"),
            docString: f(6, "string"),
            graph: f(7, "GraphProto"),
            metadataProps: f(14, "StringStringEntryProto", "repeated"),
          },
        },
        StringStringEntryProto: { fields: { key: f(1, "string"), value: f(2, "string") } },
        GraphProto: {
          fields: {
            node: f(1, "NodeProto", "repeated"),
            name: f(2, "string"),
            initializer: f(5, "TensorProto", "repeated"),
            docString: f(10, "string"),
            input: f(11, "ValueInfoProto", "repeated"),
            output: f(12, "ValueInfoProto", "repeated"),
            valueInfo: f(13, "ValueInfoProto", "repeated"),
          },
        },
        TensorProto: {
          fields: {
            dims: f(1, "int64", "repeated"),
            dataType: f(2, "int32"),
            floatData: f(4, "float", "repeated"),
            int32Data: f(5, "int32", "repeated"),
            int64Data: f(7, "int64", "repeated"),
            name: f(8, "string"),
            docString: f(12, "string"),
            rawData: f(9, "bytes"),
            doubleData: f(10, "double", "repeated"),
            dataLocation: f(14, "int32"),
          },
        },
        TensorShapeProto: {
          fields: { dim: f(1, "Dimension", "repeated") },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
              fields: { dimValue: f(1, "int64"), dimParam: f(2, "string"), denotation: f(3, "string") },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ["tensorType"] } },
          fields: { tensorType: f(1, "Tensor"), denotation: f(6, "string") },
          nested: { Tensor: { fields: { elemType: f(1, "int32"), shape: f(2, "TensorShapeProto") } } },
        },
        OperatorSetIdProto: { fields: { domain: f(1, "string"), version: f(2, "int64") } },
      },
    },
  },
};

/**
 * ONNX's schema is proto2: a field set to its default (an attribute `axis: 0`) is written all the same. protobufjs
 * reads a JSON schema with proto3's implicit presence unless each message says otherwise.
 */
function proto2<T>(node: T): T {
  if (node === null || typeof node !== "object") return node;
  const o = node as Record<string, unknown>;
  const out: Record<string, unknown> = { ...o };
  if ("fields" in o) out.edition = "proto2";
  if (o.nested) out.nested = Object.fromEntries(Object.entries(o.nested as Record<string, unknown>).map(([k, v]) => [k, proto2(v)]));
  return out as T;
}

const root = protobuf.Root.fromJSON(proto2(SCHEMA));
const Model = root.lookupType("onnx.ModelProto");

// Plain-object views of the messages (what protobufjs takes and gives with longs as numbers).

export interface Dimension {
  readonly dimValue?: number;
  readonly dimParam?: string;
}
export interface ValueInfo {
  readonly name: string;
  readonly type: { readonly tensorType: { readonly elemType: number; readonly shape: { readonly dim: readonly Dimension[] } } };
  readonly docString?: string;
}
export interface TensorMessage {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly rawData?: Uint8Array;
  readonly floatData?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly int64Data?: readonly number[];
  readonly doubleData?: readonly number[];
  readonly dataLocation?: number;
}
export interface Attribute {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: TensorMessage;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  readonly strings?: readonly Uint8Array[];
  readonly g?: unknown;
  readonly graphs?: readonly unknown[];
  readonly tensors?: readonly unknown[];
}
export interface NodeMessage {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name?: string;
  readonly opType: string;
  readonly domain?: string;
  readonly attribute?: readonly Attribute[];
  readonly docString?: string;
}
export interface GraphMessage {
  readonly name: string;
  readonly node: readonly NodeMessage[];
  readonly initializer: readonly TensorMessage[];
  readonly input: readonly ValueInfo[];
  readonly output: readonly ValueInfo[];
  readonly docString?: string;
}
export interface ModelMessage {
  readonly irVersion: number;
  readonly opsetImport: readonly { readonly domain?: string; readonly version: number }[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly graph: GraphMessage;
  readonly metadataProps?: readonly { readonly key: string; readonly value: string }[];
}

/** The bytes of a model (an .onnx file). */
export function encodeModel(m: ModelMessage): Uint8Array {
  const problem = Model.verify(m);
  if (problem !== null) throw new Error(`internal: the ONNX model does not fit the schema: ${problem}`);
  return Model.encode(Model.fromObject(m)).finish();
}

/** A model read from the bytes of an .onnx file (throws protobufjs's error on bytes that are not a ModelProto). */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  const message = Model.decode(bytes);
  return Model.toObject(message, { longs: Number, arrays: true }) as unknown as ModelMessage;
}
