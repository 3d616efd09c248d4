import { defineConfig } from "vitest/config";

// These tests use the packages as a stranger does (packed tarballs installed with npm; test/setup.ts), not the
// workspace's source.
export default defineConfig({
  test: { include: ["test/**/*.test.ts"], globalSetup: ["test/setup.ts"], testTimeout: 600_000, hookTimeout: 600_000 },
});
