import { defineConfig } from "vitest/config";

export default defineConfig({
  // Sibling packages from their source, not their build: tests see an edit at once. Imports in Node-side tests
  // resolve through ssr.resolve (resolve.conditions alone reaches only browser-side resolution).
  resolve: { conditions: ["@gated/source"] },
  ssr: { resolve: { conditions: ["@gated/source"] } },
  test: {
    include: ["test/**/*.test.ts"],
    // Node 20 compiles relaxed SIMD only behind a V8 flag; the setup file sets it so both builds are tested.
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
  },
});
