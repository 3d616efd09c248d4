// Files of labelled text and corpora, read with a size limit: Node only (exported as `@gated/data/node`).
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type GatedError, parseError } from "@gated/autograd";
import * as E from "fp-ts/lib/Either.js";
import { type Corpus, splitCorpus } from "./corpus.js";
import { type ColumnOptions, decodeUtf8, type Example, parseExamples } from "./parse.js";

/** The default limit on a data file's size: 64 MiB (Moby-Dick is 1.2 MB); larger files are refused unread. */
export const DEFAULT_MAX_BYTES = 64 * 2 ** 20;

export interface ReadOptions {
  /** Refuse files larger than this many bytes (default DEFAULT_MAX_BYTES). */
  readonly maxBytes?: number;
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(n < 10 * 2 ** 20 ? 1 : 0)} MiB`;

/**
 * Reads a regular file of at most `maxBytes` bytes. Devices, pipes and folders are refused without reading
 * (opened non-blocking, so a FIFO without a writer does not hang), and so is a file over the limit.
 */
export function readBounded(path: string, { maxBytes = DEFAULT_MAX_BYTES }: ReadOptions = {}): E.Either<GatedError, Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return E.left(parseError(path, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = st.isDirectory() ? "a folder" : st.isCharacterDevice() ? "a character device" : st.isBlockDevice() ? "a block device" : st.isFIFO() ? "a named pipe" : st.isSocket() ? "a socket" : "not a regular file";
      return E.left(parseError(path, `is ${kind}, not a regular file: save the data to a file and give that`));
    }
    if (st.size > maxBytes) return E.left(parseError(path, `is ${mib(st.size)}, over the limit of ${mib(maxBytes)}: raise it with --data-limit, or use a smaller file`));
    const bytes = new Uint8Array(st.size);
    let n = 0;
    while (n < bytes.length) {
      const r = readSync(fd, bytes, n, bytes.length - n, n);
      if (r === 0) break;
      n += r;
    }
    return E.right(bytes.subarray(0, n));
  } catch (e) {
    return E.left(parseError(path, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
  } finally {
    closeSync(fd);
  }
}

/** Reads a file as UTF-8 (bounded by `maxBytes`), rejecting bytes that are not UTF-8. */
export function readUtf8(path: string, options: ReadOptions = {}): E.Either<GatedError, string> {
  return E.chain((bytes: Uint8Array) => decodeUtf8(bytes, path))(readBounded(path, options));
}

/** Loads a .csv, .tsv or .jsonl file by its extension. */
export function loadFile(path: string, options: ColumnOptions & ReadOptions = {}): E.Either<GatedError, Example[]> {
  return E.chain((t: string) => parseExamples(t, path, options))(readUtf8(path, options));
}

/** A UTF-8 text file as a corpus (the first 90 % of its characters to train on, the rest to test). */
export function loadCorpus(file: string, options: ReadOptions = {}): E.Either<GatedError, Corpus> {
  return E.chain((t: string) => splitCorpus(file, t))(readUtf8(file, options));
}
