import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as random from "@gated/random";
import * as E from "fp-ts/lib/Either.js";
import { describe, expect, it } from "vitest";
import { bigrams, buildVocab, codePoints, encode, extensionOf, pad, parseExamples, shuffledBatches, splitCorpus, splitEveryFifth, vocabFromTokens, words } from "../src/index.js";
import { loadFile } from "../src/node.js";

describe("tokenisers", () => {
  it("split words on non-ASCII text, lower-case, keep punctuation as tokens", () => {
    expect(words("Ça coûte 5€, naïve café!")).toEqual(["ça", "coûte", "5", "€", ",", "naïve", "café", "!"]);
    expect(words("Don’t STOP — it's great")).toEqual(["don’t", "stop", "—", "it's", "great"]);
    expect(words("天将降大任于是人也")).toEqual(["天将降大任于是人也"]);
    expect(words("Ελληνικά και русский")).toEqual(["ελληνικά", "και", "русский"]);
    expect(bigrams(["a", "b", "c"])).toEqual(["a b", "b c"]);
  });

  it("code points never split a surrogate pair", () => {
    expect(codePoints("a😀b")).toEqual(["a", "😀", "b"]);
    expect(codePoints("天将降大任于是人也").length).toBe(9);
    expect(codePoints("𝔘𝔫𝔦").length).toBe(3);
  });

  it("vocabularies keep pad and unk first, honour minCount, and map unknowns to unk", () => {
    const v = buildVocab([["a", "b", "a"], ["c", "a", "b"]], { minCount: 2 });
    expect(v.tokens).toEqual(["<pad>", "<unk>", "a", "b"]);
    expect(Array.from(encode(v, ["b", "z", "a"]))).toEqual([3, 1, 2]);
  });

  it("batches pad, mask and shuffle deterministically", () => {
    const b = pad([Int32Array.from([5, 6, 7]), Int32Array.from([8])]);
    expect(Array.from(b.ids)).toEqual([5, 6, 7, 8, 0, 0]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(b.lengths).toEqual([3, 1]);
    expect(shuffledBatches(random.key(3), 10, 4)).toEqual(shuffledBatches(random.key(3), 10, 4));
    expect(shuffledBatches(random.key(3), 10, 4).flat().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("loaders", () => {
  const dir = mkdtempSync(join(tmpdir(), "gated-data-"));
  const file = (name: string, content: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it("read CSV with quotes and newlines, TSV, and JSONL", () => {
    const csv = loadFile(file("a.csv", 'id,text,label\n1,"hello, ""world""\nagain",pos\n2,bye,neg\n'));
    expect(E.isRight(csv) && csv.right.map((e) => [e.text, e.label])).toEqual([["hello, \"world\"\nagain", "pos"], ["bye", "neg"]]);
    const tsv = loadFile(file("a.tsv", "sentence\tstars\nnice\t5\nmeh\t2\n"), { textColumn: "sentence", labelColumn: "stars" });
    expect(E.isRight(tsv) && tsv.right.map((e) => e.label)).toEqual(["5", "2"]);
    const jl = loadFile(file("a.jsonl", '{"text":"x","label":1}\n\n{"text":"y","label":"b"}\n'));
    expect(E.isRight(jl) && jl.right.map((e) => e.label)).toEqual(["1", "b"]);
  });

  const bad: [string, string, string | Uint8Array, RegExp][] = [
    ["an empty file", "empty.csv", "", /is empty/],
    ["a header without examples", "header.csv", "text,label\n", /no examples/],
    ["a missing column", "nolabel.csv", "text,stars\nhi,1\n", /no label column 'label' \(columns: text, stars\)/],
    ["a ragged row", "ragged.csv", "text,label\nhi,1\nbye\n", /:3: has 1 fields where the header has 2/],
    ["an unclosed quote", "quote.csv", 'text,label\n"hi,1\n', /closing " is missing/],
    ["bad JSON on line 2", "bad.jsonl", '{"text":"a","label":1}\n{oops\n', /:2: is not valid JSON/],
    ["a JSONL line without text", "notext.jsonl", '{"label":1}\n', /:1 \(field 'text'\): needs a string 'text'/],
    ["non-UTF-8 bytes", "latin1.csv", new Uint8Array([0x74, 0x65, 0x78, 0x74, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]), /:2: is not valid UTF-8/],
    ["an unknown extension", "data.xlsx", "x", /expected \.csv, \.tsv or \.jsonl/],
  ];
  for (const [what, name, content, message] of bad) {
    it(`reject ${what} with a precise error`, () => {
      const r = loadFile(file(name, content));
      expect(E.isLeft(r)).toBe(true);
      if (E.isLeft(r)) {
        expect(r.left._tag).toBe("ParseError");
        expect(r.left.message).toMatch(message);
      }
    });
  }

  it("reject a file that does not exist", () => {
    const r = loadFile(join(dir, "nope.csv"));
    expect(E.isLeft(r) && r.left.message).toMatch(/cannot be read: ENOENT/);
  });
});

describe("parsing text already in memory (no file system)", () => {
  it("parseExamples picks the format by the name's extension, in any case, after the last folder", () => {
    const csv = parseExamples("text,label\nhi,a\n", "dir.v2/Reviews.CSV");
    expect(E.isRight(csv) && csv.right.map((e) => [e.text, e.label, e.source])).toEqual([["hi", "a", "dir.v2/Reviews.CSV"]]);
    const tsv = parseExamples("text\tlabel\nhi\tb\n", "x.tsv");
    expect(E.isRight(tsv) && tsv.right[0]?.label).toBe("b");
    for (const name of ["x.jsonl", "x.ndjson"]) {
      const jl = parseExamples('{"text":"hi","label":"c"}\n', name);
      expect(E.isRight(jl) && jl.right[0]?.label).toBe("c");
    }
    for (const [name, ext] of [["notes.txt", ".txt"], ["README", ""], [".csv", ""], ["a.csv/b", ""]] as const) {
      const r = parseExamples("text,label\nhi,a\n", name);
      expect(E.isLeft(r) && r.left.message).toBe(`${name}: has extension '${ext}': expected .csv, .tsv or .jsonl`);
    }
    expect(extensionOf("C:\\data\\a.TSV")).toBe(".tsv");
  });

  it("splitEveryFifth drops blank texts and sends index i to test when i % 5 === 4", () => {
    const ex = Array.from({ length: 12 }, (_, i) => ({ text: i === 3 ? "  " : `t${i}`, label: "x", source: "s", index: i }));
    const { train, test } = splitEveryFifth(ex);
    expect(test.map((e) => e.index)).toEqual([4, 9]);
    expect(train.map((e) => e.index)).toEqual([0, 1, 2, 5, 6, 7, 8, 10, 11]);
  });
});

describe("what the mutation run found untested", () => {
  const msg = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };

  it("buildVocab orders by count (ties by first use) and keeps at most maxSize tokens, specials included", () => {
    const v = buildVocab([words("b a c a c a d")]);
    expect(v.tokens).toEqual(["<pad>", "<unk>", "a", "c", "b", "d"]);
    expect(buildVocab([words("b a c a c a d")], { maxSize: 4 }).tokens).toEqual(["<pad>", "<unk>", "a", "c"]);
    expect(buildVocab([words("b a c a c a d")], { maxSize: 1 }).tokens).toEqual(["<pad>", "<unk>"]);
    expect(buildVocab([words("b a c a c a d")], { minCount: 2 }).tokens).toEqual(["<pad>", "<unk>", "a", "c"]);
  });

  it("vocabFromTokens wants the specials first and no repeats", () => {
    expect(msg(() => vocabFromTokens(["a", "<unk>"]))).toBe(`vocab: argument 'tokens' must start with "<pad>" and "<unk>"`);
    expect(msg(() => vocabFromTokens(["<pad>", "a"]))).toBe(`vocab: argument 'tokens' must start with "<pad>" and "<unk>"`);
    expect(msg(() => vocabFromTokens(["<pad>", "<unk>", "x", "x"]))).toBe(`vocab: argument 'tokens' repeat "x"`);
    expect(vocabFromTokens(["<pad>", "<unk>", "x"]).index.get("x")).toBe(2);
  });

  it("pad refuses no sequences and empty ones, and lays rows out at b * T", () => {
    expect(msg(() => pad([]))).toBe("pad: argument 'seqs' must hold at least one sequence");
    expect(msg(() => pad([Int32Array.of(3), new Int32Array(0)]))).toMatch(/^pad: argument 'seqs' contain an empty sequence/);
    const p = pad([Int32Array.of(8), Int32Array.of(5, 6, 7)], { padId: 9 });
    expect(Array.from(p.ids)).toEqual([8, 9, 9, 5, 6, 7]);
    expect(Array.from(p.mask)).toEqual([1, 0, 0, 1, 1, 1]);
    expect(pad([Int32Array.of(1, 2, 3)], { maxLen: 2 }).lengths).toEqual([2]);
  });

  it("shuffledBatches wants a positive whole batch size", () => {
    for (const size of [0, -1, 1.5]) expect(msg(() => shuffledBatches(random.key(1), 5, size))).toBe(`shuffledBatches: argument 'size' must be a positive integer, got ${size}`);
    expect(shuffledBatches(random.key(1), 5, 1).map((b) => b.length)).toEqual([1, 1, 1, 1, 1]);
  });

  it("words lower-cases, composes accents (NFC) and keeps apostrophes inside words", () => {
    expect(words("Café CAFE\u0301 don't rock'n'roll ’tis")).toEqual(["café", "café", "don't", "rock'n'roll", "’", "tis"]);
    expect(words(" \n\t ")).toEqual([]);
  });

  it("splitCorpus names an empty text and a binary one", () => {
    const left = (r: ReturnType<typeof splitCorpus>) => (E.isLeft(r) ? r.left.message : "right");
    expect(left(splitCorpus("f.txt", ""))).toBe("f.txt: is empty: a language model needs text");
    expect(left(splitCorpus("f.bin", `${"x".repeat(30)}\u0000`))).toBe("f.bin: contains NUL bytes: it looks like a binary file, not text");
  });
});
