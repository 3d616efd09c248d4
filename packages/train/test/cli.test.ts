// The apps' command line: strict flags on util.parseArgs, --flag=value, negative numbers as values, help on every
// command, and one exit code per kind of outcome (0 done, 1 runtime error, 2 usage error, a command's own code).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { threadInfo } from "@gated/kernels";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatBytes } from "../src/index.js";
import { type Command, EXIT, int, isUsageError, jsonLine, num, parseArgs, printable, runCli, size, terminalSafe, usageError } from "../src/node.js";

describe("parseArgs", () => {
  const p = (argv: string[], positionals = false) => parseArgs(argv, ["out", "lr"], ["quiet"], positionals);
  const flags = (r: ReturnType<typeof p>) => (isUsageError(r) ? r.message : Object.fromEntries(r.flags));

  it("reads --flag VALUE, --flag=VALUE, switches, -h and --help", () => {
    expect(flags(p(["--out", "m", "--lr=0.1", "--quiet"]))).toEqual({ out: "m", lr: "0.1", quiet: true });
    expect(flags(p(["-h"]))).toEqual({ help: true });
    expect(flags(p(["--out", "m", "--help"]))).toEqual({ out: "m", help: true });
    expect(flags(p(["--out", ""]))).toEqual({ out: "" });
  });

  it("takes a negative number after a valued flag as its value, not as a flag", () => {
    expect(flags(p(["--lr", "-0.5", "--out", "-1"]))).toEqual({ lr: "-0.5", out: "-1" });
    expect(flags(p(["--lr", "-.5"]))).toEqual({ lr: "-.5" });
  });

  it.each([
    [["--nope"], "unknown option --nope"],
    [["-x"], "unknown option -x"],
    [["--out"], "--out needs a value"],
    [["--out", "--quiet"], "--out needs a value (got the option '--quiet'; write --out=VALUE for a value that starts with '-')"],
    [["--quiet=yes"], "--quiet is a switch and takes no value"],
    [["stray"], "unexpected argument 'stray' (this command takes no positional arguments)"],
    [["--", "after"], "unexpected argument 'after' (this command takes no positional arguments)"],
    [["--n\u001bope"], "unknown option --n\\u001bope"],
  ])("%j is a usage error: %s", (argv, message) => {
    const r = p(argv);
    expect(isUsageError(r) && r.message).toBe(message);
  });

  it("collects positionals where the command takes them", () => {
    const r = p(["a", "--quiet", "b", "--", "--c"], true);
    expect(isUsageError(r) ? r.message : r.positionals).toEqual(["a", "b", "--c"]);
  });
});

describe("option values", () => {
  const parsed = (argv: string[]) => {
    const r = parseArgs(argv, ["n", "x", "s"], []);
    if (isUsageError(r)) throw new Error(r.message);
    return r;
  };
  it("int, num and size check their ranges and name the flag", () => {
    expect(int(parsed(["--n", "3"]), "n", 1, 1, 5)).toBe(3);
    expect((int(parsed(["--n", "6"]), "n", 1, 1, 5) as { message: string }).message).toBe("--n must be an integer in [1, 5], got '6'");
    expect((int(parsed(["--n", ""]), "n", 1, 0) as { message: string }).message).toMatch(/got ''/);
    expect(num(parsed(["--x", "0.5"]), "x", 1, 0, 1)).toBe(0.5);
    expect((num(parsed(["--x", "0"]), "x", 1, 0, 1) as { message: string }).message).toBe("--x must be a number in (0, 1], got '0'");
    expect([size(parsed(["--s", "512M"]), "s", 1), size(parsed(["--s", "1.5g"]), "s", 1), size(parsed(["--s", "2KiB"]), "s", 1), size(parsed([]), "s", 7)]).toEqual([512 * 2 ** 20, 1.5 * 2 ** 30, 2048, 7]);
    expect(isUsageError(size(parsed(["--s", "lots"]), "s", 1))).toBe(true);
    expect(isUsageError(size(parsed(["--s", "0"]), "s", 1))).toBe(true);
  });
  it("formats byte counts in binary units", () => {
    expect([formatBytes(7), formatBytes(2048), formatBytes(3 * 2 ** 30), formatBytes(16.4 * 2 ** 30)]).toEqual(["7 bytes", "2.0 KiB", "3.0 GiB", "16 GiB"]);
  });
});

describe("escaping", () => {
  it("printable makes any text one visible line; terminalSafe keeps newlines and tabs; jsonLine escapes C1 codes", () => {
    expect(printable("a\nb\tc\u001b[2J\u0085")).toBe("a\\nb\\tc\\u001b[2J\\u0085");
    expect(terminalSafe("a\nb\tc\u001b\r")).toBe("a\nb\tc\\u001b\\r");
    expect(jsonLine({ t: "x\u009by\u2028" })).toBe('{"t":"x\\u009by\\u2028"}');
    expect(JSON.parse(jsonLine({ t: "x\u009by" })).t).toBe("x\u009by");
  });
});

describe("runCli", () => {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, "error").mockImplementation((s: string) => void err.push(s));
  afterEach(() => {
    out.length = 0;
    err.length = 0;
  });
  const commands: Record<string, Command> = {
    go: { help: "usage: app go [--n N]", valued: ["n"], switches: ["help"], run: (p) => (p.flags.get("n") === "fail" ? "it broke\nbadly" : p.flags.get("n") === "usage" ? usageError("--n is wrong") : p.flags.get("n") === "path" ? usageError("--out 'x' is a file", false) : p.flags.get("n") === "throw" ? (() => { throw new Error("boom"); })() : 0) },
    stop: { help: "usage: app stop", valued: [], switches: [], run: () => EXIT.interrupted },
  };
  const cli = (argv: string[]) => runCli("app", "usage: app <command>", commands, argv);
  /** Every command's help ends with the --threads line. */
  const help = (h: string) => expect.stringMatching(new RegExp(`^${h.replace(/[[\]]/g, "\\$&")}\n  --threads N   threads for the kernels, 1 to 64 \\(default \\d+: every core, or GATED_THREADS\\)`));

  it("exit codes: 0 done, 1 runtime error (one line), 2 usage error (with the usage), a command's own code", async () => {
    expect(await cli(["go"])).toBe(0);
    expect(await cli(["go", "--n", "fail"])).toBe(1);
    expect(err).toEqual(["app go: error: it broke\\nbadly"]);
    err.length = 0;
    expect(await cli(["go", "--n", "throw"])).toBe(1);
    expect(err).toEqual(["app go: error: boom"]);
    err.length = 0;
    expect(await cli(["go", "--n", "usage"])).toBe(2);
    expect(err).toEqual([help("app go: --n is wrong\nusage: app go [--n N]")]);
    err.length = 0;
    expect(await cli(["go", "--n", "path"])).toBe(2);
    expect(err).toEqual(["app go: error: --out 'x' is a file"]);
    expect(await cli(["stop"])).toBe(130);
  });

  it("usage errors from parsing, unknown commands and a missing command are exit 2", async () => {
    expect(await cli(["go", "--m", "1"])).toBe(2);
    expect(err[0]).toEqual(help("app go: unknown option --m\nusage: app go [--n N]"));
    expect(await cli(["went"])).toBe(2);
    expect(await cli([])).toBe(2);
    expect(await cli(["help", "went"])).toBe(2);
    expect(await cli(["stop", "x"])).toBe(2);
  });

  it("help: --help, -h, help, help <command>, and -h on a command (even with other flags)", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) expect(await cli(argv)).toBe(0);
    expect(await cli(["help", "go"])).toBe(0);
    expect(await cli(["go", "--n", "fail", "-h"])).toBe(0);
    expect(out).toEqual(["usage: app <command>", "usage: app <command>", "usage: app <command>", help("usage: app go [--n N]"), help("usage: app go [--n N]")]);
  });

  it("--threads N sets the kernels' threads for the command; anything but 1 to 64 is a usage error", async () => {
    expect(await cli(["go", "--threads", "1"])).toBe(0);
    expect(threadInfo().threads).toBe(1);
    expect(await cli(["go", "--threads", "2"])).toBe(0);
    expect(threadInfo().threads).toBe(2);
    for (const bad of ["0", "65", "two", "1.5"]) {
      err.length = 0;
      expect(await cli(["go", "--threads", bad])).toBe(2);
      expect(err[0]).toMatch(new RegExp(`^app go: --threads must be an integer in \\[1, 64\\], got '${bad.replace(".", "\\.")}'\nusage: app go`));
    }
    expect(threadInfo().threads).toBe(2);
  });

  it("a bad GATED_THREADS is a one-line error before the command runs (exit 1); --threads overrides it", () => {
    const script = `import { runCli } from ${JSON.stringify(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "node.js")).href)};
      const code = await runCli("app", "usage", { go: { help: "usage: app go", valued: [], switches: [], run: () => { console.log("ran"); return 0; } } }, process.argv.slice(1));
      process.exitCode = code;`;
    const run = (...args: string[]) => spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...args], { env: { ...process.env, GATED_THREADS: "lots" }, encoding: "utf8" });
    const bad = run("go");
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr.trim()).toBe("app go: error: GATED_THREADS must be a whole number of threads from 1 to 64, got 'lots': unset it to use every core");
    const explicit = run("go", "--threads", "1");
    expect(explicit.status, explicit.stderr).toBe(0);
    expect(explicit.stdout.trim()).toBe("ran");
  });
});
