import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * Reads `.env` from the working directory, when there is one, into process.env. A variable already
 * set in the environment keeps its value. Returns the file's path, or undefined when there is none.
 */
export function loadEnvFile(path = ".env"): string | undefined {
  const file = resolve(path);
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}
