// Sums the vitest JSON reports of every workspace package and prints "N passed, N failed" as the last line.
// Exits 1 if a test failed or if no report was found (a run that tested nothing is not a pass).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const packages = JSON.parse(execFileSync("pnpm", ["-r", "ls", "--depth", "-1", "--json"], { encoding: "utf8" }));
let passed = 0;
let failed = 0;
let reports = 0;
for (const { name, path } of packages) {
  const file = join(path, "test-results", "vitest.json");
  if (!existsSync(file)) continue;
  const report = JSON.parse(readFileSync(file, "utf8"));
  reports++;
  passed += report.numPassedTests;
  failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  if (report.numFailedTests > 0 || report.numFailedTestSuites > 0) console.log(`${name}: ${report.numFailedTests} failed tests, ${report.numFailedTestSuites} failed files`);
}
if (reports === 0) console.log("no vitest reports found under packages/*/test-results or apps/*/test-results");
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || reports === 0 ? 1 : 0);
