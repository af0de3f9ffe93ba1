/**
 * `--redis-server`: a redis-server of the run's own on a free loopback port, so INFO commandstats
 * and its CPU count this run's traffic alone. No persistence; stopped (SIGTERM, SIGKILL after 5 s)
 * when the run ends. REDIS_SERVER_BIN overrides the binary.
 */
import { connect } from "node:net";
import { join } from "node:path";
import { awaitReady } from "./support/await-ready.ts";
import { freePort } from "./support/free-port.ts";
import { spawnWatched } from "./support/watched-child.ts";

export interface RedisServerProcess {
  pid: number;
  port: number;
  url: string;
  stop(): Promise<void>;
}

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? "redis-server";

/** True once something on the port answers PING with +PONG. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d: Buffer) => {
      reply += d.toString();
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
    socket.once("error", () => done(false));
  });
}

export async function launchRedisServer(o: { logDir: string; readyTimeoutMs: number }): Promise<RedisServerProcess> {
  const port = await freePort();
  const args = [
    "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", o.logDir,
    "--maxclients", "1000", "--loglevel", "warning", "--daemonize", "no",
  ];
  const child = spawnWatched(REDIS_SERVER_BIN, args, { logFile: join(o.logDir, "redis-server.log") });
  await awaitReady(child, () => answersPing(port), { what: `redis-server on :${port}`, timeoutMs: o.readyTimeoutMs, everyMs: 50 });
  return {
    pid: child.pid,
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await child.stop("SIGTERM", 5000);
    },
  };
}
