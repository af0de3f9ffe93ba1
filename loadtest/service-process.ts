/**
 * Starts a Node service (hub or baseline server) as a child process with its own env, logs to a
 * file, waits for its readiness URL, and stops it with SIGTERM (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { sleep } from "./pace.ts";

export interface ServiceProcess {
  label: string;
  pid: number;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  label: string;
  cwd: string;
  /** arguments after `node --import tsx` */
  args: string[];
  env: Record<string, string>;
  port: number;
  logFile: string;
  readyPath: string;
  readyTimeoutMs: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function startService(spec: ServiceSpec): Promise<ServiceProcess> {
  const log = createWriteStream(spec.logFile, { flags: "a" });
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), ...spec.args], {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  let exit: string | undefined;
  child.once("exit", (code, signal) => {
    exit = `${signal ?? code}`;
  });
  const url = `http://127.0.0.1:${spec.port}`;
  const service: ServiceProcess = {
    label: spec.label,
    pid: child.pid ?? -1,
    url,
    port: spec.port,
    stop: async () => {
      await stopChild(child, 15_000);
      log.end();
    },
  };
  const deadline = Date.now() + spec.readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exit !== undefined) break;
    try {
      const res = await fetch(url + spec.readyPath, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.status === 200) return service;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  await service.stop();
  throw new Error(`${spec.label} did not become ready (${exit !== undefined ? `exited with ${exit}` : "timeout"}); see ${spec.logFile}`);
}
