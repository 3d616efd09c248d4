// Output folders that lose nothing. An app writes a model folder only where it is allowed to (a new path, an
// empty folder, or a folder holding a model of that same app and nothing else), one writer at a time (a lock file
// beside the folder), and replaces it so that a kill at any moment leaves the old model or the new one:
//
//   D/.N.partial-PID/   the new files, being written (garbage if the writer died)
//   D/.N.next/          the new version, complete, not yet in place
//   D/.N.prev/          the old version, moved aside, being removed
//   D/.N.lock           the writer's PID, host and start time
//
// The save: write .N.partial-PID, rename it to .N.next, rename N to .N.prev, rename .N.next to N, remove .N.prev.
// POSIX rename cannot exchange two folders, so between the two middle renames N is briefly absent; readers then
// read .N.next (or .N.prev), and whoever next finds the lock free (a writer or a reader) finishes or undoes an
// interrupted save and removes its leftovers. Only files the app writes are ever removed, one by one.
import { closeSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { isUsageError, printable, type UsageError, usageError } from "./cli.js";
import { type AppFormat, checkOutDir, codeOf, fsReason, type OutTarget } from "./outdir-check.js";

const leftover = (dir: string, what: "next" | "prev" | "lock") => join(dirname(dir), `.${basename(dir)}.${what}`);
const partialPrefix = (dir: string) => `.${basename(dir)}.partial-`;

/** A held lock on an output folder; `release` removes it (and the parent folders its taking created, if empty). */
export interface OutLock {
  readonly target: OutTarget;
  /** Saves `files` as the folder's new content (see the file's header); `onStep` is called before each step. */
  readonly save: (files: Readonly<Record<string, string | Uint8Array>>, onStep?: (step: string) => void) => void;
  readonly release: () => void;
}

interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
}

function readLock(file: string): LockInfo | undefined {
  try {
    const v = JSON.parse(readFileSync(file, "utf8")) as LockInfo;
    return typeof v.pid === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a lock's holder is alive (a lock of another host is taken as alive: it cannot be checked from here). */
function holderAlive(info: LockInfo | undefined): boolean {
  if (info === undefined) return false;
  if (info.host !== hostname()) return true;
  if (info.pid === process.pid) return false;
  try {
    process.kill(info.pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === "EPERM";
  }
}

function writeDurably(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "wx");
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot sync a folder; the renames are still atomic.
  }
}

/** Removes the app's own files from a folder, then the folder if it is then empty; never anything else. */
function removeOwn(dir: string, app: AppFormat): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) if (app.files.includes(e)) unlinkSync(join(dir, e));
  try {
    rmdirSync(dir);
  } catch (e) {
    if (codeOf(e) !== "ENOTEMPTY" && codeOf(e) !== "EEXIST" && codeOf(e) !== "ENOENT") throw e;
  }
}

const exists = (p: string) => lstatSync(p, { throwIfNoEntry: false }) !== undefined;

/**
 * Finishes or undoes an interrupted save of `dir` (the caller holds the lock): a complete .next is put in place,
 * a .prev is removed or put back, partial folders are removed. Only the app's own files are deleted.
 */
export function recoverOutDir(dir: string, app: AppFormat): void {
  const next = leftover(dir, "next");
  const prev = leftover(dir, "prev");
  if (exists(next)) {
    if (exists(dir)) {
      if (exists(prev)) removeOwn(prev, app);
      if (!exists(prev)) renameSync(dir, prev);
    }
    if (!exists(dir)) renameSync(next, dir);
  }
  if (exists(prev)) {
    if (exists(dir)) removeOwn(prev, app);
    else renameSync(prev, dir);
  }
  const parent = dirname(dir);
  let siblings: string[] = [];
  try {
    siblings = readdirSync(parent);
  } catch {
    return;
  }
  for (const s of siblings) if (s.startsWith(partialPrefix(dir)) && /^\d+$/.test(s.slice(partialPrefix(dir).length))) removeOwn(join(parent, s), app);
  fsyncDir(parent);
}

/**
 * Creates the lock file; a stale lock (its process is dead) is taken over. True when held; otherwise the live
 * holder, or the file-system error that prevented it.
 */
function takeLock(lockFile: string): true | { readonly holder?: LockInfo; readonly error?: unknown } {
  const info: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    // Written whole under a private name, then linked to the lock's name: no one ever sees a lock without its PID.
    const mine = `${lockFile}.${process.pid}`;
    try {
      if (exists(mine)) unlinkSync(mine);
      writeDurably(mine, `${JSON.stringify(info)}\n`);
      linkSync(mine, lockFile);
      unlinkSync(mine);
      return true;
    } catch (e) {
      try {
        if (exists(mine)) unlinkSync(mine);
      } catch {
        // Nothing to clean.
      }
      if (codeOf(e) !== "EEXIST") return { error: e };
      const holder = readLock(lockFile);
      if (holderAlive(holder) || attempt > 2) return { holder: holder ?? { pid: 0, host: "?", started: "?" } };
      // Stale: move it aside (only one taker succeeds), and put it back if it turns out to be a live one.
      const aside = `${lockFile}.stale-${process.pid}`;
      try {
        renameSync(lockFile, aside);
        const moved = readLock(aside);
        if (moved && holder && moved.pid !== holder.pid && holderAlive(moved)) renameSync(aside, lockFile);
        else unlinkSync(aside);
      } catch {
        // Another process took it over first; try again.
      }
    }
  }
}

/**
 * Takes the lock of an output folder, creating its parent folders if needed (this is also the check that the
 * place can be written: a read-only file system, a permission, a path under a file or a name too long are
 * reported here, before any training). A stale lock (its process is dead) is taken over; a live one is an error
 * that names its PID. Then an interrupted earlier save is finished or undone, and --out checked again.
 */
export function lockOutDir(shown: string, app: AppFormat, cwd?: string): OutLock | UsageError | string {
  const first = checkOutDir(shown, app, cwd);
  if (isUsageError(first)) return first;
  const { dir } = first;
  const say = (why: string) => usageError(`cannot write --out '${printable(shown)}': ${why}`, false);
  const parent = dirname(dir);
  const created: string[] = [];
  for (let at = parent; !exists(at); at = dirname(at)) created.unshift(at);
  const undoParents = () => {
    for (const c of [...created].reverse()) {
      try {
        rmdirSync(c);
      } catch {
        break;
      }
    }
  };
  try {
    mkdirSync(parent, { recursive: true });
  } catch (e) {
    undoParents();
    return say(fsReason(e));
  }
  const lockFile = leftover(dir, "lock");
  const taken = takeLock(lockFile);
  if (taken !== true) {
    undoParents();
    if (taken.holder === undefined) return say(fsReason(taken.error));
    const h = taken.holder;
    return `--out '${printable(shown)}' is being written by process ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ""} (since ${h.started}): wait for it to finish or stop it (lock file ${printable(lockFile)})`;
  }
  const release = () => {
    try {
      if (readLock(lockFile)?.pid === process.pid) unlinkSync(lockFile);
    } catch {
      // Already gone.
    }
    if (!exists(dir)) undoParents();
  };
  try {
    recoverOutDir(dir, app);
  } catch (e) {
    release();
    return `cannot write --out '${printable(shown)}': an interrupted earlier save could not be finished: ${fsReason(e)}`;
  }
  const again = checkOutDir(shown, app, cwd);
  if (isUsageError(again)) {
    release();
    return again;
  }
  const save = (files: Readonly<Record<string, string | Uint8Array>>, onStep: (step: string) => void = () => {}) => {
    const unknown = Object.keys(files).filter((f) => !app.files.includes(f));
    if (unknown.length > 0) throw new Error(`save: ${unknown.join(", ")} not among the files of a ${app.format}`);
    const partial = join(parent, `${partialPrefix(dir)}${process.pid}`);
    const next = leftover(dir, "next");
    const prev = leftover(dir, "prev");
    if (exists(partial)) removeOwn(partial, app);
    onStep("create");
    try {
      mkdirSync(partial);
      for (const [name, data] of Object.entries(files)) {
        onStep(`write ${name}`);
        writeDurably(join(partial, name), data);
      }
      fsyncDir(partial);
      onStep("complete");
      renameSync(partial, next);
    } catch (e) {
      removeOwn(partial, app);
      throw new Error(`cannot write --out '${printable(shown)}': ${fsReason(e)}`);
    }
    onStep("move old aside");
    if (exists(dir)) renameSync(dir, prev);
    onStep("install");
    renameSync(next, dir);
    fsyncDir(parent);
    onStep("remove old");
    // The new model is in place: from here on nothing is reported as a failure of the save.
    try {
      if (exists(prev)) removeOwn(prev, app);
    } catch {
      // Left for the next run (or eval / sample / predict) to remove.
    }
    onStep("done");
  };
  return { target: again, save, release };
}

/**
 * Where to read a model folder from: the folder itself, or during an interrupted save the complete new version
 * (.next) or the old one (.prev). When no writer holds its lock, the interrupted save is finished first.
 */
export function readableModelDir(path: string, app: AppFormat): string {
  let dir = path;
  try {
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) dir = realpathSync(path);
  } catch {
    return path;
  }
  const lockFile = leftover(dir, "lock");
  const pending = [leftover(dir, "next"), leftover(dir, "prev"), lockFile].some(exists) || readdirSafe(dirname(dir)).some((s) => s.startsWith(partialPrefix(dir)));
  if (pending && takeLock(lockFile) === true) {
    try {
      recoverOutDir(dir, app);
    } catch {
      // Cannot repair here (a read-only place): read what is there.
    } finally {
      try {
        unlinkSync(lockFile);
      } catch {
        // Already gone.
      }
    }
  }
  for (const d of [dir, leftover(dir, "next"), leftover(dir, "prev")]) if (exists(join(d, "config.json"))) return d;
  return dir;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
