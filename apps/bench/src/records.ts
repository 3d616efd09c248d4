/** One benchmark measurement, as written to the --json file. Suites add their own fields. */
export type BenchRecord =
  | {
      readonly suite: "gemm";
      readonly shape: string;
      readonly impl: GemmImpl;
      /** Threads the implementation ran on. */
      readonly threads: number;
      readonly gflops: number;
    }
  | { readonly suite: "autograd"; readonly case: string; readonly impl: "gated" | "tfjs-wasm"; readonly ms: number }
  | {
      readonly suite: "lstm-train" | "gru-train" | "lstm-generate";
      readonly hidden: number;
      readonly impl: LstmImpl;
      /** Threads the implementation ran on. */
      readonly threads: number;
      /** PyTorch only: threads of its BLAS (OpenBLAS), the faster of `threads` and 1. */
      readonly blas_threads?: number;
      readonly tokens_per_s: number;
      /** gated training only: model FLOPs per step / step time, in GFLOP/s. */
      readonly effective_gflops?: number;
    };

export type LstmImpl = "gated" | "tfjs-wasm" | "torch";

export type GemmImpl = "gated-wasm" | "gated-wasm-relaxed" | "js-naive" | "tfjs-wasm";

/** Formats rows of cells as a left-aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
