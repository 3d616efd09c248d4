// Ctrl-C and SIGTERM for long commands: the first one asks the work to stop at its next check (a command then
// saves what it should and exits 130); a second one exits at once (130), a save being crash-safe.

/** The signals `onInterrupt` listens to. */
export type StopSignal = "SIGINT" | "SIGTERM";

/** A stop request from SIGINT or SIGTERM, until `dispose` is called. */
export interface Interrupt {
  readonly signal: AbortSignal;
  /** The signal received, once one has been. */
  readonly received: () => StopSignal | undefined;
  readonly dispose: () => void;
}

export function onInterrupt(say: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Interrupt {
  const controller = new AbortController();
  let got: StopSignal | undefined;
  const handler = (sig: StopSignal) => {
    if (got !== undefined) {
      say(`${sig} again: exiting now`);
      process.exit(130);
    }
    got = sig;
    say(`${sig}: stopping (again to exit at once)`);
    controller.abort();
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
