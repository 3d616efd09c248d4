import { defineConfig } from "vitest/config";

// The page is tested as built (dist/, by the build task) in Debian's Chromium; the Node-side comparisons import the
// packages' source, as every package's tests do.
export default defineConfig({
  resolve: { conditions: ["@gated/source"] },
  ssr: { resolve: { conditions: ["@gated/source"] } },
  test: { include: ["test/**/*.test.ts"], testTimeout: 300_000, hookTimeout: 120_000 },
});
