// Parsers of labelled text: CSV / TSV (with a header; text and label columns chosen by name) and JSONL (one object
// per line), and a strict UTF-8 decoder. They work on text already in memory (no file system: Node and browsers);
// `@gated/data/node` reads files into them. They return Either, with errors that name the source, the line and the
// field.
import { attempt, type GatedError, parseError, raise } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";

/** One labelled text: its source (a file name or a dataset part) and its index in that source. */
export interface Example {
  readonly text: string;
  readonly label: string;
  readonly source: string;
  readonly index: number;
}

export interface ColumnOptions {
  /** Column (CSV/TSV) or key (JSONL) of the text; default "text". */
  readonly textColumn?: string;
  /** Column or key of the label; default "label". */
  readonly labelColumn?: string;
}

/** Decodes bytes as UTF-8, rejecting bytes that are not UTF-8 (instead of replacing them); a BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array, source: string): E.Either<GatedError, string> {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return E.right(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    let line = 1;
    // Find the first invalid byte by decoding prefixes line by line.
    for (let start = 0; start < bytes.length; ) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, end));
      } catch {
        break;
      }
      start = end + 1;
      line++;
    }
    return E.left(parseError(source, "is not valid UTF-8 text (convert it to UTF-8)", line));
  }
}

/** Splits delimited text into records of fields (RFC 4180 quoting: "a ""b""", newlines inside quotes). */
function records(text: string, delimiter: string, source: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStart = true;
  let openedAt = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          const after = text[i + 1];
          if (after !== undefined && after !== delimiter && after !== "\n" && after !== "\r") {
            const opened = openedAt === line ? "" : ` (the field opened on line ${openedAt}: is a quote missing or doubled there?)`;
            raise(parseError(source, `has ${JSON.stringify(after)} right after the closing quote of a quoted field${opened}; write a quote inside a quoted field as ""`, line));
          }
        }
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && fieldStart) {
      quoted = true;
      openedAt = line;
      fieldStart = false;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      fieldStart = true;
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: recordLine });
      fields = [];
      field = "";
      fieldStart = true;
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  if (quoted) raise(parseError(source, `has a quoted field opened on line ${openedAt} that is never closed (a closing " is missing)`, openedAt));
  fields.push(field);
  if (!(fields.length === 1 && fields[0] === "")) out.push({ fields, line: recordLine });
  return out;
}

/** Labelled examples from CSV or TSV text with a header row. */
export function parseDelimited(text: string, source: string, delimiter: "," | "\t", { textColumn = "text", labelColumn = "label" }: ColumnOptions = {}): E.Either<GatedError, Example[]> {
  return attempt(() => {
    const rows = records(text, delimiter, source);
    const header = rows[0];
    if (header === undefined) raise(parseError(source, "is empty: expected a header row and at least one example"));
    const names = header.fields.map((f) => f.trim());
    const col = (name: string, what: string) => {
      const i = names.indexOf(name);
      if (i < 0) raise(parseError(source, `has no ${what} column '${name}' (columns: ${names.join(", ")}); choose one with --${what}-column`, header.line));
      return i;
    };
    const ti = col(textColumn, "text");
    const li = col(labelColumn, "label");
    const out: Example[] = [];
    for (const { fields, line } of rows.slice(1)) {
      if (fields.length !== names.length) raise(parseError(source, `has ${fields.length} fields where the header has ${names.length}`, line));
      const label = (fields[li] as string).trim();
      if (label === "") raise(parseError(source, "has an empty label", line, labelColumn));
      out.push({ text: fields[ti] as string, label, source, index: out.length });
    }
    if (out.length === 0) raise(parseError(source, "has a header but no examples"));
    return out;
  });
}

/** Labelled examples from JSONL text: one JSON object per line with string text and a string or number label. */
export function parseJsonl(text: string, source: string, { textColumn = "text", labelColumn = "label" }: ColumnOptions = {}): E.Either<GatedError, Example[]> {
  return attempt(() => {
    const out: Example[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim() === "") return;
      let obj: unknown;
      try {
        obj = JSON.parse(raw);
      } catch (e) {
        raise(parseError(source, `is not valid JSON: ${(e as Error).message}`, i + 1));
      }
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) raise(parseError(source, "must be a JSON object", i + 1));
      const rec = obj as Record<string, unknown>;
      const t = rec[textColumn];
      const l = rec[labelColumn];
      if (typeof t !== "string") raise(parseError(source, `needs a string '${textColumn}' (found ${t === undefined ? "none" : typeof t})`, i + 1, textColumn));
      if (typeof l !== "string" && typeof l !== "number") raise(parseError(source, `needs a string or number '${labelColumn}' (found ${l === undefined ? "none" : typeof l})`, i + 1, labelColumn));
      out.push({ text: t, label: String(l), source, index: out.length });
    });
    if (out.length === 0) raise(parseError(source, "is empty: expected one JSON object per line"));
    return out;
  });
}

/** The formats `parseExamples` reads, by file extension. */
export const EXAMPLE_EXTENSIONS = [".csv", ".tsv", ".jsonl", ".ndjson"] as const;

/** The extension of a file name or path, lower-cased, with its dot ("" when there is none). */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot).toLowerCase();
}

/** Parses a .csv, .tsv or .jsonl text, the format chosen by the extension of `name` (a file name or path). */
export function parseExamples(text: string, name: string, options: ColumnOptions = {}): E.Either<GatedError, Example[]> {
  const ext = extensionOf(name);
  if (ext === ".csv") return parseDelimited(text, name, ",", options);
  if (ext === ".tsv") return parseDelimited(text, name, "\t", options);
  if (ext === ".jsonl" || ext === ".ndjson") return parseJsonl(text, name, options);
  return E.left(parseError(name, `has extension '${ext}': expected .csv, .tsv or .jsonl`));
}
