// Doc-tests: every code block of the READMEs and docs that claims to run (a ```ts run or ```js run fence) is
// extracted, stripped of its types, and run with Node in the consumer project, against the installed tarballs, as
// a reader who copies it would run it. What it prints must equal the ```text output block that follows it.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import { describe, expect, inject, it } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const { project } = inject("consumer");

/** The Markdown files whose examples are tested: the root README, each package's, and docs/ (not docs/api). */
function markdownFiles(): string[] {
  const out = [join(repo, "README.md")];
  for (const p of readdirSync(join(repo, "packages"))) out.push(join(repo, "packages", p, "README.md"));
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "api") walk(join(dir, e.name));
      else if (e.isFile() && e.name.endsWith(".md")) out.push(join(dir, e.name));
    }
  };
  walk(join(repo, "docs"));
  return out;
}

export interface Example {
  readonly file: string;
  readonly line: number;
  readonly lang: "ts" | "js";
  readonly code: string;
  readonly output: string | undefined;
}

/** The runnable blocks of a Markdown text, each with the output block right after it (if any). */
export function examplesOf(file: string, text: string): Example[] {
  const fences = [...text.matchAll(/^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => ({
    info: (m[1] as string).trim().split(/\s+/),
    body: m[2] as string,
    start: m.index ?? 0,
    end: (m.index ?? 0) + m[0].length,
  }));
  const out: Example[] = [];
  fences.forEach((f, i) => {
    const [lang, ...flags] = f.info;
    if (!flags.includes("run") || (lang !== "ts" && lang !== "js")) return;
    const next = fences[i + 1];
    // The output block belongs to this example when only a short line of prose (or nothing) stands between them.
    const gap = next ? text.slice(f.end, next.start).trim() : "";
    const owns = next !== undefined && next.info[0] === "text" && next.info.includes("output") && gap.length <= 80 && !gap.includes("\n");
    out.push({ file, line: text.slice(0, f.start).split("\n").length, lang, code: f.body, output: owns ? next.body : undefined });
  });
  return out;
}

const examples = markdownFiles().flatMap((f) => examplesOf(relative(repo, f), readFileSync(f, "utf8")));

describe("the doc-test reader", () => {
  it("finds run blocks and their output, and ignores other blocks", () => {
    const md = "```ts run\nconsole.log(1)\n```\n\nprints\n\n```text output\n1\n```\n\n```ts\nnot run\n```\n\n```js run\nconsole.log(2)\n```\n\n```sh\nx\n```\n";
    const ex = examplesOf("x.md", md);
    expect(ex.map((e) => [e.lang, e.line, e.code, e.output])).toEqual([
      ["ts", 1, "console.log(1)\n", "1\n"],
      ["js", 15, "console.log(2)\n", undefined],
    ]);
  });

  it("finds examples in the package READMEs", () => {
    for (const p of readdirSync(join(repo, "packages"))) expect(examples.filter((e) => e.file === `packages/${p}/README.md`).length, p).toBeGreaterThan(0);
  });
});

describe.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))("%s", (name, e) => {
  it("runs and prints its output block", async () => {
    expect(e.output, `${name}: a run block needs a \`\`\`text output block after it`).toBeDefined();
    const js = (await transform(e.code, { loader: e.lang, format: "esm", target: "node20" })).code;
    const file = join(project, `doctest-${name.replace(/[^\w]+/g, "-")}.mjs`);
    writeFileSync(file, js);
    const r = spawnSync("node", [file], { cwd: project, encoding: "utf8" });
    expect(r.stderr, name).toBe("");
    expect(r.status, name).toBe(0);
    expect(r.stdout.trimEnd()).toBe((e.output ?? "").trimEnd());
  });
});

describe("the TypeScript examples", () => {
  it("type-check against the installed packages (strict, node16 resolution)", () => {
    const ts = examples.filter((e) => e.lang === "ts");
    const files = ts.map((e) => {
      const f = `typecheck-${`${e.file}-${e.line}`.replace(/[^\w]+/g, "-")}.ts`;
      // Each example is its own module (top-level await needs one).
      writeFileSync(join(project, f), /\bimport\b|\bexport\b/.test(e.code) ? e.code : `${e.code}\nexport {};\n`);
      return f;
    });
    // Node's types from the workspace (examples may read files), none installed in the consumer project itself.
    const config = { compilerOptions: { target: "ES2022", lib: ["ES2022", "DOM"], module: "node16", moduleResolution: "node16", strict: true, noEmit: true, typeRoots: [join(repo, "node_modules", "@types")], types: ["node"] }, files };
    writeFileSync(join(project, "tsconfig.examples.json"), JSON.stringify(config, null, 2));
    const r = spawnSync(join(dirname(fileURLToPath(import.meta.url)), "..", "node_modules", ".bin", "tsc"), ["-p", "tsconfig.examples.json"], { cwd: project, encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
  });
});
