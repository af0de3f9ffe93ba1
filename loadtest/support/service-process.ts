/** A Node service (`node --import tsx <script>`) as a child process, ready once `readyPath` answers 200. */
import { inspectorUrlOf } from "../live-heap.ts";
import { answers200, awaitReady } from "./await-ready.ts";
import { repoRoot } from "./repo-root.ts";
import { spawnWatched, type WatchedChild } from "./watched-child.ts";

export interface ServiceProcess extends WatchedChild {
  label: string;
  url: string;
  port: number;
  /** The V8 inspector's WebSocket URL, when the process was started with INSPECT_FLAG (--live-heap). */
  inspectorUrl?: string;
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
  /** Node options before the script (V8 flags such as the young generation's size). */
  nodeFlags?: string[];
}

/**
 * The V8 flags `npm start` runs the hub with (package.json): a young generation of 32 MB semi-spaces, so
 * the short-lived objects of each message die young instead of being promoted. The load tests give the
 * same flags to the baseline, so a comparison is of the servers, not of their GC settings.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=32"];

export async function startServiceProcess(spec: ServiceSpec): Promise<ServiceProcess> {
  // TypeScript runs through tsx; a compiled .js script runs as production runs it, without the loader.
  const loader = spec.script.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [];
  const watched = spawnWatched(process.execPath, [...(spec.nodeFlags ?? SERVER_NODE_FLAGS), ...loader, spec.script], {
    cwd: repoRoot,
    env: spec.env,
    ...(spec.logFile ? { logFile: spec.logFile } : {}),
  });
  const url = `http://127.0.0.1:${spec.port}`;
  const service: ServiceProcess = { ...watched, label: spec.label, url, port: spec.port };
  const readyUrl = url + (spec.readyPath ?? "/readyz");
  try {
    await awaitReady(watched, () => answers200(readyUrl), { what: `${spec.label} on :${spec.port}`, timeoutMs: spec.readyTimeoutMs ?? 30_000, everyMs: 100 });
  } catch (err) {
    // Not ready in time is not necessarily dead: a process left running would hold the port, and the
    // next start on it would fail with "already in use".
    await watched.stop("SIGKILL").catch(() => undefined);
    if (!spec.logFile) throw err;
    throw new Error(`${(err as Error).message}\n(full log: ${spec.logFile})`);
  }
  const inspectorUrl = inspectorUrlOf(watched.output());
  return inspectorUrl ? { ...service, inspectorUrl } : service;
}
