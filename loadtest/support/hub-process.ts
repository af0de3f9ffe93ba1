import { startServiceProcess, type ServiceProcess } from "./service-process.ts";

/**
 * `server/main.ts` as its own process on 127.0.0.1:<port>: NODE_ENV=test, warn-level logs, then
 * `env` (DATABASE_URL at least). Ready once /readyz answers 200.
 */
export function startHubProcess(
  port: number,
  env: Record<string, string>,
  o: { label?: string; logFile?: string; readyTimeoutMs?: number; nodeFlags?: string[] } = {},
): Promise<ServiceProcess> {
  return startServiceProcess({
    label: o.label ?? "hub",
    script: "server/main.ts",
    port,
    env: { NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    ...(o.logFile ? { logFile: o.logFile } : {}),
    ...(o.readyTimeoutMs ? { readyTimeoutMs: o.readyTimeoutMs } : {}),
    ...(o.nodeFlags ? { nodeFlags: o.nodeFlags } : {}),
  });
}
