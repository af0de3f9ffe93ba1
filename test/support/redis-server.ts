import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./hub-process.ts";
import { waitFor } from "./wait-for.ts";

export interface RedisServer {
  port: number;
  url: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGKILL (an outage: no goodbye to the clients), resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: no persistence), resolves when it answers PING. */
  start(): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? "redis-server";

async function pong(port: number): Promise<boolean> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** A throw-away redis-server on its own port: `--save "" --appendonly no`, so a restart starts empty. */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const p = port ?? (await freePort());
  let child!: ChildProcess;
  let exited: Promise<void> = Promise.resolve();
  let running = false;
  let out = "";
  const launch = async () => {
    child = spawn(REDIS_SERVER_BIN, ["--port", String(p), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    running = true;
    child.stdout?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-10000)));
    child.stderr?.on("data", (d: Buffer) => (out = (out + d.toString()).slice(-10000)));
    exited = new Promise((resolve) => {
      child.once("exit", () => ((running = false), resolve()));
      child.once("error", (err) => ((out += String(err)), (running = false), resolve()));
    });
    await waitFor(async () => {
      if (!running) throw new Error(`redis-server exited:\n${out}`);
      return pong(p);
    }, `redis-server on :${p}`, 10000, 50);
  };
  const kill = async () => {
    if (!running) return;
    child.kill("SIGKILL");
    await exited;
  };
  await launch();
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    get child() {
      return child;
    },
    output: () => out,
    kill,
    start: launch,
    stop: kill,
  };
}
