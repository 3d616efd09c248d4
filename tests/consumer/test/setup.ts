// Global set-up of the consumer tests: packs every package with pnpm pack (which writes real versions in place of
// workspace: and catalog:) and installs all the tarballs with npm into an empty project in the system's temporary
// folder, outside the workspace. The tests read the paths with inject("consumer"); the folder is removed at the end.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

/** Every published package, in dependency order, and whether its main entry is meant for browsers. */
export const PACKAGES = [
  { name: "kernels", browser: true },
  { name: "random", browser: true },
  { name: "autograd", browser: true },
  { name: "nn", browser: true },
  { name: "data", browser: true },
  { name: "counting", browser: true },
  { name: "train", browser: true },
  { name: "models", browser: true },
  { name: "onnx", browser: true },
  { name: "datasets", browser: false },
] as const;

export interface Consumer {
  /** The temporary folder holding tarballs/ and project/. */
  readonly work: string;
  /** The npm project with every package installed. */
  readonly project: string;
  /** Package name (without @gated/) -> its tarball. */
  readonly tarballOf: Readonly<Record<string, string>>;
}

declare module "vitest" {
  export interface ProvidedContext {
    consumer: Consumer;
  }
}

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

function run(cmd: string, args: readonly string[], cwd: string): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  return { code: r.status ?? -1, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Installs tarballs with npm into a new project folder (npm's cache is reused; only the registry is reached). */
export function npmProject(dir: string, names: readonly string[], tarballOf: Readonly<Record<string, string>>, others: Readonly<Record<string, string>> = {}): void {
  mkdirSync(dir, { recursive: true });
  const dependencies = { ...Object.fromEntries(names.map((n) => [`@gated/${n}`, `file:${tarballOf[n]}`])), ...others };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies }, null, 2));
  const r = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", "--loglevel=error"], dir);
  if (r.code !== 0) throw new Error(`npm install failed in ${dir}:\n${r.out}`);
}

let work: string | undefined;

export default function setup(project: TestProject): () => void {
  work = mkdtempSync(join(tmpdir(), "gated-consumer-"));
  const tarballs = join(work, "tarballs");
  mkdirSync(tarballs);
  const tarballOf: Record<string, string> = {};
  for (const p of PACKAGES) {
    const r = run("pnpm", ["pack", "--pack-destination", tarballs], join(repo, "packages", p.name));
    if (r.code !== 0) throw new Error(`pnpm pack failed for ${p.name}:\n${r.out}`);
    const file = readdirSync(tarballs).find((f) => f.startsWith(`gated-${p.name}-`) && f.endsWith(".tgz"));
    if (file === undefined) throw new Error(`pnpm pack wrote no tarball for ${p.name}:\n${r.out}`);
    tarballOf[p.name] = join(tarballs, file);
  }
  const dir = join(work, "project");
  // ONNX Runtime for @gated/onnx's README example, from the registry as a reader installs it, at the version the
  // workspace tests against (its install script stays off: the CPU build needs none).
  const ort = JSON.parse(readFileSync(join(repo, "packages", "onnx", "node_modules", "onnxruntime-node", "package.json"), "utf8")) as { version: string };
  npmProject(dir, PACKAGES.map((p) => p.name), tarballOf, { "onnxruntime-node": ort.version });
  project.provide("consumer", { work, project: dir, tarballOf });
  return () => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  };
}
