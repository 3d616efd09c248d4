// Helpers for tests of programs that write files (Node only): a hash of everything under a path, to show that a
// refused command left the path byte-for-byte as it was.
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A hash of everything at `path`: names, kinds and bytes, hidden files included; "absent" paths hash too. */
export function treeHash(path: string): string {
  const h = createHash("sha256");
  const walk = (q: string, rel: string) => {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(q, { throwIfNoEntry: false });
    } catch {
      st = undefined; // a path under a file
    }
    if (st === undefined) return void h.update(`${rel}:absent;`);
    if (st.isSymbolicLink()) return void h.update(`${rel}:link;`);
    if (st.isDirectory()) {
      h.update(`${rel}:dir;`);
      for (const e of readdirSync(q).sort()) walk(join(q, e), `${rel}/${e}`);
    } else h.update(`${rel}:${st.isFile() ? readFileSync(q).toString("base64") : "special"};`);
  };
  walk(path, ".");
  return h.digest("hex");
}

/**
 * What is wrong with how a command refused (an empty list when nothing is): its exit code, a first line on stderr
 * matching `message`, no stack trace, and nothing but that one line unless it is a usage error followed by the usage.
 */
export function refusalProblems(r: { readonly status: number | null; readonly stderr: string }, code: number, message: RegExp): string[] {
  const problems: string[] = [];
  const first = r.stderr.split("\n")[0] ?? "";
  if (r.status !== code) problems.push(`exit ${r.status}, expected ${code} (stderr: ${r.stderr.trim()})`);
  if (!message.test(first)) problems.push(`first line '${first}' does not match ${message}`);
  if (/^\s+at /m.test(r.stderr)) problems.push("stderr holds a stack trace");
  const usageFollows = code === 2 && !first.includes(": error: ");
  if (!usageFollows && r.stderr.trim().split("\n").length !== 1) problems.push(`stderr has ${r.stderr.trim().split("\n").length} lines, not one`);
  return problems;
}
