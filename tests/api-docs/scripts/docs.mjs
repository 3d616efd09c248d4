#!/usr/bin/env node
// pnpm run docs: TypeDoc into docs/api/. TypeDoc empties its output folder first, so this refuses (before any work)
// when docs/api holds anything TypeDoc would not have written there: a file of yours is never deleted.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The output folder: docs/api, or the one given (the tests use a temporary one). */
const out = process.argv[2] ?? join(here, "..", "..", "docs", "api");
// What TypeDoc writes: pages, assets, the .nojekyll marker, and copies of linked files under media/.
const typedocOwn = /(^|\/)\.nojekyll$|\.(html|css|js|svg|woff2?)$|\/media\//;

function foreign(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) found.push(...foreign(p));
    else if (!typedocOwn.test(p)) found.push(relative(out, p));
  }
  return found;
}

if (existsSync(out)) {
  if (!statSync(out).isDirectory()) {
    console.error(`docs: ${out} is a file, not the API reference's folder: move it away, then run pnpm run docs again`);
    process.exit(2);
  }
  const mine = readdirSync(out).length === 0 || existsSync(join(out, ".nojekyll"));
  const theirs = foreign(out);
  if (!mine || theirs.length > 0) {
    console.error(`docs: ${out} holds files TypeDoc did not write (${theirs.slice(0, 3).join(", ") || "no .nojekyll marker"}${theirs.length > 3 ? ", ..." : ""}); TypeDoc would delete them: move them out, then run pnpm run docs again`);
    process.exit(2);
  }
}
const r = spawnSync(join(here, "node_modules", ".bin", "typedoc"), ["--options", "typedoc.json", "--out", out], { cwd: here, stdio: "inherit" });
process.exit(r.status ?? 1);
