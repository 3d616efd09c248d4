import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { conditions: ["@gated/source"] },
  test: {
    include: ["test/**/*.test.ts"],
    // Node 20 compiles relaxed SIMD only behind a V8 flag; the setup file sets it so both builds are tested.
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
  },
});
