// The consumer's path: every package packed as it would be published (pnpm pack), installed with npm into an empty
// project outside the workspace, then (a) run from a Node ESM script that trains a tiny LSTM, (b) type-checked by a
// consumer under node16 and bundler resolution, (c) bundled for the browser with esbuild and run in headless
// Chromium; publint and attw check every tarball, and each package's README states its installed size.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, describe, expect, inject, it } from "vitest";
import { npmProject, PACKAGES } from "./setup.js";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const fixtures = join(here, "..", "fixtures");
const bin = (name: string) => join(here, "..", "node_modules", ".bin", name);
const CHROMIUM = "/usr/bin/chromium";


const { work, project, tarballOf } = inject("consumer");
const tarballs = join(work, "tarballs");

const run = (cmd: string, args: readonly string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
};

describe("each tarball is publishable as is", () => {
  const manifest = (name: string) => JSON.parse(readFileSync(join(project, "node_modules", "@gated", name, "package.json"), "utf8"));

  it.each(PACKAGES.map((p) => p.name))("@gated/%s: README, LICENSE, engines, repository, exports with types and ./package.json, no workspace protocols", (name) => {
    const dir = join(project, "node_modules", "@gated", name);
    expect(existsSync(join(dir, "README.md")), "README.md").toBe(true);
    expect(readFileSync(join(dir, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(existsSync(join(dir, "CHANGELOG.md")), "CHANGELOG.md").toBe(true);
    const m = manifest(name);
    expect(m.engines?.node).toBe(">=20.19");
    expect(m.repository).toMatchObject({ type: "git", directory: `packages/${name}` });
    expect(m.exports["./package.json"]).toBe("./package.json");
    for (const [sub, target] of Object.entries(m.exports)) {
      if (sub === "./package.json") continue;
      const t = target as Record<string, string>;
      expect(Object.keys(t), sub).toEqual(expect.arrayContaining(["types", "default"]));
      expect(existsSync(join(dir, t.types as string)), `${sub} types`).toBe(true);
      expect(existsSync(join(dir, t.default as string)), `${sub} default`).toBe(true);
    }
    const deps = JSON.stringify({ ...m.dependencies, ...m.peerDependencies });
    expect(deps).not.toMatch(/workspace:|catalog:/);
  });

  it.each(PACKAGES.map((p) => p.name))("@gated/%s: publint reports nothing", async (name) => {
    const dir = join(project, "node_modules", "@gated", name);
    const { messages, pkg } = await publint({ pkgDir: dir, level: "suggestion", strict: true, pack: false });
    expect(messages.map((m) => formatMessage(m, pkg, { color: false }))).toEqual([]);
  });

  it.each(PACKAGES.map((p) => p.name))("@gated/%s: attw (ESM-only profile) reports nothing", (name) => {
    // ESM-only packages: the profile leaves out node10 and node16-from-CJS (require() of ESM works from Node 20.19,
    // which a test below checks). Every remaining resolution must be OK.
    const r = run(bin("attw"), [tarballOf[name] as string, "--profile", "esm-only", "--no-definitely-typed", "--format", "ascii", "--no-color", "--no-emoji"], work);
    expect(r.code, r.out).toBe(0);
    const resolutions = r.out.split("\n").filter((l) => /^(node16 \(from ESM\)|bundler):/.test(l));
    expect(resolutions.length, r.out).toBeGreaterThanOrEqual(4); // the main entry and ./package.json at least
    expect(resolutions.filter((l) => !/: OK\b/.test(l)), r.out).toEqual([]);
    expect(r.out.split("\n").filter((l) => /https:\/\/github\.com\/arethetypeswrong/.test(l) && !l.startsWith("(ignored per resolution)")), r.out).toEqual([]);
  });
});

describe("(a) from Node", () => {
  it("an ESM script trains a tiny LSTM and its loss falls", () => {
    copyFileSync(join(fixtures, "train-lstm.mjs"), join(project, "train-lstm.mjs"));
    const r = run("node", ["train-lstm.mjs"], project);
    expect(r.code, r.out).toBe(0);
    const losses = JSON.parse(r.out.trim().split("\n").pop() as string) as number[];
    expect(losses).toHaveLength(40);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]).toBeGreaterThan(0.9); // about ln 3 = 1.10 at the start
    expect(losses[0]).toBeLessThan(1.4);
    expect(losses[39]).toBeLessThan(0.1 * (losses[0] as number));
  });

  it("CommonJS can require() the packages (Node >= 20.19)", () => {
    writeFileSync(join(project, "require.cjs"), 'const { key, bits } = require("@gated/random");\nconst { words } = require("@gated/data");\nconsole.log(JSON.stringify([Array.from(bits(key(0), 1)), words("Hello, world")]));\n');
    const r = run("node", ["require.cjs"], project);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('[[1797259609],["hello",",","world"]]');
  });

  it("@gated/data installs without @stdlib or the sentiment package (only its own dependencies)", () => {
    const alone = join(work, "data-alone");
    npmProject(alone, ["data", "autograd", "kernels", "random"], tarballOf);
    const top = readdirSync(join(alone, "node_modules")).filter((f) => !f.startsWith("."));
    expect(top.sort()).toEqual(["@gated", "fp-ts"]);
    expect(readdirSync(join(alone, "node_modules", "@gated")).sort()).toEqual(["autograd", "data", "kernels", "random"]);
    writeFileSync(join(alone, "t.mjs"), 'import { buildVocab, words } from "@gated/data";\nconsole.log(buildVocab([words("a b a")]).tokens.join(" "));\n');
    const r = run("node", ["t.mjs"], alone);
    expect(r.code, r.out).toBe(0);
    expect(r.out.trim()).toBe("<pad> <unk> a b");
  });
});

describe("(b) a consumer's TypeScript", () => {
  /** A browser-style project (lib DOM, no @types/node), or with `nodeTypes` a Node project (no DOM, @types/node). */
  const check = (resolution: "node16" | "bundler", file: string, nodeTypes = false) => {
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        lib: nodeTypes ? ["ES2022"] : ["ES2022", "DOM"],
        module: resolution === "node16" ? "node16" : "esnext",
        moduleResolution: resolution,
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        // The workspace's @types/node (not installed in the consumer project, so that the other checks show none is needed).
        ...(nodeTypes ? { typeRoots: [join(repo, "node_modules", "@types")], types: ["node"] } : { types: [] }),
      },
      files: [file],
    };
    const name = `tsconfig.${resolution}${nodeTypes ? ".node" : ""}.json`;
    writeFileSync(join(project, name), JSON.stringify(tsconfig, null, 2));
    return run(bin("tsc"), ["-p", name], project);
  };

  it.each(["node16", "bundler"] as const)("type-checks under %s resolution, with the packages' .d.ts checked and no @types/node", (resolution) => {
    copyFileSync(join(fixtures, "consumer.ts"), join(project, "consumer.ts"));
    expect(existsSync(join(project, "node_modules", "@types"))).toBe(false);
    const r = check(resolution, "consumer.ts");
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("type-checks in a Node project compiled without the DOM library (lib ES2022 and @types/node)", () => {
    copyFileSync(join(fixtures, "consumer.ts"), join(project, "consumer.ts"));
    const r = check("node16", "consumer.ts", true);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("rejects code that misuses the types (the types are real, not any)", () => {
    copyFileSync(join(fixtures, "bad.ts"), join(project, "bad.ts"));
    const r = check("node16", "bad.ts");
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts\(5,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/);
    expect(r.out).toMatch(/bad\.ts\(6,\d+\): error TS2322: Type 'string\[\]' is not assignable to type 'number'/);
  });
});

describe("(c) in a browser", () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it.each(PACKAGES.filter((p) => p.browser).map((p) => p.name))("@gated/%s's main entry bundles for the browser (no node:* import)", async (name) => {
    writeFileSync(join(project, `entry-${name}.js`), `export * from "@gated/${name}";\n`);
    const r = await build({ entryPoints: [join(project, `entry-${name}.js`)], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent", absWorkingDir: project, minify: true });
    const code = r.outputFiles[0]?.contents ?? new Uint8Array();
    expect(code.length).toBeGreaterThan(100);
    expect(Buffer.from(code).toString("utf8")).not.toMatch(/from"node:|require\("node:/);
  });

  it("@gated/datasets is Node-only: a browser bundle fails on its node:fs import, not later", async () => {
    writeFileSync(join(project, "entry-datasets.js"), 'export * from "@gated/datasets";\n');
    await expect(build({ entryPoints: [join(project, "entry-datasets.js")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent", absWorkingDir: project })).rejects.toThrow(/Could not resolve "node:fs"/);
  });

  it("one bundle of every browser-safe package runs in headless Chromium and computes what Node computes", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: run 'bash scripts/ensure-chromium.sh' from the repository root`).toBe(true);
    copyFileSync(join(fixtures, "browser-entry.js"), join(project, "browser-entry.js"));
    const out = await build({ entryPoints: [join(project, "browser-entry.js")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent", absWorkingDir: project, minify: true });
    const bundle = out.outputFiles[0]?.contents as Uint8Array;
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
    console.log(`browser bundle of all packages: ${kb(bundle.length)}, ${kb(gzipSync(bundle).length)} gzipped`);
    const page = '<!doctype html><meta charset="utf-8"><title>gated</title><script type="module" src="/bundle.js"></script>';
    server = createServer((req, res) => {
      const js = req.url === "/bundle.js";
      res.writeHead(200, { "content-type": js ? "text/javascript" : "text/html" });
      res.end(js ? bundle : page);
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const address = server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
    let inBrowser: { ok: boolean; value?: Record<string, unknown>; error?: string };
    const errors: string[] = [];
    try {
      const tab = await browser.newPage();
      tab.on("pageerror", (e) => errors.push(e.message));
      tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await tab.goto(`http://127.0.0.1:${port}/`);
      await tab.waitForFunction(() => (globalThis as { __gated?: unknown }).__gated !== undefined, undefined, { timeout: 60_000 });
      inBrowser = await tab.evaluate(() => (globalThis as unknown as { __gated: Promise<{ ok: boolean }> }).__gated);
    } finally {
      await browser.close();
    }
    expect(errors).toEqual([]);
    expect(inBrowser.error).toBeUndefined();
    expect(inBrowser.ok).toBe(true);
    writeFileSync(join(project, "node-run.mjs"), 'import "./browser-entry.js";\nconsole.log(JSON.stringify(await globalThis.__gated));\n');
    const r = run("node", ["node-run.mjs"], project);
    expect(r.code, r.out).toBe(0);
    const inNode = JSON.parse(r.out.trim().split("\n").pop() as string) as { ok: boolean; value: Record<string, unknown> };
    expect(inNode.ok).toBe(true);
    const b = inBrowser.value as Record<string, unknown>;
    const n = inNode.value;
    expect(b.sgemm).toEqual([19, 22, 43, 50]);
    expect(b.bits).toEqual([4146024105, 1351547692, 2718843009]);
    for (const k of ["sgemm", "bits", "ids", "nb", "accuracy", "chart"]) expect(b[k], k).toEqual(n[k]);
    // An ONNX file written in the browser passes the checks, and its weights read back are the trained ones.
    const [bo, no] = [b.onnx as { bytes: number; problems: string[]; weight: number[] }, n.onnx as { bytes: number; weight: number[] }];
    expect(bo.problems).toEqual([]);
    expect(bo.bytes).toBe(no.bytes);
    for (const [i, v] of bo.weight.entries()) expect(Math.abs(v - (no.weight[i] as number)), `onnx weight ${i}`).toBeLessThan(1e-4);
    const [bl, nl] = [b.losses as number[], n.losses as number[]];
    expect(bl).toHaveLength(3);
    expect(bl[2]).toBeLessThan(bl[0] as number);
    // Chromium runs the relaxed-SIMD kernels (fused multiply-add), Node 20 without its flag the plain ones.
    for (const [i, v] of bl.entries()) expect(Math.abs(v - (nl[i] as number)) / Math.abs(nl[i] as number), `loss ${i}`).toBeLessThan(1e-5);
  });
});

describe("installed sizes", () => {
  /** Bytes of a package folder and of every package it depends on, as npm installed them (flat node_modules). */
  function closure(name: string): { bytes: number; packages: string[] } {
    const nm = join(project, "node_modules");
    const seen = new Set<string>();
    const visit = (pkg: string) => {
      if (seen.has(pkg)) return;
      seen.add(pkg);
      const m = JSON.parse(readFileSync(join(nm, pkg, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
      for (const d of Object.keys(m.dependencies ?? {})) visit(d);
    };
    visit(name);
    const size = (p: string): number => {
      const st = statSync(p);
      return st.isDirectory() ? readdirSync(p).reduce((s, f) => s + size(join(p, f)), 0) : st.size;
    };
    return { bytes: [...seen].reduce((s, p) => s + size(join(nm, p)), 0), packages: [...seen].sort() };
  }

  it.each(PACKAGES.map((p) => p.name))("@gated/%s: its README states the installed size with dependencies (within 10 %)", (name) => {
    const { bytes, packages } = closure(`@gated/${name}`);
    const readme = readFileSync(join(repo, "packages", name, "README.md"), "utf8");
    const m = readme.match(/Installed size, with dependencies: ([\d.]+) (kB|MB) \((\d+) packages?\)/);
    const measured = `${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(0)} kB`} (${packages.length} package${packages.length === 1 ? "" : "s"}: ${packages.join(", ")})`;
    expect(m, `README should say "Installed size, with dependencies: ${measured}"`).not.toBeNull();
    const stated = Number(m?.[1]) * (m?.[2] === "MB" ? 1e6 : 1e3);
    expect(Math.abs(stated - bytes) / bytes, `measured ${measured}`).toBeLessThan(0.1);
    expect(Number(m?.[3]), `measured ${measured}`).toBe(packages.length);
  });
});

// The tarballs' size on disk, for the record (printed, not asserted).
afterAll(() => {
  if (!existsSync(tarballs)) return;
  for (const f of readdirSync(tarballs)) console.log(`${f}: ${(statSync(join(tarballs, f)).size / 1024).toFixed(0)} KB`);
});
