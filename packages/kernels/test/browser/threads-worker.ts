// Runs in a dedicated worker: asks for two threads and computes products, activations and LSTM steps large
// enough to split, with one thread and then with two, and reports the thread state and whether every bit agrees.
import { allocF32, heapStats, kernels, setThreads, threadInfo, threadsReady } from "@gated/kernels";

function values(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed + 0.37 * i) * 2);
}

function compute(): Float32Array[] {
  const [m, k, n] = [96, 256, 320];
  const c = new Float32Array(m * n);
  kernels.sgemm(false, true, m, n, k, 1, values(m * k, 1), 0, k, values(n * k, 2), 0, k, 0, c, 0, n);
  const t = new Float32Array(1 << 16);
  kernels.tanh(t, values(1 << 16, 3), 1 << 16);
  const [rows, H] = [32, 256];
  const gates = values(rows * 4 * H, 4);
  const [c2, h2, y] = [new Float32Array(rows * H), new Float32Array(rows * H), new Float32Array(rows * H)];
  kernels.lstmForward(gates, c2, h2, y, values(rows * H, 5), values(rows * H, 6), null, rows, H);
  return [c, t, gates, c2, h2];
}

function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.every((x, i) => {
    const p = new Uint32Array(x.buffer);
    const q = new Uint32Array((b[i] as Float32Array).buffer);
    return p.length === q.length && p.every((v, j) => v === q[j]);
  });
}

async function main(): Promise<void> {
  const asked = setThreads(2);
  const ready = await threadsReady();
  setThreads(1);
  const one = compute();
  setThreads(asked);
  let two = compute();
  // A worker that went to sleep between calls may wake after the caller did every block: repeat briefly.
  for (let i = 0; i < 200 && asked > 1 && threadInfo().workerCalls === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
    two = compute();
  }
  // Unshared memory (a page that is not isolated) detaches views when it grows: a kernel given such a stale view
  // says so instead of reading an empty array.
  const buffer = allocF32(8);
  const stale = buffer.view();
  allocF32(heapStats().memoryBytes / 4 + 16);
  let staleView = "accepted";
  try {
    kernels.relu(stale, stale, 8);
  } catch (e) {
    staleView = e instanceof Error ? e.message : String(e);
  }
  postMessage({ asked, ready, info: threadInfo(), identical: sameBits(one, two), backend: kernels.backend, staleView });
}

main().catch((e: unknown) => postMessage({ error: e instanceof Error ? e.message : String(e) }));
