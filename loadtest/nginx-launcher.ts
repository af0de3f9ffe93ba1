/**
 * `--nginx`: renders a config with nginx/render-config.ts for the started instances and runs
 * `nginx -p <dir> -c nginx.conf -e <dir>/logs/error.log -g "daemon off;"` in front of them.
 * NGINX_BIN overrides the binary. Each proxied client costs nginx two descriptors (client and
 * upstream side) against the 20,000 open-files cap per worker, so two workers carry ≈ 19,000 clients.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderNginxConfig } from "../nginx/render-config.ts";
import { sleep } from "./pace.ts";
import { freePort, type ServiceProcess } from "./service-process.ts";

export async function launchNginx(o: { logDir: string; upstreams: ServiceProcess[]; readyTimeoutMs: number }): Promise<ServiceProcess> {
  const prefixDir = join(o.logDir, "nginx");
  await mkdir(join(prefixDir, "logs"), { recursive: true });
  const listenPort = await freePort();
  const errorLog = join(prefixDir, "logs", "error.log");
  const conf = renderNginxConfig({
    listenPort,
    upstreams: o.upstreams.map((u) => u.port),
    prefixDir,
    errorLog,
    accessLog: false,
    workerProcesses: "auto",
    workerConnections: 19_000,
  });
  await writeFile(join(prefixDir, "nginx.conf"), conf);
  const log = createWriteStream(join(o.logDir, "nginx.log"));
  const child = spawn(process.env.NGINX_BIN ?? "nginx", ["-p", prefixDir, "-c", join(prefixDir, "nginx.conf"), "-e", errorLog, "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  const url = `http://127.0.0.1:${listenPort}`;
  const stop = async () => {
    if (exited) return;
    const gone = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGQUIT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + o.readyTimeoutMs;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return { label: "nginx", pid: child.pid ?? -1, url, port: listenPort, stop };
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  await stop();
  throw new Error(`nginx did not come up; see ${join(o.logDir, "nginx.log")}`);
}
