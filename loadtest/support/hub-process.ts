import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo-root.ts";
import { startServiceProcess, type ServiceProcess } from "./service-process.ts";

/** The compiled hub (`npm run build`), what production runs. */
const COMPILED_ENTRY = "dist/server/main.js";

/**
 * `server/main.ts` (or, `compiled`, the built dist/server/main.js) as its own process on 127.0.0.1:<port>: NODE_ENV=test, warn-level logs, then
 * `env` (DATABASE_URL at least). Ready once /readyz answers 200.
 */
export function startHubProcess(
  port: number,
  env: Record<string, string>,
  o: { label?: string; logFile?: string; readyTimeoutMs?: number; nodeFlags?: string[]; compiled?: boolean } = {},
): Promise<ServiceProcess> {
  if (o.compiled && !existsSync(join(repoRoot, COMPILED_ENTRY))) throw new Error(`${COMPILED_ENTRY} is missing: run \`npm run build\` first`);
  return startServiceProcess({
    label: o.label ?? "hub",
    script: o.compiled ? COMPILED_ENTRY : "server/main.ts",
    port,
    env: { NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    ...(o.logFile ? { logFile: o.logFile } : {}),
    ...(o.readyTimeoutMs ? { readyTimeoutMs: o.readyTimeoutMs } : {}),
    ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}),
  });
}
