// The checks of ONNX's checker (onnx.checker.check_model) that apply to the files this package writes, in
// JavaScript: the IR and opset versions, the graph in static single assignment and topological order, typed inputs
// and outputs, initializers whose data fits their shape, attributes whose declared type matches their value, and
// each operator's inputs, outputs and attributes against its schema at opset 17, down to the shapes of the
// recurrent weights.
import { AttributeType, DataType, decodeModel, type ModelMessage, type NodeMessage, type TensorMessage, type ValueInfo } from "./proto.js";

/** An operator's inputs (min, max), outputs (min, max) and attribute types, as checkOnnxModel checks them. */
export interface OperatorSchema {
  readonly inputs: readonly [number, number];
  readonly outputs: readonly [number, number];
  readonly attributes: Readonly<Record<string, number>>;
}

const A = AttributeType;
const RECURRENT = { activation_alpha: A.FLOATS, activation_beta: A.FLOATS, activations: A.STRINGS, clip: A.FLOAT, direction: A.STRING, hidden_size: A.INT, layout: A.INT };

/** The operators of opset 17 this package uses, with their inputs (min, max), outputs and attributes. */
export const SCHEMAS: Readonly<Record<string, OperatorSchema>> = {
  Gather: { inputs: [2, 2], outputs: [1, 1], attributes: { axis: A.INT } },
  Transpose: { inputs: [1, 1], outputs: [1, 1], attributes: { perm: A.INTS } },
  Concat: { inputs: [1, Number.POSITIVE_INFINITY], outputs: [1, 1], attributes: { axis: A.INT } },
  Slice: { inputs: [3, 5], outputs: [1, 1], attributes: {} },
  Reshape: { inputs: [2, 2], outputs: [1, 1], attributes: { allowzero: A.INT } },
  MatMul: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Add: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Mul: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Div: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Gemm: { inputs: [2, 3], outputs: [1, 1], attributes: { alpha: A.FLOAT, beta: A.FLOAT, transA: A.INT, transB: A.INT } },
  Range: { inputs: [3, 3], outputs: [1, 1], attributes: {} },
  Shape: { inputs: [1, 1], outputs: [1, 1], attributes: { start: A.INT, end: A.INT } },
  Cast: { inputs: [1, 1], outputs: [1, 1], attributes: { to: A.INT } },
  Less: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  Unsqueeze: { inputs: [2, 2], outputs: [1, 1], attributes: {} },
  ReduceSum: { inputs: [1, 2], outputs: [1, 1], attributes: { keepdims: A.INT, noop_with_empty_axes: A.INT } },
  ReduceMax: { inputs: [1, 1], outputs: [1, 1], attributes: { axes: A.INTS, keepdims: A.INT } },
  Where: { inputs: [3, 3], outputs: [1, 1], attributes: {} },
  Identity: { inputs: [1, 1], outputs: [1, 1], attributes: {} },
  LSTM: { inputs: [3, 8], outputs: [0, 3], attributes: { ...RECURRENT, input_forget: A.INT } },
  GRU: { inputs: [3, 6], outputs: [0, 2], attributes: { ...RECURRENT, linear_before_reset: A.INT } },
  RNN: { inputs: [3, 6], outputs: [0, 2], attributes: RECURRENT },
};

/** Attributes an operator must have. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = { Cast: ["to"], LSTM: ["hidden_size"], GRU: ["hidden_size"], RNN: ["hidden_size"] };

/** The field an attribute of each type stores its value in. */
const FIELD: Readonly<Record<number, string>> = { [A.FLOAT]: "f", [A.INT]: "i", [A.STRING]: "s", [A.TENSOR]: "t", [A.GRAPH]: "g", [A.FLOATS]: "floats", [A.INTS]: "ints", [A.STRINGS]: "strings" };

const BYTES: Readonly<Record<number, number>> = { [DataType.FLOAT]: 4, [DataType.INT32]: 4, [DataType.INT64]: 8, [DataType.DOUBLE]: 8, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.BOOL]: 1 };

function checkValueInfo(v: ValueInfo, what: string, problems: string[]): void {
  const t = v.type?.tensorType;
  if (!v.name) problems.push(`a graph ${what} has no name`);
  if (t === undefined || !t.elemType) {
    problems.push(`graph ${what} ${v.name} has no tensor element type`);
    return;
  }
  for (const [i, d] of (t.shape?.dim ?? []).entries()) {
    const fixed = d.dimValue !== undefined && Number.isInteger(d.dimValue) && d.dimValue >= 0;
    if (!fixed && !(typeof d.dimParam === "string" && d.dimParam !== "")) problems.push(`graph ${what} ${v.name}: dimension ${i} is neither a size nor a named dimension`);
  }
}

function checkInitializer(t: TensorMessage, problems: string[]): void {
  if (!t.name) problems.push("an initializer has no name");
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0)) problems.push(`initializer ${t.name} has dims [${t.dims.join(", ")}]`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  const size = BYTES[t.dataType];
  if (size === undefined) {
    problems.push(`initializer ${t.name} has data type ${t.dataType}, which this checker does not know`);
    return;
  }
  const held = t.rawData && t.rawData.length > 0 ? t.rawData.length / size : (t.floatData?.length ?? 0) + (t.int32Data?.length ?? 0) + (t.int64Data?.length ?? 0) + (t.doubleData?.length ?? 0);
  if (held !== n) problems.push(`initializer ${t.name} holds ${held} values for dims [${t.dims.join(", ")}] (${n})`);
}

function checkNode(node: NodeMessage, index: number, problems: string[]): void {
  const label = `node ${index} (${node.opType}${node.name ? ` ${node.name}` : ""})`;
  const schema = SCHEMAS[node.opType];
  if ((node.domain ?? "") !== "") problems.push(`${label} is in domain ${node.domain}, not ONNX's default domain`);
  if (schema === undefined) {
    problems.push(`${label}: ${node.opType} is not an operator this checker knows at opset 17`);
    return;
  }
  const ins = node.input.length;
  if (ins < schema.inputs[0] || ins > schema.inputs[1]) problems.push(`${label} has ${ins} inputs; ${node.opType} takes ${schema.inputs[0]} to ${schema.inputs[1]}`);
  for (let i = 0; i < Math.min(ins, schema.inputs[0]); i++) if (node.input[i] === "") problems.push(`${label}: required input ${i} is empty`);
  const outs = node.output.length;
  if (outs < schema.outputs[0] || outs > schema.outputs[1]) problems.push(`${label} has ${outs} outputs; ${node.opType} gives ${schema.outputs[0]} to ${schema.outputs[1]}`);
  const seen = new Set<string>();
  for (const a of node.attribute ?? []) {
    if (seen.has(a.name)) problems.push(`${label} repeats attribute ${a.name}`);
    seen.add(a.name);
    const want = schema.attributes[a.name];
    if (want === undefined) problems.push(`${label}: ${node.opType} has no attribute ${a.name}`);
    else if (a.type !== want) problems.push(`${label}: attribute ${a.name} has type ${a.type}, ${node.opType} wants ${want}`);
    const field = FIELD[a.type];
    const value = field === undefined ? undefined : (a as unknown as Record<string, unknown>)[field];
    if (field === undefined || value === undefined || (Array.isArray(value) && value.length === 0 && a.type >= A.FLOATS)) problems.push(`${label}: attribute ${a.name} of type ${a.type} does not hold a value in its field`);
  }
  for (const r of REQUIRED[node.opType] ?? []) if (!seen.has(r)) problems.push(`${label} lacks the required attribute ${r}`);
}

/** Shapes of the recurrent weights against hidden_size and direction. */
function checkRecurrentShapes(node: NodeMessage, index: number, inits: Map<string, TensorMessage>, problems: string[]): void {
  const H = node.attribute?.find((a) => a.name === "hidden_size")?.i ?? 0;
  const dirAttr = node.attribute?.find((a) => a.name === "direction")?.s;
  const D = dirAttr && new TextDecoder().decode(dirAttr) === "bidirectional" ? 2 : 1;
  const G = node.opType === "LSTM" ? 4 : node.opType === "GRU" ? 3 : 1;
  const dims = (i: number) => inits.get(node.input[i] ?? "")?.dims;
  const W = dims(1);
  const label = `node ${index} (${node.opType})`;
  if (W && (W.length !== 3 || W[0] !== D || W[1] !== G * H)) problems.push(`${label}: W is [${W.join(", ")}], not [${D}, ${G * H}, input]`);
  const R = dims(2);
  if (R && (R.length !== 3 || R[0] !== D || R[1] !== G * H || R[2] !== H)) problems.push(`${label}: R is [${R.join(", ")}], not [${D}, ${G * H}, ${H}]`);
  const B = dims(3);
  if (B && (B.length !== 2 || B[0] !== D || B[1] !== 2 * G * H)) problems.push(`${label}: B is [${B.join(", ")}], not [${D}, ${2 * G * H}]`);
}

/**
 * What is wrong with an ONNX file by the checks ONNX's checker makes (empty when nothing is). Reads only files of
 * the operators this package writes; others are reported as unknown.
 * @since 0.2.0
 */
export function checkOnnxModel(bytes: Uint8Array): string[] {
  let m: ModelMessage;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    return [`not an ONNX model: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  if (!Number.isInteger(m.irVersion) || m.irVersion < 3 || m.irVersion > 10) problems.push(`ir_version is ${m.irVersion}, not 3 to 10`);
  const opsets = m.opsetImport ?? [];
  const domains = opsets.map((o) => o.domain ?? "");
  if (new Set(domains).size !== domains.length) problems.push("opset_import names a domain twice");
  const main = opsets.find((o) => (o.domain ?? "") === "");
  if (main === undefined) problems.push("opset_import has no entry for ONNX's default domain");
  else if (main.version !== 17) problems.push(`the default domain's opset is ${main.version}; the schemas checked here are opset 17's`);
  const g = m.graph;
  if (g === undefined) return [...problems, "the model has no graph"];
  if (!g.name) problems.push("the graph has no name");
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (defined.has(name)) problems.push(`${what} ${name} is defined twice (a graph must be in static single assignment form)`);
    defined.add(name);
  };
  const inits = new Map<string, TensorMessage>();
  for (const t of g.initializer ?? []) {
    checkInitializer(t, problems);
    define(t.name, "initializer");
    inits.set(t.name, t);
  }
  for (const v of g.input ?? []) {
    checkValueInfo(v, "input", problems);
    if (!inits.has(v.name)) define(v.name, "input");
  }
  for (const [i, node] of (g.node ?? []).entries()) {
    checkNode(node, i, problems);
    for (const name of node.input) if (name !== "" && !defined.has(name)) problems.push(`node ${i} (${node.opType}) reads ${name} before anything defines it (nodes must be in topological order)`);
    for (const name of node.output) if (name !== "") define(name, `output of node ${i} (${node.opType})`);
    if (SCHEMAS[node.opType] && ["LSTM", "GRU", "RNN"].includes(node.opType)) checkRecurrentShapes(node, i, inits, problems);
  }
  const outputs = new Set<string>();
  for (const v of g.output ?? []) {
    checkValueInfo(v, "output", problems);
    if (outputs.has(v.name)) problems.push(`graph output ${v.name} is listed twice`);
    outputs.add(v.name);
    if (!defined.has(v.name)) problems.push(`graph output ${v.name} is made by no node`);
  }
  if (outputs.size === 0) problems.push("the graph has no outputs");
  return problems;
}
