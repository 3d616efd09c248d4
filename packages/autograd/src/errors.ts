// GatedError: every way a call into gated can be wrong, as a tagged value whose message says what was expected,
// what was given, and where.
import * as E from "fp-ts/lib/Either.js";

/** Shapes that do not fit together (broadcasting, matmul, concat, ...). */
export interface ShapeMismatch {
  readonly _tag: "ShapeMismatch";
  readonly op: string;
  readonly expected: string;
  readonly got: string;
  readonly message: string;
}

/** Tensors of different dtypes used together. */
export interface DtypeMismatch {
  readonly _tag: "DtypeMismatch";
  readonly op: string;
  readonly message: string;
}

/** An argument that is not valid whatever the shapes: a negative size, an axis out of range, NaN data, ... */
export interface InvalidArgument {
  readonly _tag: "InvalidArgument";
  readonly op: string;
  readonly argument: string;
  readonly message: string;
}

/** A function given to a transform that broke its contract (returned a non-scalar to grad, ...). */
export interface InvalidFunction {
  readonly _tag: "InvalidFunction";
  readonly op: string;
  readonly message: string;
}

/** Input data or a file that cannot be read as what it claims to be: says where (file, line, field) and why. */
export interface ParseError {
  readonly _tag: "ParseError";
  readonly source: string;
  readonly line?: number;
  readonly field?: string;
  readonly message: string;
}

/** Named tensors that do not match what a model expects (as PyTorch's load_state_dict(strict=True) reports). */
export interface StateDictMismatch {
  readonly _tag: "StateDictMismatch";
  readonly op: string;
  readonly missing: readonly string[];
  readonly unexpected: readonly string[];
  readonly shapes: readonly { readonly name: string; readonly expected: readonly number[]; readonly found: readonly number[] }[];
  readonly message: string;
}

/** @since 0.1.0 */
export type GatedError = ShapeMismatch | DtypeMismatch | InvalidArgument | InvalidFunction | ParseError | StateDictMismatch;

export const shapeMismatch = (op: string, expected: string, got: string): ShapeMismatch => ({
  _tag: "ShapeMismatch",
  op,
  expected,
  got,
  message: `${op}: expected ${expected}, got ${got}`,
});

export const dtypeMismatch = (op: string, got: string): DtypeMismatch => ({
  _tag: "DtypeMismatch",
  op,
  message: `${op}: all tensors must have the same dtype, got ${got}; convert with astype(t, "float32" | "float64")`,
});

export const invalidArgument = (op: string, argument: string, reason: string): InvalidArgument => ({
  _tag: "InvalidArgument",
  op,
  argument,
  message: `${op}: argument '${argument}' ${reason}`,
});

export const invalidFunction = (op: string, reason: string): InvalidFunction => ({
  _tag: "InvalidFunction",
  op,
  message: `${op}: ${reason}`,
});

export const parseError = (source: string, reason: string, line?: number, field?: string): ParseError => ({
  _tag: "ParseError",
  source,
  ...(line === undefined ? {} : { line }),
  ...(field === undefined ? {} : { field }),
  message: `${source}${line === undefined ? "" : `:${line}`}${field === undefined ? "" : ` (field '${field}')`}: ${reason}`,
});

const listed = (names: readonly string[]) => (names.length <= 6 ? names.join(", ") : `${names.slice(0, 6).join(", ")} and ${names.length - 6} more`);

export const stateDictMismatch = (op: string, missing: readonly string[], unexpected: readonly string[], shapes: StateDictMismatch["shapes"]): StateDictMismatch => {
  const parts = [
    ...(missing.length > 0 ? [`missing ${listed(missing)}`] : []),
    ...(unexpected.length > 0 ? [`unexpected ${listed(unexpected)}`] : []),
    ...shapes.slice(0, 4).map((s) => `${s.name} should be [${s.expected.join(", ")}], found [${s.found.join(", ")}]`),
    ...(shapes.length > 4 ? [`and ${shapes.length - 4} more shape mismatches`] : []),
  ];
  return { _tag: "StateDictMismatch", op, missing, unexpected, shapes, message: `${op}: the tensors do not match the configuration: ${parts.join("; ")}` };
};

/**
 * The exception that tensor operations throw, carrying a GatedError. Operations throw (so that model code reads
 * like math); `attempt` turns any computation back into an Either at a boundary.
 */
export class GatedException extends Error {
  constructor(readonly error: GatedError) {
    super(error.message);
    this.name = `GatedException(${error._tag})`;
  }
}

/** Throws `error` as a GatedException. */
export function raise(error: GatedError): never {
  throw new GatedException(error);
}

/** Unwraps a Right or throws its Left as a GatedException. */
export function orThrow<A>(e: E.Either<GatedError, A>): A {
  if (E.isLeft(e)) raise(e.left);
  return e.right;
}

/**
 * Runs `f` and returns its result as Right, or the GatedError it raised as Left. Other exceptions propagate.
 *
 * @example
 * attempt(() => add(ones([2]), ones([3]))); // Left({ _tag: "ShapeMismatch", ... })
 * @since 0.1.0
 */
export function attempt<A>(f: () => A): E.Either<GatedError, A> {
  try {
    return E.right(f());
  } catch (e) {
    if (e instanceof GatedException) return E.left(e.error);
    throw e;
  }
}
