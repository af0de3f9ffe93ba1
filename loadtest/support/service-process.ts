/** A Node service (`node --import tsx <script>`) as a child process, ready once `readyPath` answers 200. */
import { repoRoot } from "./repo-root.ts";
import { spawnWatched, type WatchedChild } from "./watched-child.ts";
import { waitFor } from "./wait-for.ts";

export interface ServiceProcess extends WatchedChild {
  label: string;
  url: string;
  port: number;
}

export interface ServiceSpec {
  label: string;
  /** Path from the repository root. */
  script: string;
  /** Where it listens on 127.0.0.1; `env` must tell the service so. */
  port: number;
  env: Record<string, string>;
  logFile?: string;
  readyPath?: string;
  readyTimeoutMs?: number;
}

async function answers200(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.body?.cancel();
  return res.status === 200;
}

export async function startServiceProcess(spec: ServiceSpec): Promise<ServiceProcess> {
  const watched = spawnWatched(process.execPath, ["--import", import.meta.resolve("tsx"), spec.script], {
    cwd: repoRoot,
    env: spec.env,
    ...(spec.logFile ? { logFile: spec.logFile } : {}),
  });
  const url = `http://127.0.0.1:${spec.port}`;
  const service: ServiceProcess = { ...watched, label: spec.label, url, port: spec.port };
  const readyUrl = url + (spec.readyPath ?? "/readyz");
  const timeoutMs = spec.readyTimeoutMs ?? 30_000;
  let outcome: string | false;
  try {
    outcome = await waitFor(
      async () => (watched.running() ? (await answers200(readyUrl)) && "ready" : `exited with ${await watched.exited}`),
      `${spec.label} on :${spec.port} to be ready`,
      timeoutMs,
      100,
    );
  } catch (err) {
    outcome = (err as Error).message;
  }
  if (outcome === "ready") return service;
  await watched.stop("SIGKILL");
  const seeLog = spec.logFile ? `; see ${spec.logFile}` : "";
  throw new Error(`${spec.label} did not become ready (${outcome})${seeLog}\n${watched.output()}`);
}
