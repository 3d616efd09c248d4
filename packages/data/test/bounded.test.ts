// Bounded, checked reading: devices, pipes and folders refused unread (a FIFO without a writer must not hang),
// files over the limit refused unread, CSV quoting errors that point at the quote, corpora too short to split.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { decodeUtf8, MIN_CORPUS, parseDelimited, splitCorpus } from "../src/index.js";
import { loadCorpus, readBounded, readUtf8 } from "../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "gated-data-bounded-"));
const message = <A>(e: E.Either<{ message: string }, A>) => (E.isLeft(e) ? e.left.message : "Right");

describe("readBounded", () => {
  it("reads a regular file whole", () => {
    writeFileSync(join(dir, "a.txt"), "hello");
    const r = readBounded(join(dir, "a.txt"));
    expect(E.isRight(r) && new TextDecoder().decode(r.right)).toBe("hello");
  });

  it.each([
    ["/dev/zero", /\/dev\/zero: is a character device, not a regular file/],
    ["/dev/null", /\/dev\/null: is a character device/],
    [dir, /: is a folder, not a regular file/],
  ])("refuses %s without reading it", (path, want) => {
    expect(message(readBounded(path))).toMatch(want);
  });

  it("refuses a named pipe without waiting for a writer", () => {
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    expect(message(readUtf8(fifo))).toMatch(/fifo: is a named pipe, not a regular file: save the data to a file/);
  });

  it("refuses a file over the limit, and reads one exactly at it", () => {
    writeFileSync(join(dir, "big.txt"), "x".repeat(3 * 1024 * 1024 + 1));
    expect(message(readBounded(join(dir, "big.txt"), { maxBytes: 3 * 1024 * 1024 }))).toMatch(/big\.txt: is 3\.0 MiB, over the limit of 3\.0 MiB: raise it with --data-limit/);
    expect(E.isRight(readBounded(join(dir, "big.txt"), { maxBytes: 3 * 1024 * 1024 + 1 }))).toBe(true);
    expect(message(loadCorpus(join(dir, "big.txt"), { maxBytes: 1024 }))).toMatch(/over the limit/);
  });

  it("reports a missing file by its code", () => {
    expect(message(readBounded(join(dir, "none.txt")))).toMatch(/none\.txt: cannot be read: ENOENT/);
  });

  it("decodeUtf8 names the first line that is not UTF-8", () => {
    expect(message(decodeUtf8(new Uint8Array([0x61, 0x0a, 0x62, 0x0a, 0xe9, 0x0a]), "standard input"))).toBe("standard input:3: is not valid UTF-8 text (convert it to UTF-8)");
  });
});

describe("CSV quoting", () => {
  const parse = (text: string) => message(parseDelimited(text, "t.csv", ","));
  it("characters after a closing quote are an error that names the quote and where the field opened", () => {
    expect(parse('text,label\n"x"y,pos\n')).toBe('t.csv:2: has "y" right after the closing quote of a quoted field; write a quote inside a quoted field as ""');
    expect(parse('text,label\n"good,pos\n"bad",neg\n')).toBe('t.csv:3: has "b" right after the closing quote of a quoted field (the field opened on line 2: is a quote missing or doubled there?); write a quote inside a quoted field as ""');
  });
  it("a quote that never closes names the line where it opened", () => {
    expect(parse('text,label\na,pos\n"open,neg\nb,pos\n')).toBe('t.csv:3: has a quoted field opened on line 3 that is never closed (a closing " is missing)');
  });
  it("valid quoting still reads: doubled quotes, delimiters and newlines inside quotes, quotes inside an unquoted field", () => {
    const r = parseDelimited('text,label\n"say ""hi"", ok",pos\n"two\nlines",neg\n5" screen,pos\n', "t.csv", ",");
    expect(E.isRight(r) && r.right.map((e) => e.text)).toEqual(['say "hi", ok', "two\nlines", '5" screen']);
  });
});

describe("splitCorpus", () => {
  it(`refuses a text shorter than ${MIN_CORPUS} characters, saying so`, () => {
    expect(message(splitCorpus("s.txt", "a".repeat(MIN_CORPUS - 1)))).toBe(`s.txt: holds only ${MIN_CORPUS - 1} characters, too short to split: a language model needs at least ${MIN_CORPUS} (the first 90% to train on, the rest to test)`);
    const r = splitCorpus("s.txt", "a".repeat(MIN_CORPUS));
    expect(E.isRight(r) && [r.right.train.length, r.right.test.length]).toEqual([18, 2]);
  });
});
