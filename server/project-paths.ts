import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root (the nearest directory with a package.json), so files that are not code
 * (migrations, the demo page, scripts) are found the same from `server/` under tsx and from `dist/server/`.
 */
const projectRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** True when this code runs as compiled JavaScript (`npm run build`), not as TypeScript. */
export const compiled = import.meta.url.endsWith(".js");

export function fromRoot(...parts: string[]): string {
  return join(projectRoot, ...parts);
}

function findRoot(dir: string): string {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}
