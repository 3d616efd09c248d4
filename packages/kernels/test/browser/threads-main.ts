// The page's side of the threads test: the page's main thread may not block, so the kernels there run on one
// thread; a Web Worker (threads-worker.ts) runs them on two where the page is cross-origin isolated. The page
// reports both.
import { threadInfo } from "@gated/kernels";

const out = document.getElementById("out") as HTMLElement;
const worker = new Worker(new URL("./threads-worker.ts", import.meta.url), { type: "module" });
worker.onmessage = (e: MessageEvent) => {
  out.textContent = JSON.stringify({ isolated: globalThis.crossOriginIsolated === true, page: threadInfo(), worker: e.data }, null, 1);
  out.dataset.done = "1";
};
worker.onerror = (e) => {
  out.textContent = JSON.stringify({ error: e.message });
  out.dataset.done = "1";
};
