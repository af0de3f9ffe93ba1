/**
 * `--nginx`: nginx in front of the started instances, tuned for load: no access log, a worker per
 * core, and 19,000 connections per worker. Each proxied client costs nginx two descriptors (client
 * and upstream side) against the 20,000 open-files cap per worker, so two workers carry ≈ 19,000
 * clients. Its prefix directory and output stay in the run's log directory.
 */
import { join } from "node:path";
import { startNginx, type NginxProcess } from "./support/nginx-process.ts";
import type { ServiceProcess } from "./support/service-process.ts";

export function launchNginx(o: { logDir: string; upstreams: ServiceProcess[]; readyTimeoutMs: number }): Promise<NginxProcess> {
  return startNginx({
    upstreams: o.upstreams.map((u) => u.port),
    prefixDir: join(o.logDir, "nginx"),
    logFile: join(o.logDir, "nginx.log"),
    config: { accessLog: false, workerProcesses: "auto", workerConnections: 19_000 },
    readyPath: "/readyz",
    readyTimeoutMs: o.readyTimeoutMs,
    stopSignal: "SIGQUIT",
  });
}
