// The playground's build: static files (no server code), every package from its public entry, and the bundled
// texts put into the bundle at build time from @gated/datasets (the page never fetches anything).
import { loadSentimentExamples, mobyDickText } from "@gated/datasets";
import * as E from "fp-ts/lib/Either.js";
import { defineConfig, type Plugin } from "vite";
import { ISOLATION } from "./scripts/serve.mjs";

/** Characters of Moby-Dick the page trains on (from the start of the book: 100,000 of its 1,190,317). */
export const MOBY_EXCERPT = 100_000;

function bundledData(): Plugin {
  const id = "virtual:gated-data";
  return {
    name: "gated-data",
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const moby = mobyDickText();
      const sentences = loadSentimentExamples();
      if (E.isLeft(moby)) throw new Error(moby.left.message);
      if (E.isLeft(sentences)) throw new Error(sentences.left.message);
      const moby100k = Array.from(moby.right).slice(0, MOBY_EXCERPT).join("");
      const rows = sentences.right.map((e) => [e.text, e.label, e.source, e.index]);
      return `export const MOBY_DICK = ${JSON.stringify(moby100k)};\nexport const SENTENCES = ${JSON.stringify(rows)};\n`;
    },
  };
}

export default defineConfig({
  base: "./",
  plugins: [bundledData()],
  // Workers are bundled on their own: they need the bundled data too.
  worker: { format: "es", plugins: () => [bundledData()] },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2048 },
  // Cross-origin isolated (as scripts/serve.mjs serves it), so that the kernels' threads run in the workers.
  server: { headers: ISOLATION },
  preview: { host: "127.0.0.1", headers: ISOLATION },
});
