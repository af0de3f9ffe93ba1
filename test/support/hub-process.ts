import { spawn, type ChildProcess } from "node:child_process";
import { ROOT } from "./env.ts";
import { waitFor } from "./wait-for.ts";

export interface HubProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the process wrote, for failure messages. */
  output(): string;
  /** Sends `signal` and resolves with the exit code (or signal name) once it has exited. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
  exited: Promise<number | string>;
}

/** `node --import tsx server/main.ts` as its own process (for signals, kills and restarts). */
export async function startHubProcess(port: number, env: Record<string, string>, readyTimeoutMs = 30000): Promise<HubProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  child.stderr?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(async () => {
    if (gone) throw new Error(`hub exited during start-up:\n${out}`);
    return (await fetch(`${url}/readyz`)).status === 200;
  }, `hub on :${port} to be ready`, readyTimeoutMs, 100).catch((e: Error) => {
    child.kill("SIGKILL");
    throw new Error(`${e.message}\n${out}`);
  });
  return {
    child,
    url,
    port,
    exited,
    output: () => out,
    async stop(signal = "SIGTERM", timeoutMs = 15000) {
      if (gone) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
