#!/usr/bin/env node
// pnpm mutate [PACKAGE...] [--minutes N]: mutation testing with StrykerJS (its vitest runner) on the TypeScript of
// kernels, autograd, nn, counting, random, data, train and onnx (or the packages named), one after another, each in a sandbox (the sources
// are never mutated in place). Prints each package's mutation score and the scores of the files held to 90 %
// (autograd's primitives, nn's cells and optimisers, counting, random, onnx); writes reports/mutation/<package>.json.
// A package that runs past --minutes (default 30) is stopped and reported as incomplete. Tests run as in CI (each
// fast-check property replays one fixed seed) with GATED_MUTATION set (the 10,000-call memory test runs 1,000).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** What is mutated in each package, and which files are held to the 90 % target. */
const PACKAGES = {
  kernels: { mutate: ["src/**/*.ts", "!src/generated/**", "!src/index.ts"], focus: [] },
  autograd: { mutate: ["src/**/*.ts", "!src/index.ts", "!src/testing.ts"], focus: ["src/primitives/"] },
  nn: { mutate: ["src/**/*.ts", "!src/index.ts"], focus: ["src/cells.ts", "src/optim.ts"] },
  counting: { mutate: ["src/**/*.ts", "!src/index.ts"], focus: ["src/"] },
  random: { mutate: ["src/**/*.ts"], focus: ["src/"] },
  data: { mutate: ["src/**/*.ts", "!src/index.ts", "!src/node.ts"], focus: [] },
  train: { mutate: ["src/**/*.ts", "!src/index.ts", "!src/node.ts", "!src/testing.ts", "!src/relaxed-simd.ts"], focus: [] },
  onnx: { mutate: ["src/**/*.ts", "!src/index.ts"], focus: ["src/"] },
};

let args;
try {
  args = parseArgs({ options: { minutes: { type: "string" }, only: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
} catch (e) {
  console.error(`mutate: ${e.message.split("\n")[0]}\nusage: pnpm mutate [${Object.keys(PACKAGES).join("|")} ...] [--minutes N] [--only FILES]`);
  process.exit(2);
}
if (args.values.help) {
  console.log(`usage: pnpm mutate [PACKAGE...] [--minutes N] [--only FILES]
  PACKAGE      ${Object.keys(PACKAGES).join(", ")} (default: all of them, in this order)
  --minutes N  stop a package's run after N minutes and report it incomplete (default 30)
  --only FILES mutate only these files of the package (comma-separated globs, e.g. src/cells.ts,src/optim.ts)
Reports: reports/mutation/<package>.json (mutation-testing-report-schema, as Stryker writes it).`);
  process.exit(0);
}
const names = args.positionals.length > 0 ? args.positionals : Object.keys(PACKAGES);
const unknown = names.find((n) => !(n in PACKAGES));
if (unknown !== undefined) {
  console.error(`mutate: no package '${unknown}' (packages: ${Object.keys(PACKAGES).join(", ")})`);
  process.exit(2);
}
const minutes = Number(args.values.minutes ?? 30);
if (!(minutes > 0)) {
  console.error(`mutate: --minutes must be a positive number, got '${args.values.minutes}'`);
  process.exit(2);
}

/** Mutation score: killed and timed-out mutants over all that were tested or not covered (Stryker's "total"). */
function scores(report, focus) {
  const zero = () => ({ killed: 0, survived: 0, timeout: 0, noCoverage: 0, other: 0 });
  const tally = zero();
  const byFile = {};
  const focused = zero();
  const add = (t, status) => {
    if (status === "Killed") t.killed++;
    else if (status === "Survived") t.survived++;
    else if (status === "Timeout") t.timeout++;
    else if (status === "NoCoverage") t.noCoverage++;
    else t.other++;
  };
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const f = zero();
    byFile[file] = f;
    for (const m of mutants) {
      add(tally, m.status);
      add(f, m.status);
      if (focus.some((p) => file.startsWith(p))) add(focused, m.status);
    }
  }
  const pct = (t) => {
    const valid = t.killed + t.timeout + t.survived + t.noCoverage;
    return valid === 0 ? null : (100 * (t.killed + t.timeout)) / valid;
  };
  return { total: pct(tally), tally, focus: pct(focused), focused, byFile: Object.fromEntries(Object.entries(byFile).map(([k, v]) => [k, { score: pct(v), ...v }])) };
}

function runOne(name) {
  const dir = join(root, "packages", name);
  const out = join(root, "reports", "mutation");
  mkdirSync(out, { recursive: true });
  const config = join(out, `.config-${name}.mjs`);
  writeFileSync(config, `import base from ${JSON.stringify(join(root, "stryker.config.mjs"))};\nexport default { ...base, mutate: ${JSON.stringify(args.values.only ? args.values.only.split(",") : PACKAGES[name].mutate)}, jsonReporter: { fileName: ${JSON.stringify(relative(dir, join(out, `${name}.json`)))} } };\n`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js"), "run", config], { cwd: dir, stdio: ["ignore", "inherit", "inherit"], detached: true, env: { ...process.env, GATED_MUTATION: "1", CI: "1" } });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid, "SIGTERM");
    }, minutes * 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ name, code, timedOut, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const results = [];
for (const name of names) {
  console.log(`\n== mutate ${name} ==`);
  results.push(await runOne(name));
}
for (const name of names) rmSync(join(root, "reports", "mutation", `.config-${name}.mjs`), { force: true });
console.log("\n== mutation scores ==");
let failed = false;
for (const r of results) {
  const file = join(root, "reports", "mutation", `${r.name}.json`);
  if (r.timedOut || r.code !== 0 || !existsSync(file)) {
    failed = true;
    console.log(`${r.name}: incomplete (${r.timedOut ? `stopped after ${minutes} min` : `stryker exited ${r.code}`})`);
    continue;
  }
  const s = scores(JSON.parse(readFileSync(file, "utf8")), PACKAGES[r.name].focus);
  const t = s.tally;
  const focus = PACKAGES[r.name].focus.length > 0 && s.focus !== null ? `; ${PACKAGES[r.name].focus.join(", ")}: ${s.focus.toFixed(1)} %` : "";
  console.log(`${r.name}: ${s.total?.toFixed(1)} % (${t.killed} killed, ${t.timeout} timed out, ${t.survived} survived, ${t.noCoverage} not covered${t.other ? `, ${t.other} other` : ""}; ${r.seconds.toFixed(0)} s)${focus}`);
}
process.exit(failed ? 1 : 0);
