// Output folders: what --out accepts and refuses, the lock, and the crash-safe save, proved by killing a writer
// (SIGKILL, no clean-up) just before each step of a save and checking what readers then find.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type AppFormat, checkOutDir, isUsageError, lockOutDir, readableModelDir } from "../src/node.js";

const APP: AppFormat = { format: "test-app", files: ["config.json", "weights.bin", "notes.txt"] };
const root = mkdtempSync(join(tmpdir(), "gated-outdir-"));
let n = 0;
const fresh = () => {
  const d = join(root, `case-${n++}`);
  mkdirSync(d);
  return d;
};
const model = (dir: string, tag: string, format = "test-app") => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ format, tag }));
  writeFileSync(join(dir, "weights.bin"), `weights of ${tag}`);
};
/** Every file under `p` with its bytes (or the file's bytes), to show a path is byte-for-byte unchanged. */
function snapshot(p: string): string {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(p, { throwIfNoEntry: false });
  } catch {
    return "absent"; // a path under a file
  }
  if (st === undefined) return "absent";
  if (st.isSymbolicLink()) return `link`;
  if (!st.isDirectory()) return readFileSync(p, "latin1");
  return JSON.stringify(readdirSync(p).sort().map((e) => [e, snapshot(join(p, e))]));
}
const refusal = (r: unknown): string => (isUsageError(r) ? r.message : typeof r === "string" ? r : "accepted");

describe("checkOutDir", () => {
  const cases: [string, (base: string) => string, RegExp][] = [
    ["an empty string", () => "", /--out is empty \(an unset shell variable\?\)/],
    ["blanks", () => "  ", /--out is empty/],
    ["the file system root", () => "/", /is the root of the file system/],
    ["the home folder", () => homedir(), /your home folder/],
    ["the current folder", () => ".", /is the current folder/],
    ["an ancestor of the current folder", () => "..", /contains the current folder/],
    ["a file", (b) => (writeFileSync(join(b, "f.txt"), "mine"), "f.txt"), /is a file, not a folder/],
    ["a character device", () => "/dev/null", /is a character device/],
    ["a folder of other files", (b) => (mkdirSync(join(b, "docs")), writeFileSync(join(b, "docs", "a.txt"), "x"), "docs"), /holds files that are not a test-app \(a\.txt\): it is left alone/],
    ["another app's model", (b) => (model(join(b, "o"), "x", "other-app"), "o"), /holds a 'other-app', not a test-app/],
    ["a model with the user's files in it", (b) => (model(join(b, "m"), "x"), writeFileSync(join(b, "m", "mine.txt"), "x"), "m"), /also files this program did not write \(mine\.txt\)/],
    ["a config.json that is not an object", (b) => (mkdirSync(join(b, "arr")), writeFileSync(join(b, "arr", "config.json"), "[]"), "arr"), /holds files that are not a test-app/],
    ["a path under a file", (b) => (writeFileSync(join(b, "g.txt"), "mine"), "g.txt/model"), /a part of the path is a file/],
    ["a name too long for the save's leftovers", () => "a".repeat(240), /has a name of 240 bytes: at most 235/],
    ["a dangling symbolic link", (b) => (symlinkSync(join(b, "nowhere"), join(b, "dangling")), "dangling"), /symbolic link to a path that does not exist/],
    ["a link to a folder of other files", (b) => (mkdirSync(join(b, "d2")), writeFileSync(join(b, "d2", "x"), "x"), symlinkSync(join(b, "d2"), join(b, "l2")), "l2"), /holds files that are not a test-app/],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}, with a usage error that names it, and leaves it as it was`, () => {
      const base = fresh();
      const shown = make(base);
      const path = shown.startsWith("/") ? shown : join(base, shown);
      const before = shown.trim() === "" || shown === "/" || shown === homedir() || shown === ".." ? "" : snapshot(path);
      const r = checkOutDir(shown, APP, base);
      expect(refusal(r)).toMatch(message);
      expect(isUsageError(r)).toBe(true);
      const l = lockOutDir(shown, APP, base);
      expect(refusal(l)).toMatch(message);
      if (before !== "") expect(snapshot(path)).toBe(before);
      expect(readdirSync(base).filter((e) => e.startsWith("."))).toEqual([]);
    });
  }

  it("accepts a new path, an empty folder and a model of its own, and says which", () => {
    const base = fresh();
    mkdirSync(join(base, "empty"));
    model(join(base, "own"), "old");
    const kind = (p: string) => {
      const r = checkOutDir(p, APP, base);
      return isUsageError(r) ? r.message : r.holds.kind;
    };
    expect([kind("new/deeper"), kind("empty"), kind("own")]).toEqual(["nothing", "empty", "model"]);
  });

  it("follows a symbolic link: the folder it points to is checked, replaced, and the link kept", () => {
    const base = fresh();
    model(join(base, "v1"), "old");
    symlinkSync(join(base, "v1"), join(base, "current"));
    const lock = lockOutDir("current", APP, base);
    if (typeof lock === "string" || isUsageError(lock)) throw new Error(refusal(lock));
    expect(lock.target.dir).toBe(join(base, "v1"));
    lock.save({ "config.json": JSON.stringify({ format: "test-app", tag: "new" }), "weights.bin": "new" });
    lock.release();
    expect(lstatSync(join(base, "current")).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(base, "current", "config.json"), "utf8")).tag).toBe("new");
    expect(readdirSync(base).sort()).toEqual(["current", "v1"]);
  });
});

describe("lockOutDir", () => {
  it("creates missing parents only while it holds the lock, and removes them again when nothing was saved", () => {
    const base = fresh();
    const lock = lockOutDir("a/b/model", APP, base);
    if (typeof lock === "string" || isUsageError(lock)) throw new Error(refusal(lock));
    expect(existsSync(join(base, "a", "b", ".model.lock"))).toBe(true);
    lock.release();
    expect(readdirSync(base)).toEqual([]);
  });

  it("refuses a save of a file the app does not write", () => {
    const base = fresh();
    const lock = lockOutDir("m", APP, base);
    if (typeof lock === "string" || isUsageError(lock)) throw new Error(refusal(lock));
    expect(() => lock.save({ "config.json": "{}", "other.txt": "x" })).toThrow(/other\.txt not among the files of a test-app/);
    lock.release();
    expect(readdirSync(base)).toEqual([]);
  });

  it("lets one writer at a time: a second fails at once naming the holder's PID; a dead holder's lock is taken over", async () => {
    const base = fresh();
    const holder: ChildProcess = spawn(process.execPath, [child, join(base, "m"), "hold", "{}"], { stdio: ["pipe", "pipe", "inherit"] });
    await new Promise<void>((resolve) => holder.stdout?.once("data", () => resolve()));
    const second = lockOutDir("m", APP, base);
    expect(refusal(second)).toMatch(new RegExp(`is being written by process ${holder.pid} \\(since .*\\): wait for it to finish or stop it`));
    expect(typeof second).toBe("string"); // not a usage error: the same command works later
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    expect(existsSync(join(base, ".m.lock"))).toBe(true); // left by the killed holder
    const third = lockOutDir("m", APP, base);
    if (typeof third === "string" || isUsageError(third)) throw new Error(refusal(third));
    expect(JSON.parse(readFileSync(join(base, ".m.lock"), "utf8")).pid).toBe(process.pid);
    third.release();
    expect(readdirSync(base)).toEqual([]);
  });

  // These need root (CI and this machine run as root): a private mount namespace, and a switch to another user.
  const root0 = process.getuid?.() === 0;
  const canMount = root0 && spawnSync("unshare", ["-r", "-m", "true"]).status === 0;
  const canDrop = root0 && spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "true"]).status === 0;
  const probe = (base: string, out: string) => `import(${JSON.stringify(join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "node.js"))}).then(({ lockOutDir }) => { const r = lockOutDir(${JSON.stringify(out)}, { format: "t", files: [] }, ${JSON.stringify(base)}); console.log(typeof r === "string" ? r : r.message ?? "accepted"); })`;

  it.skipIf(!canMount)("reports a read-only file system before any work, in plain words", () => {
    const base = fresh();
    // A read-only tmpfs in a private mount namespace: nothing to undo afterwards.
    const r = spawnSync("unshare", ["-r", "-m", "sh", "-c", `mkdir -p "$1/ro" && mount -t tmpfs -o ro none "$1/ro" && exec "$2" -e "$3"`, "sh", base, process.execPath, probe(base, "ro/model")], { encoding: "utf8" });
    expect(r.stdout.trim(), r.stderr).toBe("cannot write --out 'ro/model': it is on a read-only file system");
  });

  it.skipIf(!canDrop)("reports a folder the user may not write before any work, in plain words", () => {
    const base = fresh();
    chmodSync(root, 0o755);
    chmodSync(base, 0o755);
    const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", probe(base, "model")], { encoding: "utf8" });
    expect(r.stdout.trim(), r.stderr).toBe("cannot write --out 'model': permission denied");
    expect(readdirSync(base)).toEqual([]);
  });
});

const child = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "save-child.mjs");
const STEPS = ["create", "write config.json", "write weights.bin", "complete", "move old aside", "install", "remove old", "done"];
const filesOf = (tag: string) => ({ "config.json": JSON.stringify({ format: "test-app", tag }), "weights.bin": `weights of ${tag}` });
const contentOf = (dir: string) => (existsSync(join(dir, "config.json")) ? `${readFileSync(join(dir, "config.json"), "utf8")}|${readFileSync(join(dir, "weights.bin"), "utf8")}` : "none");
const expected = (tag: string) => `${filesOf(tag)["config.json"]}|weights of ${tag}`;

describe("a save killed (SIGKILL) just before each of its steps", () => {
  it("the built module is there for the writer processes", () => {
    expect(existsSync(join(dirname(child), "..", "..", "dist", "node.js")), "build @gated/train first (pnpm turbo run build)").toBe(true);
  });
  for (const withOld of [true, false]) {
    for (const [i, step] of STEPS.entries()) {
      it(`${withOld ? "replacing a model" : "writing the first model"}: killed before '${step}'`, () => {
        const base = fresh();
        const dir = join(base, "m");
        if (withOld) model(dir, "old");
        const r = spawnSync(process.execPath, [child, dir, step, JSON.stringify(filesOf("new"))], { encoding: "utf8" });
        expect(r.signal, r.stderr).toBe("SIGKILL");
        // What a reader that cannot repair (a read-only place) finds: the folder, else the complete new one, else the old one.
        const seen = [dir, join(base, ".m.next"), join(base, ".m.prev")].find((d) => existsSync(join(d, "config.json")));
        const before = withOld ? expected("old") : "none";
        expect(seen === undefined ? "none" : contentOf(seen)).toBe(i >= STEPS.indexOf(withOld ? "install" : "move old aside") ? expected("new") : before);
        // Once the new version is complete (.m.next), the save is finished rather than undone.
        const want = i >= STEPS.indexOf("move old aside") ? expected("new") : before;
        // A reader that can repair finishes (or undoes) the save and removes every leftover, the dead writer's lock too.
        const readable = readableModelDir(dir, APP);
        expect(readable).toBe(dir);
        expect(contentOf(dir)).toBe(want);
        expect(readdirSync(base).sort()).toEqual(want === "none" ? [] : ["m"]);
      });
    }
  }

  it("a writer that finds an interrupted save finishes it before its own, and a finished save never reports a failure of the clean-up", () => {
    const base = fresh();
    const dir = join(base, "m");
    model(dir, "old");
    spawnSync(process.execPath, [child, dir, "install", JSON.stringify(filesOf("mid"))]);
    expect(existsSync(dir)).toBe(false);
    const lock = lockOutDir("m", APP, base);
    if (typeof lock === "string" || isUsageError(lock)) throw new Error(refusal(lock));
    expect(lock.target.holds.kind).toBe("model");
    expect(contentOf(dir)).toBe(expected("mid"));
    // The old folder cannot be removed (its config.json turned into a folder): the save still succeeds.
    lock.save(filesOf("new"), (step) => {
      if (step === "remove old") {
        rmSync(join(base, ".m.prev", "config.json"));
        mkdirSync(join(base, ".m.prev", "config.json"));
      }
    });
    lock.release();
    expect(contentOf(dir)).toBe(expected("new"));
  });

  it("never deletes a file it did not write, even inside its own leftovers", () => {
    const base = fresh();
    const dir = join(base, "m");
    model(dir, "old");
    spawnSync(process.execPath, [child, dir, "remove old", JSON.stringify(filesOf("new"))]);
    writeFileSync(join(base, ".m.prev", "user.txt"), "mine");
    readableModelDir(dir, APP);
    expect(contentOf(dir)).toBe(expected("new"));
    expect(readFileSync(join(base, ".m.prev", "user.txt"), "utf8")).toBe("mine");
    expect(readdirSync(join(base, ".m.prev"))).toEqual(["user.txt"]);
  });
});
