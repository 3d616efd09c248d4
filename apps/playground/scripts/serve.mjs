#!/usr/bin/env node
// Serves the built playground (dist/) from 127.0.0.1: static files only, nothing fetched from anywhere else.
// `pnpm playground [--port N]` builds the site and runs this; the browser test imports `serve` from here.
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json", ".wasm": "application/wasm" };

/**
 * Cross-origin isolation: with these two headers the page may share WebAssembly memory between workers, so the
 * kernels train on every core (a static host that cannot send them still works, on one thread).
 */
export const ISOLATION = { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" };

/** Starts serving `root` on 127.0.0.1 (`port` 0: any free port); resolves with its address. */
export async function serve(root, port = 0) {
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(path);
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error("not a file");
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache", ...ISOLATION });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  return { url: `http://127.0.0.1:${address.port}/`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  let port = 4173;
  try {
    const { values } = parseArgs({ options: { port: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true });
    if (values.help) {
      console.log("usage: pnpm playground [--port N]   (builds the site, then serves it from http://127.0.0.1:N/, default 4173)");
      process.exit(0);
    }
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got '${values.port}'`);
    }
  } catch (e) {
    console.error(`playground: ${e.message.split("\n")[0]}`);
    process.exit(2);
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");
  try {
    statSync(join(root, "index.html"));
  } catch {
    console.error("playground: the site is not built: run 'pnpm playground' from the repository root");
    process.exit(1);
  }
  try {
    const site = await serve(root, port);
    console.log(`gated playground: open ${site.url} in a browser (Ctrl-C stops the server)`);
  } catch (e) {
    console.error(`playground: cannot serve on 127.0.0.1:${port} (${e.code ?? e.message}): choose another with --port N`);
    process.exit(1);
  }
}
