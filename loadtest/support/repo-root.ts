import { fileURLToPath } from "node:url";

/** Absolute path of the checkout (no trailing slash): scripts and migrations run from here. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
