// checkOnnxModel finds each kind of fault ONNX's checker finds, one broken copy of a good file at a time (and
// nothing in the good file).
import { tensorFromArray } from "@gated/autograd";
import { initRecurrent, random } from "@gated/nn";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { checkOnnxModel, decodeModel, exportOnnx, type OperatorSchema, SCHEMAS } from "../src/index.js";
import { AttributeType, DataType, encodeModel, type GraphMessage, type ModelMessage } from "../src/proto.js";

const config = { mode: "lstm" as const, inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true };
const bytes = exportOnnx({ recurrent: { config, params: initRecurrent(random.key(1), config) }, pooling: "max" });
if (E.isLeft(bytes)) throw new Error(bytes.left);
const good = decodeModel(bytes.right);
const withGraph = (f: (g: GraphMessage) => GraphMessage): Uint8Array => encodeModel({ ...good, graph: f(good.graph) });
const withModel = (f: (m: ModelMessage) => ModelMessage): Uint8Array => encodeModel(f(good));
const lstmAt = good.graph.node.findIndex((n) => n.opType === "LSTM");
const editNode = (i: number, f: (n: GraphMessage["node"][number]) => GraphMessage["node"][number]) => withGraph((g) => ({ ...g, node: g.node.map((n, k) => (k === i ? f(n) : n)) }));

describe("checkOnnxModel", () => {
  it("finds nothing wrong with an exported file", () => {
    expect(checkOnnxModel(bytes.right)).toEqual([]);
  });

  it("accepts optional outputs left unnamed, and a size-0 dimension", () => {
    const lstm = { mode: "lstm" as const, inputSize: 2, hiddenSize: 3 };
    const one = exportOnnx({ recurrent: { config: lstm, params: initRecurrent(random.key(2), lstm) } }, { initialStates: false, lengths: false });
    if (E.isLeft(one)) throw new Error(one.left);
    const m = decodeModel(one.right);
    // The LSTM's final states unused: both outputs empty, which is not a name defined twice.
    const trimmed = encodeModel({
      ...m,
      graph: { ...m.graph, node: m.graph.node.map((n) => (n.opType === "LSTM" ? { ...n, output: [n.output[0] as string, "", ""] } : n)), output: m.graph.output.filter((v) => v.name === "outputs").map((v) => ({ ...v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 0 }, { dimParam: "sequence" }, { dimValue: 3 }] } } } })) },
    });
    expect(checkOnnxModel(trimmed)).toEqual([]);
  });

  it.each([
    ["bytes that are not a model", () => Uint8Array.of(0x0a, 0xff), /^not an ONNX model/],
    ["no IR version", () => withModel((m) => ({ ...m, irVersion: 0 })), /^ir_version is 0/],
    ["no default opset", () => withModel((m) => ({ ...m, opsetImport: [{ domain: "ai.onnx.ml", version: 3 }] })), /no entry for ONNX's default domain/],
    ["a domain twice", () => withModel((m) => ({ ...m, opsetImport: [...m.opsetImport, ...m.opsetImport] })), /names a domain twice/],
    ["another opset", () => withModel((m) => ({ ...m, opsetImport: [{ domain: "", version: 11 }] })), /opset is 11/],
    ["nodes out of order", () => withGraph((g) => ({ ...g, node: [...g.node].reverse() })), /before anything defines it \(nodes must be in topological order\)/],
    ["a missing initializer", () => withGraph((g) => ({ ...g, initializer: g.initializer.slice(1) })), /reads W_l0 before anything defines it/],
    ["a value defined twice", () => withGraph((g) => ({ ...g, node: [...g.node, g.node[0] as GraphMessage["node"][number]] })), /is defined twice/],
    ["an initializer whose data does not fit its dims", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t, i) => (i === 0 ? { ...t, dims: [...t.dims, 2] } : t)) })), /^initializer W_l0 holds 96 values for dims \[2, 16, 3, 2\] \(192\)$/],
    ["an untyped input", () => withGraph((g) => ({ ...g, input: g.input.map((v, i) => (i === 0 ? { name: v.name } : v)) as never })), /graph input inputs has no tensor element type/],
    ["a dimension with neither size nor name", () => withGraph((g) => ({ ...g, input: g.input.map((v, i) => (i === 0 ? { ...v, type: { tensorType: { elemType: 1, shape: { dim: [{}, { dimValue: 3 }] } } } } : v)) })), /dimension 0 is neither a size nor a named dimension/],
    ["an output no node makes", () => withGraph((g) => ({ ...g, output: [...g.output, { ...(g.output[0] as GraphMessage["output"][number]), name: "nowhere" }] })), /graph output nowhere is made by no node/],
    ["an operator not in opset 17", () => editNode(0, (n) => ({ ...n, opType: "FancyOp" })), /FancyOp is not an operator this checker knows/],
    ["a node in another domain", () => editNode(0, (n) => ({ ...n, domain: "com.example" })), /is in domain com.example/],
    ["too many inputs", () => editNode(0, (n) => ({ ...n, input: [...n.input, n.input[0] as string] })), /has 2 inputs; Transpose takes 1 to 1/],
    ["an attribute the operator lacks", () => editNode(0, (n) => ({ ...n, attribute: [...(n.attribute ?? []), { name: "speed", type: AttributeType.INT, i: 3 }] })), /Transpose has no attribute speed/],
    ["an attribute of the wrong type", () => editNode(0, (n) => ({ ...n, attribute: [{ name: "perm", type: AttributeType.INT, i: 1 }] })), /attribute perm has type 2, Transpose wants 7/],
    ["an attribute declared but empty", () => editNode(0, (n) => ({ ...n, attribute: [{ name: "perm", type: AttributeType.INTS }] })), /attribute perm of type 7 does not hold a value/],
    ["an attribute twice", () => editNode(0, (n) => ({ ...n, attribute: [...(n.attribute ?? []), ...(n.attribute ?? [])] })), /repeats attribute perm/],
    ["a required attribute missing", () => editNode(lstmAt, (n) => ({ ...n, attribute: (n.attribute ?? []).filter((a) => a.name !== "hidden_size") })), /lacks the required attribute hidden_size/],
    ["recurrent weights that do not fit hidden_size", () => editNode(lstmAt, (n) => ({ ...n, attribute: (n.attribute ?? []).map((a) => (a.name === "hidden_size" ? { ...a, i: 5 } : a)) })), /W is \[2, 16, 3\], not \[2, 20, input\]/],
    ["a graph without a name", () => withGraph((g) => ({ ...g, name: "" })), /^the graph has no name$/],
    ["a model without a graph", () => withModel((m) => ({ ...m, graph: undefined as never })), /^the model has no graph$/],
    ["an input without a name", () => withGraph((g) => ({ ...g, input: g.input.map((v, i) => (i === 0 ? { ...v, name: "" } : v)) })), /^a graph input has no name$/],
    ["negative dims", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t, i) => (i === 0 ? { ...t, dims: [-2, 16, 3] } : t)) })), /^initializer W_l0 has dims \[-2, 16, 3\]$/],
    ["an unknown data type", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t, i) => (i === 0 ? { ...t, dataType: 16 } : t)) })), /^initializer W_l0 has data type 16, which this checker does not know$/],
    ["an initializer without a name", () => withGraph((g) => ({ ...g, initializer: [...g.initializer, { ...(g.initializer[0] as GraphMessage["initializer"][number]), name: "" }] })), /^an initializer has no name$/],
    ["an empty required input", () => editNode(0, (n) => ({ ...n, input: [""] })), /^node 0 \(Transpose Transpose_node\): required input 0 is empty$/],
    ["too many outputs", () => editNode(0, (n) => ({ ...n, output: [...n.output, "extra"] })), /^node 0 \(Transpose Transpose_node\) has 2 outputs; Transpose gives 1 to 1$/],
    ["an output listed twice", () => withGraph((g) => ({ ...g, output: [...g.output, g.output[0] as GraphMessage["output"][number]] })), /^graph output outputs is listed twice$/],
    ["no outputs", () => withGraph((g) => ({ ...g, output: [] })), /^the graph has no outputs$/],
    ["a negative dimension", () => withGraph((g) => ({ ...g, input: g.input.map((v, i) => (i === 0 ? { ...v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: -1 }] } } } } : v)) })), /^graph input inputs: dimension 0 is neither a size nor a named dimension$/],
    ["an empty dimension name", () => withGraph((g) => ({ ...g, input: g.input.map((v, i) => (i === 0 ? { ...v, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "" }] } } } } : v)) })), /^graph input inputs: dimension 0 is neither a size nor a named dimension$/],
    ["an int attribute without its value", () => editNode(lstmAt, (n) => ({ ...n, attribute: (n.attribute ?? []).map((a) => (a.name === "hidden_size" ? { name: a.name, type: a.type } : a)) })), /attribute hidden_size of type 2 does not hold a value in its field/],
    ["a float-list attribute without values", () => editNode(lstmAt, (n) => ({ ...n, attribute: [...(n.attribute ?? []), { name: "activation_alpha", type: AttributeType.FLOATS }] })), /attribute activation_alpha of type 6 does not hold a value in its field/],
    ["an attribute of a type no field holds", () => editNode(0, (n) => ({ ...n, attribute: [{ name: "perm", type: 99 }] })), /attribute perm has type 99, Transpose wants 7/],
    ["R of the wrong shape", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t) => (t.name === "R_l0" ? { ...t, dims: [2, 16, 2, 2] } : t)) })), /R is \[2, 16, 2, 2\], not \[2, 16, 4\]/],
    ["B of the wrong shape", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t) => (t.name === "B_l0" ? { ...t, dims: [2, 16, 2] } : t)) })), /B is \[2, 16, 2\], not \[2, 32\]/],
    ["B of the wrong width", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t) => (t.name === "B_l0" ? { ...t, dims: [4, 16] } : t)) })), /B is \[4, 16\], not \[2, 32\]/],
    ["W of the wrong rank", () => withGraph((g) => ({ ...g, initializer: g.initializer.map((t) => (t.name === "W_l0" ? { ...t, dims: [2, 48] } : t)) })), /W is \[2, 48\], not \[2, 16, input\]/],
    ["one direction declared for two directions' weights", () => editNode(lstmAt, (n) => ({ ...n, attribute: (n.attribute ?? []).filter((a) => a.name !== "direction") })), /R is \[2, 16, 4\], not \[1, 16, 4\]/],
  ] as const)("reports %s", (_, make, problem) => {
    const problems = checkOnnxModel(make());
    expect(problems.some((p) => problem.test(p)), problems.join("\n")).toBe(true);
  });

  describe("holds every operator the exporter writes to its schema's arity and attributes", () => {
    // Files that use every operator of SCHEMAS between them: mean and max pooling with a head, per-step with a head.
    const lstm = { mode: "lstm" as const, inputSize: 3, hiddenSize: 2, numLayers: 2 };
    const gru = { mode: "gru" as const, inputSize: 3, hiddenSize: 2 };
    const rnn = { mode: "rnn_relu" as const, inputSize: 3, hiddenSize: 2 };
    const head = { weight: tensorFromArray(new Float32Array(4), [2, 2]), bias: tensorFromArray(new Float32Array(2), [2]) };
    const files = [
      exportOnnx({ embedding: tensorFromArray(new Float32Array(12), [4, 3]), recurrent: { config: lstm, params: initRecurrent(random.key(1), lstm) }, pooling: "mean", head }),
      exportOnnx({ recurrent: { config: gru, params: initRecurrent(random.key(2), gru) }, pooling: "max", head }),
      exportOnnx({ recurrent: { config: rnn, params: initRecurrent(random.key(3), rnn) }, head }),
      exportOnnx({ recurrent: { config: gru, params: initRecurrent(random.key(4), gru) }, pooling: "last" }),
    ].map((f) => {
      if (E.isLeft(f)) throw new Error(f.left);
      return decodeModel(f.right);
    });
    const ops = [...new Set(files.flatMap((m) => m.graph.node.map((n) => n.opType)))].sort();

    it("uses every operator the checker knows", () => {
      expect(ops).toEqual(Object.keys(SCHEMAS).sort());
    });

    it.each(Object.keys(SCHEMAS).sort())("%s: one input too many, one too few, an output too many, an attribute required or unknown", (op) => {
      const m = files.find((f) => f.graph.node.some((n) => n.opType === op)) as ModelMessage;
      const at = m.graph.node.findIndex((n) => n.opType === op);
      const node = m.graph.node[at] as GraphMessage["node"][number];
      const schema = SCHEMAS[op] as OperatorSchema;
      const edit = (f: (n: typeof node) => typeof node) => checkOnnxModel(encodeModel({ ...m, graph: { ...m.graph, node: m.graph.node.map((n, k) => (k === at ? f(n) : n)) } }));
      const first = node.input[0] as string;
      if (Number.isFinite(schema.inputs[1])) {
        const many = schema.inputs[1] + 1;
        expect(edit((n) => ({ ...n, input: Array.from({ length: many }, (_, i) => n.input[i] || first) }))).toContain(`node ${at} (${op} ${node.name}) has ${many} inputs; ${op} takes ${schema.inputs[0]} to ${schema.inputs[1]}`);
      }
      if (schema.inputs[0] > 1) expect(edit((n) => ({ ...n, input: n.input.slice(0, schema.inputs[0] - 1) }))).toContain(`node ${at} (${op} ${node.name}) has ${schema.inputs[0] - 1} inputs; ${op} takes ${schema.inputs[0]} to ${schema.inputs[1]}`);
      const outs = schema.outputs[1] + 1;
      expect(edit((n) => ({ ...n, output: [...n.output, ...Array.from({ length: outs - n.output.length }, (_, i) => `extra${i}`)] }))).toContain(`node ${at} (${op} ${node.name}) has ${outs} outputs; ${op} gives ${schema.outputs[0]} to ${schema.outputs[1]}`);
      if (schema.outputs[0] > 0) expect(edit((n) => ({ ...n, output: [] }))).toContain(`node ${at} (${op} ${node.name}) has 0 outputs; ${op} gives ${schema.outputs[0]} to ${schema.outputs[1]}`);
      expect(edit((n) => ({ ...n, attribute: [...(n.attribute ?? []), { name: "bogus", type: AttributeType.INT, i: 1 }] }))).toContain(`node ${at} (${op} ${node.name}): ${op} has no attribute bogus`);
      for (const [name, type] of Object.entries(schema.attributes)) {
        const wrong = type === AttributeType.INT ? AttributeType.FLOAT : AttributeType.INT;
        expect(edit((n) => ({ ...n, attribute: [...(n.attribute ?? []).filter((a) => a.name !== name), { name, type: wrong, ...(wrong === AttributeType.INT ? { i: 1 } : { f: 1 }) }] })), `${op}.${name}`).toContain(`node ${at} (${op} ${node.name}): attribute ${name} has type ${wrong}, ${op} wants ${type}`);
      }
      for (const name of ["to", "hidden_size"].filter((r) => node.attribute?.some((a) => a.name === r))) {
        expect(edit((n) => ({ ...n, attribute: (n.attribute ?? []).filter((a) => a.name !== name) }))).toContain(`node ${at} (${op} ${node.name}) lacks the required attribute ${name}`);
      }
    });
  });

  it("counts an initializer's values in whichever field holds them", () => {
    const count = (t: Partial<GraphMessage["initializer"][number]>) =>
      checkOnnxModel(withGraph((g) => ({ ...g, initializer: [...g.initializer, { name: "extra", dims: [3], dataType: DataType.FLOAT, ...t }] })));
    expect(count({ floatData: [1, 2, 3] })).toEqual([]);
    expect(count({ dataType: DataType.INT32, int32Data: [1, 2, 3] })).toEqual([]);
    expect(count({ dataType: DataType.INT64, int64Data: [1, 2, 3] })).toEqual([]);
    expect(count({ dataType: DataType.DOUBLE, doubleData: [1, 2, 3] })).toEqual([]);
    expect(count({ dataType: DataType.INT64, rawData: new Uint8Array(24) })).toEqual([]);
    expect(count({ dataType: DataType.INT64, rawData: new Uint8Array(12) })).toEqual(["initializer extra holds 1.5 values for dims [3] (3)"]);
    expect(count({ floatData: [1, 2] })).toEqual(["initializer extra holds 2 values for dims [3] (3)"]);
    expect(count({ dims: [0], floatData: [] })).toEqual([]);
  });

  it("checks the IR version's range", () => {
    for (const v of [2, 11]) expect(checkOnnxModel(withModel((m) => ({ ...m, irVersion: v })))).toContain(`ir_version is ${v}, not 3 to 10`);
    for (const v of [3, 10]) expect(checkOnnxModel(withModel((m) => ({ ...m, irVersion: v })))).toEqual([]);
  });
});
