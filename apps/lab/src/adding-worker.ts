// A worker thread that trains one adding-problem model and reports each evaluation to the main thread.
import { parentPort, workerData } from "node:worker_threads";
import { type AddingRunConfig, trainAdding } from "./adding-train.js";

const config = workerData as AddingRunConfig;
const run = trainAdding(config, (point) => parentPort?.postMessage({ type: "point", point }));
parentPort?.postMessage({ type: "done", run });
