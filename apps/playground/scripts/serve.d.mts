/** Starts serving `root` on 127.0.0.1 (`port` 0: any free port). */
export function serve(root: string, port?: number): Promise<{ url: string; requests: string[]; close: () => Promise<void> }>;
export const ISOLATION: { readonly "cross-origin-opener-policy": string; readonly "cross-origin-embedder-policy": string };
