/**
 * @gated/data/node: reading labelled-text files and corpora from disk, bounded in size (Node only).
 * @since 0.2.0
 */
export * from "./files.js";
