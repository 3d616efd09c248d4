// A small builder of ONNX graphs: nodes in the order they are added (so topologically sorted), initializers with
// unique names, typed inputs and outputs with symbolic dimensions.
import { AttributeType, type Attribute, DataType, type Dimension, type GraphMessage, type NodeMessage, type TensorMessage, type ValueInfo } from "./proto.js";

/** An attribute's value: an int, a string, ints or strings (the exporter writes no float attributes). */
export type AttributeValue = number | string | readonly number[] | readonly string[];

const utf8 = new TextEncoder();

function attribute(name: string, v: AttributeValue): Attribute {
  if (typeof v === "number") return { name, type: AttributeType.INT, i: v };
  if (typeof v === "string") return { name, type: AttributeType.STRING, s: utf8.encode(v) };
  if (v.every((x) => typeof x === "string")) return { name, type: AttributeType.STRINGS, strings: (v as readonly string[]).map((s) => utf8.encode(s)) };
  return { name, type: AttributeType.INTS, ints: v as readonly number[] };
}

/** Little-endian bytes of typed values (ONNX's raw_data). */
function rawBytes(data: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(4 * i, data[i] as number, true);
    else if (data instanceof Int32Array) view.setInt32(4 * i, data[i] as number, true);
    else view.setBigInt64(8 * i, data[i] as bigint, true);
  }
  return out;
}

export class GraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly names = new Set<string>();

  /** A name not used yet, from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** A float32 constant. */
  floats(base: string, data: Float32Array, dims: readonly number[]): string {
    return this.constant(base, DataType.FLOAT, rawBytes(data), dims);
  }

  /** An int64 constant. */
  int64s(base: string, data: readonly number[], dims: readonly number[] = [data.length]): string {
    return this.constant(base, DataType.INT64, rawBytes(BigInt64Array.from(data, (v) => BigInt(v))), dims);
  }

  private constant(base: string, dataType: number, rawData: Uint8Array, dims: readonly number[]): string {
    const name = this.fresh(base);
    this.initializers.push({ name, dims, dataType, rawData });
    return name;
  }

  /** A graph input of this element type and shape (a string is a symbolic dimension). */
  input(name: string, elemType: number, shape: readonly (number | string)[], doc: string): string {
    if (this.names.has(name)) throw new Error(`internal: the graph already has a value named ${name}`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, elemType, shape, doc));
    return name;
  }

  /** Declares a value already made by a node as a graph output. */
  output(name: string, elemType: number, shape: readonly (number | string)[], doc: string): void {
    this.outputs.push(valueInfo(name, elemType, shape, doc));
  }

  /**
   * Adds a node; returns its outputs' names (`outputs` gives each as a base name, or as an exact name when it
   * starts with "=", for a graph output).
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string[] {
    const outs = outputs.map((o) => (o.startsWith("=") ? this.exact(o.slice(1)) : this.fresh(o)));
    this.nodes.push({
      input: inputs,
      output: outs,
      name: this.fresh(`${opType}_node`),
      opType,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** One output of a node. */
  op(opType: string, inputs: readonly string[], output: string, attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, [output], attributes)[0] as string;
  }

  private exact(name: string): string {
    if (this.names.has(name)) throw new Error(`internal: the graph already has a value named ${name}`);
    this.names.add(name);
    return name;
  }

  graph(name: string, docString: string): GraphMessage {
    return { name, docString, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }
}

function valueInfo(name: string, elemType: number, shape: readonly (number | string)[], docString: string): ValueInfo {
  const dim: Dimension[] = shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, docString, type: { tensorType: { elemType, shape: { dim } } } };
}
