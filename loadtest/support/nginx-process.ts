/**
 * nginx in the foreground in front of hub instances, with a config rendered from nginx/push-hub.conf
 * (nginx/render-config.ts) into its own prefix directory. NGINX_BIN overrides the binary.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderNginxConfig, type NginxRenderOptions } from "../../nginx/render-config.ts";
import { answers200, awaitReady } from "./await-ready.ts";
import { freePort } from "./free-port.ts";
import { spawnWatched } from "./watched-child.ts";

export interface NginxProcess {
  pid: number;
  url: string;
  port: number;
  prefixDir: string;
  /** Access log lines: `<client addr> -> <upstream addr> "<request>" <status> <time>`. */
  accessLog(): Promise<string[]>;
  output(): string;
  /** `stopSignal`, SIGKILL to its process group after `graceMs`; removes a temporary prefix dir. */
  stop(graceMs?: number): Promise<void>;
}

export interface NginxOptions {
  /** Hub instances: ports on 127.0.0.1, or `host:port`. */
  upstreams: readonly (number | string)[];
  listenPort?: number;
  /** Kept afterwards; default: a temporary directory that stop() removes. */
  prefixDir?: string;
  logFile?: string;
  config?: Pick<NginxRenderOptions, "accessLog" | "workerProcesses" | "workerConnections">;
  /** Ready once this path answers 200 through nginx; default: once the port accepts connections. */
  readyPath?: string;
  readyTimeoutMs?: number;
  /** SIGTERM (default) is nginx's fast shutdown, which cuts open WebSockets; SIGQUIT lets them finish. */
  stopSignal?: "SIGTERM" | "SIGQUIT";
}

export const NGINX_BIN = process.env.NGINX_BIN ?? "nginx";

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

export async function startNginx(o: NginxOptions): Promise<NginxProcess> {
  const prefixDir = o.prefixDir ?? (await mkdtemp(join(tmpdir(), "push-hub-nginx-")));
  await mkdir(join(prefixDir, "logs"), { recursive: true });
  // Workers run as an unprivileged user when we are root: they must reach the temp dirs under the prefix.
  await chmod(prefixDir, 0o755);
  const port = o.listenPort ?? (await freePort());
  const errorLog = join(prefixDir, "logs/error.log");
  const confFile = join(prefixDir, "nginx.conf");
  await writeFile(confFile, renderNginxConfig({ listenPort: port, upstreams: o.upstreams, prefixDir, errorLog, ...o.config }));
  const nginx = spawnWatched(NGINX_BIN, ["-p", prefixDir, "-c", confFile, "-e", errorLog, "-g", "daemon off;"], {
    processGroup: true,
    ...(o.logFile ? { logFile: o.logFile } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  const handle: NginxProcess = {
    pid: nginx.pid,
    url,
    port,
    prefixDir,
    output: nginx.output,
    async accessLog() {
      const text = await readFile(join(prefixDir, "logs/access.log"), "utf8").catch(() => "");
      return text.split("\n").filter((l) => l.length > 0);
    },
    async stop(graceMs = 5000) {
      await nginx.stop(o.stopSignal ?? "SIGTERM", graceMs);
      if (!o.prefixDir) await rm(prefixDir, { recursive: true, force: true });
    },
  };
  const ready = () => (o.readyPath ? answers200(url + o.readyPath) : portOpen(port));
  try {
    await awaitReady(nginx, ready, { what: `nginx on :${port}`, timeoutMs: o.readyTimeoutMs ?? 10_000, everyMs: 50 });
  } catch (err) {
    const errorLogText = await readFile(errorLog, "utf8").catch(() => "");
    await handle.stop();
    throw new Error(`${(err as Error).message}\n${errorLogText}`);
  }
  return handle;
}
