import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { compiled } from "../project-paths.ts";
import { EmbeddedDatabaseError } from "./embedded-database-error.ts";
import { isChildMessage, type ChildMessage, type ParentMessage } from "./embedded-protocol.ts";

interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 = let the OS pick a free port. */
  port: number;
  /** The server's connection limit (pglite-socket `-m`): the hub's pool size plus a little headroom. */
  maxConnections: number;
  logger: Logger;
  /** A fresh data directory takes a few seconds; a loaded machine may need much longer. */
  startTimeoutMs?: number;
  /** Called if the child dies while the hub still needs it (not after stop()). */
  onUnexpectedExit?: (info: { code: number | null; signal: NodeJS.Signals | null }) => void;
}

export interface EmbeddedPostgres {
  url: string;
  pid: number;
  /** Idempotent; resolves once the child has exited (SIGKILL after a grace period). */
  stop(): Promise<void>;
}

const CHILD_FILE = fileURLToPath(new URL(compiled ? "./pglite-server.js" : "./pglite-server.ts", import.meta.url));
// Compiled (npm run build), the child is plain JavaScript; from source it needs tsx like its parent.
const CHILD_LOADER = compiled ? [] : ["--import", import.meta.resolve("tsx")];
const HOST = "127.0.0.1";
const STOP_TIMEOUT_MS = 15_000;

/** Starts PGlite behind pglite-socket in a child process and resolves once it accepts connections. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(opts.dataDir);
  const log = opts.logger.child({ component: "embedded-postgres" });
  const started = Date.now();
  let run = await launch(opts, dataDir, log);
  if (run.ready.fresh) {
    // initdb leaves PGlite's Wasm heap at ~800 MB RSS for the life of the process; a resumed
    // database needs less than half of that, so pay one ~1.5 s restart on the very first start.
    log.info({ initMs: run.ready.startMs }, "embedded PostgreSQL initialised a new database; restarting it to free initdb memory");
    await stopChild(run.child, run.exited);
    run = await launch(opts, dataDir, log);
  }
  const { child, exited, ready, stderrTail } = run;

  let stopping: Promise<void> | undefined;
  void exited.then((info) => {
    if (stopping) return;
    log.error({ ...info, stderr: stderrTail.slice(-5) }, "embedded PostgreSQL exited unexpectedly");
    opts.onUnexpectedExit?.(info);
  });
  log.info({ childPid: child.pid, port: ready.port, dataDir, startMs: Date.now() - started }, "embedded PostgreSQL is ready");
  return {
    url: `postgresql://postgres:postgres@${HOST}:${ready.port}/postgres?sslmode=disable`,
    pid: child.pid ?? -1,
    stop: () =>
      (stopping ??= (async () => {
        const t = Date.now();
        await stopChild(child, exited);
        log.info({ stopMs: Date.now() - t }, "embedded PostgreSQL stopped");
      })()),
  };
}

interface Launched {
  child: ChildProcess;
  exited: Exit;
  ready: Extract<ChildMessage, { type: "ready" }>;
  stderrTail: string[];
}

async function launch(opts: EmbeddedPostgresOptions, dataDir: string, log: Logger): Promise<Launched> {
  // detached: its own process group, so a terminal Ctrl-C reaches only the hub, which then stops
  // the database last, after the drainer has released its leases.
  const child = spawn(
    process.execPath,
    [
      ...CHILD_LOADER,
      CHILD_FILE,
      `--data-dir=${dataDir}`,
      `--host=${HOST}`,
      `--port=${opts.port}`,
      `--max-connections=${opts.maxConnections}`,
    ],
    { stdio: ["ignore", "pipe", "pipe", "ipc"], detached: true, env: process.env },
  );
  const stderrTail: string[] = [];
  forwardOutput(child, log, stderrTail);
  const exited: Exit = new Promise((done) => child.once("exit", (code, signal) => done({ code, signal })));

  const ready = await waitForReady(child, exited, opts.startTimeoutMs ?? 120_000).catch(async (err: unknown) => {
    await kill(child, exited);
    if (stderrTail.length > 0) log.error({ stderr: stderrTail.slice(-10) }, "embedded PostgreSQL output before it failed");
    throw err;
  });
  if (ready.type === "error") {
    await kill(child, exited);
    throw toError(ready, dataDir, opts.port);
  }
  return { child, exited, ready, stderrTail };
}

type Exit = Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

function waitForReady(child: ChildProcess, exited: Exit, timeoutMs: number): Promise<ChildMessage> {
  return new Promise((done, reject) => {
    const timer = setTimeout(() => {
      reject(new EmbeddedDatabaseError("embedded_start_timeout", `Embedded PostgreSQL did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on("message", (m: unknown) => {
      if (!isChildMessage(m)) return;
      clearTimeout(timer);
      done(m);
    });
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new EmbeddedDatabaseError("embedded_start_failed", `Embedded PostgreSQL could not be started: ${err.message}`, undefined, err));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new EmbeddedDatabaseError(
          "embedded_start_failed",
          `Embedded PostgreSQL exited during start-up (${signal ?? `exit code ${code}`}); run with LOG_LEVEL=debug for its output`,
          { code, signal },
        ),
      );
    });
  });
}

function toError(m: Extract<ChildMessage, { type: "error" }>, dataDir: string, port: number): EmbeddedDatabaseError {
  const useOwn = "or set DATABASE_URL to use your own PostgreSQL";
  switch (m.code) {
    case "embedded_port_in_use":
      return new EmbeddedDatabaseError(
        m.code,
        `Embedded PostgreSQL ${m.message}. Set EMBEDDED_PG_PORT to a free port (0 picks one), ${useOwn}.`,
        { port },
      );
    case "embedded_data_dir_unusable":
    case "embedded_data_dir_locked":
      return new EmbeddedDatabaseError(m.code, `Embedded PostgreSQL cannot use its data directory: ${m.message} (${useOwn}).`, { dataDir });
    default:
      return new EmbeddedDatabaseError(m.code, `Embedded PostgreSQL failed to start: ${m.message}`);
  }
}

function forwardOutput(child: ChildProcess, log: Logger, stderrTail: string[]): void {
  if (child.stdout) createInterface({ input: child.stdout }).on("line", (line) => log.debug({ stream: "stdout" }, line));
  if (child.stderr) {
    createInterface({ input: child.stderr }).on("line", (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      log.debug({ stream: "stderr" }, line);
    });
  }
}

async function stopChild(child: ChildProcess, exited: Exit): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (child.connected) child.send({ type: "stop" } satisfies ParentMessage);
  else child.kill("SIGTERM");
  await waitOrKill(child, exited, STOP_TIMEOUT_MS);
}

async function kill(child: ChildProcess, exited: Exit): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await waitOrKill(child, exited, 5_000);
}

/** Waits up to `graceMs` for the child to exit, then SIGKILLs it. */
async function waitOrKill(child: ChildProcess, exited: Exit, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((done) => (timer = setTimeout(() => done(true), graceMs)));
  if (await Promise.race([exited.then(() => false), timedOut])) child.kill("SIGKILL");
  clearTimeout(timer);
  await exited;
}
