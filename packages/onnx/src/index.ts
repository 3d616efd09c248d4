/**
 * @gated/onnx: gated's recurrent models as ONNX files, written with ONNX's own LSTM, GRU and RNN operators (opset
 * 17) and checked against ONNX Runtime, so that a model trained here can be served by any ONNX engine; and a single
 * recurrent layer read back from an ONNX file, as `torch.onnx.export` writes one. Runs in Node and in browsers.
 * @since 0.2.0
 */
export * from "./check.js";
export * from "./export.js";
export * from "./import.js";
export * from "./models.js";
export { type Attribute, AttributeType, DataType, type Dimension, decodeModel, type GraphMessage, type ModelMessage, type NodeMessage, type TensorMessage, type ValueInfo } from "./proto.js";
