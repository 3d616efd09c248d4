import { defineConfig } from "vitest/config";

// The page is tested as built (dist/, by the build task) in Debian's Chromium; the Node-side comparisons import the
// packages' source, as every package's tests do.
export default defineConfig({
  resolve: { conditions: ["@gated/source"] },
  ssr: { resolve: { conditions: ["@gated/source"] } },
  // One file at a time: each starts its own Chromium, and the long-task checks measure wall-clock time.
  test: { include: ["test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 120_000, fileParallelism: false },
});
