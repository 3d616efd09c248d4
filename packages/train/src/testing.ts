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
