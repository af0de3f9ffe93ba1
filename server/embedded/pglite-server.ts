// The embedded development PostgreSQL: PGlite (Postgres compiled to Wasm) behind pglite-socket's
// wire-protocol server. It runs in its own process because PGlite executes queries synchronously
// and would stall the hub's event loop. Started by start-embedded-postgres.ts with an IPC channel;
// it exits when told to, on SIGTERM/SIGINT, or as soon as that channel closes (the hub is gone).
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DataDirProblem, isInitialised, lockDataDir, prepareDataDir } from "./data-dir.ts";
import type { ChildErrorCode, ChildMessage } from "./embedded-protocol.ts";

const STOP_GRACE_MS = 10_000;

const { values } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "max-connections": { type: "string", default: "12" },
  },
});

if (!process.send || !values["data-dir"]) {
  process.stderr.write("pglite-server.ts is started by the hub (startEmbeddedPostgres), not directly\n");
  process.exit(2);
}

const dataDir = resolve(values["data-dir"]);
const host = values.host;
const port = Number.parseInt(values.port, 10);
const maxConnections = Number.parseInt(values["max-connections"], 10);

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;
let releaseLock: (() => void) | undefined;
let stopping = false;

function send(message: ChildMessage): Promise<void> {
  // process.exit() drops queued IPC messages, so callers that exit next wait for the flush.
  return new Promise((done) => {
    if (!process.connected || !process.send) return done();
    process.send(message, undefined, {}, () => done());
  });
}

async function stop(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(exitCode || 1), STOP_GRACE_MS).unref();
  try {
    await server?.stop();
  } catch {
    // closing anyway
  }
  try {
    // A clean close checkpoints, so the next start resumes in well under a second.
    await db?.close();
  } catch {
    // closing anyway
  }
  releaseLock?.();
  process.exit(exitCode);
}

async function fail(code: ChildErrorCode, message: string): Promise<void> {
  await send({ type: "error", code, message });
  return stop(1);
}

process.on("disconnect", () => void stop(0));
process.on("message", (m: unknown) => {
  if (typeof m === "object" && m !== null && (m as { type?: unknown }).type === "stop") void stop(0);
});
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
process.on("uncaughtException", (err) => void fail("embedded_start_failed", err.message));

async function main(): Promise<void> {
  const started = Date.now();
  try {
    prepareDataDir(dataDir);
    releaseLock = lockDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirProblem) return fail(err.code, err.message);
    throw err;
  }
  // Fail fast: opening (let alone creating) the database takes seconds.
  const portProblem = port === 0 ? undefined : await probePort();
  if (portProblem) return failListen(portProblem);
  const fresh = !isInitialised(dataDir);
  try {
    db = await PGlite.create(dataDir);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return fail(
      "embedded_data_dir_unusable",
      `cannot open the database in ${dataDir}: ${why}. If it is damaged or from another PGlite version, move it away (the hub starts a new one) or set EMBEDDED_PG_DIR`,
    );
  }
  if (stopping) return;
  server = new PGLiteSocketServer({ db, host, port, maxConnections });
  try {
    await server.start();
  } catch (err) {
    return failListen(err as NodeJS.ErrnoException);
  }
  const boundPort = Number.parseInt(server.getServerConn().split(":").pop() ?? "", 10);
  await send({ type: "ready", port: boundPort, fresh, startMs: Date.now() - started });
}

function probePort(): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) => done(err));
    probe.listen(port, host, () => probe.close(() => done(undefined)));
  });
}

function failListen(err: NodeJS.ErrnoException): Promise<void> {
  if (err.code === "EADDRINUSE" || err.code === "EACCES") {
    const why = err.code === "EADDRINUSE" ? "the port is already in use" : "permission denied";
    return fail("embedded_port_in_use", `cannot listen on ${host}:${port}: ${why}`);
  }
  return fail("embedded_start_failed", `cannot listen on ${host}:${port}: ${err.message}`);
}

main().catch((err: unknown) => fail("embedded_start_failed", err instanceof Error ? err.message : String(err)));
