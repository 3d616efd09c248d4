import { resolve } from "node:path";

/** Paths are relative to where the user ran pnpm (INIT_CWD), not to the app's folder. */
export const userPath = (p: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), p);
