// A worker thread that trains one adding-problem model and reports each evaluation to the main thread. Its
// kernels use `threads` threads (the command's --threads shared among the runs that train at once).
import { parentPort, workerData } from "node:worker_threads";
import { setThreads } from "@gated/kernels";
import { type AddingRunConfig, trainAdding } from "./adding-train.js";

const { config, threads } = workerData as { config: AddingRunConfig; threads: number };
setThreads(threads);
const run = trainAdding(config, (point) => parentPort?.postMessage({ type: "point", point }));
parentPort?.postMessage({ type: "done", run });
