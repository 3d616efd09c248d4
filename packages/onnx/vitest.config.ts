import { defineConfig } from "vitest/config";

export default defineConfig({
  // Sibling packages from their source, not their build: tests see an edit at once. Imports in Node-side tests
  // resolve through ssr.resolve (resolve.conditions alone reaches only browser-side resolution).
  resolve: { conditions: ["@gated/source"] },
  ssr: { resolve: { conditions: ["@gated/source"] } },
  test: { include: ["test/**/*.test.ts"], setupFiles: ["test/setup.ts"], testTimeout: 300_000 },
});
