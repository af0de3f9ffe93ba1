import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderNginxConfig } from "../../nginx/render-config.ts";
import { freePort } from "./hub-process.ts";
import { waitFor } from "./wait-for.ts";

export interface NginxProcess {
  child: ChildProcess;
  url: string;
  port: number;
  prefixDir: string;
  /** Access log lines: `<client addr> -> <upstream addr> "<request>" <status> <time>`. */
  accessLog(): Promise<string[]>;
  output(): string;
  /** Fast shutdown (SIGTERM: open WebSockets are cut), SIGKILL after `timeoutMs`; removes the prefix dir. */
  stop(timeoutMs?: number): Promise<void>;
}

export const NGINX_BIN = process.env.NGINX_BIN ?? "nginx";

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

/** nginx (foreground, own temp prefix) in front of hub instances on 127.0.0.1:<port>, rendered from nginx/push-hub.conf. */
export async function startNginx(upstreams: readonly (number | string)[], listenPort?: number): Promise<NginxProcess> {
  const prefixDir = await mkdtemp(join(tmpdir(), "push-hub-nginx-"));
  // Workers run as an unprivileged user when we are root: they must reach the temp dirs under the prefix.
  await chmod(prefixDir, 0o755);
  await mkdir(join(prefixDir, "logs"), { recursive: true });
  const port = listenPort ?? (await freePort());
  const errorLog = join(prefixDir, "logs/error.log");
  await writeFile(join(prefixDir, "nginx.conf"), renderNginxConfig({ listenPort: port, upstreams, prefixDir, errorLog }));
  const child = spawn(NGINX_BIN, ["-p", prefixDir, "-c", join(prefixDir, "nginx.conf"), "-e", errorLog, "-g", "daemon off;"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // own process group, so a last-resort SIGKILL also reaches the workers
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (err) => ((out += String(err)), resolve()));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const readErrorLog = () => readFile(errorLog, "utf8").catch(() => "");
  try {
    await waitFor(async () => {
      if (gone) throw new Error("nginx exited");
      return portOpen(port);
    }, `nginx on :${port}`, 10000, 50);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${out}\n${await readErrorLog()}`);
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    port,
    prefixDir,
    output: () => out,
    async accessLog() {
      const text = await readFile(join(prefixDir, "logs/access.log"), "utf8").catch(() => "");
      return text.split("\n").filter((l) => l.length > 0);
    },
    async stop(timeoutMs = 5000) {
      if (!gone) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        }, timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      await rm(prefixDir, { recursive: true, force: true });
    },
  };
}
