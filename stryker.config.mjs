// StrykerJS for `pnpm mutate`: run from a package's folder (scripts/mutate.mjs does), it mutates that package's
// TypeScript sources and runs its vitest suite against each mutant. Settings that scripts/mutate.mjs does not
// override live here.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.config.ts" },
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 5_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "json", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 90, low: 80, break: null },
  // The sandbox leaves out the package's tsconfig files: their relative `extends` and `references` would point
  // nowhere from inside it, and Stryker's rewriting of them needs TypeScript's JS API, which TypeScript 7 lacks.
  // vitest transpiles without them (type-only imports are dropped either way).
  tsconfigFile: "tsconfig.none.json",
  tempDirName: "../../.stryker-tmp",
  cleanTempDir: "always",
  // assembly/: AssemblyScript (not TypeScript that Stryker can parse), compiled before into src/generated.
  ignorePatterns: ["dist", "test-results", "reports", ".turbo", "tsconfig*.json", "*.tsbuildinfo", "assembly"],
};
