declare module "virtual:gated-data" {
  /** The first 100,000 characters of Moby-Dick. */
  export const MOBY_DICK: string;
  /** The UCI Sentiment Labelled Sentences: [text, label, source, original index]. */
  export const SENTENCES: [string, string, string, number][];
}
