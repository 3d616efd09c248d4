// The parsers of labelled text, case by case: line endings, blank lines, quoting, and an error for each way a file
// can be wrong, naming the source, the line and (where there is one) the field.
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { decodeUtf8, type Example, parseDelimited, parseJsonl } from "../src/index.js";

const ok = (r: E.Either<{ message: string }, Example[]>) => {
  if (E.isLeft(r)) throw new Error(`expected examples, got: ${r.left.message}`);
  return r.right.map((e) => [e.text, e.label, e.index]);
};
const err = (r: E.Either<{ message: string }, unknown>) => (E.isLeft(r) ? r.left.message : "no error");
const csv = (text: string, options = {}) => parseDelimited(text, "f.csv", ",", options);

describe("decodeUtf8", () => {
  const bytes = (...b: number[]) => Uint8Array.from(b);
  it("drops a byte-order mark and keeps everything else", () => {
    expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x61, 0x0a, 0x62), "f")).toEqual(E.right("a\nb"));
    expect(decodeUtf8(bytes(0x61, 0xef, 0xbb, 0xbf), "f")).toEqual(E.right("a\ufeff"));
  });

  it("names the line of the first byte that is not UTF-8", () => {
    expect(err(decodeUtf8(bytes(0xff), "f"))).toBe("f:1: is not valid UTF-8 text (convert it to UTF-8)");
    expect(err(decodeUtf8(bytes(0x61, 0x0a, 0x62, 0x0a, 0x63, 0xc3, 0x0a, 0x64), "f"))).toBe("f:3: is not valid UTF-8 text (convert it to UTF-8)");
    expect(err(decodeUtf8(bytes(0x61, 0x0a, 0x0a, 0xe2, 0x82), "f"))).toBe("f:3: is not valid UTF-8 text (convert it to UTF-8)");
  });
});

describe("parseDelimited", () => {
  it("reads LF, CRLF and CR line endings alike, skips blank lines, trims header names and labels, not texts", () => {
    const want = [[" hi ", "a", 0], ["yo", "b", 1]];
    expect(ok(csv(" text , label\n hi , a \n\nyo,b\n"))).toEqual(want);
    expect(ok(csv(" text , label\r\n hi , a \r\n\r\nyo,b\r\n"))).toEqual(want);
    expect(ok(csv(" text , label\r hi , a \r\ryo,b"))).toEqual(want);
  });

  it("keeps quotes that do not open a field, doubled quotes and newlines inside quoted fields", () => {
    expect(ok(csv('text,label\nab"c,x\n"say ""hi""\nthere",y\n'))).toEqual([['ab"c', "x", 0], ['say "hi"\nthere', "y", 1]]);
    expect(ok(parseDelimited("label\ttext\nx\t\"a\tb\"\n", "f.tsv", "\t"))).toEqual([["a\tb", "x", 0]]);
  });

  it("counts a CRLF or a CR as one line end in error messages", () => {
    expect(err(csv("text,label\r\nhi,a\r\nb,c,d\r\n"))).toBe("f.csv:3: has 3 fields where the header has 2");
    expect(err(csv("text,label\rhi,a\rb,c,d"))).toBe("f.csv:3: has 3 fields where the header has 2");
    expect(ok(csv("text,label\nhi,a"))).toEqual([["hi", "a", 0]]);
  });

  it("counts lines inside quoted fields, so later errors point at the right line", () => {
    expect(err(csv('text,label\n"a\nb\nc",x\nd\n'))).toBe("f.csv:5: has 1 fields where the header has 2");
  });

  it("says what is wrong with the file, where", () => {
    expect(err(csv(""))).toBe("f.csv: is empty: expected a header row and at least one example");
    expect(err(csv("\n\n"))).toBe("f.csv: is empty: expected a header row and at least one example");
    expect(err(csv("text,label\n"))).toBe("f.csv: has a header but no examples");
    expect(err(csv("sentence,label\nhi,a\n"))).toBe("f.csv:1: has no text column 'text' (columns: sentence, label); choose one with --text-column");
    expect(err(csv("text,stars\nhi,a\n"))).toBe("f.csv:1: has no label column 'label' (columns: text, stars); choose one with --label-column");
    expect(err(csv("text,label\nhi,a\nb,c,d\n"))).toBe("f.csv:3: has 3 fields where the header has 2");
    expect(err(csv("text,label\nhi,  \n"))).toBe("f.csv:2 (field 'label'): has an empty label");
    expect(err(csv('text,label\n"hi"x,a\n'))).toBe('f.csv:2: has "x" right after the closing quote of a quoted field; write a quote inside a quoted field as ""');
    expect(err(csv('text,label\n"h\ni"x,a\n'))).toBe('f.csv:3: has "x" right after the closing quote of a quoted field (the field opened on line 2: is a quote missing or doubled there?); write a quote inside a quoted field as ""');
    expect(err(csv('text,label\nhi,"a\n'))).toBe('f.csv:2: has a quoted field opened on line 2 that is never closed (a closing " is missing)');
  });

  it("uses the columns it is told to", () => {
    expect(ok(csv("id,review,stars\n1,great,5\n", { textColumn: "review", labelColumn: "stars" }))).toEqual([["great", "5", 0]]);
  });
});

describe("parseJsonl", () => {
  const jl = (text: string, options = {}) => parseJsonl(text, "f.jsonl", options);

  it("reads one object per line (LF or CRLF), skips blank lines, and takes numbers as labels", () => {
    expect(ok(jl('{"text":"a","label":1}\r\n\r\n  \n{"text":"b","label":"x","extra":[1]}'))).toEqual([["a", "1", 0], ["b", "x", 1]]);
    expect(ok(jl('{"t":"a","y":2}\n', { textColumn: "t", labelColumn: "y" }))).toEqual([["a", "2", 0]]);
  });

  it("says which line is wrong and why", () => {
    expect(err(jl(""))).toBe("f.jsonl: is empty: expected one JSON object per line");
    expect(err(jl('{"text":"a","label":1}\n{oops}\n'))).toMatch(/^f\.jsonl:2: is not valid JSON: /);
    for (const bad of ["[1]", "null", "3", '"s"']) expect(err(jl(`${bad}\n`))).toBe("f.jsonl:1: must be a JSON object");
    expect(err(jl('{"label":1}'))).toBe("f.jsonl:1 (field 'text'): needs a string 'text' (found none)");
    expect(err(jl('{"text":5,"label":1}'))).toBe("f.jsonl:1 (field 'text'): needs a string 'text' (found number)");
    expect(err(jl('{"text":"a"}'))).toBe("f.jsonl:1 (field 'label'): needs a string or number 'label' (found none)");
    expect(err(jl('{"text":"a","label":true}'))).toBe("f.jsonl:1 (field 'label'): needs a string or number 'label' (found boolean)");
  });
});
