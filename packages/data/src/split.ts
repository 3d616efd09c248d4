// The fixed train / test split of labelled examples used by the sentiment app (every fifth entry to test).
import type { Example } from "./parse.js";

export interface Split {
  readonly train: Example[];
  readonly test: Example[];
}

/**
 * The fixed split: drop entries whose text is blank after trim; the entry at original index i of its source goes
 * to test when i % 5 === 4, otherwise to train. On the bundled data: 2,400 train, 600 test.
 */
export function splitEveryFifth(examples: readonly Example[]): Split {
  const kept = examples.filter((e) => e.text.trim() !== "");
  return { train: kept.filter((e) => e.index % 5 !== 4), test: kept.filter((e) => e.index % 5 === 4) };
}
