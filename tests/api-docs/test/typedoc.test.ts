// The API reference builds clean: TypeDoc over every package's entry points, with warnings treated as errors (a
// broken link, a type that is used but not exported, a missing file), written to a temporary folder.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(here, "..", "..");
const out = mkdtempSync(join(tmpdir(), "gated-api-docs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Every entry point each package exports, as TypeDoc names its module page. */
function modulePages(): string[] {
  const pages: string[] = [];
  for (const name of ["kernels", "random", "autograd", "nn", "data", "datasets", "counting", "train", "models", "onnx"]) {
    const exports = JSON.parse(readFileSync(join(repo, "packages", name, "package.json"), "utf8")).exports as Record<string, unknown>;
    const subpaths = Object.keys(exports).filter((k) => k !== "./package.json");
    if (subpaths.length === 1) pages.push(`_gated_${name}.html`);
    else for (const s of subpaths) pages.push(`_gated_${name}.${s === "." ? "index" : s.slice(2)}.html`);
  }
  return pages;
}

describe("pnpm docs", () => {
  it("TypeDoc documents every entry point of every package with no warning", () => {
    const r = spawnSync(join(here, "node_modules", ".bin", "typedoc"), ["--options", "typedoc.json", "--out", out], { cwd: here, encoding: "utf8" });
    const log = `${r.stdout}${r.stderr}`.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), ""); // colour codes out
    expect(log).not.toMatch(/\[warning\]|\[error\]/);
    expect(r.status, log).toBe(0);
    for (const page of modulePages()) expect(existsSync(join(out, "modules", page)), page).toBe(true);
    const autograd = readFileSync(join(out, "modules", "_gated_autograd.index.html"), "utf8");
    expect(autograd).toContain("valueAndGrad");
    expect(readFileSync(join(out, "modules", "_gated_random.html"), "utf8")).toContain("threefry2x32");
  });
});

describe("pnpm run docs and the files in its folder", () => {
  it("refuses, before any work, a folder holding a file TypeDoc did not write, and deletes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "gated-api-docs-mine-"));
    writeFileSync(join(dir, "notes.txt"), "mine");
    const r = spawnSync(process.execPath, [join(here, "scripts", "docs.mjs"), dir], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`docs: ${dir} holds files TypeDoc did not write (notes.txt); TypeDoc would delete them`);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("docs/architecture.md", () => {
  it("states each package's imports as its package.json declares them", () => {
    const doc = readFileSync(join(repo, "docs", "architecture.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `@gated\/(\w+)` \| ([^|]+) \|$/gm)];
    const names = ["kernels", "random", "autograd", "nn", "counting", "data", "datasets", "train", "models", "onnx"];
    expect(rows.map((r) => r[1]).sort()).toEqual([...names].sort());
    for (const [, name, cell] of rows) {
      const m = JSON.parse(readFileSync(join(repo, "packages", name as string, "package.json"), "utf8"));
      const declared = Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith("@gated/")).map((d) => d.slice(7)).sort();
      const stated = names.filter((n) => new RegExp(`\\b${n}\\b`).test(cell as string)).sort();
      expect(stated, `@gated/${name}`).toEqual(declared);
    }
  });
});
